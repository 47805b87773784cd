/**
 * Values for kube-prometheus-stack in operator-only mode (pure). Keys read from
 * prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml @88.5.3 and its subcharts
 * kube-state-metrics 8.4.0 / prometheus-node-exporter 4.56.1 (fixture:
 * test/fixtures/charts/kube-prometheus-stack-88.5.3/values-keys.json); the hook inventory
 * components/charts/hooks/kube-prometheus-stack-88.5.3.json shows that no install hook renders with them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { chartLabels, PLATFORM_SCRAPE_LABEL } from "../labels";
import type { Resources } from "../config/schema";
import { resourceBlock } from "../resources";

/** `fullnameOverride`: stable object names whatever the release name (templates/_helpers.tpl kube-prometheus-stack.fullname, ≤ 26 characters). */
export const OPERATOR_FULLNAME = "kube-prometheus";
/** The operator's Service (kube-prometheus-stack.operator.fullname = `<fullname>-operator`). */
export const OPERATOR_SERVICE = `${OPERATOR_FULLNAME}-operator`;

/** Operator container resources reserved by default (issue #2: requests 200m CPU / 200Mi memory). */
export const DEFAULT_OPERATOR_RESOURCES: Resources = { requests: { cpu: "200m", memory: "200Mi" }, limits: {} };

/**
 * Pod Security for node-exporter's namespace: its DaemonSet uses hostNetwork, hostPID and hostPath mounts
 * of /proc, /sys and / (prometheus-node-exporter 4.56.1 templates/daemonset.yaml, values hostNetwork,
 * hostPID, hostRootFsMount), which only the `privileged` level admits.
 */
export const NODE_EXPORTER_NAMESPACE_LABELS = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/audit": "privileged",
  "pod-security.kubernetes.io/warn": "privileged",
} as const;

export interface OperatorValuesArgs {
  clusterExporters: boolean;
  resources: Resources;
  /** The webhook TLS Pulumi made (webhookTls.ts): CA bundle for the webhook configurations, certificate hash for the pod. */
  webhook: { caBundle: pulumi.Input<string>; certSha256: pulumi.Input<string> };
  /** Namespace of node-exporter (its own, labelled privileged). */
  nodeExporterNamespace: pulumi.Input<string>;
}

export function operatorValues(args: OperatorValuesArgs): Record<string, unknown> {
  const on = args.clusterExporters;
  const platformLabel = { ...PLATFORM_SCRAPE_LABEL };
  return {
    // The CRDs have their own release (retained on delete); the chart must not own them too.
    crds: { enabled: false },
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
    "kube-state-metrics": { prometheus: { monitor: { enabled: on, additionalLabels: platformLabel } } },
    nodeExporter: { enabled: on },
    "prometheus-node-exporter": {
      // Its own privileged namespace (the ServiceMonitor follows namespaceOverride: templates/servicemonitor.yaml).
      namespaceOverride: args.nodeExporterNamespace,
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
  };
}
