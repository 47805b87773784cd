/**
 * The stack config: one typed, validated view of `Pulumi.<stack>.yaml` (+ defaults in Pulumi.yaml).
 *
 * `parseConfig` is pure: raw key/values in, a typed config or a ConfigError listing every problem out.
 * Nothing is registered before it succeeds, so a bad stack file never half-deploys.
 */
import { Ctx, Field, ifParsed, Infer, obj, partialView, Problem, show, unknownKeyMessage } from "./schema";
import {
  clusterSection,
  dataSafetySection,
  exportersSection,
  featuresSection,
  kubernetesSection,
  namespacesSection,
  networkPoliciesSection,
  operatorSection,
  remoteWriteSection,
  platformPrometheusSection,
  teamsSection,
} from "./core";
import { tempoEnvironmentProblems, tempoSection } from "./tempo";
import { spegelSection } from "./spegel";
import { kueueExporterSection } from "./kueueExporter";
import { kueueSection } from "./kueue";
import { alertingProblems, alertingSection } from "./alerting";
import { grafanaProblems, grafanaSection } from "./grafana";
import { hubProblems, hubSection } from "./hub";
import { MAX_CLUSTER_NAME_WITH_TEMPO } from "../charts/tempoServices";
import { charts, crdsVersionFor, operatorReleases, operatorVersionOf } from "../versions";

/** The Pulumi project name (Pulumi.yaml `name`): config keys are `monitoring:<key>`. */
export const PROJECT = "monitoring";

export const rootSchema = obj("", {
  cluster: clusterSection,
  kubernetes: kubernetesSection,
  namespaces: namespacesSection,
  features: featuresSection,
  operator: operatorSection,
  exporters: exportersSection,
  platformPrometheus: platformPrometheusSection,
  teams: teamsSection,
  tempo: tempoSection,
  spegel: spegelSection,
  kueueExporter: kueueExporterSection,
  kueue: kueueSection,
  alerting: alertingSection,
  grafana: grafanaSection,
  networkPolicies: networkPoliciesSection,
  dataSafety: dataSafetySection,
  remoteWrite: remoteWriteSection,
  hub: hubSection,
});

export type StackConfig = Infer<typeof rootSchema>;
export type TeamConfig = StackConfig["teams"][number];

export class ConfigError extends Error {
  constructor(readonly problems: Problem[], stack?: string) {
    super(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in the stack config${stack ? ` (Pulumi.${stack}.yaml)` : ""}:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.message}`;
}

/** Keys of other namespaces that would be silently ignored: the program builds its providers explicitly. */
const FOREIGN_NAMESPACES: Record<string, string> = {
  kubernetes: "the Kubernetes provider is explicit; use monitoring:kubernetes (context, kubeconfig)",
  grafana: "the Grafana provider is explicit; use monitoring:grafana (mode, url, external.token)",
};

/**
 * Parses raw Pulumi config (`<namespace>:<key>` → string, as the engine passes it; objects as JSON).
 * Throws ConfigError with every problem found: field problems, duplicates and cross-key rules together
 * (a rule runs on whatever parsed, and stops only where it reads something that did not).
 *
 * `securePaths`: the `<namespace>:<key>[.path]` of every `secure:` value in the stack file, when known
 * (stackFiles.ts RawStackConfig.securePaths): then each credential must be secure itself, not only its key.
 */
export function parseConfig(raw: Record<string, string>, secretKeys: Iterable<string> = [], stack?: string, securePaths?: Iterable<string>): StackConfig {
  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  const secret = new Set<string>();
  const secretSet = new Set(secretKeys);
  for (const [fullKey, rawValue] of Object.entries(raw)) {
    const idx = fullKey.indexOf(":");
    const ns = idx > 0 ? fullKey.slice(0, idx) : PROJECT;
    const key = idx > 0 ? fullKey.slice(idx + 1) : fullKey;
    if (ns !== PROJECT) {
      if (FOREIGN_NAMESPACES[ns]) problems.push({ path: fullKey, message: `is not read by this program: ${FOREIGN_NAMESPACES[ns]}` });
      continue; // other namespaces (e.g. pulumi:*) are not ours to judge
    }
    values[key] = decode(rawValue);
    if (secretSet.has(fullKey)) secret.add(key);
  }
  const known = Object.keys(rootSchema.shape);
  for (const key of Object.keys(values)) {
    if (!known.includes(key)) problems.push({ path: `${PROJECT}:${key}`, message: unknownKeyMessage(key, known) });
  }
  const ctx: Ctx = { problems, secretKeys: secret };
  if (securePaths) {
    const own = `${PROJECT}:`;
    ctx.securePaths = new Set([...securePaths].filter((p) => p.startsWith(own)).map((p) => p.slice(own.length)));
  }
  // Section by section (rootSchema's keys, in its order). The cross-key rules run whatever failed: on the
  // config itself when every section parsed, else on what did (schema.ts partialView), so that field
  // problems, duplicates and cross-key rules are all reported in one run.
  const cfg: Record<string, unknown> = {};
  const failed = new Set<string>();
  for (const key of known) {
    const before = problems.length;
    const v = (rootSchema.shape as Record<string, Field<unknown>>)[key].parse(values[key], key, ctx);
    if (v !== undefined) cfg[key] = v;
    // Environment-dependent defaults (schema.ts envResources) read it: `cluster` is parsed first.
    if (key === "cluster" && v !== undefined) ctx.environment = (v as { environment: string }).environment;
    else if (problems.length > before) failed.add(key);
  }
  if (failed.size) {
    ctx.partials ??= new Map();
    ctx.partials.set("", { value: cfg, failed });
    crossChecks(partialView(ctx, "") as StackConfig, ctx);
  } else crossChecks(cfg as StackConfig, ctx);
  if (problems.length) throw new ConfigError(problems, stack);
  return cfg as StackConfig;
}

/** Values arrive as strings; structured ones as JSON. A plain string that is not JSON stays a string. */
function decode(v: string): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

/**
 * Rules that span several keys. Each runs on its own: one reading a value that did not parse stops there
 * (what it reported before stands: it came from values that parsed), and the next one runs.
 */
function crossChecks(cfg: StackConfig, ctx: Ctx): void {
  const fail = (path: string, message: string) => ctx.problems.push({ path, message });
  const rules: ((cfg: StackConfig, fail: (path: string, message: string) => void) => void)[] = [
    teamNamespaceProblems,
    componentNamespaceProblems,
    operatorVersionProblems,
    featureProblems,
    tempoEnvironmentProblems,
    alertingProblems,
    grafanaProblems,
    hubProblems,
  ];
  for (const rule of rules) ifParsed(() => rule(cfg, fail));
}

function teamNamespaceProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  // The platform's name is taken twice over: its alert rules carry team "platform" (alerts/platform, a routing
  // label that ALERTS keeps), and its Prometheus writes into the hub's platform tenant. A team of that name
  // would see the platform's alerts through its own restriction and share its tenant.
  const reserved = [...new Set(["platform", cfg.remoteWrite?.platformTenant, cfg.hub?.platformTenant].filter((x): x is string => x !== undefined))];
  cfg.teams.forEach((t, i) => {
    if (t.enabled && t.namespaces.length === 0) fail(`teams[${i}].namespaces`, `is empty; a team with a Prometheus (enabled) needs at least one namespace, where its Prometheus runs`);
    if (reserved.includes(t.name)) fail(`teams[${i}].name`, `${show(t.name)} is reserved for the platform (its alerts' team label and its tenant at the hub: ${reserved.join(", ")}); name the team otherwise`);
  });
  // A namespace belongs to one team: two Prometheus instances reading the same namespace would leak
  // one team's metrics to the other and double the scraping.
  const owner = new Map<string, { team: number; name: string }>();
  // The platform namespaces, unless that section did not parse (then only ownership is checked).
  const platform = ifParsed(() => Object.entries(cfg.namespaces)) ?? [];
  cfg.teams.forEach((t, i) =>
    t.namespaces.forEach((ns, j) => {
      const path = `teams[${i}].namespaces[${j}]`;
      // (twice in one team is the list's own duplicate problem)
      const o = owner.get(ns);
      if (o === undefined) owner.set(ns, { team: i, name: t.name });
      else if (o.team !== i) fail(path, `${show(ns)} already belongs to team ${show(o.name)}; a namespace can belong to one team only`);
      const reserved = platform.find(([, v]) => v === ns);
      if (reserved) fail(path, `${show(ns)} is the stack's namespaces.${reserved[0]}; a team cannot own a platform namespace`);
    }),
  );
}

function componentNamespaceProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  // Each component namespace is its own: their Pod Security levels differ (node-exporter and Spegel need
  // `privileged`), and one Namespace object per name.
  const nsSeen = new Map<string, string>();
  for (const [k, v] of Object.entries(cfg.namespaces)) {
    if (nsSeen.has(v)) fail(`namespaces.${k}`, `${show(v)} is already namespaces.${nsSeen.get(v)}; every component namespace must be distinct`);
    else nsSeen.set(v, k);
  }
}

function featureProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  // What only the platform Prometheus scrapes: without it these features deploy, and nothing reads them.
  for (const f of ["kueueExporter", "kueueMetrics"] as const) {
    if (cfg.features[f] && !cfg.features.platformMonitoring) {
      fail(`features.${f}`, `true needs features.platformMonitoring: the platform Prometheus is what scrapes it (and feeds its dashboard and alerts); turn platformMonitoring on or ${f} off`);
    }
  }
  // The cluster name prefixes Tempo's Service names (63-character DNS labels): check it here rather than
  // fail half-way through declaring resources.
  if (cfg.features.tempo && cfg.cluster.name.length > MAX_CLUSTER_NAME_WITH_TEMPO) {
    fail("cluster.name", `${show(cfg.cluster.name)} is ${cfg.cluster.name.length} characters; with features.tempo on it can have at most ${MAX_CLUSTER_NAME_WITH_TEMPO} (it prefixes Tempo's Service names)`);
  }
  // A shard holds only its targets' series: a dashboard or rule over it sees a part. They meet at the hub.
  if (cfg.platformPrometheus.shards > 1 && !cfg.remoteWrite && !cfg.hub) {
    fail(
      "platformPrometheus.shards",
      `${cfg.platformPrometheus.shards} splits the targets over ${cfg.platformPrometheus.shards} Prometheus instances, each holding only its share of the series, so only a store that receives every shard's can answer for the cluster: set remoteWrite (a hub), or make this stack the hub (hub); otherwise keep 1 and size platformPrometheus.resources instead`,
    );
  }
  if (cfg.cluster.environment === "prod") {
    const haMsg = (n: number) => `${n} is not highly available; cluster.environment "prod" requires at least 2 replicas`;
    if (cfg.features.platformMonitoring && cfg.platformPrometheus.replicas < 2) fail("platformPrometheus.replicas", haMsg(cfg.platformPrometheus.replicas));
    cfg.teams.forEach((t, i) => {
      if (t.enabled && t.replicas < 2) fail(`teams[${i}].replicas`, haMsg(t.replicas));
    });
  }
  // Rules of component sections that need other sections (tempoEnvironmentProblems, alertingProblems,
  // grafanaProblems) are listed in crossChecks: called here, at parse time, rather than registered by the
  // section modules, which are imported while this module is still initialising.
}

/**
 * The CRDs release must ship the operator release the operator chart runs (versions.ts operatorReleases):
 * by default it is derived from the operator chart version; an explicit one must match it.
 */
function operatorVersionProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  const kps = cfg.operator.chartVersion ?? charts.kubePrometheusStack.version;
  const op = operatorVersionOf("kubePrometheusStack", kps);
  if (op === undefined) {
    const known = operatorReleases.kubePrometheusStack.map((r) => `${r.from}–${r.to} (${r.operator})`).join(", ");
    fail("operator.chartVersion", `${show(kps)} is not a kube-prometheus-stack version whose operator release is known, so no CRDs release can be matched to it; known: ${known} (components/versions.ts operatorReleases)`);
    return;
  }
  const crds = cfg.operator.crdsChartVersion;
  if (crds === undefined) return;
  const crdsOp = operatorVersionOf("prometheusOperatorCrds", crds);
  if (crdsOp !== op) {
    fail("operator.crdsChartVersion", `${show(crds)} ships operator ${crdsOp ?? "(unknown release)"}, but kube-prometheus-stack ${kps} runs ${op}; use ${show(crdsVersionFor(kps))} or leave it unset`);
  }
}

/** The prometheus-operator-crds version of a validated config (explicit, or the one matching the operator chart). */
export function crdsChartVersionOf(cfg: StackConfig): string {
  return cfg.operator.crdsChartVersion ?? crdsVersionFor(cfg.operator.chartVersion ?? charts.kubePrometheusStack.version)!;
}

/** Rows of the config reference (README / docs/CONFIG.md). */
export function configReference() {
  return rootSchema.docs("");
}
