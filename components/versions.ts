/**
 * Every chart and image version the stack deploys, in one place (STYLE.md habit 11).
 * Each entry names the upstream file it was read from; when you bump one, re-check the values keys the
 * components set against that version's values.yaml (test/fixtures/charts/ holds what the tests check).
 * Stack config may override a chart version (`<component>.chartVersion`), at the user's own risk.
 */
import { inRange, isSemver } from "./semver";

export interface ChartRef {
  /** Chart name. */
  chart: string;
  /** Exact chart version (never a range: a floating version makes `pulumi preview` non-reproducible). */
  version: string;
  /** Helm repository URL, or "" when `chart` is a full oci:// reference. */
  repo: string;
  /** Upstream source of the fact, for reviewers. */
  source: string;
}

export const charts = {
  /**
   * Operator in operator-only mode. prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml
   * version 88.5.3, appVersion v0.93.1 (snapshot 2026-08-22); subcharts kube-state-metrics 8.4.0,
   * prometheus-node-exporter 4.56.1.
   */
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
    source: "prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml@88.5.3",
  },
  /** The same operator release's CRDs, as their own release (retained on delete). charts/prometheus-operator-crds/Chart.yaml 31.0.1 (v0.93.1). */
  prometheusOperatorCrds: {
    chart: "prometheus-operator-crds",
    version: "31.0.1",
    repo: "https://prometheus-community.github.io/helm-charts",
    source: "prometheus-community/helm-charts charts/prometheus-operator-crds/Chart.yaml@31.0.1",
  },
  /**
   * Tempo in microservices mode. grafana-community/helm-charts charts/tempo-distributed/Chart.yaml at tag
   * tempo-distributed-2.26.2 (commit 3da788510095cac57948719312008b01a226eb2f): version 2.26.2, appVersion
   * 2.10.7. The newest 2.x: 3.x runs Tempo 3 (Kafka write path, no ingesters). Published by the repo's
   * release workflow to oci://ghcr.io/grafana-community/helm-charts. Services and values keys the component
   * relies on: test/fixtures/charts/tempo-distributed-2.26.2/.
   */
  tempoDistributed: {
    chart: "oci://ghcr.io/grafana-community/helm-charts/tempo-distributed",
    version: "2.26.2",
    repo: "",
    source: "grafana-community/helm-charts charts/tempo-distributed/Chart.yaml@tempo-distributed-2.26.2 (3da78851)",
  },
  /**
   * Spegel. spegel-org/spegel charts/spegel at tag v0.7.4 (commit 79779e2683ef80a588da97c18423bc45a9415369);
   * the release workflow packages it as chart version = tag without "v", appVersion = tag
   * (.github/workflows/release.yaml), pushed to oci://ghcr.io/spegel-org/helm-charts.
   */
  spegel: {
    chart: "oci://ghcr.io/spegel-org/helm-charts/spegel",
    version: "0.7.4",
    repo: "",
    source: "spegel-org/spegel charts/spegel@v0.7.4 (79779e26)",
  },
  /**
   * Grafana. grafana-community/helm-charts charts/grafana/Chart.yaml version 12.11.1, appVersion 13.2.0
   * (commit 864f7794683680e5100a38670e103c4fa6e37e29, 2026-08-19; kube-prometheus-stack 88.5.3 depends on
   * the same 12.11.1, from the same project's HTTP repo). The project's README prefers the OCI artifacts on
   * ghcr.io; also served at https://grafana-community.github.io/helm-charts (grafana/helm-charts no longer
   * releases it).
   * Values keys the Grafana component sets: test/grafana/fixtures/chart-grafana-12.11.1/values-keys.json.
   */
  grafana: {
    chart: "oci://ghcr.io/grafana-community/helm-charts/grafana",
    version: "12.11.1",
    repo: "",
    source: "grafana-community/helm-charts charts/grafana/Chart.yaml@864f7794683680e5100a38670e103c4fa6e37e29 (12.11.1)",
  },
  /**
   * Thanos, the hub's store (components/hub). thanos-community/helm-charts charts/thanos/Chart.yaml at tag
   * thanos-0.38.0 (commit aa4bd28e2bea484826ffa64ad5672e4ad7c65cce, 2026-08-21): version 0.38.0, appVersion
   * v0.42.4 (quay.io/thanos/thanos:v0.42.4, USER 1001). No Helm hooks, CRDs or lookup() in its templates;
   * its optional kube-prometheus-stack and rustfs subcharts stay off. Published to
   * oci://ghcr.io/thanos-community/helm-charts (its README). Values keys: test/fixtures/charts/thanos-0.38.0/.
   */
  thanos: {
    chart: "oci://ghcr.io/thanos-community/helm-charts/thanos",
    version: "0.38.0",
    repo: "",
    source: "thanos-community/helm-charts charts/thanos/Chart.yaml@thanos-0.38.0 (aa4bd28e)",
  },
} satisfies Record<string, ChartRef>;

/**
 * The Prometheus Operator release each chart version ships (Chart.yaml `appVersion`), so that the CRDs
 * release always matches the operator (a CRD schema older than the operator drops fields the operator
 * writes; newer ones reject nothing but are untested with it). Read in prometheus-community/helm-charts
 * (`git log -- charts/<chart>/Chart.yaml`, version and appVersion at each commit) up to cf408a29
 * (2026-08-22). Ranges are inclusive; every release in them has that appVersion.
 */
export const operatorReleases = {
  kubePrometheusStack: [
    { from: "88.4.0", to: "88.5.3", operator: "v0.93.1" },
    { from: "88.0.0", to: "88.3.0", operator: "v0.93.0" },
    { from: "87.4.0", to: "87.21.0", operator: "v0.92.1" },
    { from: "87.0.0", to: "87.3.0", operator: "v0.92.0" },
  ],
  prometheusOperatorCrds: [
    { from: "31.0.1", to: "31.0.1", operator: "v0.93.1" },
    { from: "31.0.0", to: "31.0.0", operator: "v0.93.0" },
    { from: "30.0.1", to: "30.0.1", operator: "v0.92.1" },
    { from: "30.0.0", to: "30.0.0", operator: "v0.92.0" },
  ],
} as const;

export const images = {
  /**
   * Runs the bundled Kueue exporter (exporter/ → one file in a ConfigMap), so no image registry of ours is
   * needed. The official Node.js image, Node 24 LTS on Alpine 3.24: nodejs/docker-node 24/alpine3.24/Dockerfile
   * (NODE_VERSION=24.19.0, user `node` uid/gid 1000) at f27d936f (2026-08-19). The bundle targets node20+.
   */
  kueueExporterRuntime: "docker.io/library/node:24.19.0-alpine3.24",
  /**
   * The object store Tempo keeps its blocks in when a cluster has none (`tempo.storage.backend: minio`): the
   * MinIO image the pinned tempo-distributed chart itself uses (grafana-community/helm-charts@3da78851
   * charts/tempo-distributed/values.yaml `minio.image`: pgsty/minio, tag RELEASE.2026-04-17T00-00-00Z; the
   * same image its CI runs as a plain Deployment, ci/integration/it-prerequisites.yaml).
   */
  minio: "docker.io/pgsty/minio:RELEASE.2026-04-17T00-00-00Z",
  /**
   * The hub's write gateway (components/hub/gateway.ts): the unprivileged nginx image (uid 101, port 8080) that
   * Grafana's mimir-distributed chart runs as its gateway (grafana/mimir
   * operations/helm/charts/mimir-distributed/values.yaml `gateway.image`, nginxinc/nginx-unprivileged
   * 1.29-alpine, at 63460db0, the chart 6.2.0 line).
   */
  hubGateway: "docker.io/nginxinc/nginx-unprivileged:1.29-alpine",
} as const;

/** The Prometheus server image is the prometheus-operator v0.93.1 default for every Prometheus CR (not overridden). */

/** The operator version a kube-prometheus-stack or prometheus-operator-crds chart version ships, if known. */
export function operatorVersionOf(chart: keyof typeof operatorReleases, version: string): string | undefined {
  if (!isSemver(version)) return undefined;
  return operatorReleases[chart].find((r) => inRange(version, r.from, r.to))?.operator;
}

/** The prometheus-operator-crds version that ships the same operator as kube-prometheus-stack `kpsVersion`. */
export function crdsVersionFor(kpsVersion: string): string | undefined {
  const op = operatorVersionOf("kubePrometheusStack", kpsVersion);
  // Each CRDs range is one release (see operatorReleases): its `to` is the version.
  return op === undefined ? undefined : operatorReleases.prometheusOperatorCrds.find((r) => r.operator === op)?.to;
}
