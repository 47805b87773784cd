/**
 * Prometheus instances as prometheus-operator custom resources (monitoring.coreos.com/v1 Prometheus,
 * fields per prometheus-operator v0.93 pkg/apis/monitoring/v1/prometheus_types.go).
 *
 * - PlatformPrometheus: cluster-wide; selects the ServiceMonitors/PodMonitors/Probes/PrometheusRules that
 *   carry the platform scrape label, in any namespace; reads the cluster through a ClusterRole.
 * - TeamPrometheus: lives in the team's first namespace and sees only the team's namespaces: namespace
 *   selectors list them explicitly (never `{}`, which means all namespaces), `ignoreNamespaceSelectors`
 *   stops a ServiceMonitor from reaching out of its namespace, and its ServiceAccount gets a Role per
 *   namespace — no cluster-wide read (the operator writes explicit namespace lists into discovery, so
 *   namespaced RBAC suffices; FACTS.md).
 * Both: external labels `cluster` (+ `team`), retention/size/replicas/resources/storage from config, a
 * PodDisruptionBudget when replicated, and a ServiceMonitor so the platform Prometheus watches their health.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PLATFORM_SCRAPE_LABEL, standardLabels } from "./labels";
import { resourceBlock } from "./resources";
import { PROMETHEUS_POD_SECURITY_CONTEXT } from "./podSecurity";
import { type DataSafety, pvcRetentionPolicy } from "./dataSafety";
import type { Resources, Storage } from "./config/schema";
import type { PrometheusRuleGroupSpec } from "./alerting/prometheusRules";

/** Where a Prometheus sends alerts: a Prometheus CR `spec.alerting.alertmanagers[]` entry (operator v0.93 AlertmanagerEndpoints). */
export interface AlertmanagerEndpoint {
  namespace: string;
  name: string;
  port: string;
  apiVersion: string;
}

/** The job kube-prometheus-stack's `prometheus` rules select for the platform Prometheus (`<fullname>-prometheus`, fullnameOverride kube-prometheus). */
export const PLATFORM_PROMETHEUS_JOB = "kube-prometheus-prometheus";

/** The settings shared by platform and team instances (validated config, see components/config/core.ts). */
export interface PrometheusSettings {
  /** How long samples are kept, e.g. "15d". */
  retention: string;
  /** Maximum TSDB size, e.g. "45GB". @default unlimited */
  retentionSize?: string;
  /** Replicas; ≥ 2 adds a PodDisruptionBudget. */
  replicas: number;
  /** Default scrape interval. */
  scrapeInterval: string;
  resources: Resources;
  /** Persistent volume per replica. @default emptyDir */
  storage?: Storage;
  /** Extra external labels. */
  externalLabels: Record<string, string>;
  /** Shards (the platform Prometheus only). @default 1 */
  shards?: number;
}

/**
 * With shards, each shard's samples carry `shard` (an external label, so only what leaves the Prometheus:
 * remote write, alerts). The config-reloader expands `$(SHARD)` from its SHARD env, which the operator sets
 * per shard, as it does for its own `$(POD_NAME)` replica label (prometheus-operator v0.93
 * pkg/prometheus/promcfg.go buildExternalLabels copies spec.externalLabels verbatim;
 * pkg/operator/config_reloader.go ShardEnvVar). Without it, two shards' recorded aggregates would have the
 * same labels apart from prometheus_replica, on which the hub's Query deduplicates (thanos chart
 * query.replicaLabels): one shard's part would stand for the whole.
 */
export const SHARD_EXTERNAL_LABEL = { shard: "$(SHARD)" };

/** The platform Prometheus object's name. */
export const PLATFORM_PROMETHEUS_NAME = "platform";

/** Labels the operator puts on every Prometheus pod (pkg/prometheus/server/operator.go makeSelectorLabels, v0.93). */
export function prometheusPodSelector(crName: string): Record<string, string> {
  return { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": crName };
}

/** The operator's governing Service, created in the Prometheus' namespace (pkg/prometheus/common.go BuildStatefulSetService): port 9090 "web". */
export function prometheusUrl(namespace: string): string {
  return `http://prometheus-operated.${namespace}.svc:9090`;
}

/** Selects namespaces by their immutable `kubernetes.io/metadata.name` label (set by Kubernetes ≥ 1.21). */
export function namespaceListSelector(namespaces: string[]) {
  return { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...namespaces] }] };
}

/** What a Prometheus needs to discover and scrape targets in a namespace (FACTS.md "Prometheus Operator CRs"). */
export const DISCOVERY_RULES = [
  { apiGroups: [""], resources: ["services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
];

/** The spec fields common to both kinds. */
export function prometheusSpec(s: PrometheusSettings, extra: { serviceAccountName: string; externalLabels: Record<string, string>; dataSafety?: DataSafety }) {
  const sharded = (s.shards ?? 1) > 1;
  return {
    replicas: s.replicas,
    ...(sharded ? { shards: s.shards } : {}),
    retention: s.retention,
    ...(s.retentionSize ? { retentionSize: s.retentionSize } : {}),
    scrapeInterval: s.scrapeInterval,
    resources: resourceBlock(s.resources),
    serviceAccountName: extra.serviceAccountName,
    externalLabels: { ...s.externalLabels, ...extra.externalLabels, ...(sharded ? SHARD_EXTERNAL_LABEL : {}) },
    // The operator copies spec.securityContext to the pod as is and sets none itself (pkg/prometheus/server/
    // statefulset.go, v0.93): without it the pod fails Pod Security "restricted".
    securityContext: PROMETHEUS_POD_SECURITY_CONTEXT,
    ...(s.storage
      ? {
          storage: {
            volumeClaimTemplate: {
              spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: s.storage.size } },
                ...(s.storage.storageClassName ? { storageClassName: s.storage.storageClassName } : {}),
              },
            },
          },
          // Whether the volumes outlive the StatefulSet (config dataSafety; components/dataSafety.ts).
          persistentVolumeClaimRetentionPolicy: pvcRetentionPolicy(extra.dataSafety),
        }
      : {}),
  };
}

/** A hub every sample is also written to (config `remoteWrite`). */
export interface RemoteWriteTarget {
  url: string;
  /** Header → value, e.g. the tenant: {"THANOS-TENANT": "payments"}. */
  headers: Record<string, string>;
  /** Basic auth (a cluster writing through the hub's gateway); none for the hub's own instances, which write to its Receive in-cluster. */
  basicAuth?: { username: string; password: pulumi.Input<string> };
  queue: { capacity: number; maxShards: number; maxSamplesPerSend: number; batchSendDeadline: string };
}

/**
 * A Prometheus CR `spec.remoteWrite[]` entry (prometheus-operator v0.93 RemoteWriteSpec: url, name, headers
 * (operator >= 0.46), basicAuth from a Secret in the Prometheus' namespace, queueConfig). The samples carry
 * the external labels (cluster, team): remote write attaches them (Prometheus storage/remote).
 */
export function remoteWriteSpec(rw: RemoteWriteTarget, secretName: string) {
  return {
    name: "hub",
    url: rw.url,
    headers: rw.headers,
    ...(rw.basicAuth ? { basicAuth: { username: { name: secretName, key: "username" }, password: { name: secretName, key: "password" } } } : {}),
    queueConfig: { capacity: rw.queue.capacity, minShards: 1, maxShards: rw.queue.maxShards, maxSamplesPerSend: rw.queue.maxSamplesPerSend, batchSendDeadline: rw.queue.batchSendDeadline },
  };
}

/** The selector fields of a Prometheus spec: which monitors and rules it reads, and from which namespaces. */
export function monitorSelectors(selector: object, namespaceSelector: object) {
  return {
    serviceMonitorSelector: selector,
    serviceMonitorNamespaceSelector: namespaceSelector,
    podMonitorSelector: selector,
    podMonitorNamespaceSelector: namespaceSelector,
    probeSelector: selector,
    probeNamespaceSelector: namespaceSelector,
    ruleSelector: selector,
    ruleNamespaceSelector: namespaceSelector,
  };
}

interface InstanceSpec {
  /** Name of the Prometheus object (and suffix of its ServiceAccount's name). */
  crName: string;
  namespace: string;
  labels: Record<string, string>;
  settings: PrometheusSettings;
  externalLabels: Record<string, string>;
  /** Selectors and any other spec fields particular to the kind of instance. */
  spec: Record<string, unknown>;
  /** The Alertmanager it sends alerts to. @default none */
  alertmanager?: AlertmanagerEndpoint;
  /** The `job` its self ServiceMonitor gives its targets. @default the Service name (prometheus-operated) */
  job?: string;
  /** What happens to its volumes on delete. @default they go with it */
  dataSafety?: DataSafety;
  /** Where it also writes every sample (the hub), and as which tenant. @default nowhere */
  remoteWrite?: RemoteWriteTarget;
  /** Resources that must exist first: the CRD release and the operator. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * What both kinds of instance declare: the ServiceAccount, the Prometheus object, a ServiceMonitor so the
 * platform Prometheus watches its health, and a PodDisruptionBudget when replicated. RBAC differs per kind
 * and is declared by the caller against the returned ServiceAccount.
 */
function declareInstance(parent: pulumi.ComponentResource, name: string, i: InstanceSpec): k8s.core.v1.ServiceAccount {
  const saName = `prometheus-${i.crName}`;
  const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: saName, namespace: i.namespace, labels: i.labels } }, { parent });
  // The hub's credentials, in the Prometheus' namespace (a basicAuth SecretKeySelector names a Secret there).
  const rw = i.remoteWrite;
  const auth = rw?.basicAuth;
  const rwSecret = auth
    ? new k8s.core.v1.Secret(
        `${name}-remote-write`,
        { metadata: { name: `${saName}-remote-write`, namespace: i.namespace, labels: i.labels }, stringData: { username: auth.username, password: pulumi.secret(auth.password) } },
        { parent },
      )
    : undefined;
  const cr = new k8s.apiextensions.CustomResource(
    `${name}`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: i.crName, namespace: i.namespace, labels: i.labels },
      spec: {
        ...prometheusSpec(i.settings, { serviceAccountName: saName, externalLabels: i.externalLabels, dataSafety: i.dataSafety }),
        ...(i.alertmanager ? { alerting: { alertmanagers: [{ ...i.alertmanager }] } } : {}),
        ...(rw ? { remoteWrite: [remoteWriteSpec(rw, `${saName}-remote-write`)] } : {}),
        ...i.spec,
      },
    },
    { parent, dependsOn: [...i.dependsOn, sa, ...(rwSecret ? [rwSecret] : [])] },
  );
  new k8s.apiextensions.CustomResource(
    `${name}-self`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: saName, namespace: i.namespace, labels: { ...i.labels, ...PLATFORM_SCRAPE_LABEL } },
      spec: {
        // The governing Service of this namespace's Prometheus (label set by the operator; v0.93 common.go).
        selector: { matchLabels: { "operated-prometheus": "true" } },
        endpoints: [{ port: "web", path: "/metrics", ...(i.job ? { relabelings: [{ action: "replace", targetLabel: "job", replacement: i.job }] } : {}) }],
      },
    },
    { parent, dependsOn: i.dependsOn },
  );
  if (i.settings.replicas >= 2) {
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: { name: saName, namespace: i.namespace, labels: i.labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: prometheusPodSelector(i.crName) } },
      },
      { parent, dependsOn: [cr] },
    );
  }
  return sa;
}

export interface PlatformPrometheusArgs {
  namespace: string;
  clusterName: string;
  /** `cluster.environment`: an external label too, so that a hub and routes tell environments apart. @default none */
  environment?: string;
  settings: PrometheusSettings;
  /** Accept remote writes on /api/v1/write (Tempo's metrics-generator). @default false */
  enableRemoteWriteReceiver?: boolean;
  /** What happens to its volumes on delete. @default they go with it */
  dataSafety?: DataSafety;
  /** The hub it writes to, as its tenant. @default none */
  remoteWrite?: RemoteWriteTarget;
  /** Recording rules this Prometheus evaluates (alerts/*.rules.yaml `record:` groups, which dashboards read). @default [] */
  recordingGroups?: { name: string; interval?: string; rules: { record: string; expr: string; labels: Record<string, string> }[] }[];
  /** Alert rules it evaluates (the repository's shared folders, with `alerting.evaluator: prometheus`). @default [] */
  alertGroups?: PrometheusRuleGroupSpec[];
  /** Where it sends alerts. @default none */
  alertmanager?: AlertmanagerEndpoint;
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class PlatformPrometheus extends pulumi.ComponentResource {
  /** In-cluster query URL. */
  public readonly url: string;
  /** Remote-write endpoint through the governing Service (meaningful when the receiver is enabled). */
  public readonly remoteWriteUrl: string;
  /**
   * One remote-write endpoint per replica: replicas do not share data, so a writer (Tempo's
   * metrics-generator) must write to each pod, addressed through the StatefulSet's governing Service.
   */
  public readonly remoteWriteUrls: string[];

  constructor(name: string, args: PlatformPrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:PlatformPrometheus", name, {}, opts);
    const crName = PLATFORM_PROMETHEUS_NAME;
    const ns = args.namespace;
    const labels = standardLabels("prometheus", "platform");

    const selected = { matchLabels: { ...PLATFORM_SCRAPE_LABEL } };
    const sa = declareInstance(this, name, {
      dataSafety: args.dataSafety,
      remoteWrite: args.remoteWrite,
      crName,
      namespace: ns,
      labels,
      settings: args.settings,
      externalLabels: { cluster: args.clusterName, ...(args.environment ? { environment: args.environment } : {}) },
      alertmanager: args.alertmanager,
      job: PLATFORM_PROMETHEUS_JOB,
      spec: {
        // `{}` namespace selector = every namespace; the label selector keeps it to what asked for platform scraping.
        ...monitorSelectors(selected, {}),
        ...(args.enableRemoteWriteReceiver ? { enableRemoteWriteReceiver: true } : {}),
      },
      dependsOn: args.dependsOn,
    });
    const role = new k8s.rbac.v1.ClusterRole(
      `${name}-read`,
      {
        metadata: { name: `${ns}-prometheus-${crName}`, labels },
        rules: [
          ...DISCOVERY_RULES,
          // kubelet /metrics and /metrics/cadvisor are authorised as nodes/metrics (kube-prometheus prometheus-clusterRole).
          { apiGroups: [""], resources: ["nodes", "nodes/metrics"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["get", "list", "watch"] },
          { nonResourceURLs: ["/metrics", "/metrics/cadvisor"], verbs: ["get"] },
        ],
      },
      { parent: this },
    );
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-read`,
      {
        metadata: { name: `${ns}-prometheus-${crName}`, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
      },
      { parent: this },
    );
    if (args.recordingGroups?.length) {
      // Selected by this Prometheus' ruleSelector through the platform label (monitoring.coreos.com/v1
      // PrometheusRule: spec.groups[].{name, interval, rules[].{record, expr, labels}}).
      new k8s.apiextensions.CustomResource(
        `${name}-recording-rules`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: "platform-recording-rules", namespace: ns, labels: { ...labels, ...PLATFORM_SCRAPE_LABEL } },
          spec: {
            groups: args.recordingGroups.map((g) => ({
              name: g.name,
              ...(g.interval ? { interval: g.interval } : {}),
              rules: g.rules.map((r) => ({ record: r.record, expr: r.expr, ...(Object.keys(r.labels).length ? { labels: r.labels } : {}) })),
            })),
          },
        },
        { parent: this, dependsOn: args.dependsOn },
      );
    }
    declareAlertRules(this, `${name}-alert-rules`, { name: "platform-alert-rules", namespace: ns, labels: { ...labels, ...PLATFORM_SCRAPE_LABEL }, groups: args.alertGroups ?? [], dependsOn: args.dependsOn });
    this.url = prometheusUrl(ns);
    this.remoteWriteUrl = `${this.url}/api/v1/write`;
    // Pods prometheus-<name>-<i> of StatefulSet prometheus-<name>, serviceName prometheus-operated (operator v0.93).
    this.remoteWriteUrls = Array.from({ length: args.settings.replicas }, (_, i) => `http://prometheus-${crName}-${i}.prometheus-operated.${ns}.svc:9090/api/v1/write`);
    this.registerOutputs({ url: this.url, remoteWriteUrl: this.remoteWriteUrl, remoteWriteUrls: this.remoteWriteUrls });
  }
}

export interface TeamPrometheusArgs {
  team: string;
  /** The team's namespaces; the Prometheus runs in the first. */
  namespaces: string[];
  /** What happens to its volumes on delete. @default they go with it */
  dataSafety?: DataSafety;
  /** The hub it writes to, as its tenant. @default none */
  remoteWrite?: RemoteWriteTarget;
  clusterName: string;
  /** `cluster.environment`: an external label too, so that a hub and routes tell environments apart. @default none */
  environment?: string;
  settings: PrometheusSettings;
  /** Where it sends alerts (its `team` external label routes them). @default none */
  alertmanager?: AlertmanagerEndpoint;
  /** Alert rules of the repository's folder for this team. @default [] */
  alertGroups?: PrometheusRuleGroupSpec[];
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class TeamPrometheus extends pulumi.ComponentResource {
  public readonly url: string;
  public readonly namespace: string;
  /** The Prometheus object's name (its pods carry operator.prometheus.io/name: <crName>). */
  public readonly crName: string;

  constructor(name: string, args: TeamPrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:TeamPrometheus", name, {}, opts);
    if (args.namespaces.length === 0) throw new pulumi.ResourceError(`team ${args.team}: at least one namespace is required`, this);
    const crName = args.team;
    this.crName = crName;
    const ns = args.namespaces[0];
    const labels = { ...standardLabels("prometheus", "team"), "monitoring-stack/team": args.team };

    const sa = declareInstance(this, name, {
      dataSafety: args.dataSafety,
      remoteWrite: args.remoteWrite,
      crName,
      namespace: ns,
      labels,
      settings: args.settings,
      externalLabels: { cluster: args.clusterName, ...(args.environment ? { environment: args.environment } : {}), team: args.team },
      alertmanager: args.alertmanager,
      spec: {
        // Any monitor/rule object, but only in the team's namespaces (unset would mean "own namespace only",
        // `{}` all namespaces: both wrong here).
        ...monitorSelectors({}, namespaceListSelector(args.namespaces)),
        // A ServiceMonitor's own namespaceSelector could otherwise point at another team's namespace.
        ignoreNamespaceSelectors: true,
      },
      dependsOn: args.dependsOn,
    });
    // One Role + RoleBinding per namespace: the team's Prometheus can read these namespaces and no other.
    for (const target of args.namespaces) {
      const role = new k8s.rbac.v1.Role(
        `${name}-read-${target}`,
        { metadata: { name: `prometheus-${crName}`, namespace: target, labels }, rules: DISCOVERY_RULES },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-read-${target}`,
        {
          metadata: { name: `prometheus-${crName}`, namespace: target, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
        },
        { parent: this },
      );
    }
    // Alertmanager is found by Kubernetes discovery of its endpoints (the operator writes kubernetes_sd
    // role endpoints for the Alertmanager's namespace): the same read there, and nothing else.
    const am = args.alertmanager;
    if (am && !args.namespaces.includes(am.namespace)) {
      const role = new k8s.rbac.v1.Role(
        `${name}-read-alertmanagers`,
        { metadata: { name: `prometheus-${crName}-alertmanagers`, namespace: am.namespace, labels }, rules: DISCOVERY_RULES.filter((r) => r.verbs.includes("list")) },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-read-alertmanagers`,
        {
          metadata: { name: `prometheus-${crName}-alertmanagers`, namespace: am.namespace, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
        },
        { parent: this },
      );
    }
    declareAlertRules(this, `${name}-alert-rules`, { name: `${crName}-alert-rules`, namespace: ns, labels, groups: args.alertGroups ?? [], dependsOn: args.dependsOn });
    this.url = prometheusUrl(ns);
    this.namespace = ns;
    this.registerOutputs({ url: this.url, namespace: this.namespace });
  }
}

/** The repository's alert rules for one Prometheus, as a PrometheusRule its ruleSelector picks up (none when empty). */
function declareAlertRules(
  parent: pulumi.ComponentResource,
  name: string,
  a: { name: string; namespace: string; labels: Record<string, string>; groups: PrometheusRuleGroupSpec[]; dependsOn: pulumi.Input<pulumi.Resource>[] },
): void {
  if (!a.groups.length) return;
  new k8s.apiextensions.CustomResource(
    name,
    { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: a.name, namespace: a.namespace, labels: a.labels }, spec: { groups: a.groups } },
    { parent, dependsOn: a.dependsOn },
  );
}
