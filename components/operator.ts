/**
 * PrometheusOperator: always installed (no flag turns it off: team Prometheus instances need it whether or
 * not platform monitoring is on — the otomi-core/apl-core decision).
 *
 * - CRDs: the prometheus-operator-crds chart as a real Helm release (`helm.v3.Release`, one resource) with
 *   `retainOnDelete`, and every CRD annotated `helm.sh/resource-policy: keep`. Why not a `helm.v4.Chart`:
 *   retainOnDelete on a v4 Chart does not reach the chart's children (pulumi/pulumi-kubernetes#3065,
 *   closed won't-fix), so a stack change could delete the CRDs — and with them every team's
 *   ServiceMonitors, PodMonitors and PrometheusRules. With a Release, Pulumi drops it from state on
 *   delete/destroy without running `helm uninstall`, and Helm itself keeps annotated objects anyway.
 * - The operator: kube-prometheus-stack in operator-only mode (no standalone operator chart exists any more),
 *   its own CRD subchart off. The cluster exporters (kube-state-metrics, node-exporter, kubelet/cAdvisor and
 *   API server monitors) are switched by `platformMonitoring`; their ServiceMonitors carry the platform
 *   scrape label so the platform Prometheus selects them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { charts } from "./versions";
import { chartLabels, PLATFORM_SCRAPE_LABEL } from "./labels";
import type { Resources } from "./config/schema";
import { resourceBlock } from "./resources";

export interface PrometheusOperatorArgs {
  /** Namespace of the operator (and of its CRD release's bookkeeping). */
  namespace: pulumi.Input<string>;
  /** Deploy kube-state-metrics, node-exporter and the kubelet/cAdvisor/API server monitors. @default false */
  clusterExporters?: boolean;
  /** Operator container resources. @default requests 200m CPU / 200Mi memory */
  resources?: Resources;
  /** kube-prometheus-stack chart version. @default versions.ts */
  chartVersion?: string;
  /** prometheus-operator-crds chart version. @default versions.ts */
  crdsChartVersion?: string;
}

export const OPERATOR_FULLNAME = "kube-prometheus";

/** Operator container resources reserved by default (issue #2: requests 200m CPU / 200Mi memory). */
export const DEFAULT_OPERATOR_RESOURCES: Resources = { requests: { cpu: "200m", memory: "200Mi" }, limits: {} };

/**
 * Values for kube-prometheus-stack in operator-only mode. Keys read from
 * prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml @88.5.3
 * (fixture: test/fixtures/charts/kube-prometheus-stack-88.5.3/values-keys.json).
 */
export function operatorValues(args: { clusterExporters: boolean; resources: Resources }): Record<string, unknown> {
  const on = args.clusterExporters;
  const platformLabel = { ...PLATFORM_SCRAPE_LABEL };
  return {
    // The CRDs have their own release (retained on delete); the chart must not own them too.
    crds: { enabled: false },
    // Stable object names whatever the Pulumi resource (= release) name: the operator's Service is
    // "kube-prometheus-operator" (templates/_helpers.tpl kube-prometheus-stack.operator.fullname).
    fullnameOverride: OPERATOR_FULLNAME,
    commonLabels: chartLabels(),
    // Operator only: the stack declares its own Prometheus CRs; Grafana is its own component;
    // alerts are Grafana-managed (alerts/), so no Alertmanager and no default rules.
    prometheus: { enabled: false },
    alertmanager: { enabled: false },
    grafana: { enabled: false },
    defaultRules: { create: false },
    prometheusOperator: {
      enabled: true,
      resources: resourceBlock(args.resources),
      serviceMonitor: { selfMonitor: on, additionalLabels: platformLabel },
    },
    // Cluster exporters and the Kubernetes component monitors, gated by platform monitoring.
    kubeStateMetrics: { enabled: on },
    "kube-state-metrics": { prometheus: { monitor: { enabled: on, additionalLabels: platformLabel } } },
    nodeExporter: { enabled: on },
    "prometheus-node-exporter": { prometheus: { monitor: { enabled: on, additionalLabels: platformLabel } } },
    kubernetesServiceMonitors: { enabled: on },
    kubelet: { enabled: on, serviceMonitor: { cAdvisor: true, additionalLabels: platformLabel } },
    kubeApiServer: { enabled: on, serviceMonitor: { additionalLabels: platformLabel } },
    coreDns: { enabled: on, serviceMonitor: { additionalLabels: platformLabel } },
    // Control-plane components are not reachable on managed clusters (EKS, GKE, AKS): off, not failing targets.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    kubeDns: { enabled: false },
    windowsMonitoring: { enabled: false },
    thanosRuler: { enabled: false },
  };
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

    this.crds = new k8s.helm.v3.Release(
      `${name}-crds`,
      {
        chart: crdsRef.chart,
        version: args.crdsChartVersion ?? crdsRef.version,
        repositoryOpts: { repo: crdsRef.repo },
        namespace: args.namespace,
        // charts/prometheus-operator-crds/values.yaml @31.0.1: `crds.annotations` go on every CRD.
        values: { crds: { annotations: { "helm.sh/resource-policy": "keep" } } },
      },
      { parent: this, retainOnDelete: true },
    );

    this.chart = new k8s.helm.v4.Chart(
      `${name}`,
      {
        chart: opRef.chart,
        version: args.chartVersion ?? opRef.version,
        repositoryOpts: { repo: opRef.repo },
        namespace: args.namespace,
        values: operatorValues({
          clusterExporters: args.clusterExporters ?? false,
          resources: args.resources ?? DEFAULT_OPERATOR_RESOURCES,
        }),
      },
      { parent: this, dependsOn: [this.crds] },
    );

    this.registerOutputs({ crds: this.crds, chart: this.chart });
  }
}
