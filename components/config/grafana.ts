/**
 * Config of Grafana and the content pushed into it (`monitoring:grafana`).
 *
 * Two modes: `deploy` runs the grafana chart in this cluster; `external` pushes into a central Grafana that
 * several cluster stacks share (every stack pushes its own data sources; the one stack with
 * `ownsSharedContent` pushes the folders, teams, dashboards, contact points and the notification policy).
 * Where alerts go is not Grafana's config: `monitoring:alerting` (config/alerting.ts) routes them all.
 *
 * Cross-key rules live in `grafanaProblems` (pure), called by parseConfig (config/index.ts) after the
 * sections have parsed.
 */
import type { StackConfig } from "./index";
import { PLATFORM_ROLES } from "./core";
import { arr, bool, chartVersion, dflt, dnsLabel, envResources, int, obj, oneOf, opt, quantity, secretStr, show, str, strMap, url } from "./schema";

export const GRAFANA_MODES = ["deploy", "external"] as const;
export const TEAM_ISOLATIONS = ["orgs", "none"] as const;
export const DASHBOARD_DELIVERIES = ["provider", "sidecar"] as const;
/**
 * A host the machine running `pulumi up` cannot resolve: a cluster Service name (`*.svc`, `*.svc.<domain>`,
 * `*.cluster.local`) or a bare single-label name other than localhost. The Grafana provider dials
 * `grafana.url` from that machine (FACTS.md "Deploy mechanics"), not from inside the cluster.
 */
export function inClusterHost(u: string): string | undefined {
  let host: string;
  try {
    host = new URL(u).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (/\.svc$/.test(host) || /\.svc\./.test(host) || /\.cluster\.local$/.test(host)) return host;
  if (!host.includes(".") && host !== "localhost" && !host.startsWith("[")) return host;
  return undefined;
}

export const grafanaSection = obj("Grafana (when `features.grafana`).", {
  mode: dflt(oneOf("`deploy` a Grafana in this cluster, or push into an `external` (central) one", GRAFANA_MODES), "deploy"),
  chartVersion: opt(chartVersion("Override the pinned grafana chart version (components/versions.ts)")),
  url: opt(
    url(
      "deploy mode, required: the URL the Grafana provider reaches this Grafana at, from the machine running `pulumi up` (not from inside the cluster): the ingress URL (https://<ingress.host>), another external URL, or a local port (http://127.0.0.1:<service.nodePort> on kind with a port mapping); docs/DEPLOY.md",
    ),
  ),
  service: obj("deploy mode: the chart's Service", {
    type: dflt(oneOf("Service type", ["ClusterIP", "NodePort"] as const), "ClusterIP"),
    nodePort: opt(int("Node port when `type` is NodePort (30000–32767); a kind cluster maps it to the host with extraPortMappings", 30000, 32767)),
  }),
  ingress: obj("deploy mode: Ingress of the chart", {
    enabled: dflt(bool("Create an Ingress"), false),
    host: opt(str("Host name, e.g. \"grafana.example.com\"; required when enabled. Its DNS record must point at the ingress controller (a prerequisite: docs/DEPLOY.md)")),
    className: opt(str("IngressClass; the cluster default when unset")),
    controllerNamespace: opt(
      dnsLabel("Namespace of the ingress controller's pods, which Grafana's NetworkPolicy admits on port 3000; required when the Ingress is enabled and `networkPolicies.enabled`"),
    ),
    tls: opt(
      obj("TLS for the host (the URL scheme becomes https); say who creates the Secret", {
        secretName: dnsLabel("TLS Secret for the host"),
        certManagerClusterIssuer: opt(str("cert-manager ClusterIssuer that issues the certificate into `secretName` (annotation cert-manager.io/cluster-issuer)")),
        existingSecret: dflt(bool("The Secret is created by you before `pulumi up`"), false),
      }),
    ),
  }),
  persistence: obj("deploy mode: Grafana's database volume. Without it every pod restart loses what the provider pushed", {
    enabled: dflt(bool("Keep Grafana's database on a PersistentVolumeClaim"), true),
    size: dflt(quantity("Volume size"), "10Gi"),
    storageClassName: opt(str("StorageClass; the cluster default when unset")),
  }),
  resources: envResources(
    "deploy mode: Grafana container resources",
    { small: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }, large: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
    "headroom for dashboards, users and Grafana-managed alert rules, which Grafana keeps in memory",
  ),
  sidecarResources: envResources(
    "deploy mode: resources of the chart's dashboard sidecar container (sidecar.resources)",
    { small: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } }, large: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
    "the sidecar (k8s-sidecar, Python) holds the dashboard ConfigMaps it watches in memory: kube-prometheus-stack's alone are a few MB",
  ),
  adminPassword: opt(
    secretStr(
      "deploy mode: the admin password, instead of the generated one. Grafana applies the password only when it creates its database, so set it here after changing it in Grafana (rotation: docs/components/grafana.md). A credential: secret config",
    ),
  ),
  readinessTimeoutSeconds: dflt(
    int("How long `pulumi up` waits for Grafana to answer GET <url>/api/health before pushing content (DNS, ingress address, TLS certificate)", 10, 3600),
    600,
  ),
  teamIsolation: dflt(
    oneOf(
      "`orgs`: each team's data source, folder, dashboards and rule groups live in a Grafana organization of its own, which only its members (`teams[].members`) and the platform (`platformMembers`) belong to (data source permissions are Grafana Enterprise only: in one organization every Viewer can query every data source); `none`: everything in one organization, every user can query every team's Prometheus",
      TEAM_ISOLATIONS,
    ),
    "orgs",
  ),
  platformMembers: dflt(
    arr(
      "The platform team's Grafana users, by e-mail: in the main organization (shared content, the platform Prometheus) with their role, and Admin of every team's organization",
      obj("A member", {
        email: str("E-mail address").check((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), `is not an e-mail address, e.g. "jane@example.com"`),
        role: dflt(oneOf("Role in the main organization (in the teams' organizations they are Admin)", PLATFORM_ROLES), "Admin"),
      }),
      { unique: (m) => m.email.toLowerCase() },
    ),
    [],
  ),
  external: obj("external mode: the central Grafana", {
    url: opt(url("Root URL of the central Grafana, e.g. \"https://grafana.example.com\"")),
    token: opt(secretStr("Service-account token (Admin role) the provider authenticates with (teamIsolation \"none\" only: a token is bound to one organization). A credential: secret config")),
    user: opt(str("A Grafana server admin's login, for basic auth (needed with teamIsolation \"orgs\": organizations are server-wide)")),
    password: opt(secretStr("That server admin's password. A credential: secret config")),
    smtpConfigured: dflt(bool("The central Grafana has [smtp] configured (its admin says so): needed for `email` contact points when Grafana evaluates the repository's rules (`alerting.evaluator: grafana`)"), false),
  }),
  ownsSharedContent: opt(
    bool("external mode: this stack owns the shared content (folders, teams, dashboards, contact points, notification policy); exactly one stack per Grafana sets it. Always true in deploy mode"),
  ),
  dataSourceUrls: obj("URLs the Grafana server reaches this cluster's data sources at; the in-cluster Service URLs by default (an external Grafana usually needs these)", {
    platformPrometheus: opt(url("Platform Prometheus")),
    teamPrometheus: dflt(strMap("Team name → its Prometheus URL"), {}),
    tempo: opt(url("Tempo query frontend")),
    alertmanager: opt(url("The stack's Alertmanager (alertmanager-operated, port 9093)")),
  }),
  dashboardDelivery: dflt(
    oneOf("`provider`: dashboards pushed through the Grafana API; `sidecar`: one ConfigMap per dashboard picked up by the chart's dashboard sidecar (GitOps clusters; deploy mode only)", DASHBOARD_DELIVERIES),
    "provider",
  ),
});

export type GrafanaConfig = StackConfig["grafana"];

function inClusterMessage(u: string, host: string): string {
  return `${show(u)}: ${show(host)} resolves only inside the cluster, but the Grafana provider dials this URL from the machine running \`pulumi up\`; use the ingress or another external URL, or a local port (kind NodePort mapping, kubectl port-forward; docs/DEPLOY.md)`;
}

/** Whether this stack pushes the shared content: always in deploy mode, by flag in external mode. */
export function ownsSharedContent(g: GrafanaConfig): boolean {
  return g.mode === "deploy" ? true : g.ownsSharedContent ?? false;
}

/** Cross-key rules of the grafana section (registered by components/grafana/index.ts). */
export function grafanaProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  if (!cfg.features.grafana) return;
  const g = cfg.grafana;
  const p = (k: string) => `grafana.${k}`;

  if (g.mode === "external") {
    if (g.external.url === undefined) fail(p("external.url"), `is required when grafana.mode is "external"; set the central Grafana's root URL, e.g. "https://grafana.example.com"`);
    const basic = g.external.user !== undefined || g.external.password !== undefined;
    if (g.external.user !== undefined && g.external.password === undefined) fail(p("external.password"), `is required with grafana.external.user (basic auth); set it with: pulumi config set --secret --path 'grafana.external.password' <password>`);
    if (g.external.password !== undefined && g.external.user === undefined) fail(p("external.user"), `is required with grafana.external.password (basic auth): the server admin's login`);
    if (g.teamIsolation === "orgs") {
      // Organizations are server-wide: only a server admin's basic auth creates them and writes into them; a
      // service-account token is bound to its own organization (Grafana pkg/services/authn/clients/api_key.go).
      if (g.external.token !== undefined) {
        fail(p("external.token"), `cannot be used with grafana.teamIsolation "orgs": a service-account token is bound to one organization, and each team has its own; use a server admin's grafana.external.user and grafana.external.password instead, or set grafana.teamIsolation "none" (no isolation between teams)`);
      } else if (!basic) {
        fail(p("external.user"), `is required with grafana.teamIsolation "orgs" in external mode: a Grafana server admin's login and grafana.external.password (basic auth), which can create the teams' organizations and write into them`);
      }
    } else if (g.external.token === undefined && !basic) {
      fail(p("external.token"), `is required when grafana.mode is "external" (or grafana.external.user and password); create a service-account token (Admin role) and set it with: pulumi config set --secret --path 'grafana.external.token' <token>`);
    }
    if (g.dashboardDelivery === "sidecar") {
      fail(p("dashboardDelivery"), `"sidecar" needs grafana.mode "deploy" (the sidecar runs in this stack's Grafana pod); use "provider" with an external Grafana`);
    }
    if (g.ingress.enabled) fail(p("ingress.enabled"), `true is only read in deploy mode; an external Grafana is not deployed by this stack`);
    for (const k of ["url", "adminPassword"] as const) {
      if (g[k] !== undefined) fail(p(k), `is only read in deploy mode; ${k === "url" ? "use grafana.external.url for an external Grafana" : "an external Grafana is configured by its own admin"}`);
    }
    const host = g.external.url !== undefined ? inClusterHost(g.external.url) : undefined;
    if (host) fail(p("external.url"), inClusterMessage(g.external.url!, host));
  } else {
    // The provider dials grafana.url from the machine running `pulumi up`: say which URL that is.
    if (g.url === undefined) {
      fail(
        p("url"),
        `is required in deploy mode: the Grafana provider dials it from the machine running \`pulumi up\`, not from inside the cluster; use the ingress URL (e.g. "https://${g.ingress.host ?? "grafana.example.com"}"), or a local port such as "http://127.0.0.1:30300" with grafana.service.type NodePort on kind (docs/DEPLOY.md)`,
      );
    } else {
      const host = inClusterHost(g.url);
      if (host) fail(p("url"), inClusterMessage(g.url, host));
    }
    if (g.service.nodePort !== undefined && g.service.type !== "NodePort") fail(p("service.nodePort"), `${g.service.nodePort} is only used with grafana.service.type "NodePort"`);
    // Grafana's NetworkPolicy admits its ingress controller by namespace: without it, the Ingress would
    // deploy and every request through it be dropped.
    if (g.ingress.enabled && cfg.networkPolicies.enabled && g.ingress.controllerNamespace === undefined) {
      fail(p("ingress.controllerNamespace"), `is required when the Ingress is enabled and networkPolicies.enabled is true: Grafana's NetworkPolicy admits the ingress controller's pods by their namespace, e.g. "ingress-nginx"; or set networkPolicies.enabled: false`);
    }
    const tls = g.ingress.tls;
    if (tls && !g.ingress.enabled) fail(p("ingress.tls"), `is set but grafana.ingress.enabled is false`);
    if (tls && (tls.certManagerClusterIssuer !== undefined) === tls.existingSecret) {
      fail(
        p("ingress.tls"),
        tls.existingSecret
          ? `sets both certManagerClusterIssuer and existingSecret; say one creator of Secret ${show(tls.secretName)}`
          : `nothing creates Secret ${show(tls.secretName)}: set certManagerClusterIssuer (cert-manager issues it) or existingSecret: true (you create it before pulumi up)`,
      );
    }
    if (g.external.url !== undefined || g.external.token !== undefined) {
      fail(p("external"), `is only read when grafana.mode is "external"; remove it or set grafana.mode to "external"`);
    }
    if (g.ownsSharedContent === false) fail(p("ownsSharedContent"), `false is only allowed in external mode; a deployed Grafana's content always belongs to its stack`);
    if (g.ingress.enabled && g.ingress.host === undefined) fail(p("ingress.host"), `is required when grafana.ingress.enabled is true, e.g. "grafana.example.com"`);
  }

  // The central Grafana delivers its own rules' notifications with its own [smtp].
  if (g.mode === "external" && cfg.alerting.evaluator === "grafana" && !g.external.smtpConfigured) {
    cfg.alerting.contactPoints.forEach((c, i) => {
      if (c.type === "email") fail(`alerting.contactPoints[${i}]`, `type "email" needs SMTP on the central Grafana, which delivers these rules' notifications; once its admin has configured [smtp], set grafana.external.smtpConfigured: true`);
    });
  }

  // Grafana evaluates this stack's rules, but only the owner of the shared content pushes contact points and
  // the notification policy: this stack's would never be applied (the owner's routes deliver its alerts).
  if (g.mode === "external" && !ownsSharedContent(g) && cfg.alerting.evaluator === "grafana") {
    for (const k of ["contactPoints", "routes"] as const) {
      const n = cfg.alerting[k].length;
      if (n) {
        fail(
          `alerting.${k}`,
          `${n} set, but this stack does not own the central Grafana's shared content (grafana.ownsSharedContent), and with alerting.evaluator "grafana" only the owner's contact points and routes are pushed; move them to the owner's stack file (its routes can match cluster and environment), or set alerting.evaluator "prometheus" so this stack's Alertmanager delivers with them`,
        );
      }
    }
  }

  const teams = cfg.teams.map((t) => t.name);
  for (const t of Object.keys(g.dataSourceUrls.teamPrometheus)) {
    if (!teams.includes(t)) fail(p(`dataSourceUrls.teamPrometheus.${t}`), `${show(t)} is not a configured team; teams: ${teams.length ? teams.join(", ") : "none"}`);
  }
}
