/**
 * KueueMetrics: the platform Prometheus scrapes Kueue's controller metrics (kueue_pending_workloads,
 * kueue_admitted_workloads_total, kueue_admission_wait_time_seconds), which the Kueue dashboard and the
 * `kueue` alert group read. Kueue ships a ServiceMonitor only as an option (kustomize config/prometheus,
 * chart `enablePrometheus`) and no binding for its metrics reader role, so the stack declares its own.
 *
 * Facts (kubernetes-sigs/kueue v0.15.0 … v0.19.2, every tag): the metrics endpoint is served with
 * controller-runtime's secure serving and authn/authz filter (cmd/kueue/main.go `SecureServing: true,
 * FilterProvider: filters.WithAuthenticationAndAuthorization`): HTTPS, the scraper's ServiceAccount token as a
 * bearer token, and a SubjectAccessReview for `get` on the non-resource URL /metrics (granted to the platform
 * Prometheus by its ClusterRole, components/prometheus.ts). The certificate is self-signed for localhost
 * unless Kueue's internal cert management is off (controller-runtime pkg/metrics/server/server.go), hence
 * `insecureSkipVerify`, as in Kueue's own ServiceMonitor (config/prometheus/monitor.yaml: port https,
 * scheme https, bearerTokenFile, tlsConfig.insecureSkipVerify). The ServiceMonitor lives in the monitoring
 * namespace and selects Kueue's namespace explicitly.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PLATFORM_SCRAPE_LABEL, SCRAPE_PATH, standardLabels } from "./labels";

/** The Prometheus pod's own ServiceAccount token (mounted by the operator for Kubernetes discovery). */
export const SA_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/** Prometheus' `job` of the Kueue target: the Service name (job label = Service name by default). */
export const KUEUE_JOB = "kueue-controller-manager-metrics-service";

export interface KueueMetricsArgs {
  /** Namespace of the ServiceMonitor (the platform Prometheus' namespace). */
  namespace: pulumi.Input<string>;
  /** Namespace Kueue runs in. @default "kueue-system" */
  kueueNamespace: string;
  /** Labels of Kueue's metrics Service. */
  serviceLabels: Record<string, string>;
  /** Port name of the metrics Service. @default "https" */
  port: string;
  /** @default "30s" */
  scrapeInterval?: string;
  /** The operator's CRDs (the ServiceMonitor kind). */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class KueueMetrics extends pulumi.ComponentResource {
  constructor(name: string, args: KueueMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:KueueMetrics", name, {}, opts);
    new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "kueue-controller", namespace: args.namespace, labels: { ...standardLabels("kueue", "controller-metrics"), ...PLATFORM_SCRAPE_LABEL } },
        spec: {
          namespaceSelector: { matchNames: [args.kueueNamespace] },
          selector: { matchLabels: { ...args.serviceLabels } },
          endpoints: [
            {
              port: args.port,
              scheme: "https",
              path: SCRAPE_PATH,
              interval: args.scrapeInterval ?? "30s",
              bearerTokenFile: SA_TOKEN_FILE,
              tlsConfig: { insecureSkipVerify: true },
            },
          ],
        },
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.registerOutputs({});
  }
}
