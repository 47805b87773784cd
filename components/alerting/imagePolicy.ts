/**
 * The stack's image policy (`alerting.imagePolicy`) as series the platform Prometheus records, so that the
 * image alerts (alerts/platform/images.rules.yaml) stay static rule files, unit-tested with promtool, while
 * what they compare against is per stack: one `…:info` series per allowed registry and per production
 * namespace (`vector(1)` with the entry as a label).
 */
export const ALLOWED_REGISTRY_SERIES = "monitoring_stack:image_policy_allowed_registry:info";
export const PRODUCTION_NAMESPACE_SERIES = "monitoring_stack:image_policy_production_namespace:info";

export interface RecordingGroupSpec {
  name: string;
  rules: { record: string; expr: string; labels: Record<string, string> }[];
}

/** The recording group, or undefined when the policy lists nothing (the alerts then stay quiet). */
export function imagePolicyGroup(allowedRegistries: string[], productionNamespaces: string[]): RecordingGroupSpec | undefined {
  const rules = [
    ...allowedRegistries.map((registry) => ({ record: ALLOWED_REGISTRY_SERIES, expr: "vector(1)", labels: { registry } })),
    ...productionNamespaces.map((namespace) => ({ record: PRODUCTION_NAMESPACE_SERIES, expr: "vector(1)", labels: { namespace } })),
  ];
  return rules.length ? { name: "image-policy", rules } : undefined;
}
