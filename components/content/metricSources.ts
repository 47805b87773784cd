/**
 * Where every metric a dashboard or alert of this repository reads comes from: which component exposes it,
 * which feature flags must be on for it to exist, and which monitor of the stack makes the platform
 * Prometheus scrape it. test/deploy/scrapes.test.ts holds, for every committed stack, that each metric of
 * the content the stack pushes maps to a source here, and that the source's monitor is declared and
 * selected by the platform Prometheus whenever its flags are on. dashboards/METRICS.md has the metrics'
 * upstream definitions.
 */

export interface MetricSource {
  id: string;
  /** Feature flags that must all be on for the metric to exist in the platform Prometheus. */
  features: string[];
  /** Metric names (exact) and prefixes this source exposes. */
  names?: string[];
  prefixes?: string[];
  /** Which declared monitor scrapes it (for messages and docs). */
  scrape: string;
}

export const METRIC_SOURCES: MetricSource[] = [
  {
    id: "kube-state-metrics",
    features: ["platformMonitoring"],
    prefixes: ["kube_"],
    scrape: "the kube-state-metrics ServiceMonitor of the operator chart (kube-state-metrics.prometheus.monitor)",
  },
  {
    id: "recording-rules",
    features: ["platformMonitoring"],
    names: [
      "namespace_workload_image:kube_pod_container_info:count",
      "job:up_down:sum",
      // spegel-recording (alerts/platform/spegel.rules.yaml), recorded only with features.spegel, as its dashboard
      "namespace_job_registry_cache:spegel_mirror_requests:rate5m",
      "namespace_job_node:spegel_mirror_requests:rate5m",
      "namespace_job_handler_code:http_request_duration_seconds_count:rate5m",
      "namespace_job_handler_code_le:http_request_duration_seconds_bucket:rate5m",
      "namespace_job_handler_node:http_response_size_bytes_sum:rate5m",
      "namespace_job_router_le:spegel_resolve_duration_seconds_bucket:rate5m",
    ],
    scrape: "the platform Prometheus evaluating the PrometheusRule platform-recording-rules (alerts/platform/recording.rules.yaml)",
  },
  {
    id: "image-policy",
    features: ["platformMonitoring"],
    names: ["monitoring_stack:image_policy_allowed_registry:info", "monitoring_stack:image_policy_production_namespace:info"],
    scrape: "the platform Prometheus recording the stack's alerting.imagePolicy (PrometheusRule platform-recording-rules, group image-policy); an empty list records nothing and its alert stays quiet",
  },
  {
    id: "prometheus-operator",
    features: ["platformMonitoring"],
    prefixes: ["prometheus_operator_"],
    scrape: "the operator chart's own ServiceMonitor (prometheusOperator.serviceMonitor.selfMonitor)",
  },
  {
    id: "prometheus",
    features: ["platformMonitoring"],
    prefixes: ["prometheus_"],
    scrape: "each Prometheus' self ServiceMonitor (components/prometheus.ts)",
  },
  {
    id: "targets",
    features: ["platformMonitoring"],
    names: ["up"],
    scrape: "every target of the platform Prometheus (Prometheus' own series per scrape)",
  },
  {
    id: "spegel",
    features: ["spegel", "platformMonitoring"],
    prefixes: ["spegel_"],
    // Spegel's HTTP metrics have no prefix (spegel-org/spegel v0.7.4 pkg/httpx/metrics.go); the Spegel
    // dashboard, the only reader, scopes them to Spegel's job.
    names: ["http_request_duration_seconds_bucket", "http_request_duration_seconds_count", "http_requests_inflight", "http_response_size_bytes_sum"],
    scrape: "the spegel chart's ServiceMonitor (serviceMonitor.enabled)",
  },
  {
    id: "tempo",
    features: ["tempo", "platformMonitoring"],
    prefixes: ["tempo_", "tempodb_"],
    scrape: "the tempo-distributed chart's ServiceMonitors (metaMonitoring.serviceMonitor)",
  },
  {
    id: "kueue-controller",
    features: ["kueueMetrics", "platformMonitoring"],
    prefixes: ["kueue_"],
    scrape: "the KueueMetrics ServiceMonitor (components/kueueMetrics.ts) over Kueue's metrics Service",
  },
  {
    id: "kueue-exporter",
    features: ["kueueExporter", "platformMonitoring"],
    prefixes: ["kueuex_"],
    scrape: "the kueue-exporter's ServiceMonitor (components/kueueExporter.ts)",
  },
];

/** The source of a metric name: exact names first, then the longest matching prefix. */
export function sourceOf(metric: string): MetricSource | undefined {
  const exact = METRIC_SOURCES.find((s) => s.names?.includes(metric));
  if (exact) return exact;
  let best: MetricSource | undefined;
  let len = 0;
  for (const s of METRIC_SOURCES) {
    for (const p of s.prefixes ?? []) {
      if (metric.startsWith(p) && p.length > len) {
        best = s;
        len = p.length;
      }
    }
  }
  return best;
}
