/**
 * Values for kube-prometheus-stack in operator-only mode plus its default rules and dashboards (pure). Keys read from
 * prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml @88.5.3 and its subcharts
 * kube-state-metrics 8.4.0 / prometheus-node-exporter 4.56.1 (fixture:
 * test/fixtures/charts/kube-prometheus-stack-88.5.3/values-keys.json); the hook inventory
 * components/charts/hooks/kube-prometheus-stack-88.5.3.json shows that no install hook renders with them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { chartLabels, PLATFORM_SCRAPE_LABEL } from "../labels";
import type { Resources } from "../config/schema";
import { resourceBlock } from "../resources";
import { podSecurityLabels } from "../podSecurity";

/** `fullnameOverride`: stable object names whatever the release name (templates/_helpers.tpl kube-prometheus-stack.fullname, ≤ 26 characters). */
export const OPERATOR_FULLNAME = "kube-prometheus";
/** The operator's Service (kube-prometheus-stack.operator.fullname = `<fullname>-operator`). */
export const OPERATOR_SERVICE = `${OPERATOR_FULLNAME}-operator`;

/** Operator container resources reserved by default (issue #2: requests 200m CPU / 200Mi memory). */
/** The operator chart's Helm release name (fixed: pod labels and the subcharts' object names derive from it). */
export const OPERATOR_RELEASE = "kube-prometheus-stack";

/**
 * Pod labels the charts give the operator and kube-state-metrics with this release name (the Services'
 * selectors, as rendered: templates/prometheus-operator/deployment.yaml `app: <name>-operator`, `release`;
 * kube-state-metrics 8.4.0 selectorLabels name + instance).
 */
export const OPERATOR_POD_LABELS = { app: "kube-prometheus-stack-operator", release: OPERATOR_RELEASE };
export const KUBE_STATE_METRICS_POD_LABELS = { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": OPERATOR_RELEASE };

export const DEFAULT_OPERATOR_RESOURCES: Resources = { requests: { cpu: "200m", memory: "200Mi" }, limits: { memory: "512Mi" } };
/** The operator binary's own config-reloader defaults (cmd/operator/main.go), CPU limit left out. */
export const DEFAULT_CONFIG_RELOADER_RESOURCES: Resources = { requests: { cpu: "10m", memory: "50Mi" }, limits: { memory: "50Mi" } };
export const DEFAULT_KUBE_STATE_METRICS_RESOURCES: Resources = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } };
export const DEFAULT_NODE_EXPORTER_RESOURCES: Resources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };

/**
 * Pod Security for node-exporter's namespace: its DaemonSet uses hostNetwork, hostPID and hostPath mounts
 * of /proc, /sys and / (prometheus-node-exporter 4.56.1 templates/daemonset.yaml, values hostNetwork,
 * hostPID, hostRootFsMount), which only the `privileged` level admits.
 */
export const NODE_EXPORTER_NAMESPACE_LABELS = podSecurityLabels("privileged");

/** What a stack's config says of the chart's default rules (config `alerting.defaultRules`). */
export interface DefaultRulesSettings {
  enabled: boolean;
  /** `defaultRules.rules.<key>` to switch off. */
  disabledGroups: string[];
  disabledAlerts: string[];
  /** Alert name → `for`/`severity` (the chart's top-level `customRules`). */
  overrides: Record<string, { for?: string; severity?: string }>;
  extraLabels: Record<string, string>;
}

/**
 * Default rule groups whose targets the stack never scrapes (the control plane of managed clusters, kube-proxy,
 * Windows nodes): off, rather than alerts that can never see data. The chart also gates them on the
 * components' own flags (components/charts/content/kube-prometheus-stack-88.5.3.json conditions).
 */
export const UNSCRAPED_RULE_GROUPS = ["etcd", "kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording", "kubeProxy", "windows"] as const;

/**
 * Default alerts the repository's own rules supersede (alerts/platform/monitoring.rules.yaml covers every
 * Prometheus, the team ones included, where the chart's match only its own job in the release namespace):
 * chart alert → the repository's alert.
 */
export const SUPERSEDED_DEFAULT_ALERTS: Record<string, string> = {
  TargetDown: "PrometheusTargetsDown",
  PrometheusRuleFailures: "PrometheusRuleEvaluationFailures",
  PrometheusBadConfig: "PrometheusConfigReloadFailed",
  // Same names in both: the repository's (unit-tested, with runbooks) win; the chart's other operator alerts stay.
  PrometheusOperatorReconcileErrors: "PrometheusOperatorReconcileErrors",
  PrometheusOperatorSyncFailed: "PrometheusOperatorSyncFailed",
  // The chart's select the platform Prometheus' job only; the repository's cover the team instances too.
  PrometheusRemoteStorageFailures: "PrometheusRemoteWriteFailing",
  PrometheusRemoteWriteBehind: "PrometheusRemoteWriteBehind",
  PrometheusRemoteWriteDesiredShards: "PrometheusRemoteWriteShardsAtMax",
};

/** The folder (title) the chart's dashboards are filed into by Grafana's sidecar. */
export const KUBERNETES_DASHBOARDS_FOLDER = "Kubernetes";

export interface OperatorValuesArgs {
  clusterExporters: boolean;
  /** The chart's default rules, evaluated by the platform Prometheus (needs clusterExporters). @default off */
  defaultRules?: DefaultRulesSettings;
  /**
   * Render the chart's dashboards as ConfigMaps for the sidecar of a Grafana deployed by this stack (filed
   * into the Kubernetes folder). @default false
   */
  dashboards?: boolean;
  /**
   * The dashboards read many clusters (a hub's Grafana): their `cluster` variable is shown
   * (`grafana.sidecar.dashboards.multicluster.global.enabled`: templates/grafana/dashboards-1.14/*.yaml
   * render the variable's `hide` 0 instead of 2). @default false
   */
  multicluster?: boolean;
  resources: Resources;
  /** config-reloader and init-config-reloader of every Prometheus and Alertmanager. */
  configReloaderResources: Resources;
  kubeStateMetricsResources: Resources;
  nodeExporterResources: Resources;
  /** The webhook TLS Pulumi made (webhookTls.ts): CA bundle for the webhook configurations, certificate hash for the pod. */
  webhook: { caBundle: pulumi.Input<string>; certSha256: pulumi.Input<string> };
  /** Namespace of node-exporter (its own, labelled privileged). */
  nodeExporterNamespace: pulumi.Input<string>;
}

/** `defaultRules` values: on with the platform label its ruleSelector selects, trimmed, per stack. */
export function defaultRulesValues(r: DefaultRulesSettings | undefined): Record<string, unknown> {
  if (!r?.enabled) return { create: false };
  const off = [...UNSCRAPED_RULE_GROUPS, ...r.disabledGroups];
  return {
    create: true,
    // templates/prometheus/rules-1.14/*.yaml: `defaultRules.labels` go on every PrometheusRule.
    labels: { ...PLATFORM_SCRAPE_LABEL },
    rules: Object.fromEntries(off.map((k) => [k, false])),
    // `defaultRules.disabled.<Alert>` drops one alert (every severity variant of it).
    disabled: Object.fromEntries([...Object.keys(SUPERSEDED_DEFAULT_ALERTS), ...r.disabledAlerts].map((a) => [a, true])),
    ...(Object.keys(r.extraLabels).length ? { additionalRuleLabels: r.extraLabels } : {}),
  };
}

export function operatorValues(args: OperatorValuesArgs): Record<string, unknown> {
  const on = args.clusterExporters;
  const platformLabel = { ...PLATFORM_SCRAPE_LABEL };
  const rules = on ? args.defaultRules : undefined;
  const dashboards = args.dashboards ?? false;
  return {
    // The CRDs have their own release (retained on delete); the chart must not own them too.
    crds: { enabled: false },
    fullnameOverride: OPERATOR_FULLNAME,
    commonLabels: chartLabels(),
    // The stack declares its own Prometheus and Alertmanager CRs; Grafana is its own component.
    prometheus: { enabled: false },
    // The stack's own Alertmanager (components/alerting/alertmanager.ts) runs instead of the chart's; its
    // overview dashboard is still wanted.
    alertmanager: { enabled: false, forceDeployDashboards: dashboards },
    // No Grafana of the chart's; its dashboards as sidecar ConfigMaps for the stack's Grafana
    // (templates/grafana/dashboards-1.14: `or .Values.grafana.enabled .Values.grafana.forceDeployDashboards`),
    // labelled as that Grafana's sidecar selects (grafana_dashboard: "1") and filed into one folder.
    grafana: {
      enabled: false,
      forceDeployDashboards: dashboards,
      defaultDashboardsEnabled: dashboards,
      sidecar: {
        dashboards: {
          label: "grafana_dashboard",
          labelValue: "1",
          annotations: { grafana_folder: KUBERNETES_DASHBOARDS_FOLDER },
          ...(args.multicluster ? { multicluster: { global: { enabled: true } } } : {}),
        },
      },
    },
    defaultRules: defaultRulesValues(rules),
    prometheusOperator: {
      enabled: true,
      resources: resourceBlock(args.resources),
      // The chart passes these as the operator's --config-reloader-{cpu,memory}-{request,limit} flags, each
      // `| default 0`, and 0 means none (templates/prometheus-operator/deployment.yaml; cmd/operator/main.go):
      // unset, every reloader would run without requests and limits.
      prometheusConfigReloader: { resources: resourceBlock(args.configReloaderResources) },
      serviceMonitor: { selfMonitor: on, additionalLabels: platformLabel },
      // A re-issued serving certificate restarts the operator so that it serves the new one.
      podAnnotations: { "monitoring-stack/webhook-cert-sha256": args.webhook.certSha256 },
      admissionWebhooks: {
        // No hook Jobs: the TLS Secret and the CA bundle come from Pulumi (webhookTls.ts).
        patch: { enabled: false },
        certManager: { enabled: false },
        caBundle: args.webhook.caBundle,
        // What the chart uses with its patch Jobs (validatingWebhookConfiguration.yaml): a rule applied
        // while the operator is not yet serving is let through (the operator still skips invalid rules)
        // rather than refused; explicit, since patch.enabled false would otherwise mean Fail.
        failurePolicy: "Ignore",
      },
    },
    // Cluster exporters and the Kubernetes component monitors, gated by platform monitoring.
    kubeStateMetrics: { enabled: on },
    "kube-state-metrics": { resources: resourceBlock(args.kubeStateMetricsResources), prometheus: { monitor: { enabled: on, additionalLabels: platformLabel } } },
    // No AIX or macOS nodes in a Kubernetes cluster: not their dashboards (nodeExporter.operatingSystems).
    nodeExporter: { enabled: on, operatingSystems: { aix: { enabled: false }, darwin: { enabled: false } } },
    "prometheus-node-exporter": {
      // Its own privileged namespace (the ServiceMonitor follows namespaceOverride: templates/servicemonitor.yaml).
      namespaceOverride: args.nodeExporterNamespace,
      resources: resourceBlock(args.nodeExporterResources),
      prometheus: { monitor: { enabled: on, additionalLabels: platformLabel } },
    },
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
    // The chart's top-level `customRules`: per alert `for` and `severity` (the only two its templates read).
    ...(rules && Object.keys(rules.overrides).length ? { customRules: rules.overrides } : {}),
  };
}
