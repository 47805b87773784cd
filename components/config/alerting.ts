/**
 * Config of alerting (`monitoring:alerting`): one routing source of truth for every alert the stack can
 * emit, whoever evaluates it (every Prometheus: kube-prometheus-stack's default rules, the repository's
 * rules, each team's own PrometheusRules; or Grafana). The contact points and routes declared here become the
 * Alertmanager configuration (components/alerting/alertmanagerConfig.ts) and, for what Grafana evaluates or
 * delivers, Grafana's contact points and notification policy (components/grafana/notifications.ts).
 *
 * Cross-key rules live in `alertingProblems` (pure), called by parseConfig (config/index.ts).
 */
import type { StackConfig } from "./index";
import { ENVIRONMENTS } from "./core";
import { knownNames, loadContent } from "../charts/content";
import { charts } from "../versions";
import { arr, bool, Ctx, dflt, DocRow, duration, Field, int, obj, oneOf, opt, resources, secretStr, show, storage, str, strMap, url } from "./schema";

export const EVALUATORS = ["prometheus", "grafana"] as const;
export const CONTACT_POINT_TYPES = ["webhook", "slack", "email", "pagerduty"] as const;
export type ContactPointType = (typeof CONTACT_POINT_TYPES)[number];

/** Which `settings` keys each contact point type reads (Alertmanager's *_configs and the Grafana provider's ContactPoint* inputs). */
export const CONTACT_POINT_SETTINGS: Record<ContactPointType, { required: string[][]; allowed: string[] }> = {
  // `required` is a list of alternatives: one of the inner lists must be fully present.
  webhook: { required: [["url"]], allowed: ["url", "username", "password"] },
  slack: { required: [["url"], ["token", "recipient"]], allowed: ["url", "token", "recipient"] },
  email: { required: [["addresses"]], allowed: ["addresses"] },
  pagerduty: { required: [["integrationKey"]], allowed: ["integrationKey", "severity"] },
};

/** Grafana's `[smtp] startTLS_policy` values (grafana/grafana pkg/services/notifications/smtp.go getStartTLSPolicy). */
export const STARTTLS_POLICIES = ["OpportunisticStartTLS", "MandatoryStartTLS", "NoStartTLS"] as const;
/** PagerDuty Events API v2 severities (Alertmanager pagerduty_configs.severity; @pulumiverse/grafana ContactPointPagerduty.severity). */
export const PAGERDUTY_SEVERITIES = ["critical", "error", "warning", "info"] as const;

const hostPort = (doc: string) =>
  str(doc).check((v) => /^[^\s:/]+:\d{1,5}$/.test(v), `is not host:port; Grafana's mail dialer and Alertmanager's smarthost both need it, e.g. "smtp.example.com:587"`);
const email = (doc: string) => str(doc).check((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), `is not an e-mail address, e.g. "grafana@example.com"`);

export const contactPointSchema = obj("A contact point (a receiver of Alertmanager, a contact point of Grafana).", {
  name: str("Contact point name; `defaultContactPoint` and `routes[].contactPoint` refer to it").check((v) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v), `is not a valid name; use lower-case letters, digits and "-"`),
  type: oneOf("Integration type", CONTACT_POINT_TYPES),
  settings: obj("Integration settings; the keys that apply depend on `type` (webhook: url, username, password; slack: url, or token + recipient; email: addresses; pagerduty: integrationKey, severity)", {
    url: opt(secretStr("webhook: target URL; slack: incoming-webhook URL. A credential: secret config")),
    token: opt(secretStr("slack: bot token (with `recipient`). A credential: secret config")),
    recipient: opt(str("slack: channel for the bot token, e.g. \"#alerts\"")),
    addresses: opt(arr("email: recipient addresses (needs `alerting.smtp`)", email("e-mail address"), { min: 1 })),
    username: opt(str("webhook: basic-auth user")),
    password: opt(secretStr("webhook: basic-auth password. A credential: secret config")),
    integrationKey: opt(secretStr("pagerduty: the service's Events API v2 integration key. A credential: secret config")),
    severity: opt(oneOf("pagerduty: severity of the incidents (default: critical)", PAGERDUTY_SEVERITIES)),
  }),
});
export type ContactPointConfig = NonNullable<ReturnType<typeof contactPointSchema.parse>>;

export const routeSchema = obj(
  "A notification route: alerts whose labels match `team` and/or `severity` go to `contactPoint`. A team route also takes the alerts without a `team` label from the team's namespaces (kube-prometheus-stack's Kubernetes alerts carry `namespace`, not `team`).",
  {
    team: opt(str("Match alerts of this team (one of `teams[].name`): label `team`, or no `team` label and a `namespace` of the team")),
    severity: opt(str("Match alerts whose `severity` label has this value, e.g. \"critical\"")),
    cluster: opt(str("Match alerts of this cluster (label `cluster`, every Prometheus' external label): where several clusters' alerts meet, a hub or a central Grafana")),
    environment: opt(oneOf("Match alerts of clusters of this environment (label `environment`, every Prometheus' external label), e.g. page only for prod", ENVIRONMENTS)),
    contactPoint: str("Contact point receiving the matched alerts"),
    bySeverity: dflt(strMap("Inside this route: severity value → contact point (e.g. {\"critical\": \"team-pager\"})"), {}),
    continue: dflt(bool("Keep matching the following routes after this one matched"), false),
  },
);
export type RouteConfig = NonNullable<ReturnType<typeof routeSchema.parse>>;

export const alertingSection = obj("Alerting: who evaluates the repository's rules, the Alertmanager, and where every alert goes.", {
  evaluator: dflt(
    oneOf(
      "Who evaluates the repository's alert rules (alerts/): `prometheus` (PrometheusRules on the platform and team Prometheus instances; alerts go through the Alertmanager even when Grafana is down) or `grafana` (Grafana-managed rule groups; Grafana forwards them to the Alertmanager in deploy mode)",
      EVALUATORS,
    ),
    "prometheus",
  ),
  runbookBaseUrl: opt(
    url("Prefix of the repository's relative `runbook_url` annotations (docs/runbooks/…), e.g. \"https://github.com/org/repo/blob/main/\"; required: a notification must link a runbook that opens"),
  ),
  alertmanager: obj("The Alertmanager every Prometheus (and, in deploy mode, Grafana) sends alerts to (a prometheus-operator Alertmanager in `namespaces.monitoring`)", {
    replicas: dflt(int("Replicas (they form one cluster and deduplicate; ≥ 2 required in prod)", 1, 5), 1),
    retention: dflt(duration("How long silences and notification logs are kept"), "120h"),
    resources: resources("Alertmanager container resources", { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } }),
    storage: opt(storage("Persistent storage for silences and the notification log; emptyDir when unset")),
  }),
  contactPoints: dflt(arr("Contact points", contactPointSchema, { unique: (c) => c.name }), []),
  defaultContactPoint: opt(str("The platform default: receives every alert no route matches. Required when contact points are defined")),
  routes: dflt(arr("Routes by `team` and `severity`; the first match wins (unless `continue`)", routeSchema), []),
  groupBy: dflt(arr("Labels that group alerts into one notification", str("label"), { min: 1 }), ["alertname", "cluster", "namespace"]),
  smtp: opt(
    obj("Outgoing mail, required by `email` contact points: Alertmanager's global smtp_* and, for a deployed Grafana, grafana.ini [smtp] (user and password from Secrets)", {
      host: hostPort("SMTP server as host:port"),
      fromAddress: email("Sender address"),
      fromName: dflt(str("Sender name (Grafana)"), "Grafana"),
      user: opt(str("SMTP user")),
      password: opt(secretStr("SMTP password (with `user`). A credential: secret config")),
      startTlsPolicy: dflt(oneOf("STARTTLS policy (Alertmanager: smtp_require_tls unless NoStartTLS)", STARTTLS_POLICIES), "MandatoryStartTLS"),
      skipVerify: dflt(bool("Skip verifying the server's certificate"), false),
    }),
  ),
  deadMansSwitch: opt(
    obj(
      "A heartbeat receiver for kube-prometheus-stack's always-firing `Watchdog` alert (healthchecks.io, Dead Man's Snitch, …): when it stops, the alerting pipeline is down. Unset: Watchdog goes nowhere",
      {
        url: secretStr("The ping URL Alertmanager POSTs to. A credential: secret config"),
        interval: dflt(duration("How often the heartbeat repeats (route group_interval and repeat_interval)"), "1m"),
      },
    ),
  ),
  defaultRules: obj("kube-prometheus-stack's default rules (kubernetes-mixin, node-exporter mixin, Prometheus, operator), evaluated by the platform Prometheus", {
    enabled: dflt(bool("Evaluate them (trimmed to what the stack scrapes)"), true),
    disabledGroups: dflt(arr("Default rule groups to switch off, by their values key (e.g. \"kubernetesStorage\"); see the plan's list", str("group key"), { unique: (x) => x }), []),
    disabledAlerts: dflt(arr("Single default alerts to switch off, by name (e.g. \"KubeCPUOvercommit\")", str("alert name"), { unique: (x) => x }), []),
    overrides: dflt(
      // `customRules` of the chart: only `for` and `severity` are read (templates/prometheus/rules-1.14/*.yaml).
      mapOfOverrides(),
      {},
    ),
    extraLabels: dflt(strMap("Labels added to every default alert (defaultRules.additionalRuleLabels)"), {}),
  }),
  imagePolicy: obj("Image version practice (alerts/platform/images.rules.yaml): which registries are allowed, which namespaces are production", {
    allowedRegistries: dflt(arr("Registry hosts images may come from (e.g. \"docker.io\", \"ghcr.io\"); empty: no registry alert", str("registry host"), { unique: (x) => x }), []),
    productionNamespaces: dflt(
      arr("Namespaces where a `:latest` or untagged image is an alert; by default, in a prod cluster, every team's namespaces", str("namespace"), { unique: (x) => x }),
      [],
    ),
  }),
});

type Override = { for?: string; severity?: string };

/** Alert name → {for, severity}: a map whose keys are the user's (alert names), values a fixed shape. */
function mapOfOverrides(): Field<Record<string, Override>> {
  const inner = obj("An override of one default alert", {
    for: opt(duration("How long the condition must hold before it fires (0s: at once)", { allowZero: true })),
    severity: opt(str("The `severity` label, e.g. \"critical\"")),
  });
  return new (class implements Field<Record<string, Override>> {
    readonly typeName = "map of {for, severity}";
    readonly doc = "Default alerts by name → {for, severity} (the chart's customRules)";
    parse(v: unknown, path: string, ctx: Ctx): Record<string, Override> | undefined {
      if (v === undefined || v === null) return {};
      if (typeof v !== "object" || Array.isArray(v)) {
        ctx.problems.push({ path, message: `${show(v)} is not a map of alert name → {for, severity}` });
        return undefined;
      }
      const out: Record<string, Override> = {};
      const before = ctx.problems.length;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const r = inner.parse(x, `${path}.${k}`, ctx);
        if (r) out[k] = r;
      }
      return ctx.problems.length > before ? undefined : out;
    }
    docs(p: string): DocRow[] {
      return [{ path: p, type: this.typeName, default: "{}", doc: this.doc }];
    }
    defaultText(): string {
      return "{}";
    }
  })();
}

export type AlertingConfig = StackConfig["alerting"];

/** Cross-key rules of the alerting section. */
export function alertingProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  const a = cfg.alerting;
  const p = (k: string) => `alerting.${k}`;
  if (a.runbookBaseUrl === undefined) {
    fail(p("runbookBaseUrl"), `is required: the repository's alerts link runbooks by a relative path (docs/runbooks/…), which no notification can open; set the URL this repository is browsed at, e.g. "https://github.com/<org>/<repo>/blob/main/"`);
  }
  if (a.evaluator === "grafana" && !cfg.features.grafana) fail(p("evaluator"), `"grafana" needs features.grafana; use "prometheus"`);

  // Contact points: the settings their type reads, and nothing else.
  a.contactPoints.forEach((c, i) => {
    const spec = CONTACT_POINT_SETTINGS[c.type];
    const present = Object.entries(c.settings)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    for (const k of present) {
      if (!spec.allowed.includes(k)) fail(p(`contactPoints[${i}].settings.${k}`), `is not read by type ${show(c.type)}; allowed: ${spec.allowed.join(", ")}`);
    }
    if (!spec.required.some((alt) => alt.every((k) => present.includes(k)))) {
      fail(p(`contactPoints[${i}].settings`), `type ${show(c.type)} needs ${spec.required.map((alt) => alt.join(" + ")).join(" or ")}`);
    }
    // A contact point that cannot deliver is a mistake, not a silent failure in a log.
    if (c.type === "email" && a.smtp === undefined) {
      fail(p(`contactPoints[${i}]`), `type "email" needs alerting.smtp (host, fromAddress): without it Alertmanager cannot send and Grafana fails every send with "SMTP not configured"`);
    }
  });
  if (a.smtp && (a.smtp.user === undefined) !== (a.smtp.password === undefined)) {
    fail(p(a.smtp.user === undefined ? "smtp.user" : "smtp.password"), `is required with alerting.smtp.${a.smtp.user === undefined ? "password" : "user"}; set both, or neither for a relay without authentication`);
  }

  // Routes refer to defined contact points and configured teams.
  const names = a.contactPoints.map((c) => c.name);
  const known = names.length ? names.join(", ") : "none defined";
  const checkCp = (path: string, cp: string) => {
    if (!names.includes(cp)) fail(path, `${show(cp)} is not a defined contact point; defined: ${known}`);
  };
  if (a.defaultContactPoint !== undefined) checkCp(p("defaultContactPoint"), a.defaultContactPoint);
  else if (names.length || a.routes.length) {
    fail(p("defaultContactPoint"), `is required when contact points or routes are defined: the platform default receives every alert no route matches; defined: ${known}`);
  }
  const teams = cfg.teams.map((t) => t.name);
  a.routes.forEach((r, i) => {
    const rp = p(`routes[${i}]`);
    if (r.team === undefined && r.severity === undefined && r.cluster === undefined && r.environment === undefined) {
      fail(rp, `matches nothing specific; set team, severity, cluster and/or environment (the default is alerting.defaultContactPoint)`);
    }
    if (r.team !== undefined && !teams.includes(r.team)) fail(`${rp}.team`, `${show(r.team)} is not a configured team; teams: ${teams.length ? teams.join(", ") : "none"}`);
    checkCp(`${rp}.contactPoint`, r.contactPoint);
    for (const [sev, cp] of Object.entries(r.bySeverity)) checkCp(`${rp}.bySeverity.${sev}`, cp);
  });

  // Default rules a stack switches off or tunes must exist in the pinned chart (a typo would be ignored).
  const content = loadContent(charts.kubePrometheusStack.chart, cfg.operator.chartVersion ?? charts.kubePrometheusStack.version);
  if (content) {
    const { alerts, groupKeys } = knownNames(content);
    const dr = a.defaultRules;
    dr.disabledGroups.forEach((g, i) => {
      if (!groupKeys.includes(g)) fail(p(`defaultRules.disabledGroups[${i}]`), `${show(g)} is not a default rule group of kube-prometheus-stack ${content.version}; groups: ${groupKeys.join(", ")}`);
    });
    dr.disabledAlerts.forEach((n, i) => {
      if (!alerts.includes(n)) fail(p(`defaultRules.disabledAlerts[${i}]`), `${show(n)} is not a default alert of kube-prometheus-stack ${content.version}${suggest(n, alerts)}`);
    });
    for (const n of Object.keys(dr.overrides)) {
      if (!alerts.includes(n)) fail(p(`defaultRules.overrides.${n}`), `${show(n)} is not a default alert of kube-prometheus-stack ${content.version}${suggest(n, alerts)}`);
    }
  }

  if (cfg.cluster.environment === "prod" && a.alertmanager.replicas < 2) {
    fail(p("alertmanager.replicas"), `${a.alertmanager.replicas} is not highly available; cluster.environment "prod" requires at least 2 replicas`);
  }
}

/** The namespaces where a `:latest` or untagged image is an alert: the configured ones, else every team's in a prod cluster. */
export function productionNamespaces(cfg: StackConfig): string[] {
  if (cfg.alerting.imagePolicy.productionNamespaces.length) return cfg.alerting.imagePolicy.productionNamespaces;
  return cfg.cluster.environment === "prod" ? cfg.teams.flatMap((t) => t.namespaces) : [];
}

/** "; did you mean X?" for a near miss among `known` (same letters, case or one typo apart). */
function suggest(name: string, known: string[]): string {
  const lower = name.toLowerCase();
  const hit = known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => k.toLowerCase().startsWith(lower.slice(0, Math.max(4, lower.length - 2))));
  return hit ? `; did you mean ${show(hit)}?` : "";
}
