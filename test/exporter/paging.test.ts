// The exporter's poll path in process: how many visibility API requests it makes, and that its compact
// per-workload path (PendingWorkloadsCollector → summarizeQueue → renderData) gives exactly what the
// record-per-workload path before issue 12 item 7 gave (test/exporter/reference.ts).
import * as assert from "node:assert/strict";
import { ApiError, KubeClient } from "../../exporter/src/kube";
import {
  PendingWorkloadsCollector,
  VisibilityVersion,
  WorkloadRecord,
  fetchPendingWorkloads,
  parsePendingWorkloadsSummary,
  parseTimestamp,
  paths,
} from "../../exporter/src/kueue";
import { renderData } from "../../exporter/src/metrics";
import { ClusterQueueSummary, summarizeQueue } from "../../exporter/src/snapshot";
import { FakeKubeApi, generateWorkloads, prng } from "./fakeKubeApi";
import { referenceDataText, referenceSummary, referenceWorkloads } from "./reference";

const never = new AbortController().signal;

/** A KubeClient that answers from a function of the request path (no HTTP), counting requests. */
function stubClient(answer: (path: string, query: URLSearchParams) => unknown): { client: KubeClient; paths: string[] } {
  const seen: string[] = [];
  const client = {
    getJson: async (path: string) => {
      seen.push(path);
      const url = new URL(path, "http://stub");
      return answer(url.pathname, url.searchParams);
    },
  } as unknown as KubeClient;
  return { client, paths: seen };
}

function item(name: string, position: number, o: Partial<{ namespace: string; lq: string; created: string; priority: number; lqPosition: number }> = {}) {
  return {
    metadata: { name, namespace: o.namespace ?? "ns", creationTimestamp: o.created ?? "2026-05-01T10:00:00Z", ownerReferences: [] },
    priority: o.priority ?? 0,
    localQueueName: o.lq ?? "lq",
    positionInClusterQueue: position,
    positionInLocalQueue: o.lqPosition ?? position,
  };
}

describe("exporter paging of the visibility API (in process, fake API over HTTP)", function () {
  const api = new FakeKubeApi();
  let client: KubeClient;
  const now = Date.now();
  const make = (count: number, prefix: string) =>
    generateWorkloads({ count, localQueues: [["a", "q1"], ["a", "q2"], ["b", "q1"]], nowMs: now, seed: count, prefix, maxAgeSeconds: 9 * 86400 });

  before(async function () {
    for (const n of [0, 1, 99, 100, 101, 200, 250, 1000, 2345]) api.setClusterQueue(`cq-${n}`, make(n, `w${n}`));
    await api.start();
    client = new KubeClient({ source: "KUEUEX_API_URL", baseUrl: api.url, insecureSkipTlsVerify: false }, 5000, 4);
  });
  after(async function () {
    client.close();
    await api.stop();
  });

  async function offsetsFor(cq: string, pageSize: number): Promise<number[]> {
    api.requests.length = 0;
    const got = await fetchPendingWorkloads(client, never, new VisibilityVersion(), cq, pageSize, 20, () => undefined);
    assert.equal(got.count, Number(cq.slice(3)));
    return api.requestsTo(/\/pendingworkloads$/).map((r) => {
      assert.equal(r.query.get("limit"), String(pageSize));
      return Number(r.query.get("offset"));
    });
  }

  it("ends at a short page without another request", async function () {
    assert.deepEqual(await offsetsFor("cq-250", 100), [0, 100, 200]);
    assert.deepEqual(await offsetsFor("cq-99", 100), [0]);
    assert.deepEqual(await offsetsFor("cq-1", 100), [0]);
    assert.deepEqual(await offsetsFor("cq-0", 100), [0]);
    assert.deepEqual(await offsetsFor("cq-2345", 1000), [0, 1000, 2000]);
  });

  it("takes one more (empty) request after a full last page: the API reports no total", async function () {
    assert.deepEqual(await offsetsFor("cq-100", 100), [0, 100]);
    assert.deepEqual(await offsetsFor("cq-200", 100), [0, 100, 200]);
    assert.deepEqual(await offsetsFor("cq-1000", 1000), [0, 1000]);
    assert.deepEqual(await offsetsFor("cq-101", 101), [0, 101]);
  });

  it("gives the same summaries and exposition text as the path before issue 12, for every page size", async function () {
    for (const pageSize of [1, 7, 100, 500, 1000, 100_000]) {
      for (const topN of [0, 3, 20]) {
        const mine: ClusterQueueSummary[] = [];
        const theirs: ClusterQueueSummary[] = [];
        for (const cq of api.clusterQueueNames()) {
          if (pageSize === 1 && cq === "cq-2345") continue; // 2346 requests; the other queues cover size 1
          const got = await fetchPendingWorkloads(client, never, new VisibilityVersion(), cq, pageSize, topN, () => undefined);
          mine.push(summarizeQueue(cq, got, now));
          const pages: Array<{ path: string; body: unknown }> = [];
          for (let offset = 0; ; ) {
            const path = paths.pendingWorkloads("v1beta2", cq, pageSize, offset);
            const body = await client.getJson(path, never);
            pages.push({ path, body });
            const n = (body as { items: unknown[] }).items.length;
            if (n < pageSize) break;
            offset += n;
          }
          theirs.push(referenceSummary(cq, referenceWorkloads(pages), now, topN));
        }
        assert.deepEqual(mine, theirs, `page size ${pageSize}, top N ${topN}`);
        assert.equal(await renderData(mine.length, mine), await referenceDataText(theirs.length, theirs), `page size ${pageSize}, top N ${topN}`);
      }
    }
  });
});

describe("exporter pending-workload collection (stubbed API)", function () {
  const nowMs = Date.parse("2026-05-02T00:00:00Z");

  /** Runs fetchPendingWorkloads over fixed pages (by offset) and the reference over the same pages. */
  async function both(pagesByOffset: Map<number, unknown[]>, pageSize: number, topN: number) {
    const { client, paths: asked } = stubClient((_p, q) => ({ items: pagesByOffset.get(Number(q.get("offset"))) ?? [] }));
    const got = await fetchPendingWorkloads(client, never, new VisibilityVersion(), "cq", pageSize, topN, () => undefined);
    const pages = asked.map((path) => ({ path, body: { items: pagesByOffset.get(Number(new URL(path, "http://x").searchParams.get("offset"))) ?? [] } }));
    return { mine: summarizeQueue("cq", got, nowMs), theirs: referenceSummary("cq", referenceWorkloads(pages), nowMs, topN), asked };
  }

  it("counts a workload seen on two pages (the queue moved) once, keeping its first reading", async function () {
    // Page 2 starts with the last two of page 1 again (two workloads ahead were admitted in between).
    const p1 = [item("a", 0), item("b", 1), item("c", 2, { priority: 5 })];
    const p2 = [item("b", 0), item("c", 1, { priority: 9 }), item("d", 2)];
    const { mine, theirs, asked } = await both(new Map([[0, p1], [3, p2], [6, []]]), 3, 10);
    assert.equal(asked.length, 3);
    assert.deepEqual(mine, theirs);
    assert.equal(mine.pending, 4);
    assert.deepEqual(
      mine.top.map((w) => [w.name, w.positionInClusterQueue, w.priority]),
      [["a", 0, 0], ["b", 1, 0], ["c", 2, 5], ["d", 2, 0]],
    );
  });

  it("sorts by position when the API sends workloads out of order, before or after the first top N", async function () {
    const rnd = prng(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 60);
      const positions = Array.from({ length: n }, (_, i) => i);
      // Mostly in order with a few swaps (at random places, so sometimes only after the top N), or shuffled.
      const swaps = trial % 3 === 0 ? n : Math.floor(rnd() * 3);
      for (let s = 0; s < swaps; s++) {
        const i = Math.floor(rnd() * n);
        const j = Math.floor(rnd() * n);
        [positions[i], positions[j]] = [positions[j], positions[i]];
      }
      // Ties happen too (a moving queue), and the same name in two namespaces is two workloads.
      const items = positions.map((p, i) =>
        item(`w${i % 17}`, trial % 5 === 0 ? Math.floor(p / 2) : p, {
          namespace: `ns${Math.floor(i / 17)}`,
          lq: `lq${Math.floor(rnd() * 4)}`,
          created: new Date(nowMs - Math.floor(rnd() * 8 * 86400) * 1000).toISOString().replace(".000Z", "Z"),
          priority: Math.floor(rnd() * 3) - 1,
        }),
      );
      const pageSize = 1 + Math.floor(rnd() * 25);
      const byOffset = new Map<number, unknown[]>();
      for (let o = 0; o <= items.length; o += pageSize) byOffset.set(o, items.slice(o, o + pageSize));
      const topN = Math.floor(rnd() * 12);
      const { mine, theirs } = await both(byOffset, pageSize, topN);
      assert.deepEqual(mine, theirs, `trial ${trial}`);
      assert.equal(await renderData(1, [mine]), await referenceDataText(1, [theirs]), `trial ${trial}`);
    }
  });

  it("rejects a malformed item with the same message as the record parser, naming the field", function () {
    const path = "/apis/visibility.kueue.x-k8s.io/v1beta2/clusterqueues/cq/pendingworkloads?limit=5&offset=0";
    const good = item("w", 0);
    const bad: unknown[] = [
      null,
      [],
      { ...good, metadata: null },
      { ...good, metadata: { ...good.metadata, creationTimestamp: "" } },
      { ...good, metadata: { ...good.metadata, creationTimestamp: "2026-02-30T25:00:00Z" } },
      { ...good, metadata: { ...good.metadata, name: 3 } },
      { ...good, metadata: { ...good.metadata, namespace: "" } },
      { ...good, localQueueName: null },
      { ...good, priority: 2 ** 31 },
      { ...good, priority: "1" },
      { ...good, positionInClusterQueue: -1 },
      { ...good, positionInLocalQueue: 0.5 },
    ];
    for (const b of bad) {
      const body = { items: [good, b] };
      let expected: ApiError | undefined;
      try {
        parsePendingWorkloadsSummary(path, body);
      } catch (err) {
        expected = err as ApiError;
      }
      assert.ok(expected instanceof ApiError, `the record parser accepted ${JSON.stringify(b)}`);
      assert.throws(() => new PendingWorkloadsCollector(5).addPage(path, body), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, "malformed");
        assert.equal(err.message, expected!.message);
        return true;
      });
    }
    assert.throws(() => new PendingWorkloadsCollector(5).addPage(path, []), /\(body\): expected a PendingWorkloadsSummary object/);
    assert.equal(new PendingWorkloadsCollector(5).addPage(path, { items: null }), 0);
  });

  it("accepts what the record parser accepts (edge values) with the same readings", function () {
    const path = "/p";
    const edge = [
      item("a", 0, { priority: -(2 ** 31), created: "2026-05-01T10:00:00.5+02:00" }),
      item("b", 2 ** 31 - 1, { priority: 2 ** 31 - 1, lq: "", created: "2024-02-29T23:59:59Z" }),
    ];
    const c = new PendingWorkloadsCollector(5);
    c.addPage(path, { items: edge });
    const want: WorkloadRecord[] = parsePendingWorkloadsSummary(path, { items: edge });
    assert.deepEqual(c.finish().top, want);
  });
});

describe("exporter timestamps", function () {
  it("reads creationTimestamp exactly as Date.parse does", function () {
    const pad = (n: number, w: number) => String(n).padStart(w, "0");
    let checked = 0;
    for (let y = 0; y <= 9999; y += y < 1960 || y > 2110 ? 37 : 1) {
      for (let m = 0; m <= 13; m++) {
        for (const d of [0, 1, 9, 10, 28, 29, 30, 31, 32]) {
          const s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad((y * 7 + d) % 25, 2)}:${pad((y * 13 + m) % 61, 2)}:${pad((y * 17 + d) % 61, 2)}Z`;
          const a = parseTimestamp(s);
          const b = Date.parse(s);
          assert.ok(a === b || (Number.isNaN(a) && Number.isNaN(b)), `${s}: ${a} != Date.parse ${b}`);
          checked++;
        }
      }
    }
    const rnd = prng(5);
    for (let i = 0; i < 20000; i++) {
      const s = new Date(Math.floor(rnd() * 4e12) - 1e12).toISOString().replace(/\.\d{3}Z$/, "Z");
      assert.equal(parseTimestamp(s), Date.parse(s), s);
    }
    for (const s of [
      "2026-01-01T24:00:00Z",
      "2026-01-01T23:59:60Z",
      "2026-01-01t00:00:00z",
      "2026-01-01T00:00:00.123Z",
      "2026-01-01T00:00:00+01:00",
      "2026-1-01T00:00:00Z",
      "2026-01-01 00:00:00Z",
      "+02026-01-01T00:00:00Z",
      "2026-0a-01T00:00:00Z",
      "２０２６-01-01T00:00:00Z",
      "yesterday",
    ]) {
      const a = parseTimestamp(s);
      const b = Date.parse(s);
      assert.ok(a === b || (Number.isNaN(a) && Number.isNaN(b)), `${s}: ${a} != Date.parse ${b}`);
    }
    assert.ok(checked > 50000);
  });
});

describe("exporter data exposition", function () {
  it("is byte for byte what prom-client renders, escaping and odd values included", async function () {
    const w = (name: string, namespace: string, localQueue: string, createdMs: number): WorkloadRecord => ({
      name,
      namespace,
      localQueue,
      createdMs,
      priority: -3,
      positionInClusterQueue: 0,
      positionInLocalQueue: 1,
    });
    const summaries: ClusterQueueSummary[] = [
      {
        clusterQueue: 'odd"cq\\with\nall',
        pending: 2,
        oldestAgeSeconds: 0.1 + 0.2,
        bucketCounts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2],
        ageSumSeconds: 1e21,
        localQueues: [{ namespace: "n\\s", localQueue: 'l"q', pending: 2, oldestAgeSeconds: -0 }],
        top: [w('a"b', "n\\s", 'l"q', 1_700_000_000_123), w("c\nd", "ns", "", NaN)],
        truncated: 0,
      },
      { clusterQueue: "empty", pending: 0, bucketCounts: new Array(12).fill(0), ageSumSeconds: 0, localQueues: [], top: [], truncated: 0 },
      {
        clusterQueue: "inf",
        pending: 1,
        oldestAgeSeconds: Infinity,
        bucketCounts: new Array(12).fill(1),
        ageSumSeconds: -Infinity,
        localQueues: [{ namespace: "ns", localQueue: "q", pending: 1, oldestAgeSeconds: 5e-324 }],
        top: [],
        truncated: 1,
      },
    ];
    for (const cqs of [undefined, 0, 3]) {
      assert.equal(await renderData(cqs, summaries), await referenceDataText(cqs, summaries));
      assert.equal(await renderData(cqs, []), await referenceDataText(cqs, []));
    }
    // Many ClusterQueues: the renderer yields every 16 of them; order must not change.
    const many = Array.from({ length: 40 }, (_, i) => ({ ...summaries[2], clusterQueue: `cq-${i}` }));
    assert.equal(await renderData(40, many), await referenceDataText(40, many));
  });
});
