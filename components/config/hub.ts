/**
 * Config of the hub role (`monitoring:hub`): this stack runs the store every cluster's Prometheus writes to
 * and its central Grafana reads (Thanos from the thanos-community chart: components/hub). Unset: not a hub.
 *
 * Cross-key rules live in `hubProblems` (pure), called by parseConfig.
 */
import type { StackConfig } from "./index";
import { arr, bool, dflt, dnsLabel, duration, envResources, int, obj, oneOf, opt, optSection, quantity, secretStr, show, str, strMap } from "./schema";
import { OBJECT_STORAGE_BACKENDS, objectStorageProblems } from "./tempo";

export const HUB_BACKENDS = ["s3", "gcs", "azure"] as const;

const replicas = (doc: string, small: number, large: number) => int(`${doc} (default by environment: ${small} dev/test, ${large} staging/prod)`, 1, 100);

export const hubSection = optSection(
  obj("The hub: a Thanos (thanos-community chart) every cluster stack remote-writes to (their `remoteWrite`), with long-term storage in a bucket, per-tenant reads for the central Grafana, and its own monitoring. Unset: this stack is not a hub", {
    namespace: dflt(dnsLabel("Namespace of the store and its gateway"), "metrics"),
    storage: obj("Where blocks are kept (one bucket; Thanos objstore)", {
      backend: oneOf("Object storage backend", HUB_BACKENDS),
      ...OBJECT_STORAGE_BACKENDS,
    }),
    serviceAccountAnnotations: dflt(strMap("Annotations of the store's ServiceAccount, e.g. IRSA's eks.amazonaws.com/role-arn or GKE workload identity"), {}),
    storageClassName: opt(str("StorageClass of the store's volumes (Receive, Store Gateway, Compactor); the cluster default when unset")),
    writers: arr(
      "Who may write: one credential per cluster stack (its remoteWrite.username and password), and the tenants it may write into (its platform tenant and its teams')",
      obj("A writer", {
        username: dnsLabel("Basic-auth user (a cluster stack's remoteWrite.username)"),
        password: secretStr("Its password. A credential: secret config"),
        tenants: arr("Tenants it may write into, e.g. [platform, payments]", dnsLabel("tenant"), { min: 1, unique: (x) => x }),
      }),
      { min: 1, unique: (w) => w.username },
    ),
    tenants: dflt(arr("Every tenant the central Grafana reads (a data source each; a team's in its organization)", dnsLabel("tenant"), { unique: (x) => x }), []),
    platformTenant: dflt(dnsLabel("The tenant the clusters' platform Prometheus instances write into (their remoteWrite.platformTenant)"), "platform"),
    receive: obj("Thanos Receive: takes the remote writes, keeps the last hours on disk, uploads 2h blocks", {
      replicas: opt(replicas("Replicas", 1, 3)),
      replicationFactor: opt(int("Copies of each series across replicas (quorum RF/2+1): default 3 with 3 or more replicas, else 1", 1, 5)),
      retention: dflt(duration("Local TSDB retention before only the bucket has it (receive.tsdb.retention)"), "24h"),
      storage: dflt(quantity("Volume per replica"), "50Gi"),
      resources: envResources(
        "Receive container resources",
        { small: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } }, large: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "8Gi" } } },
        "a Receive holds each tenant's head block in memory, like a Prometheus: about 3 kB per active series, times the replication factor",
      ),
    }),
    query: obj("Thanos Query: the Prometheus API the central Grafana reads, per tenant", {
      replicas: opt(replicas("Replicas", 1, 2)),
      resources: envResources(
        "Query container resources",
        { small: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } }, large: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "4Gi" } } },
        "a query's samples are held while it is evaluated: the limit bounds the largest query",
      ),
    }),
    storeGateway: obj("Thanos Store Gateway: serves the blocks in the bucket", {
      replicas: opt(replicas("Replicas", 1, 2)),
      storage: dflt(quantity("Index cache volume per replica"), "10Gi"),
      resources: envResources(
        "Store Gateway container resources",
        { small: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } }, large: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } } },
        "it keeps the blocks' index headers in memory: it grows with the number of series in the bucket",
      ),
    }),
    compactor: obj("Thanos Compactor (one): compacts and downsamples the bucket, applies retention", {
      storage: dflt(quantity("Scratch volume"), "50Gi"),
      retention: obj("How long the bucket keeps each resolution", {
        raw: dflt(duration("Raw samples"), "30d"),
        fiveMinutes: dflt(duration("5-minute downsampled"), "90d"),
        oneHour: dflt(duration("1-hour downsampled"), "1y"),
      }),
      resources: envResources(
        "Compactor container resources",
        { small: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } }, large: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "8Gi" } } },
        "it loads the blocks it compacts: the largest 2-week block of a tenant",
      ),
    }),
    gateway: obj("The write gateway in front of Receive (nginx): basic auth, and each writer only into its tenants", {
      replicas: opt(replicas("Replicas", 1, 2)),
      resources: envResources(
        "Gateway container resources",
        { small: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "128Mi" } }, large: { requests: { cpu: "200m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
        "nginx streams the requests through: memory is its buffers",
      ),
    }),
    ingress: obj("How the clusters reach the gateway: an Ingress with TLS (the clusters' remoteWrite.url is https://<host>/api/v1/receive)", {
      host: str("Host name, e.g. \"metrics.example.com\"; its DNS record must point at the ingress controller"),
      className: opt(str("IngressClass; the cluster default when unset")),
      controllerNamespace: opt(dnsLabel("Namespace of the ingress controller's pods, which the gateway's NetworkPolicy admits; required with networkPolicies.enabled")),
      tls: obj("TLS for the host; say who creates the Secret", {
        secretName: dnsLabel("TLS Secret for the host"),
        certManagerClusterIssuer: opt(str("cert-manager ClusterIssuer that issues the certificate into `secretName`")),
        existingSecret: dflt(bool("The Secret is created by you before `pulumi up`"), false),
      }),
    }),
  }),
);
export type HubConfig = NonNullable<ReturnType<typeof hubSection.parse>>;

/** The defaults that depend on the environment. */
export function hubReplicas(h: HubConfig, environment: string): { receive: number; replicationFactor: number; query: number; storeGateway: number; gateway: number } {
  const large = environment === "staging" || environment === "prod";
  const receive = h.receive.replicas ?? (large ? 3 : 1);
  return {
    receive,
    replicationFactor: h.receive.replicationFactor ?? (receive >= 3 ? 3 : 1),
    query: h.query.replicas ?? (large ? 2 : 1),
    storeGateway: h.storeGateway.replicas ?? (large ? 2 : 1),
    gateway: h.gateway.replicas ?? (large ? 2 : 1),
  };
}

/** Rules of `hub` that need other sections or span its keys. */
export function hubProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  const h = cfg.hub;
  if (!h) return;
  objectStorageProblems(h.storage, "hub", fail);
  const r = hubReplicas(h, cfg.cluster.environment);
  if (r.replicationFactor > r.receive) fail("hub.receive.replicationFactor", `${r.replicationFactor} is more than hub.receive.replicas (${r.receive}): each copy needs its own replica`);
  if (cfg.cluster.environment === "prod") {
    if (r.receive < 3 || r.replicationFactor < 3) fail("hub.receive", `${r.receive} replica(s) with replication factor ${r.replicationFactor}: cluster.environment "prod" requires 3 replicas and replication factor 3, so a writer survives one replica down`);
    for (const k of ["query", "storeGateway", "gateway"] as const) {
      if (r[k] < 2) fail(`hub.${k}.replicas`, `${r[k]} is not highly available; cluster.environment "prod" requires at least 2`);
    }
  }
  const tenants = new Set([h.platformTenant, ...h.tenants]);
  h.writers.forEach((w, i) =>
    w.tenants.forEach((t, j) => {
      if (!tenants.has(t)) fail(`hub.writers[${i}].tenants[${j}]`, `${show(t)} is not a tenant of the hub; tenants: ${[...tenants].join(", ")} (hub.platformTenant and hub.tenants)`);
    }),
  );
  if (h.ingress.tls.certManagerClusterIssuer === undefined && !h.ingress.tls.existingSecret) {
    fail("hub.ingress.tls", `nothing creates Secret ${show(h.ingress.tls.secretName)}: set certManagerClusterIssuer (cert-manager issues it) or existingSecret: true (you create it before pulumi up)`);
  }
  if (cfg.networkPolicies.enabled && h.ingress.controllerNamespace === undefined) {
    fail("hub.ingress.controllerNamespace", `is required with networkPolicies.enabled: the gateway's NetworkPolicy admits the ingress controller's pods by their namespace, e.g. "ingress-nginx"`);
  }
  if (!cfg.features.platformMonitoring) fail("hub", `needs features.platformMonitoring: the hub's own Prometheus scrapes and alerts on the store (ServiceMonitors, Thanos' rules)`);
  if (cfg.remoteWrite) fail("remoteWrite", `is set on a hub: the hub's own Prometheus instances write to its Receive inside the cluster (no gateway, no credentials); remove remoteWrite`);
  const teams = new Map(cfg.teams.map((t) => [t.name, t]));
  h.tenants.forEach((t, i) => {
    if (t === h.platformTenant) fail(`hub.tenants[${i}]`, `${show(t)} is hub.platformTenant, which always has its data source; list only the teams' tenants`);
    else if (cfg.features.grafana && !teams.has(t)) {
      fail(`hub.tenants[${i}]`, `${show(t)} is not a team of this stack; a tenant's data source lives in its team's Grafana organization, so add it to teams (with its members, and enabled: false when it runs nothing in the hub's cluster)`);
    }
  });
  for (const t of cfg.teams.filter((t) => t.enabled)) {
    if (!h.tenants.includes(t.name)) fail("hub.tenants", `does not list ${show(t.name)}: the team's Prometheus in the hub's cluster writes into tenant ${show(t.name)}, which no data source would read`);
  }
  if (cfg.features.grafana && cfg.grafana.mode !== "deploy") {
    fail("grafana.mode", `${show(cfg.grafana.mode)} on a hub: its Grafana reads Thanos Query inside the hub's cluster (not exposed outside it), so the hub deploys it (grafana.mode "deploy")`);
  }
  if (h.namespace === cfg.namespaces.monitoring) fail("hub.namespace", `${show(h.namespace)} is namespaces.monitoring; the store gets its own namespace (its Pod Security and NetworkPolicies)`);
}
