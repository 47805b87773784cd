// Kueue API access: ClusterQueue discovery and the visibility API's pending workloads, with shape checks
// on every field the exporter uses.
//
// Upstream sources (kubernetes-sigs/kueue, checked at v0.14.0, v0.15.0, v0.16.0 and v0.19.2):
// - apis/visibility/v1beta2/types.go (same JSON in apis/visibility/v1beta1/types.go): PendingWorkloadsSummary
//   {items: PendingWorkload[]}; PendingWorkload {metadata (ObjectMeta: name, namespace, creationTimestamp,
//   ownerReferences), priority int32, localQueueName, positionInClusterQueue int32, positionInLocalQueue int32},
//   positions start from 0. Items carry no ClusterQueue name.
// - pkg/visibility/storage/storage.go: resource "clusterqueues/pendingworkloads";
//   pending_workloads_cq.go: GET .../clusterqueues/{name}/pendingworkloads?limit=&offset= (limit 1000 and
//   offset 0 by default; 404 NotFound when the queue manager does not know the ClusterQueue).
// - pkg/visibility/server.go: the visibility server serves v1beta2 and v1beta1 (v1beta2 preferred);
//   config/components/visibility/apiservice_v1beta{1,2}.yaml register both. Kueue before 0.15 has v1beta1 only.
// - config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml: the ClusterQueue CRD serves v1beta1
//   (deprecated since 0.16) and v1beta2 (the storage version since 0.16); Kueue 0.14 serves v1beta1 only.
import { ApiError, KubeClient } from "./kube";

export const KUEUE_GROUP = "kueue.x-k8s.io";
export const VISIBILITY_GROUP = "visibility.kueue.x-k8s.io";
/** Versions tried in order when discovery does not answer; newest first. */
export const KUEUE_VERSIONS = ["v1beta2", "v1beta1"] as const;
export const VISIBILITY_VERSIONS = ["v1beta2", "v1beta1"] as const;

/** Guards against a server that ignores `offset` and keeps answering full pages. */
export const MAX_WORKLOADS_PER_CLUSTER_QUEUE = 5_000_000;

/** One pending workload, as the exporter keeps it in memory. */
export interface WorkloadRecord {
  namespace: string;
  name: string;
  localQueue: string;
  priority: number;
  positionInClusterQueue: number;
  positionInLocalQueue: number;
  /** metadata.creationTimestamp in milliseconds since the epoch. */
  createdMs: number;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
}

function malformed(path: string, field: string, expected: string, got: unknown): ApiError {
  return new ApiError("malformed", path, `${path}: ${field}: expected ${expected}, got ${describe(got)}`);
}

function str(path: string, field: string, v: unknown, allowEmpty = false): string {
  if (typeof v !== "string" || (!allowEmpty && v === "")) {
    throw malformed(path, field, allowEmpty ? "a string" : "a non-empty string", v);
  }
  return v;
}

function int(path: string, field: string, v: unknown, min = -(2 ** 31)): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > 2 ** 31 - 1) {
    throw malformed(path, field, min === 0 ? "a non-negative integer" : "an integer", v);
  }
  return v;
}

/** Lists of Go nil slices are serialised as null; treat them as empty. */
function list(path: string, field: string, v: unknown): unknown[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw malformed(path, field, "an array", v);
  return v;
}

/** Validates one PendingWorkloadsSummary page; every field the exporter reads is checked. */
export function parsePendingWorkloadsSummary(path: string, body: unknown): WorkloadRecord[] {
  if (!isObj(body)) throw malformed(path, "(body)", "a PendingWorkloadsSummary object", body);
  const items = list(path, "items", body.items);
  return items.map((item, i) => {
    const f = `items[${i}]`;
    if (!isObj(item)) throw malformed(path, f, "an object", item);
    const meta = item.metadata;
    if (!isObj(meta)) throw malformed(path, `${f}.metadata`, "an object", meta);
    const created = str(path, `${f}.metadata.creationTimestamp`, meta.creationTimestamp);
    const createdMs = Date.parse(created);
    if (Number.isNaN(createdMs)) throw malformed(path, `${f}.metadata.creationTimestamp`, "an RFC 3339 time", created);
    return {
      name: str(path, `${f}.metadata.name`, meta.name),
      namespace: str(path, `${f}.metadata.namespace`, meta.namespace),
      createdMs,
      localQueue: str(path, `${f}.localQueueName`, item.localQueueName, true),
      priority: int(path, `${f}.priority`, item.priority),
      positionInClusterQueue: int(path, `${f}.positionInClusterQueue`, item.positionInClusterQueue, 0),
      positionInLocalQueue: int(path, `${f}.positionInLocalQueue`, item.positionInLocalQueue, 0),
    };
  });
}

/** Validates a ClusterQueueList page; returns the names and the continue token. */
export function parseClusterQueueList(path: string, body: unknown): { names: string[]; continueToken?: string } {
  if (!isObj(body)) throw malformed(path, "(body)", "a ClusterQueueList object", body);
  const items = list(path, "items", body.items);
  const names = items.map((item, i) => {
    if (!isObj(item)) throw malformed(path, `items[${i}]`, "an object", item);
    if (!isObj(item.metadata)) throw malformed(path, `items[${i}].metadata`, "an object", item.metadata);
    return str(path, `items[${i}].metadata.name`, item.metadata.name);
  });
  const meta = body.metadata;
  const cont = isObj(meta) && typeof meta.continue === "string" && meta.continue !== "" ? meta.continue : undefined;
  return { names, continueToken: cont };
}

/** The preferred version of the kueue.x-k8s.io group from its APIGroup discovery document. */
export function parseApiGroup(path: string, body: unknown): string {
  if (!isObj(body)) throw malformed(path, "(body)", "an APIGroup object", body);
  const preferred = body.preferredVersion;
  if (!isObj(preferred)) throw malformed(path, "preferredVersion", "an object", preferred);
  const version = str(path, "preferredVersion.version", preferred.version);
  if (!/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(version)) {
    throw malformed(path, "preferredVersion.version", "a Kubernetes API version such as v1beta2", version);
  }
  return version;
}

export const paths = {
  kueueGroup: () => `/apis/${KUEUE_GROUP}`,
  clusterQueues: (version: string, limit: number, continueToken?: string) =>
    `/apis/${KUEUE_GROUP}/${version}/clusterqueues?limit=${limit}` +
    (continueToken ? `&continue=${encodeURIComponent(continueToken)}` : ""),
  pendingWorkloads: (version: string, cq: string, limit: number, offset: number) =>
    `/apis/${VISIBILITY_GROUP}/${version}/clusterqueues/${encodeURIComponent(cq)}/pendingworkloads?limit=${limit}&offset=${offset}`,
};

/** Reports a failed request that was handled (e.g. by a fallback) but still worth counting and logging. */
export type ErrorSink = (err: ApiError) => void;

const CLUSTER_QUEUE_LIST_PAGE = 500;

/**
 * Lists ClusterQueue names. The version comes from group discovery (`GET /apis/kueue.x-k8s.io`,
 * preferredVersion: v1beta2 whenever the CRD serves it, since the API server prefers the highest served
 * version); if discovery fails, v1beta2 and then v1beta1 are tried directly.
 */
export async function listClusterQueues(client: KubeClient, signal: AbortSignal, onError: ErrorSink): Promise<string[]> {
  let versions: readonly string[] = KUEUE_VERSIONS;
  try {
    const path = paths.kueueGroup();
    versions = [parseApiGroup(path, await client.getJson(path, signal))];
  } catch (err) {
    // Unreachable or too slow: the list would fail the same way. An HTTP error or an odd document (e.g.
    // discovery denied to this identity) is counted, and the known versions are tried directly.
    if (!(err instanceof ApiError) || err.code === "network" || err.code === "timeout") throw err;
    onError(err);
  }
  let lastError: unknown;
  for (const version of versions) {
    try {
      const names: string[] = [];
      let cont: string | undefined;
      do {
        const path = paths.clusterQueues(version, CLUSTER_QUEUE_LIST_PAGE, cont);
        const page = parseClusterQueueList(path, await client.getJson(path, signal));
        names.push(...page.names);
        cont = page.continueToken;
      } while (cont !== undefined);
      return [...new Set(names)].sort();
    } catch (err) {
      lastError = err;
      // Only "this version is not served" is worth trying the next version for.
      if (!(err instanceof ApiError && err.code === "404")) throw err;
    }
  }
  throw lastError;
}

/** Remembers which visibility version answered, so later polls go straight to it. */
export class VisibilityVersion {
  current: string = VISIBILITY_VERSIONS[0];
}

async function getPage(
  client: KubeClient,
  signal: AbortSignal,
  vv: VisibilityVersion,
  cq: string,
  limit: number,
  offset: number,
  onVersionChange: (from: string, to: string) => void,
): Promise<WorkloadRecord[]> {
  const first = vv.current;
  const path = paths.pendingWorkloads(first, cq, limit, offset);
  try {
    return parsePendingWorkloadsSummary(path, await client.getJson(path, signal));
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "404") || offset !== 0) throw err;
    // 404: either this version is not served (Kueue < 0.15 has only v1beta1) or the visibility server does
    // not know this ClusterQueue. Try the other version once; if it answers, it becomes the default.
    for (const other of VISIBILITY_VERSIONS) {
      if (other === first) continue;
      const otherPath = paths.pendingWorkloads(other, cq, limit, offset);
      try {
        const items = parsePendingWorkloadsSummary(otherPath, await client.getJson(otherPath, signal));
        if (vv.current === first) {
          vv.current = other;
          onVersionChange(first, other);
        }
        return items;
      } catch (otherErr) {
        if (!(otherErr instanceof ApiError && otherErr.code === "404")) throw otherErr;
      }
    }
    throw err;
  }
}

/**
 * Every pending workload of one ClusterQueue, paging with `limit`/`offset` until a page is shorter than
 * `limit`. The queue can move between pages; a workload seen twice is kept once.
 */
export async function fetchPendingWorkloads(
  client: KubeClient,
  signal: AbortSignal,
  vv: VisibilityVersion,
  cq: string,
  pageSize: number,
  onVersionChange: (from: string, to: string) => void,
): Promise<WorkloadRecord[]> {
  const out: WorkloadRecord[] = [];
  const seen = new Set<string>();
  for (let offset = 0; ; ) {
    const page = await getPage(client, signal, vv, cq, pageSize, offset, onVersionChange);
    for (const w of page) {
      const key = `${w.namespace}/${w.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
    }
    if (page.length < pageSize) break;
    offset += page.length;
    if (offset >= MAX_WORKLOADS_PER_CLUSTER_QUEUE) {
      throw new ApiError(
        "malformed",
        paths.pendingWorkloads(vv.current, cq, pageSize, offset),
        `ClusterQueue ${cq}: more than ${MAX_WORKLOADS_PER_CLUSTER_QUEUE} pending workloads; the server seems to ignore offset`,
      );
    }
  }
  out.sort((a, b) => a.positionInClusterQueue - b.positionInClusterQueue);
  return out;
}
