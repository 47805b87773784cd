/**
 * Config of the Tempo (tempo-distributed) component: `monitoring:tempo`.
 *
 * Rules inside the section (a backend's settings present when selected, credential pairs, annotation
 * values) are checked by the section itself, so they hold wherever the config is parsed. Rules that need
 * other sections (`cluster.environment`, `features.tempo`) live in `tempoEnvironmentProblems` (pure),
 * called by parseConfig (config/index.ts) after the sections have parsed.
 */
import type { StackConfig } from "./index";
import { bool, chartVersion, Ctx, dflt, Field, int, obj, ObjField, oneOf, opt, quantity, resources, secretStr, show, storage, str, strMap } from "./schema";

/**
 * No "local": with tempo-distributed each pod would keep blocks on its own disk, and queriers and the
 * compactor never see what the ingesters flushed (grafana/tempo#1223). "minio" runs a one-pod MinIO that
 * every Tempo component shares (components/tempo/minio.ts): for clusters without object storage.
 */
export const TEMPO_BACKENDS = ["minio", "s3", "gcs", "azure"] as const;
export type TempoBackend = (typeof TEMPO_BACKENDS)[number];

/** Go's time.ParseDuration grammar (Tempo's durations are Go durations: no "d", unlike Prometheus). */
export const GO_DURATION_RE = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** Kubernetes annotation key: optional DNS-subdomain prefix + "/" + name (apimachinery IsQualifiedName). */
export const ANNOTATION_KEY_RE = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * A component's replicas and resources. Every default has a memory limit, twice the request: the chart
 * sets GOMEMLIMIT to 0.85 of the limit (templates/_helpers.tpl, global.goSettings.goMemLimitFactor), so
 * Go's collector works to stay under it, and the rest absorbs bursts of spans or queries.
 */
function component(what: string, requests: { cpu: string; memory: string }, limits: { memory: string }) {
  return {
    replicas: dflt(int(`${what} replicas`, 1, 100), 1),
    resources: resources(`${what} container resources`, { requests, limits }),
  };
}

/** A section whose own cross-key rules run right after its keys parsed. */
class CheckedSection<S extends Record<string, Field<any>>> extends ObjField<S> {
  constructor(doc: string, shape: S, private readonly rules: (v: any, path: string, fail: (p: string, m: string) => void) => void) {
    super(doc, shape);
  }
  parse(v: unknown, path: string, ctx: Ctx) {
    const out = super.parse(v, path, ctx);
    if (out) this.rules(out, path, (p, message) => ctx.problems.push({ path: p, message }));
    return out;
  }
}

/** The settings of each object storage backend (Tempo's, the hub's): the credential rules are objectStorageProblems. */
export const OBJECT_STORAGE_BACKENDS = {
  s3: opt(
    obj("S3 or S3-compatible bucket (when `backend` is \"s3\")", {
      bucket: str("Bucket name"),
      endpoint: str("Endpoint host[:port], e.g. \"s3.eu-west-1.amazonaws.com\" or \"minio.minio.svc:9000\""),
      region: opt(str("Region, e.g. \"eu-west-1\"")),
      prefix: opt(str("Key prefix inside the bucket")),
      insecure: dflt(bool("Plain HTTP to the endpoint"), false),
      forcePathStyle: dflt(bool("Path-style requests (MinIO and most S3-compatible stores)"), false),
      accessKeyId: opt(str("Access key id; unset = the pods' AWS credential chain (IRSA via `serviceAccountAnnotations`, instance role)")),
      secretAccessKey: opt(secretStr("Secret access key (with `accessKeyId`); delivered as env AWS_SECRET_ACCESS_KEY from a Kubernetes Secret")),
    }),
  ),
  gcs: opt(
    obj("Google Cloud Storage bucket (when `backend` is \"gcs\")", {
      bucket: str("Bucket name"),
      prefix: opt(str("Object prefix inside the bucket")),
      serviceAccountKey: opt(secretStr("Service-account key JSON; mounted from a Kubernetes Secret as GOOGLE_APPLICATION_CREDENTIALS. Unset = workload identity")),
    }),
  ),
  azure: opt(
    obj("Azure Blob Storage container (when `backend` is \"azure\")", {
      container: str("Container name"),
      storageAccountName: str("Storage account name"),
      endpointSuffix: opt(str("Endpoint suffix; Tempo's default is \"blob.core.windows.net\"")),
      prefix: opt(str("Blob prefix inside the container")),
      useFederatedToken: dflt(bool("Authenticate with Azure workload identity instead of an account key"), false),
      storageAccountKey: opt(secretStr("Storage account key; delivered as env AZURE_STORAGE_KEY from a Kubernetes Secret")),
    }),
  ),
};

const tempoShape = {
  chartVersion: opt(chartVersion("Override the pinned tempo-distributed chart version (components/versions.ts)")),
  storage: obj("Trace storage (tempo.yaml storage.trace)", {
    backend: dflt(oneOf("Trace storage backend: object storage every Tempo component shares; `minio` runs a one-pod MinIO in Tempo's namespace (clusters without object storage, not prod)", TEMPO_BACKENDS), "minio"),
    minio: obj("The one-pod MinIO (when `backend` is \"minio\")", {
      size: dflt(quantity("Its volume (a PersistentVolumeClaim)"), "10Gi"),
      storageClassName: opt(str("StorageClass; the cluster default when unset")),
      resources: resources("MinIO container resources", { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } }),
    }),
    ...OBJECT_STORAGE_BACKENDS,
  }),
  retention: dflt(
    str("How long trace blocks are kept (compactor block_retention), a Go duration")
      .check((v) => GO_DURATION_RE.test(v), `is not a Go duration; use e.g. "48h" or "336h" (units h, m, s; no "d")`)
      .check((v) => /[1-9]/.test(v), `is zero; use a positive Go duration, e.g. "48h" or "336h"`),
    "48h",
  ),
  distributor: obj("Distributors (receive OTLP)", component("Distributor", { cpu: "100m", memory: "256Mi" }, { memory: "512Mi" })),
  ingester: obj("Ingesters (write path; replication factor 3 from 3 replicas, else 1)", {
    ...component("Ingester", { cpu: "100m", memory: "512Mi" }, { memory: "1Gi" }),
    persistence: opt(storage("WAL and block storage per ingester (a PersistentVolumeClaim); emptyDir when unset")),
  }),
  querier: obj("Queriers", component("Querier", { cpu: "100m", memory: "256Mi" }, { memory: "512Mi" })),
  queryFrontend: obj("Query frontends (the query API Grafana uses)", component("Query frontend", { cpu: "100m", memory: "128Mi" }, { memory: "256Mi" })),
  compactor: obj("Compactors", component("Compactor", { cpu: "100m", memory: "256Mi" }, { memory: "512Mi" })),
  metricsGenerator: obj("Metrics generator: the local-blocks processor behind TraceQL metrics queries, and service-graph and span metrics remote-written to the platform Prometheus (when `features.platformMonitoring`)", {
    enabled: dflt(bool("Run it; off, TraceQL metrics queries (e.g. `{ } | rate()`) fail with \"localblocks processor not found\""), true),
    ...component("Metrics generator", { cpu: "100m", memory: "256Mi" }, { memory: "512Mi" }),
  }),
  memcached: obj("The chart's memcached (query cache) and its exporter", {
    // memcached runs with its default 64 MB cache (the chart passes no -m: templates/memcached/statefulset-memcached.yaml).
    ...component("Memcached", { cpu: "50m", memory: "128Mi" }, { memory: "192Mi" }),
    exporterResources: resources("memcached exporter sidecar resources (memcachedExporter.resources): a small Go process", { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } }),
  }),
  serviceAccountAnnotations: dflt(strMap("Annotations of Tempo's ServiceAccount, e.g. IRSA's eks.amazonaws.com/role-arn or GKE workload identity"), {}),
  extraServiceAnnotations: dflt(
    strMap("Annotations added to every Service of the chart, besides the prometheus.io/* scrape annotations the component sets", {
      test: (k) => ANNOTATION_KEY_RE.test(k) && !k.startsWith("prometheus.io/"),
      allowed: "use a Kubernetes annotation key such as \"example.com/owner\"; prometheus.io/* keys are set by the component",
    }),
    {},
  ),
};

/**
 * Rules of an object storage block (`tempo.storage`, `hub.storage`): one backend's settings, matching the
 * backend; static S3 keys both or neither; Azure with a key or a federated token.
 */
export function objectStorageProblems(s: any, path: string, fail: (p: string, m: string) => void): void {
  const p = (k: string) => `${path}.${k}`;
  for (const b of ["s3", "gcs", "azure"] as const) {
    if (s.backend === b && !s[b]) fail(p(`storage.${b}`), `is required when ${p("storage.backend")} is ${show(b)}`);
    if (s.backend !== b && s[b]) fail(p(`storage.${b}`), `is set but ${p("storage.backend")} is ${show(s.backend)}; remove it or set the backend to ${show(b)}`);
  }
  if (s.s3 && (s.s3.accessKeyId === undefined) !== (s.s3.secretAccessKey === undefined)) {
    const missing = s.s3.accessKeyId === undefined ? "accessKeyId" : "secretAccessKey";
    const other = missing === "accessKeyId" ? "secretAccessKey" : "accessKeyId";
    fail(p(`storage.s3.${missing}`), `is required with ${p(`storage.s3.${other}`)}; set both, or neither to use the pods' AWS credential chain`);
  }
  if (s.azure && !s.azure.useFederatedToken && s.azure.storageAccountKey === undefined) {
    fail(p("storage.azure.storageAccountKey"), `is required unless ${p("storage.azure.useFederatedToken")} is true`);
  }
  if (s.azure && s.azure.useFederatedToken && s.azure.storageAccountKey !== undefined) {
    fail(p("storage.azure.storageAccountKey"), `is set but ${p("storage.azure.useFederatedToken")} is true; use one of them`);
  }
}

/** Rules inside `tempo` (path = the section's path, "tempo"). */
export function tempoSectionProblems(t: any, path: string, fail: (p: string, m: string) => void): void {
  objectStorageProblems(t.storage, path, fail);
  const p = (k: string) => `${path}.${k}`;
  for (const [k, v] of Object.entries<string>(t.extraServiceAnnotations)) {
    // The chart renders most Service annotations through tpl, the gossip ring's not: "{{" would differ.
    if (v.includes("{{")) fail(p(`extraServiceAnnotations.${k}`), `${show(v)} contains "{{"; the chart renders most Service annotations through tpl (not the gossip ring's), so templates are not allowed`);
  }
}

export const tempoSection = new CheckedSection("Tempo distributed (when `features.tempo`).", tempoShape, tempoSectionProblems);
export type TempoConfig = NonNullable<ReturnType<typeof tempoSection.parse>>;

/** Minimum replicas per component in `cluster.environment: prod`. */
export const TEMPO_PROD_MIN_REPLICAS = { distributor: 2, ingester: 3, querier: 2, queryFrontend: 2 } as const;

/**
 * Rules that need other sections: in prod, Tempo (when on) must keep traces in object storage and run its
 * request path replicated (3 ingesters for replication factor 3).
 */
export function tempoEnvironmentProblems(cfg: StackConfig, fail: (path: string, message: string) => void): void {
  if (!cfg.features.tempo || cfg.cluster.environment !== "prod") return;
  const t = cfg.tempo;
  if (t.storage.backend === "minio") {
    fail("tempo.storage.backend", `"minio" runs one MinIO pod, a single point of failure for every trace; cluster.environment "prod" requires "s3", "gcs" or "azure"`);
  }
  for (const [c, min] of Object.entries(TEMPO_PROD_MIN_REPLICAS)) {
    const n = (t as any)[c].replicas as number;
    if (n < min) fail(`tempo.${c}.replicas`, `${n} is not highly available; cluster.environment "prod" requires at least ${min} replicas`);
  }
}
