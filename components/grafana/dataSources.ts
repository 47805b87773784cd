/**
 * The data sources one cluster pushes into Grafana, as plain specs (pure; GrafanaContent turns each into a
 * `grafana.oss.DataSource`). UIDs and names carry the cluster, so several cluster stacks can push into one
 * external Grafana, and stay stable across runs: dashboards and alert rules refer to them.
 *
 * jsonData keys (Grafana docs): Prometheus `httpMethod`, `prometheusType`, `timeInterval` (scrape
 * interval) — docs/sources/datasources/prometheus/configure/_index.md "Provision the Prometheus data
 * source"; Tempo `tracesToMetrics{datasourceUid,tags,queries}`, `serviceMap{datasourceUid}`,
 * `nodeGraph{enabled}` — docs/sources/datasources/tempo/configure-tempo-data-source/provision-data-source.md;
 * Alertmanager `implementation` (prometheus|mimir|cortex), `handleGrafanaManagedAlerts` — the Alertmanager
 * data source docs (provisioning example).
 */
import * as pulumi from "@pulumi/pulumi";
import { dataSourceUids } from "./uid";

export interface PrometheusEndpoint {
  /** URL the Grafana server reaches the Prometheus at, e.g. http://prometheus-operated.monitoring.svc:9090. */
  url: pulumi.Input<string>;
  /** The Prometheus' scrape interval (Grafana's minimum step). @default Grafana's 15s */
  scrapeInterval?: string;
}

export interface DataSourceEndpoints {
  cluster: string;
  /** The platform Prometheus, when platform monitoring is on. */
  platformPrometheus?: PrometheusEndpoint;
  /** Each enabled team's Prometheus. */
  teamPrometheus?: Record<string, PrometheusEndpoint>;
  /** Tempo's query frontend (http port 3200), when Tempo is on. */
  tempo?: {
    url: pulumi.Input<string>;
    /** The metrics-generator writes span metrics and service graphs into the platform Prometheus. @default true */
    metricsGenerator?: boolean;
  };
  /** The stack's Alertmanager (its alerts and silences in Grafana's alerting UI). */
  alertmanager?: { url: pulumi.Input<string> };
  /** Mark the platform Prometheus as the org's default data source (deploy mode: one cluster per Grafana). @default false */
  platformIsDefault?: boolean;
  /**
   * The hub's Thanos Query (a hub stack): a data source per tenant, reading it with the tenant's header
   * (Query enforces it: components/hub/thanos.ts). The platform tenant's, every cluster's platform data,
   * is the main organization's default; a team's, its organization's.
   */
  hub?: { url: pulumi.Input<string>; tenantHeader: string; platformTenant: string; teamTenants: string[] };
}

export interface DataSourceSpec {
  /** Resource-name suffix. */
  key: string;
  uid: string;
  name: string;
  type: "prometheus" | "tempo" | "alertmanager";
  url: pulumi.Input<string>;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  /** A team's data source (it lives in the team's organization when teams are isolated). */
  team?: string;
  /** Headers Grafana sends with every request (the hub's tenant). */
  httpHeaders?: Record<string, string>;
  /** Its organization's default over any other (the hub's: every cluster's data). */
  preferredDefault?: boolean;
}

/** Tempo metrics-generator span metrics (Tempo docs "Span metrics": `traces_spanmetrics_*`, dimension `service`). */
export const TRACES_TO_METRICS_QUERIES = [
  { name: "Request rate", query: "sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))" },
  { name: "Error rate", query: 'sum(rate(traces_spanmetrics_calls_total{$__tags,status_code="STATUS_CODE_ERROR"}[5m]))' },
  { name: "Latency p95", query: "histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{$__tags}[5m])))" },
];

function prometheusJsonData(p: PrometheusEndpoint): Record<string, unknown> {
  return { httpMethod: "POST", prometheusType: "Prometheus", ...(p.scrapeInterval ? { timeInterval: p.scrapeInterval } : {}) };
}

export function dataSourceSpecs(e: DataSourceEndpoints): DataSourceSpec[] {
  const out: DataSourceSpec[] = [];
  const platformUid = dataSourceUids.platformPrometheus(e.cluster);
  if (e.platformPrometheus) {
    out.push({
      key: "prom-platform",
      uid: platformUid,
      name: `Prometheus ${e.cluster} platform`,
      type: "prometheus",
      url: e.platformPrometheus.url,
      isDefault: e.platformIsDefault ?? false,
      jsonData: prometheusJsonData(e.platformPrometheus),
    });
  }
  for (const [team, p] of Object.entries(e.teamPrometheus ?? {})) {
    out.push({
      key: `prom-team-${team}`,
      uid: dataSourceUids.teamPrometheus(e.cluster, team),
      name: `Prometheus ${e.cluster} team ${team}`,
      type: "prometheus",
      url: p.url,
      isDefault: false,
      jsonData: prometheusJsonData(p),
      team,
    });
  }
  if (e.hub) {
    const h = e.hub;
    const hubSpec = (tenant: string, team: string | undefined): DataSourceSpec => ({
      key: `prom-hub-${tenant}`,
      uid: dataSourceUids.hub(tenant),
      name: `Hub ${tenant} (all clusters)`,
      type: "prometheus",
      url: h.url,
      isDefault: false,
      jsonData: { httpMethod: "POST", prometheusType: "Thanos" },
      httpHeaders: { [h.tenantHeader]: tenant },
      preferredDefault: true,
      ...(team !== undefined ? { team } : {}),
    });
    out.push(hubSpec(h.platformTenant, undefined), ...h.teamTenants.map((t) => hubSpec(t, t)));
  }
  if (e.tempo) {
    // Trace → metrics and the service map read what the metrics-generator wrote into the platform Prometheus.
    const linked = e.platformPrometheus !== undefined && (e.tempo.metricsGenerator ?? true);
    out.push({
      key: "tempo",
      uid: dataSourceUids.tempo(e.cluster),
      name: `Tempo ${e.cluster}`,
      type: "tempo",
      url: e.tempo.url,
      isDefault: false,
      jsonData: {
        nodeGraph: { enabled: true },
        ...(linked
          ? {
              tracesToMetrics: { datasourceUid: platformUid, tags: [{ key: "service.name", value: "service" }], queries: TRACES_TO_METRICS_QUERIES },
              serviceMap: { datasourceUid: platformUid },
            }
          : {}),
      },
    });
  }
  if (e.alertmanager) {
    out.push({
      key: "alertmanager",
      uid: dataSourceUids.alertmanager(e.cluster),
      name: `Alertmanager ${e.cluster}`,
      type: "alertmanager",
      url: e.alertmanager.url,
      isDefault: false,
      // Not handleGrafanaManagedAlerts: Grafana hands its alerts over through a contact point (notifications.ts),
      // and both would send each alert twice.
      jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
    });
  }
  return out;
}
