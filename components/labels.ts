/**
 * Standard labels (app.kubernetes.io/*) and the selector labels the stack's Prometheus instances use.
 * Selector labels never carry a version (kube-prometheus habit): a version bump must not orphan pods.
 */
export const PART_OF = "monitoring-stack";
export const MANAGED_BY = "pulumi";

/** Where every component of the stack serves Prometheus metrics (the `prometheus.io/path` annotation). */
export const SCRAPE_PATH = "/metrics";

/** Every ServiceMonitor/PodMonitor carrying this label is scraped by the platform Prometheus. */
export const PLATFORM_SCRAPE_LABEL = { "monitoring-stack/scrape": "platform" } as const;

/** Labels for a Kubernetes object of `component` (app name `name`). */
export function standardLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

/** The subset of standardLabels safe for immutable selectors. */
export function selectorLabels(name: string, component: string): Record<string, string> {
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component };
}

/** Labels that Helm charts should put on the objects they render (through their commonLabels-like keys). */
export function chartLabels(): Record<string, string> {
  return { "app.kubernetes.io/part-of": PART_OF };
}
