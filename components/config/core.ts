/** Config sections owned by the foundation: the cluster, the provider, namespaces, flags, operator, Prometheus. */
import { arr, bool, byteSize, chartVersion, dflt, dnsLabel, duration, envResources, int, obj, oneOf, opt, optSection, secretStr, storage, str, strMap, url } from "./schema";

export const ENVIRONMENTS = ["dev", "test", "staging", "prod"] as const;
/** A team member's role in the team's Grafana organization (Grafana basic roles; Admin is the platform's). */
export const TEAM_ROLES = ["Viewer", "Editor"] as const;
export const PLATFORM_ROLES = ["Admin", "Editor", "Viewer"] as const;

export const clusterSection = obj("The cluster this stack deploys to (one stack = one cluster).", {
  name: dnsLabel("Cluster name; becomes the `cluster` external label of every Prometheus and part of Grafana data source names"),
  environment: dflt(oneOf("Environment; `prod` requires highly available Prometheus instances (≥ 2 replicas)", ENVIRONMENTS), "dev"),
});

export const kubernetesSection = obj("How the explicit Kubernetes provider reaches the cluster.", {
  context: opt(str("kubeconfig context; the kubeconfig's current context when unset")),
  kubeconfig: opt(str("Path to a kubeconfig file; $KUBECONFIG or ~/.kube/config when unset")),
});

export const namespacesSection = obj("Namespaces the stack owns and creates.", {
  monitoring: dflt(dnsLabel("Namespace of the operator, the platform Prometheus, Grafana and the Kueue exporter"), "monitoring"),
  tempo: dflt(dnsLabel("Namespace of Tempo"), "tempo"),
  spegel: dflt(dnsLabel("Namespace of Spegel (kept apart: its pods need host access)"), "spegel"),
  nodeExporter: dflt(dnsLabel("Namespace of node-exporter (kept apart and labelled Pod Security `privileged`: it needs the host's network, PID namespace and filesystem)"), "node-exporter"),
});

export const featuresSection = obj("Feature flags. The Prometheus Operator itself is always installed and has no flag.", {
  platformMonitoring: dflt(bool("Cluster-wide monitoring: the platform Prometheus and the cluster exporters (kube-state-metrics, node-exporter, kubelet/cAdvisor)"), true),
  tempo: dflt(bool("Deploy Tempo (distributed)"), false),
  spegel: dflt(bool("Deploy Spegel"), false),
  kueueExporter: dflt(bool("Deploy the Kueue pending-workloads exporter"), false),
  kueueMetrics: dflt(bool("Kueue runs in this cluster: scrape its controller metrics (kueue_*) for the Kueue dashboard and alerts (where: `kueue`)"), false),
  grafana: dflt(bool("Grafana: deploy it or push content into an external one (see `grafana.mode`)"), false),
});

export const operatorSection = obj("The Prometheus Operator (kube-prometheus-stack in operator-only mode) and its CRDs.", {
  chartVersion: opt(chartVersion("Override the pinned kube-prometheus-stack chart version (components/versions.ts); it must be one whose operator release is known there")),
  crdsChartVersion: opt(chartVersion("Override the prometheus-operator-crds chart version; by default the one that ships the same operator release as `chartVersion` (components/versions.ts operatorReleases), and it must match it")),
  adoptExistingCrds: dflt(
    bool("The CRDs' Helm release `prometheus-operator-crds` already exists in the cluster (kept by an earlier `pulumi destroy`): import it instead of installing it, which would fail (docs/DEPLOY.md)"),
    false,
  ),
  resources: envResources(
    "Operator container resources",
    { small: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }, large: { requests: { cpu: "200m", memory: "200Mi" }, limits: { memory: "512Mi" } } },
    "the operator caches every object it watches (monitors, rules, Secrets, ConfigMaps) and grows with the cluster; reserved so it is not starved",
  ),
  configReloaderResources: envResources(
    "Resources of the config-reloader and init-config-reloader containers of every Prometheus and Alertmanager (prometheusOperator.prometheusConfigReloader.resources)",
    { small: { requests: { cpu: "10m", memory: "50Mi" }, limits: { memory: "50Mi" } }, large: { requests: { cpu: "10m", memory: "50Mi" }, limits: { memory: "50Mi" } } },
    "the operator binary's own defaults (10m, 50Mi: cmd/operator/main.go), which kube-prometheus-stack replaces with none when unset; no CPU limit, so a reload is not throttled",
  ),
});

export const exportersSection = obj("The cluster exporters of `features.platformMonitoring` (kube-prometheus-stack's subcharts).", {
  kubeStateMetrics: obj("kube-state-metrics", {
    resources: envResources(
      "kube-state-metrics container resources",
      { small: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } }, large: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } } },
      "it holds every pod, ReplicaSet, node and other object it reports in memory: it grows with the number of objects in the cluster",
    ),
  }),
  nodeExporter: obj("node-exporter", {
    resources: envResources(
      "node-exporter container resources (per node)",
      { small: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } }, large: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "128Mi" } } },
      "one small Go process per node that keeps no state: tens of MiB; more CPU where scrapes are frequent",
    ),
  }),
});

/** The Prometheus settings shared by the platform and team instances. */
function prometheusFields(defaults: { retention: string; replicas: number }) {
  return {
    retention: dflt(duration("How long samples are kept"), defaults.retention),
    retentionSize: opt(byteSize("Maximum TSDB size before old blocks are deleted, e.g. \"45GB\" (keep it below the volume size)")),
    replicas: dflt(int("Prometheus replicas (each scrapes everything; ≥ 2 for HA, required in prod)", 1, 10), defaults.replicas),
    scrapeInterval: dflt(duration("Default scrape interval"), "30s"),
    resources: envResources(
      "Prometheus container resources",
      { small: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } }, large: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } } },
      "a Prometheus needs about 3 kB of memory per active series (Robust Perception, \"How much RAM does Prometheus 2.x need\"): 1 Gi is about 300k series, 4 Gi about 1.3M; size it to the series it scrapes",
    ),
    storage: opt(storage("Persistent storage; emptyDir (data lost on restart) when unset")),
    externalLabels: dflt(strMap("Extra external labels (`cluster` and, for teams, `team` are always set)"), {}),
  };
}

export const platformPrometheusSection = obj(
  "The platform Prometheus (when `features.platformMonitoring`): cluster-wide, selects every ServiceMonitor/PodMonitor labelled `monitoring-stack/scrape: platform`.",
  {
    ...prometheusFields({ retention: "15d", replicas: 1 }),
    shards: dflt(
      int(
        "Split the scrape targets over this many Prometheus instances (prometheus-operator `shards`: each scrapes the targets whose address hashes to it, with `replicas` copies each). Each shard holds and queries only its share: more than 1 needs the hub (remoteWrite, or a hub stack), where every shard's series meet; docs/components/hub.md, \"Scale inside a cluster\"",
        1,
        32,
      ),
      1,
    ),
  },
);

export const teamSchema = obj("A team with its own Prometheus.", {
  name: dnsLabel("Team name; the `team` external label, part of object names, Grafana team and folder", 40),
  enabled: dflt(bool("Per-team monitoring flag: false removes this team's Prometheus and nothing else"), true),
  namespaces: dflt(arr("The team's namespaces; the Prometheus runs in the first and sees only these (required when `enabled`; a hub declares its teams for their Grafana organizations and tenants only)", dnsLabel("namespace"), { unique: (x) => x }), []),
  createNamespaces: dflt(bool("Create the team's namespaces (leave false when another process owns them)"), false),
  members: dflt(
    arr(
      "The team's Grafana users, by e-mail: members of the team's organization (grafana.teamIsolation \"orgs\"), the only place its data source, folder, dashboards and rules live. Users that do not exist yet are created (log in through your SSO with that e-mail, or reset the password)",
      obj("A member", {
        email: str("E-mail address (Grafana matches users by it)").check((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), `is not an e-mail address, e.g. "jane@example.com"`),
        role: dflt(oneOf("Viewer: see the team's dashboards and query its Prometheus; Editor: also edit its dashboards and alert rules (not Admin: an org Admin could add a data source for another team's Prometheus)", TEAM_ROLES), "Viewer"),
      }),
      { unique: (m) => m.email.toLowerCase() },
    ),
    [],
  ),
  ...prometheusFields({ retention: "7d", replicas: 1 }),
});

export const teamsSection = dflt(arr("Teams; each gets a Prometheus seeing only its namespaces.", teamSchema, { unique: (t) => t.name }), []);

export const networkPoliciesSection = obj(
  "NetworkPolicies for every component the stack runs: each admits only what must reach it (the paths: docs/components/network-policies.md).",
  {
    enabled: dflt(bool("Declare them (the cluster's network plugin must enforce NetworkPolicy, e.g. Calico, Cilium; otherwise they are inert)"), true),
  },
);

export const dataSafetySection = obj("What `pulumi destroy` and replacements leave of the data: Prometheus, Alertmanager and Tempo volumes, Grafana's database.", {
  keepOnDestroy: opt(
    bool(
      "Keep the namespaces that hold data (monitoring, tempo) and the volumes the program declares (Grafana's, MinIO's) when the stack is destroyed or they would be replaced (retainOnDelete), and keep every StatefulSet volume (persistentVolumeClaimRetentionPolicy Retain). Unset: true in a prod cluster, false elsewhere",
    ),
  ),
  protect: dflt(bool("Also mark them protected: `pulumi destroy` refuses until `pulumi state unprotect` (or this false and an `up`)"), false),
  adoptKept: dflt(
    bool(
      "Deploy into a cluster that kept them (an earlier destroy): the Kubernetes provider takes over objects that already exist (upsertExistingObjects) instead of failing with AlreadyExists; set it for that one `up`, with operator.adoptExistingCrds (docs/DEPLOY.md)",
    ),
    false,
  ),
});

/** Whether the data is kept on destroy: the stack's choice, else in prod only. */
export function keepsData(cfg: { dataSafety: { keepOnDestroy?: boolean }; cluster: { environment: string } }): boolean {
  return cfg.dataSafety.keepOnDestroy ?? cfg.cluster.environment === "prod";
}

/**
 * Remote write to a hub (`monitoring:remoteWrite`): every Prometheus of the stack sends what it scrapes to
 * the hub's store (a Thanos Receive, components/hub), the platform Prometheus into the platform tenant,
 * each team's into the team's tenant (the tenant header; Thanos Receive --receive.tenant-header), with the
 * external labels `cluster` (and `team`) on every series.
 */
export const remoteWriteSection = optSection(
  obj("Remote write of every Prometheus of the stack to the hub (a hub stack's Thanos Receive); unset: none", {
    url: url("The hub's remote-write endpoint as the cluster's Prometheus pods reach it, e.g. \"https://metrics.example.com/api/v1/receive\""),
    tenantHeader: dflt(str("HTTP header naming the tenant (Thanos Receive's --receive.tenant-header)"), "THANOS-TENANT"),
    platformTenant: dflt(dnsLabel("Tenant of the platform Prometheus (teams write into the tenant named after the team)"), "platform"),
    username: str("Basic-auth user the hub admits"),
    password: secretStr("Basic-auth password. A credential: secret config"),
    queue: obj("Queue of each remote write (Prometheus queue_config); memory per Prometheus is about maxShards × capacity samples", {
      capacity: opt(int("Samples buffered per shard (default by environment: 2500 dev/test, 10000 staging/prod, Prometheus' own)", 100, 1_000_000)),
      maxShards: opt(int("Most parallel senders (default by environment: 10 dev/test, 50 staging/prod, Prometheus' own)", 1, 1000)),
      maxSamplesPerSend: dflt(int("Samples per request (Prometheus' default)", 100, 100_000), 2000),
      batchSendDeadline: dflt(duration("Longest a sample waits in a shard (Prometheus' default)"), "5s"),
    }),
    localRetention: opt(duration("Retention of every Prometheus of the stack once the hub holds the history (replaces platformPrometheus.retention and teams[].retention), e.g. \"2d\"")),
  }),
);
