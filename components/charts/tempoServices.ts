/**
 * Every Service the pinned tempo-distributed chart (2.26.2, components/versions.ts) can render, with the
 * values key its annotations come from. The component annotates all of them from this one list, so a
 * Service cannot be forgotten; test/tempo-chart.test.ts fails when the list and the chart's templates
 * (fixture test/fixtures/charts/tempo-distributed-2.26.2/services.json) differ. Re-derive both on a bump.
 *
 * Facts read in grafana-community/helm-charts@3da78851 charts/tempo-distributed/templates/:
 * - component and discovery Services: `<section>.service.annotations` / `<section>.serviceDiscovery.annotations`,
 *   passed through `tpl`;
 * - the gossip ring (gossip-ring/service-gossip-ring.yaml): `tempo.memberlist.service.annotations`, plain
 *   `toYaml` (no tpl; the key was asked for in grafana/helm-charts#3405, PR #3406);
 * - enterprise gateway and admin API: `toYaml` too; memcached per-role caches render through the
 *   `tempo.memcached.service` helper (memcached/_helpers-memcached.tpl).
 * Because some keys go through tpl and one does not, annotation values must not contain "{{" (config
 * rejects it): the same text would render differently.
 */

export const TEMPO_HTTP_PORT = 3200; // every Tempo binary's http-metrics container port (templates/_pod.tpl)
export const MEMCACHED_EXPORTER_PORT = 9150; // memcached exporter sidecar (memcached/_helpers-memcached.tpl)
import { SCRAPE_PATH } from "../labels";

export interface TempoChartService {
  /** Template file, relative to the chart repo root. */
  template: string;
  /** metadata.name; `<fullname>` = the chart's tempo.fullname (the component sets fullnameOverride). */
  name: string;
  /** Values key path whose map becomes the Service's metadata.annotations. */
  annotationsKey: string;
  /** Whether the template renders that map through `tpl` or plain `toYaml`. */
  annotationsRendering: "tpl" | "toYaml";
  /** The condition around the template ("always" when none). */
  rendersWhen: string;
  /** Port on which the pods behind the Service serve Prometheus metrics at /metrics; null when they serve none. */
  metricsPort: number | null;
  /** Where metricsPort comes from. */
  metricsNote: string;
}

const T = "charts/tempo-distributed/templates/";
const tempoPort = "the component's http-metrics port (templates/_pod.tpl containerPort 3200)";
const memcachedPort = "the memcached-exporter sidecar's http-metrics port (on with memcachedExporter.enabled, which the component sets)";

/** The chart's Services, in template path order (as the fixture). */
export const TEMPO_CHART_SERVICES: readonly TempoChartService[] = [
  { template: `${T}admin-api/admin-api-svc.yaml`, name: "<fullname>-admin-api", annotationsKey: "adminApi.service.annotations", annotationsRendering: "toYaml", rendersWhen: ".Values.enterprise.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: "tempo.serverHttpListenPort, 3200 unless tempo.structuredConfig.server.http_listen_port is set" },
  { template: `${T}backend-scheduler/service-backend-scheduler.yaml`, name: "<fullname>-backend-scheduler", annotationsKey: "backendScheduler.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.backendScheduler.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}backend-worker/service-backend-worker.yaml`, name: "<fullname>-backend-worker", annotationsKey: "backendWorker.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.backendScheduler.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}block-builder/service-block-builder.yaml`, name: "<fullname>-block-builder", annotationsKey: "blockBuilder.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.blockBuilder.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}compactor/service-compactor.yaml`, name: "<fullname>-compactor", annotationsKey: "compactor.service.annotations", annotationsRendering: "tpl", rendersWhen: "and (not .Values.backendScheduler.enabled)", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}distributor/service-distributor-discovery.yaml`, name: "<fullname>-distributor-discovery", annotationsKey: "distributor.serviceDiscovery.annotations", annotationsRendering: "tpl", rendersWhen: "always", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}distributor/service-distributor.yaml`, name: "<fullname>-distributor", annotationsKey: "distributor.service.annotations", annotationsRendering: "tpl", rendersWhen: "always", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}enterprise-federation-frontend/service-federation-frontend.yaml`, name: "<fullname>-enterprise-federation-frontend", annotationsKey: "enterpriseFederationFrontend.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.enterprise.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}enterprise-gateway/gateway-svc.yaml`, name: "<fullname>-enterprise-gateway", annotationsKey: "enterpriseGateway.service.annotations", annotationsRendering: "toYaml", rendersWhen: ".Values.enterprise.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: "tempo.serverHttpListenPort (3200) when enterpriseGateway.service.port is unset (its default)" },
  { template: `${T}gateway/service-gateway.yaml`, name: "<fullname>-gateway", annotationsKey: "gateway.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.gateway.enabled", metricsPort: null, metricsNote: "nginx: the gateway's nginx config (values.yaml gateway.nginxConfig) has no /metrics location" },
  { template: `${T}gossip-ring/service-gossip-ring.yaml`, name: "<fullname>-gossip-ring", annotationsKey: "tempo.memberlist.service.annotations", annotationsRendering: "toYaml", rendersWhen: "always", metricsPort: TEMPO_HTTP_PORT, metricsNote: "the Service only exposes memberlist 7946, but it selects every memberlist member (app.kubernetes.io/part-of: memberlist), which serve /metrics on 3200" },
  { template: `${T}ingester/service-ingester-discovery.yaml`, name: "<fullname>-ingester-discovery", annotationsKey: "ingester.serviceDiscovery.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.ingester.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}ingester/service-ingester.yaml`, name: "<fullname>-ingester", annotationsKey: "ingester.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.ingester.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: `${tempoPort}; one Service per zone with zone-aware replication (off here)` },
  { template: `${T}live-store/service-live-store.yaml`, name: "<fullname>-live-store", annotationsKey: "liveStore.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.liveStore.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}memcached/service-memcached-bloom.yaml`, name: "<fullname>-memcached-bloom", annotationsKey: "memcachedBloom.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.memcachedBloom.enabled", metricsPort: MEMCACHED_EXPORTER_PORT, metricsNote: memcachedPort },
  { template: `${T}memcached/service-memcached-frontend-search.yaml`, name: "<fullname>-memcached-frontend-search", annotationsKey: "memcachedFrontendSearch.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.memcachedFrontendSearch.enabled", metricsPort: MEMCACHED_EXPORTER_PORT, metricsNote: memcachedPort },
  { template: `${T}memcached/service-memcached-parquet-footer.yaml`, name: "<fullname>-memcached-parquet-footer", annotationsKey: "memcachedParquetFooter.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.memcachedParquetFooter.enabled", metricsPort: MEMCACHED_EXPORTER_PORT, metricsNote: memcachedPort },
  { template: `${T}memcached/service-memcached.yaml`, name: "<fullname>-memcached", annotationsKey: "memcached.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.memcached.enabled", metricsPort: MEMCACHED_EXPORTER_PORT, metricsNote: memcachedPort },
  { template: `${T}metrics-generator/service-metrics-generator-discovery.yaml`, name: "<fullname>-metrics-generator-discovery", annotationsKey: "metricsGenerator.serviceDiscovery.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.metricsGenerator.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: "metricsGenerator.ports entry http-metrics 3200 (service: true)" },
  { template: `${T}metrics-generator/service-metrics-generator.yaml`, name: "<fullname>-metrics-generator", annotationsKey: "metricsGenerator.service.annotations", annotationsRendering: "tpl", rendersWhen: ".Values.metricsGenerator.enabled", metricsPort: TEMPO_HTTP_PORT, metricsNote: "metricsGenerator.ports entry http-metrics 3200 (service: true)" },
  { template: `${T}querier/service-querier.yaml`, name: "<fullname>-querier", annotationsKey: "querier.service.annotations", annotationsRendering: "tpl", rendersWhen: "always", metricsPort: TEMPO_HTTP_PORT, metricsNote: tempoPort },
  { template: `${T}query-frontend/service-query-frontend-discovery.yaml`, name: "<fullname>-query-frontend-discovery", annotationsKey: "queryFrontend.serviceDiscovery.annotations", annotationsRendering: "tpl", rendersWhen: "always", metricsPort: TEMPO_HTTP_PORT, metricsNote: "port \"http\" 3200 → targetPort http-metrics" },
  { template: `${T}query-frontend/service-query-frontend.yaml`, name: "<fullname>-query-frontend", annotationsKey: "queryFrontend.service.annotations", annotationsRendering: "tpl", rendersWhen: "always", metricsPort: TEMPO_HTTP_PORT, metricsNote: "queryFrontend.service.httpMetricsPort (values default 3200, left alone)" },
];

/**
 * Subcharts of the pinned chart render Services of their own that no values key of ours annotates; the
 * component keeps them disabled (values keys below set to false) and the tests assert it.
 */
export const TEMPO_SUBCHARTS_KEPT_OFF: Readonly<Record<string, string>> = {
  "minio.enabled": "minio subchart (Chart.yaml dependency, condition minio.enabled)",
  "rollout_operator.enabled": "rollout-operator subchart (condition rollout_operator.enabled; only needed for zone-aware ingesters)",
  "metaMonitoring.grafanaAgent.installOperator": "grafana-agent-operator subchart (condition metaMonitoring.grafanaAgent.installOperator)",
};

/** The scrape annotations of one Service, after the user's extra annotations. */
export function serviceAnnotations(svc: Pick<TempoChartService, "metricsPort">, extra: Record<string, string> = {}): Record<string, string> {
  if (svc.metricsPort === null) return { ...extra, "prometheus.io/scrape": "false" };
  return { ...extra, "prometheus.io/scrape": "true", "prometheus.io/port": String(svc.metricsPort), "prometheus.io/path": SCRAPE_PATH };
}

/** Values setting every listed Service's annotations key (nested objects, ready to merge into chart values). */
export function serviceAnnotationValues(extra: Record<string, string> = {}, services: readonly TempoChartService[] = TEMPO_CHART_SERVICES): Record<string, any> {
  const values: Record<string, any> = {};
  for (const svc of services) setPath(values, svc.annotationsKey, serviceAnnotations(svc, extra));
  return values;
}

/** Sets `path` (dotted) in `obj`, creating objects on the way. */
export function setPath(obj: Record<string, any>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts[parts.length - 1]] = value;
}

/** Reads `path` (dotted) from `obj`. */
export function getPath(obj: unknown, path: string): unknown {
  return path.split(".").reduce<any>((cur, p) => (cur && typeof cur === "object" ? cur[p] : undefined), obj);
}

/** The longest Service name suffix, for the fullname length check (Service names are ≤ 63 characters). */
export const LONGEST_SERVICE_SUFFIX = Math.max(...TEMPO_CHART_SERVICES.map((s) => s.name.length - "<fullname>".length));

/** The Tempo component's name in a stack (= the chart's fullname, the prefix of every Service name). */
export function tempoComponentName(stackName: string): string {
  return `${stackName}-tempo`;
}

/** Longest stack (cluster) name whose Tempo Service names stay within 63 characters. */
export const MAX_CLUSTER_NAME_WITH_TEMPO = 63 - LONGEST_SERVICE_SUFFIX - tempoComponentName("").length;
