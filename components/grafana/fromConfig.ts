/**
 * Stack config → Grafana/GrafanaContent args (pure), so the stack's wiring stays one call per component
 * and the config's meaning (modes, URL overrides, ownership, routing) lives next to the components.
 */
import { keepsData } from "../config/core";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { ownsSharedContent } from "../config/grafana";
import type { GrafanaContentArgs } from "./content";
import type { GrafanaArgs, GrafanaConnection } from "./grafana";
import type { DashboardFile, PromAlertGroup, SharedFolder } from "./types";
import { routingTreeOf } from "../alerting/fromConfig";
import { queryUrl, TENANT_HEADER } from "../hub";
import { grafanaPolicy, type ForwardingContactPoint, type ContactPointSpec, type GrafanaPolicy } from "./notifications";

/** The contact point through which a deployed Grafana hands every alert to the stack's Alertmanager. */
export const FORWARD_CONTACT_POINT = "alertmanager";

/**
 * What Grafana delivers through: a deployed Grafana forwards every alert to the stack's Alertmanager (one
 * contact point, the policy's root), so Grafana's alerts follow the Alertmanager's routes; an external
 * Grafana serves several clusters and gets the contact points and the policy rendered from the same tree.
 */
function notifications(cfg: StackConfig, alertmanagerUrl: pulumi.Input<string> | undefined): { contactPoints: (ContactPointSpec | ForwardingContactPoint)[]; notificationPolicy?: GrafanaPolicy } {
  const tree = routingTreeOf(cfg);
  if (cfg.grafana.mode === "deploy" && alertmanagerUrl !== undefined) {
    return {
      contactPoints: [{ name: FORWARD_CONTACT_POINT, type: "alertmanager", settings: { url: alertmanagerUrl } }],
      notificationPolicy: { contactPoint: FORWARD_CONTACT_POINT, groupBy: tree.groupBy, routes: [] },
    };
  }
  return { contactPoints: cfg.alerting.contactPoints, notificationPolicy: grafanaPolicy(tree) };
}

/** Args of the deployed Grafana (deploy mode only). */
export function grafanaArgsFromConfig(cfg: StackConfig, extra: { namespace: pulumi.Input<string>; dependsOn?: pulumi.Input<pulumi.Resource>[] }): GrafanaArgs {
  const g = cfg.grafana;
  return {
    namespace: extra.namespace,
    chartVersion: g.chartVersion,
    ingress: g.ingress,
    persistence: g.persistence,
    keepData: keepsData(cfg),
    noDefaultRole: g.teamIsolation === "orgs",
    resources: g.resources,
    sidecarResources: g.sidecarResources,
    service: g.service,
    smtp: cfg.alerting.smtp && { ...cfg.alerting.smtp, password: cfg.alerting.smtp.password === undefined ? undefined : pulumi.secret(cfg.alerting.smtp.password) },
    adminPassword: g.adminPassword === undefined ? undefined : pulumi.secret(g.adminPassword),
    // Validated by grafanaProblems: set, and not an in-cluster name, in deploy mode.
    providerUrl: g.url!,
    readinessTimeoutSeconds: g.readinessTimeoutSeconds,
    dashboardDelivery: g.dashboardDelivery,
    dependsOn: extra.dependsOn,
  };
}

/** In-cluster endpoints the other components expose (their `url` outputs). */
export interface InClusterEndpoints {
  /** PlatformPrometheus.url, when platform monitoring is on. */
  platformPrometheus?: pulumi.Input<string>;
  /** TeamPrometheus.url per enabled team. */
  teamPrometheus?: Record<string, pulumi.Input<string>>;
  /** Tempo (when on): its query-frontend URL (`Tempo.queryFrontendUrl`) and whether its metrics-generator writes to the platform Prometheus. */
  tempo?: { url: pulumi.Input<string>; metricsGenerator?: boolean };
  /** The stack's Alertmanager (`Alertmanager.url`): a data source, and where a deployed Grafana hands its alerts to. */
  alertmanager?: pulumi.Input<string>;
}

export function grafanaContentArgsFromConfig(
  cfg: StackConfig,
  extra: {
    /** Deploy mode: `Grafana.connection`. External mode: leave unset (built from grafana.external). */
    connection?: GrafanaConnection;
    endpoints: InClusterEndpoints;
    folders: SharedFolder[];
    dashboards: DashboardFile[];
    alertGroups: PromAlertGroup[];
    /** Deploy mode with sidecar delivery: the Grafana's namespace. */
    sidecarNamespace?: pulumi.Input<string>;
  },
): GrafanaContentArgs {
  const g = cfg.grafana;
  const urls = g.dataSourceUrls;
  let connection = extra.connection;
  if (g.mode === "external") {
    // Validated by grafanaProblems: url, and a server admin's user and password (teamIsolation "orgs") or a
    // token, are set in external mode.
    connection =
      g.external.user !== undefined
        ? { url: g.external.url!, auth: pulumi.secret(pulumi.interpolate`${g.external.user}:${g.external.password!}`), basicAuthUser: g.external.user, readinessTimeoutSeconds: g.readinessTimeoutSeconds }
        : { url: g.external.url!, auth: pulumi.secret(g.external.token!), readinessTimeoutSeconds: g.readinessTimeoutSeconds };
  }
  if (!connection) throw new Error("grafanaContentArgsFromConfig: deploy mode needs the deployed Grafana's connection");
  const teamPrometheus: Record<string, { url: pulumi.Input<string>; scrapeInterval: string }> = {};
  for (const t of cfg.teams.filter((t) => t.enabled)) {
    const url = urls.teamPrometheus[t.name] ?? extra.endpoints.teamPrometheus?.[t.name];
    if (url !== undefined) teamPrometheus[t.name] = { url, scrapeInterval: t.scrapeInterval };
  }
  const platformUrl = cfg.features.platformMonitoring ? urls.platformPrometheus ?? extra.endpoints.platformPrometheus : undefined;
  const tempo = extra.endpoints.tempo;
  const tempoUrl = cfg.features.tempo ? urls.tempo ?? tempo?.url : undefined;
  const alertmanagerUrl = urls.alertmanager ?? extra.endpoints.alertmanager;
  return {
    cluster: cfg.cluster.name,
    connection,
    dataSources: {
      ...(platformUrl !== undefined ? { platformPrometheus: { url: platformUrl, scrapeInterval: cfg.platformPrometheus.scrapeInterval } } : {}),
      teamPrometheus,
      ...(tempoUrl !== undefined ? { tempo: { url: tempoUrl, metricsGenerator: tempo?.metricsGenerator ?? false } } : {}),
      ...(alertmanagerUrl !== undefined ? { alertmanager: { url: alertmanagerUrl } } : {}),
      ...(cfg.hub ? { hub: { url: queryUrl(cfg.hub.namespace), tenantHeader: TENANT_HEADER, platformTenant: cfg.hub.platformTenant, teamTenants: cfg.hub.tenants } } : {}),
      platformIsDefault: g.mode === "deploy",
    },
    teams: cfg.teams.map((t) => t.name),
    teamIsolation: g.teamIsolation,
    teamMembers: Object.fromEntries(cfg.teams.map((t) => [t.name, t.members])),
    platformMembers: g.platformMembers,
    folders: extra.folders,
    dashboards: extra.dashboards,
    alertGroups: extra.alertGroups,
    ownsSharedContent: ownsSharedContent(g),
    dashboardDelivery: g.dashboardDelivery,
    sidecarNamespace: extra.sidecarNamespace,
    runbookBaseUrl: cfg.alerting.runbookBaseUrl,
    ...notifications(cfg, extra.endpoints.alertmanager),
  };
}
