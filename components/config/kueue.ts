/**
 * Where Kueue runs (`monitoring:kueue`), for scraping its controller metrics when `features.kueueMetrics`.
 *
 * Defaults are Kueue's own install (kubernetes-sigs/kueue v0.15.0 … v0.19.2, identical in every tag):
 * namespace `kueue-system` (config/default/kustomization.yaml; the Helm chart's README installs there
 * too), and the metrics Service `kueue-controller-manager-metrics-service` labelled
 * `app.kubernetes.io/name: kueue` + `app.kubernetes.io/component: metrics-service` by both the kustomize
 * manifests (config/default/kustomization.yaml) and the chart (charts/kueue/templates/_helpers.tpl
 * kueue.metricsService.labels); the component label is needed because the webhook and visibility Services
 * carry the same name label. Port `https` (8443).
 */
import { dflt, dnsLabel, duration, obj, str, strMap } from "./schema";

export const KUEUE_DEFAULTS = {
  namespace: "kueue-system",
  metricsServiceLabels: { "app.kubernetes.io/name": "kueue", "app.kubernetes.io/component": "metrics-service" },
  metricsPort: "https",
} as const;

export const kueueSection = obj("Kueue in this cluster (read when `features.kueueMetrics`): where its controller's metrics Service is.", {
  namespace: dflt(dnsLabel("Namespace Kueue is installed in"), KUEUE_DEFAULTS.namespace),
  metricsServiceLabels: dflt(strMap("Labels that select Kueue's metrics Service (and nothing else in that namespace)"), { ...KUEUE_DEFAULTS.metricsServiceLabels }),
  metricsPort: dflt(str("Name of the metrics Service's port (HTTPS, authenticated with the scraper's ServiceAccount token)"), KUEUE_DEFAULTS.metricsPort),
  scrapeInterval: dflt(duration("How often the platform Prometheus scrapes Kueue"), "30s"),
});
