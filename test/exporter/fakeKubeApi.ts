// A fake Kubernetes API server for the exporter's tests and benchmark: group discovery for kueue.x-k8s.io,
// the ClusterQueue list (with limit/continue) and the visibility API's paginated pendingworkloads, shaped
// like Kueue's responses (kubernetes-sigs/kueue v0.19.2 apis/visibility/v1beta2/types.go and the sample
// output in site/content/en/docs/tasks/manage/monitor_pending_workloads/pending_workloads_on_demand.md).
// Faults can be injected per path: status codes, delays, arbitrary bodies.
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";

export interface FakeWorkload {
  namespace: string;
  name: string;
  localQueue: string;
  priority: number;
  createdMs: number;
}

export interface Fault {
  /** Matched against the request path without its query string. */
  path: RegExp;
  /** HTTP status to answer with; default 200 with `body`, or the normal answer if neither is given. */
  status?: number;
  /** Raw body to answer with (e.g. malformed JSON or a wrong shape). */
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** How many requests it applies to; unlimited when unset. */
  times?: number;
}

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

interface Queue {
  workloads: FakeWorkload[];
  /** Each item pre-serialised, with its positions, so serving a page is a string join. */
  itemJson: string[];
}

const KUEUE = "kueue.x-k8s.io";
const VISIBILITY = "visibility.kueue.x-k8s.io";
// Kueue's visibility server: limit defaults to 1000 and is clamped to 100_000
// (v0.19.2 pkg/constants/constants.go, pkg/visibility/storage/utils.go).
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;

function status(code: number, reason: string, message: string, details: object = {}): string {
  return JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, details, code });
}

export class FakeKubeApi {
  /** Versions of kueue.x-k8s.io the fake serves; the first is the preferred one. */
  kueueVersions: string[] = ["v1beta2", "v1beta1"];
  /** Versions of visibility.kueue.x-k8s.io the fake serves. */
  visibilityVersions: string[] = ["v1beta2", "v1beta1"];
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  requiredToken: string | undefined;
  faults: Fault[] = [];
  recordRequests = true;
  readonly requests: RecordedRequest[] = [];
  /** Requests answered and body bytes sent, counted even when `recordRequests` is off (the benchmark). */
  readonly served = { requests: 0, bytes: 0 };
  private readonly queues = new Map<string, Queue>();
  private server: http.Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  setClusterQueue(name: string, workloads: FakeWorkload[]): void {
    const lqPositions = new Map<string, number>();
    const itemJson = workloads.map((w, i) => {
      const key = `${w.namespace}/${w.localQueue}`;
      const positionInLocalQueue = lqPositions.get(key) ?? 0;
      lqPositions.set(key, positionInLocalQueue + 1);
      return JSON.stringify({
        metadata: {
          name: w.name,
          namespace: w.namespace,
          creationTimestamp: new Date(Math.floor(w.createdMs / 1000) * 1000).toISOString().replace(".000Z", "Z"),
          ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: w.name.replace(/^job-/, ""), uid: `uid-${w.namespace}-${w.name}` }],
        },
        priority: w.priority,
        localQueueName: w.localQueue,
        positionInClusterQueue: i,
        positionInLocalQueue,
      });
    });
    this.queues.set(name, { workloads, itemJson });
  }

  deleteClusterQueue(name: string): void {
    this.queues.delete(name);
  }

  clusterQueueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  private tls = false;

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error("FakeKubeApi is not started");
    return `${this.tls ? "https" : "http"}://127.0.0.1:${addr.port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** Listens on 127.0.0.1 (`port` 0 = any free port), over TLS when `tls` is given. */
  async start(opts: { port?: number; tls?: { key: string; cert: string } } = {}): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.tls = opts.tls !== undefined;
    this.server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(opts.port ?? 0, "127.0.0.1", resolve);
    });
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Requests whose path matches `re` (query ignored). */
  requestsTo(re: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => re.test(r.path));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    if (this.recordRequests) {
      this.requests.push({ path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
    }
    const fault = this.faults.find((f) => f.path.test(url.pathname) && (f.times === undefined || f.times > 0));
    if (fault !== undefined && fault.times !== undefined) fault.times--;

    const answer = () => {
      if (res.destroyed) return;
      if (fault !== undefined && (fault.status !== undefined || fault.body !== undefined)) {
        const code = fault.status ?? 200;
        const body = fault.body ?? status(code, "Fault", `injected fault ${code}`);
        res.writeHead(code, { "Content-Type": "application/json" });
        res.end(body);
        return;
      }
      const [code, body] = this.route(url, req.headers.authorization);
      const length = Buffer.byteLength(body);
      this.served.requests++;
      this.served.bytes += length;
      res.writeHead(code, { "Content-Type": "application/json", "Content-Length": length });
      res.end(body);
    };
    if (fault?.delayMs) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        answer();
      }, fault.delayMs);
      this.timers.add(t);
    } else {
      answer();
    }
  }

  private route(url: URL, authorization: string | undefined): [number, string] {
    if (this.requiredToken !== undefined && authorization !== `Bearer ${this.requiredToken}`) {
      return [401, status(401, "Unauthorized", "Unauthorized")];
    }
    const notFound: [number, string] = [404, status(404, "NotFound", "the server could not find the requested resource")];
    const p = url.pathname.split("/").filter((s) => s !== "");

    // GET /apis/kueue.x-k8s.io — an APIGroup discovery document.
    if (p.length === 2 && p[0] === "apis" && p[1] === KUEUE) {
      if (this.kueueVersions.length === 0) return notFound;
      const versions = this.kueueVersions.map((v) => ({ groupVersion: `${KUEUE}/${v}`, version: v }));
      return [200, JSON.stringify({ kind: "APIGroup", apiVersion: "v1", name: KUEUE, versions, preferredVersion: versions[0] })];
    }

    // GET /apis/kueue.x-k8s.io/{v}/clusterqueues?limit=&continue=
    if (p.length === 4 && p[0] === "apis" && p[1] === KUEUE && p[3] === "clusterqueues") {
      const v = p[2];
      if (!this.kueueVersions.includes(v)) return notFound;
      const names = this.clusterQueueNames();
      const start = Number(url.searchParams.get("continue") ?? "0");
      const limit = Number(url.searchParams.get("limit") ?? "0") || names.length;
      const slice = names.slice(start, start + limit);
      const next = start + limit < names.length ? String(start + limit) : undefined;
      const items = slice.map((name) => ({
        apiVersion: `${KUEUE}/${v}`,
        kind: "ClusterQueue",
        metadata: { name, uid: `uid-cq-${name}`, resourceVersion: "1", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" },
        spec: { namespaceSelector: {}, queueingStrategy: "BestEffortFIFO", resourceGroups: [] },
        status: { pendingWorkloads: this.queues.get(name)!.workloads.length },
      }));
      const metadata = next === undefined ? { resourceVersion: "100" } : { resourceVersion: "100", continue: next };
      return [200, JSON.stringify({ apiVersion: `${KUEUE}/${v}`, kind: "ClusterQueueList", metadata, items })];
    }

    // GET /apis/visibility.kueue.x-k8s.io/{v}/clusterqueues/{cq}/pendingworkloads?limit=&offset=
    if (p.length === 6 && p[0] === "apis" && p[1] === VISIBILITY && p[3] === "clusterqueues" && p[5] === "pendingworkloads") {
      const v = p[2];
      if (!this.visibilityVersions.includes(v)) return notFound;
      const cq = decodeURIComponent(p[4]);
      const queue = this.queues.get(cq);
      if (queue === undefined) {
        return [404, status(404, "NotFound", `clusterqueue.${VISIBILITY} "${cq}" not found`, { name: cq, group: VISIBILITY, kind: "clusterqueue" })];
      }
      const limitRaw = Number(url.searchParams.get("limit") ?? "0");
      const limit = Math.min(limitRaw > 0 ? limitRaw : DEFAULT_LIMIT, MAX_LIMIT);
      const offset = Math.max(0, Number(url.searchParams.get("offset") ?? "0"));
      const page = queue.itemJson.slice(offset, offset + limit);
      return [
        200,
        `{"kind":"PendingWorkloadsSummary","apiVersion":"${VISIBILITY}/${v}","metadata":{"creationTimestamp":null},"items":[${page.join(",")}]}`,
      ];
    }
    return notFound;
  }
}

/** A small deterministic PRNG (mulberry32) so generated data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenerateOptions {
  count: number;
  /** LocalQueues as [namespace, name] pairs; workloads are spread over them round-robin unless `random`. */
  localQueues: Array<[string, string]>;
  nowMs: number;
  /** Ages are spread uniformly over [minAgeSeconds, maxAgeSeconds]. */
  minAgeSeconds?: number;
  maxAgeSeconds?: number;
  priorities?: number[];
  seed?: number;
  prefix?: string;
}

/** Workloads in queue order, named `${prefix}-${i}`, with deterministic pseudo-random ages and priorities. */
export function generateWorkloads(o: GenerateOptions): FakeWorkload[] {
  const rnd = prng(o.seed ?? 1);
  const minAge = o.minAgeSeconds ?? 0;
  const maxAge = o.maxAgeSeconds ?? 86400;
  const priorities = o.priorities ?? [0, 100, 1000];
  const out: FakeWorkload[] = [];
  for (let i = 0; i < o.count; i++) {
    const [namespace, localQueue] = o.localQueues[Math.floor(rnd() * o.localQueues.length)];
    out.push({
      namespace,
      localQueue,
      name: `${o.prefix ?? "job"}-${i}`,
      priority: priorities[Math.floor(rnd() * priorities.length)],
      // Whole seconds, as Kubernetes timestamps have no fraction.
      createdMs: Math.floor((o.nowMs - (minAge + rnd() * (maxAge - minAge)) * 1000) / 1000) * 1000,
    });
  }
  return out;
}
