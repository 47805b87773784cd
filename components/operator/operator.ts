/**
 * PrometheusOperator: always installed (no flag turns it off: team Prometheus instances need it whether or
 * not platform monitoring is on — the otomi-core/apl-core decision).
 *
 * How each part is applied (docs/components/operator.md):
 * - CRDs: the prometheus-operator-crds chart as a real Helm release (`helm.v3.Release`, which runs Helm
 *   itself) named `prometheus-operator-crds`, with `retainOnDelete`, and every CRD annotated
 *   `helm.sh/resource-policy: keep`. Why not a `helm.v4.Chart`: retainOnDelete on a v4 Chart does not
 *   reach the chart's children (pulumi/pulumi-kubernetes#3065), so a stack change could delete the CRDs —
 *   and with them every team's ServiceMonitors, PodMonitors and PrometheusRules. With `retainOnDelete`
 *   Pulumi drops the Release from state without `helm uninstall`, so the Helm release stays deployed; the
 *   next install of the same name then fails ("cannot re-use a name that is still in use": helm_release.go
 *   Create always installs), hence `operator.crds.adoptExisting`, which imports it (ID `<ns>/<name>`).
 *   The name is fixed: without one the provider makes up `<resource name>-<random>` (helm_release.go).
 * - The operator: kube-prometheus-stack in operator-only mode, a `helm.v4.Chart` (no hooks run: the TLS
 *   Secret comes from webhookTls.ts) with the fixed release name `kube-prometheus-stack`. The cluster
 *   exporters are switched by `clusterExporters`; node-exporter gets its own `privileged` namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { charts } from "../versions";
import { standardLabels } from "../labels";
import type { Resources } from "../config/schema";
import { OPERATOR_RELEASE, DEFAULT_CONFIG_RELOADER_RESOURCES, DEFAULT_KUBE_STATE_METRICS_RESOURCES, DEFAULT_NODE_EXPORTER_RESOURCES, DEFAULT_OPERATOR_RESOURCES, DefaultRulesSettings, NODE_EXPORTER_NAMESPACE_LABELS, OPERATOR_FULLNAME, OPERATOR_SERVICE, operatorValues } from "./values";
import { declareWebhookTls } from "./webhookTls";

/** Helm release names: fixed, so a re-created resource is the same Helm release. */
export const CRDS_RELEASE = "prometheus-operator-crds";
export { OPERATOR_RELEASE };

export interface PrometheusOperatorArgs {
  /** Namespace of the operator (and of its CRD release's bookkeeping). */
  namespace: string;
  /** What must exist first (the namespace). @default [] */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Deploy kube-state-metrics, node-exporter and the kubelet/cAdvisor/API server monitors. @default false */
  clusterExporters?: boolean;
  /** Namespace node-exporter runs in, created here labelled Pod Security `privileged`. @default "node-exporter" */
  nodeExporterNamespace?: string;
  /** Operator container resources. @default requests 200m CPU / 200Mi memory, limit 512Mi */
  resources?: Resources;
  /** config-reloader resources of every Prometheus and Alertmanager. @default the operator's own: 10m / 50Mi, limit 50Mi */
  configReloaderResources?: Resources;
  /** @default requests 10m / 64Mi, limit 256Mi */
  kubeStateMetricsResources?: Resources;
  /** @default requests 10m / 32Mi, limit 128Mi */
  nodeExporterResources?: Resources;
  /** The chart's default rules for the platform Prometheus (only with `clusterExporters`). @default off */
  defaultRules?: DefaultRulesSettings;
  /** The chart's dashboards as sidecar ConfigMaps for a Grafana in this namespace. @default false */
  dashboards?: boolean;
  /** Their `cluster` variable shown: a hub's Grafana reads every cluster. @default false */
  multicluster?: boolean;
  /** kube-prometheus-stack chart version. @default versions.ts */
  chartVersion?: string;
  /** prometheus-operator-crds chart version (the same operator release as `chartVersion`). @default versions.ts */
  crdsChartVersion?: string;
  /**
   * The CRDs' Helm release already exists in the cluster (left by `pulumi destroy`, which retains it, or by
   * another stack of this program): import it instead of installing it. @default false
   */
  adoptExistingCrds?: boolean;
}

export class PrometheusOperator extends pulumi.ComponentResource {
  /** The CRD release; custom resources must depend on it. */
  public readonly crds: k8s.helm.v3.Release;
  /** The operator chart; Prometheus CRs depend on it so the operator exists to reconcile them. */
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: PrometheusOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:PrometheusOperator", name, {}, opts);
    const crdsRef = charts.prometheusOperatorCrds;
    const opRef = charts.kubePrometheusStack;
    const clusterExporters = args.clusterExporters ?? false;

    this.crds = new k8s.helm.v3.Release(
      `${name}-crds`,
      {
        name: CRDS_RELEASE,
        chart: crdsRef.chart,
        version: args.crdsChartVersion ?? crdsRef.version,
        repositoryOpts: { repo: crdsRef.repo },
        namespace: args.namespace,
        // charts/prometheus-operator-crds/values.yaml @31.0.1: `crds.annotations` go on every CRD.
        values: { crds: { annotations: { "helm.sh/resource-policy": "keep" } } },
      },
      {
        parent: this,
        retainOnDelete: true,
        dependsOn: args.dependsOn ?? [],
        // helm_release.go: a Release's import ID is "<namespace>/<release name>".
        ...(args.adoptExistingCrds ? { import: `${args.namespace}/${CRDS_RELEASE}` } : {}),
      },
    );

    const tls = declareWebhookTls(this, name, { namespace: args.namespace, fullname: OPERATOR_FULLNAME, service: OPERATOR_SERVICE, dependsOn: args.dependsOn ?? [] });

    const nodeExporterNs = args.nodeExporterNamespace ?? "node-exporter";
    const dependsOn: pulumi.Input<pulumi.Resource>[] = [...(args.dependsOn ?? []), this.crds, tls.secret];
    if (clusterExporters) {
      dependsOn.push(
        new k8s.core.v1.Namespace(
          `${name}-ns-node-exporter`,
          { metadata: { name: nodeExporterNs, labels: { ...standardLabels("namespace", "node-exporter"), ...NODE_EXPORTER_NAMESPACE_LABELS } } },
          { parent: this },
        ),
      );
    }

    this.chart = new k8s.helm.v4.Chart(
      `${name}`,
      {
        name: OPERATOR_RELEASE,
        chart: opRef.chart,
        version: args.chartVersion ?? opRef.version,
        repositoryOpts: { repo: opRef.repo },
        namespace: args.namespace,
        values: operatorValues({
          clusterExporters,
          defaultRules: args.defaultRules,
          dashboards: args.dashboards,
          multicluster: args.multicluster,
          resources: args.resources ?? DEFAULT_OPERATOR_RESOURCES,
          configReloaderResources: args.configReloaderResources ?? DEFAULT_CONFIG_RELOADER_RESOURCES,
          kubeStateMetricsResources: args.kubeStateMetricsResources ?? DEFAULT_KUBE_STATE_METRICS_RESOURCES,
          nodeExporterResources: args.nodeExporterResources ?? DEFAULT_NODE_EXPORTER_RESOURCES,
          webhook: { caBundle: tls.caBundle, certSha256: tls.certSha256 },
          nodeExporterNamespace: nodeExporterNs,
        }),
      },
      { parent: this, dependsOn },
    );

    this.registerOutputs({ crds: this.crds, chart: this.chart });
  }
}
