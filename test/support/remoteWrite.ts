/**
 * From the program's declared resources to the configuration prometheus-operator would give each Prometheus,
 * restricted to what the multi-cluster live test needs (test/live/multicluster.test.ts): external labels,
 * remote_write, and the rule groups of the PrometheusRules the instance selects. Pure, no processes.
 *
 * Derived, not hand-written, so that a change to what the program declares shows up in the live test:
 * - `global.external_labels` = the operator's own (`prometheus: <ns>/<name>`, `prometheus_replica: <pod>`;
 *   pkg/prometheus/promcfg.go buildExternalLabels, v0.93, where they win over a user label of the same name)
 *   + `spec.externalLabels`.
 * - `remote_write[]` = `spec.remoteWrite[]` with the url replaced by the local receiver's, `headers` as
 *   declared, `queueConfig` camelCase → snake_case, and `basicAuth` resolved: the username from the Secret
 *   it references (which must be declared in the Prometheus' namespace), the password a placeholder (the
 *   declared one is a secret, and the local receiver checks neither). A field this module does not translate
 *   fails loudly rather than being dropped.
 * - rules: every PrometheusRule matched by `spec.ruleSelector` in a namespace matched by
 *   `spec.ruleNamespaceSelector` (operator semantics: a missing ruleSelector selects nothing, a missing
 *   namespace selector means the Prometheus' own namespace, `{}` means all).
 * What is NOT derived (time is compressed in the live test): scrape and evaluation intervals, rule group
 * intervals, and the scrape jobs (the operator builds those from ServiceMonitors and Kubernetes discovery).
 */
import * as YAML from "yaml";

export const PROMETHEUS_TYPE = "kubernetes:monitoring.coreos.com/v1:Prometheus";
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const SECRET_TYPE = "kubernetes:core/v1:Secret";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

/** A resource as the test harness records it (test/harness/mocks.ts Recorded). */
export interface DeclaredResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/** The password written into every basic_auth: the local receiver does not check it. */
export const PLACEHOLDER_PASSWORD = "not-checked-by-the-local-receiver";

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics; `{}` matches everything. */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In":
        if (!has || !(e.values ?? []).includes(labels[e.key])) return false;
        break;
      case "NotIn":
        if (has && (e.values ?? []).includes(labels[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new Error(`label selector operator ${JSON.stringify(e.operator)} is not supported`);
    }
  }
  return true;
}

/** The Prometheus CR's identity, for messages and the operator's labels. */
function idOf(cr: DeclaredResource): { name: string; namespace: string } {
  const name = cr.inputs?.metadata?.name;
  const namespace = cr.inputs?.metadata?.namespace;
  if (cr.type !== PROMETHEUS_TYPE) throw new Error(`${cr.name}: not a Prometheus (${cr.type})`);
  if (typeof name !== "string" || typeof namespace !== "string") throw new Error(`${cr.name}: metadata.name and metadata.namespace must be set`);
  return { name, namespace };
}

/** The external labels the Prometheus pod `prometheus-<name>-<replica>` runs with (operator's first). */
export function externalLabelsOf(cr: DeclaredResource, replica = 0): Record<string, string> {
  const { name, namespace } = idOf(cr);
  const spec = cr.inputs.spec ?? {};
  const own: Record<string, string> = {};
  const promLabel: string = spec.prometheusExternalLabelName ?? "prometheus";
  const replicaLabel: string = spec.replicaExternalLabelName ?? "prometheus_replica";
  if (promLabel !== "") own[promLabel] = `${namespace}/${name}`;
  // $(POD_NAME) of the StatefulSet prometheus-<name> (shard 0): prometheus-<name>-<ordinal>.
  if (replicaLabel !== "") own[replicaLabel] = `prometheus-${name}-${replica}`;
  const user = Object.fromEntries(Object.entries<string>(spec.externalLabels ?? {}).filter(([k]) => !(k in own)));
  return { ...user, ...own };
}

const QUEUE_KEYS: Record<string, string> = {
  capacity: "capacity",
  minShards: "min_shards",
  maxShards: "max_shards",
  maxSamplesPerSend: "max_samples_per_send",
  batchSendDeadline: "batch_send_deadline",
  minBackoff: "min_backoff",
  maxBackoff: "max_backoff",
  retryOnRateLimit: "retry_on_http_429",
  sampleAgeLimit: "sample_age_limit",
};

/** A RemoteWriteSpec queueConfig as a Prometheus queue_config. */
export function queueConfigOf(q: Record<string, unknown>, where = "queueConfig"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    const snake = QUEUE_KEYS[k];
    if (!snake) throw new Error(`${where}.${k}: not translated by test/support/remoteWrite.ts (known: ${Object.keys(QUEUE_KEYS).join(", ")})`);
    out[snake] = v;
  }
  return out;
}

const REMOTE_WRITE_KEYS = new Set(["name", "url", "headers", "basicAuth", "queueConfig", "remoteTimeout"]);

/** The username a basicAuth SecretKeySelector points at, from the Secret declared in `namespace`. */
function secretValue(resources: readonly DeclaredResource[], namespace: string, ref: { name?: string; key?: string } | undefined, where: string): string {
  if (!ref?.name || !ref.key) throw new Error(`${where}: must name a Secret and a key`);
  const secret = resources.find((r) => r.type === SECRET_TYPE && r.inputs?.metadata?.name === ref.name && (r.inputs?.metadata?.namespace ?? "default") === namespace);
  if (!secret) throw new Error(`${where}: Secret ${namespace}/${ref.name} is not declared (a basicAuth selector reads a Secret of the Prometheus' namespace)`);
  const value = secret.inputs.stringData?.[ref.key] ?? (secret.inputs.data?.[ref.key] !== undefined ? Buffer.from(String(secret.inputs.data[ref.key]), "base64").toString("utf8") : undefined);
  if (typeof value !== "string") throw new Error(`${where}: Secret ${namespace}/${ref.name} has no key ${JSON.stringify(ref.key)}`);
  return value;
}

/** `spec.remoteWrite[]` as Prometheus `remote_write[]`, every url replaced by `receiverUrl`. */
export function remoteWriteOf(cr: DeclaredResource, resources: readonly DeclaredResource[], receiverUrl: string): Record<string, unknown>[] {
  const { namespace } = idOf(cr);
  const entries: Record<string, any>[] = cr.inputs.spec?.remoteWrite ?? [];
  return entries.map((rw, i) => {
    const where = `${cr.name} spec.remoteWrite[${i}]`;
    const unknown = Object.keys(rw).filter((k) => !REMOTE_WRITE_KEYS.has(k));
    if (unknown.length) throw new Error(`${where}: ${unknown.join(", ")} not translated by test/support/remoteWrite.ts`);
    if (typeof rw.url !== "string" || !rw.url) throw new Error(`${where}.url: must be set`);
    return {
      ...(rw.name ? { name: rw.name } : {}),
      url: receiverUrl,
      ...(rw.remoteTimeout ? { remote_timeout: rw.remoteTimeout } : {}),
      ...(rw.headers ? { headers: { ...rw.headers } } : {}),
      ...(rw.basicAuth
        ? { basic_auth: { username: secretValue(resources, namespace, rw.basicAuth.username, `${where}.basicAuth.username`), password: PLACEHOLDER_PASSWORD } }
        : {}),
      ...(rw.queueConfig ? { queue_config: queueConfigOf(rw.queueConfig, `${where}.queueConfig`) } : {}),
    };
  });
}

/** The labels a namespace has: its immutable name label, plus those of a declared Namespace of that name. */
function namespaceLabels(resources: readonly DeclaredResource[], ns: string): Record<string, string> {
  const declared = resources.find((r) => r.type === NAMESPACE_TYPE && r.inputs?.metadata?.name === ns);
  return { ...(declared?.inputs.metadata.labels ?? {}), "kubernetes.io/metadata.name": ns };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Record<string, unknown>[];
}

/** The rule groups of every PrometheusRule the Prometheus selects, each named `<ns>/<rule>` as its source. */
export function selectedRuleGroups(cr: DeclaredResource, resources: readonly DeclaredResource[]): { source: string; groups: RuleGroup[] }[] {
  const { namespace } = idOf(cr);
  const spec = cr.inputs.spec ?? {};
  const ruleSelector: LabelSelector | undefined = spec.ruleSelector;
  if (!ruleSelector) return [];
  const nsSelector: LabelSelector | undefined = spec.ruleNamespaceSelector;
  const inNamespace = (ns: string): boolean => (nsSelector ? matchesSelector(nsSelector, namespaceLabels(resources, ns)) : ns === namespace);
  return resources
    .filter((r) => r.type === PROMETHEUS_RULE_TYPE)
    .filter((r) => inNamespace(r.inputs?.metadata?.namespace ?? "default") && matchesSelector(ruleSelector, r.inputs?.metadata?.labels ?? {}))
    .map((r) => ({ source: `${r.inputs.metadata.namespace ?? "default"}/${r.inputs.metadata.name}`, groups: (r.inputs.spec?.groups ?? []) as RuleGroup[] }));
}

/** A rule file of those groups, without their `interval`s (the caller's evaluation interval applies). */
export function ruleFileText(groups: readonly RuleGroup[]): string {
  return YAML.stringify({ groups: groups.map((g) => ({ name: g.name, rules: g.rules })) }, { lineWidth: 0 });
}

/** The team a Prometheus serves: its `team` external label (platform instances have none). */
export function teamOf(cr: DeclaredResource): string | undefined {
  return cr.inputs.spec?.externalLabels?.team;
}

/** The namespaces a Prometheus may discover targets in: the `In` values of its serviceMonitorNamespaceSelector ([] = unrestricted). */
export function scrapeNamespacesOf(cr: DeclaredResource): string[] {
  const sel: LabelSelector = cr.inputs.spec?.serviceMonitorNamespaceSelector ?? {};
  return (sel.matchExpressions ?? []).filter((e) => e.key === "kubernetes.io/metadata.name" && e.operator === "In").flatMap((e) => e.values ?? []);
}

export interface LocalSenderOptions {
  /** Replaces the url of every remote write, e.g. `http://127.0.0.1:<port>/api/v1/write`. */
  receiverUrl: string;
  /** Compressed time: the CR's scrapeInterval and rule intervals do not apply. */
  scrapeInterval: string;
  evaluationInterval: string;
  /** Scrape jobs, as Prometheus `scrape_configs` entries. */
  scrapeConfigs: Record<string, unknown>[];
  /** Rule files to load (absolute paths). */
  ruleFiles?: string[];
  /** The pod ordinal whose external labels to use. @default 0 */
  replica?: number;
}

export interface SenderConfig {
  /** `<namespace>/<name>` of the Prometheus CR. */
  id: string;
  externalLabels: Record<string, string>;
  remoteWrite: Record<string, unknown>[];
  /** The Prometheus configuration file (object and YAML). */
  config: Record<string, unknown>;
  yaml: string;
  /** Command-line flags the CR implies (`enableRemoteWriteReceiver`). */
  flags: string[];
}

/** The configuration one replica of the declared Prometheus runs with, sending to a local receiver. */
export function senderConfig(cr: DeclaredResource, resources: readonly DeclaredResource[], o: LocalSenderOptions): SenderConfig {
  const { name, namespace } = idOf(cr);
  const externalLabels = externalLabelsOf(cr, o.replica ?? 0);
  const remoteWrite = remoteWriteOf(cr, resources, o.receiverUrl);
  const config: Record<string, unknown> = {
    global: { scrape_interval: o.scrapeInterval, scrape_timeout: o.scrapeInterval, evaluation_interval: o.evaluationInterval, external_labels: externalLabels },
    ...(o.ruleFiles?.length ? { rule_files: o.ruleFiles } : {}),
    scrape_configs: o.scrapeConfigs,
    ...(remoteWrite.length ? { remote_write: remoteWrite } : {}),
  };
  return {
    id: `${namespace}/${name}`,
    externalLabels,
    remoteWrite,
    config,
    yaml: YAML.stringify(config, { lineWidth: 0 }),
    flags: cr.inputs.spec?.enableRemoteWriteReceiver ? ["--web.enable-remote-write-receiver"] : [],
  };
}
