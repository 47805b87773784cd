/**
 * Every chart and image version the stack deploys, in one place (STYLE.md habit 11).
 * Each entry names the upstream file it was read from; when you bump one, re-check the values keys the
 * components set against that version's values.yaml (test/fixtures/charts/ holds what the tests check).
 * Stack config may override a chart version (`<component>.chartVersion`), at the user's own risk.
 */
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
} satisfies Record<string, ChartRef>;

export const images = {
  /** Prometheus server run by every Prometheus CR; the operator v0.93.1 default is overridden only if set. */
} as const;
