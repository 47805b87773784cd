// The real exporter bundle against a fake Kubernetes API: what it reports for a known set of queues.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ExporterProcess } from "./exporterProcess";
import { Exposition, select, value } from "./exposition";
import { FakeKubeApi, FakeWorkload, generateWorkloads } from "./fakeKubeApi";

const PAGE = 100;
const TOP_N = 7;
const TOKEN = "test-token-1";
const WORKLOAD_METRICS = [
  "kueuex_pending_workload_position",
  "kueuex_pending_workload_local_queue_position",
  "kueuex_pending_workload_priority",
  "kueuex_pending_workload_created_timestamp_seconds",
];
const LES = ["60", "300", "900", "1800", "3600", "7200", "21600", "43200", "86400", "259200", "604800", "+Inf"];

/** Expected per-LocalQueue counts and positions, computed independently from the fake's data. */
function localQueues(ws: FakeWorkload[]) {
  const m = new Map<string, { namespace: string; localQueue: string; count: number; oldestMs: number }>();
  for (const w of ws) {
    const key = `${w.namespace}/${w.localQueue}`;
    const e = m.get(key) ?? { namespace: w.namespace, localQueue: w.localQueue, count: 0, oldestMs: Infinity };
    e.count++;
    e.oldestMs = Math.min(e.oldestMs, w.createdMs);
    m.set(key, e);
  }
  return m;
}

function ageNow(createdMs: number): number {
  return (Date.now() - createdMs) / 1000;
}

/** An age as reported (computed at the last poll) is at most a few seconds behind the true age. */
function assertAge(actual: number | undefined, createdMs: number, what: string): void {
  assert.notEqual(actual, undefined, `${what} is missing`);
  const expected = ageNow(createdMs);
  assert.ok(actual! <= expected + 0.5 && actual! >= expected - 5, `${what}: ${actual} is not within 5 s of ${expected}`);
}

describe("kueue exporter: metrics from the visibility API (real bundle, fake API)", function () {
  const api = new FakeKubeApi();
  let exporter: ExporterProcess;
  let e: Exposition;
  const now = Date.now();
  const big = generateWorkloads({
    count: 1234,
    localQueues: [["team-a", "lq-a"], ["team-a", "lq-b"], ["team-b", "lq-a"], ["team-c", "lq-c"]],
    nowMs: now,
    minAgeSeconds: 10,
    maxAgeSeconds: 8 * 86400,
    priorities: [-10, 0, 100, 1000],
    seed: 7,
    prefix: "big",
  });
  // Ages chosen away from bucket bounds: 20 s, 400 s, 5000 s, 100000 s, 700000 s.
  const small: FakeWorkload[] = [20, 400, 5000, 100000, 700000].map((age, i) => ({
    namespace: "team-d",
    localQueue: "lq-d",
    name: `small-${i}`,
    priority: 10 - i,
    createdMs: Math.floor((now - age * 1000) / 1000) * 1000,
  }));
  const exact = generateWorkloads({ count: 2 * PAGE, localQueues: [["team-e", "lq-e"]], nowMs: now, seed: 3, prefix: "exact" });

  before(async function () {
    // The workloads were made when mocha loaded this file, which in a full run is minutes before this
    // suite starts: age them from now, or the 20 s one is past its 60 s bucket by the time it is read.
    const late = Math.floor((Date.now() - now) / 1000) * 1000;
    for (const w of [...big, ...small, ...exact]) w.createdMs += late;
    api.requiredToken = TOKEN;
    api.setClusterQueue("cq-big", big);
    api.setClusterQueue("cq-small", small);
    api.setClusterQueue("cq-empty", []);
    api.setClusterQueue("cq-exact", exact);
    await api.start();
    exporter = await ExporterProcess.start({
      KUEUEX_API_URL: api.url,
      KUEUEX_TOKEN: TOKEN,
      KUEUEX_PAGE_SIZE: String(PAGE),
      KUEUEX_TOP_N: String(TOP_N),
      KUEUEX_POLL_INTERVAL_SECONDS: "0.2",
      KUEUEX_CONCURRENCY: "2",
    });
    e = await exporter.waitForMetrics("a successful poll", (x) => value(x, "kueuex_up") === 1);
  });

  after(async function () {
    await exporter?.kill();
    await api.stop();
  });

  it("counts every pending workload of each ClusterQueue, across pages", function () {
    assert.equal(value(e, "kueuex_cluster_queues"), 4);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-big" }), 1234);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-small" }), 5);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-empty" }), 0);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-exact" }), 2 * PAGE);
  });

  it("pages with limit=KUEUEX_PAGE_SIZE and growing offsets until a page is short", function () {
    const offsets = (cq: string) =>
      api.requestsTo(new RegExp(`/clusterqueues/${cq}/pendingworkloads$`)).map((r) => {
        assert.equal(r.query.get("limit"), String(PAGE));
        return Number(r.query.get("offset"));
      });
    const bigPages = Array.from({ length: 13 }, (_, i) => i * PAGE); // 1234 = 12 full pages + 34
    // Each poll walks a ClusterQueue in order; the first poll's requests come first.
    assert.deepEqual(offsets("cq-big").slice(0, 13), bigPages);
    // 200 items: two full pages, then an empty one ends the walk.
    assert.deepEqual(offsets("cq-exact").slice(0, 3), [0, 100, 200]);
    assert.deepEqual(offsets("cq-empty").slice(0, 1), [0]);
    // Every later walk starts again at offset 0 right after a short page.
    const all = offsets("cq-big");
    for (let i = 0; i < all.length; i++) assert.equal(all[i], (i % 13) * PAGE, `request ${i} of cq-big`);
  });

  it("discovers ClusterQueues through the preferred kueue.x-k8s.io version and sends the token", function () {
    assert.ok(api.requestsTo(/^\/apis\/kueue\.x-k8s\.io$/).length > 0, "no discovery request");
    assert.ok(api.requestsTo(/^\/apis\/kueue\.x-k8s\.io\/v1beta2\/clusterqueues$/).length > 0);
    assert.equal(api.requestsTo(/^\/apis\/kueue\.x-k8s\.io\/v1beta1\//).length, 0);
    assert.equal(api.requestsTo(/^\/apis\/visibility\.kueue\.x-k8s\.io\/v1beta1\//).length, 0);
    assert.ok(api.requests.every((r) => r.authorization === `Bearer ${TOKEN}`));
  });

  it("counts pending workloads per LocalQueue", function () {
    const expected = new Map<string, number>();
    for (const [cq, ws] of [["cq-big", big], ["cq-small", small], ["cq-exact", exact]] as const) {
      for (const lq of localQueues(ws).values()) expected.set(`${cq}|${lq.namespace}|${lq.localQueue}`, lq.count);
    }
    const actual = new Map(
      select(e, "kueuex_local_queue_pending_workloads").map((s) => [`${s.labels.cluster_queue}|${s.labels.namespace}|${s.labels.local_queue}`, s.value]),
    );
    assert.deepEqual(actual, expected);
  });

  it("reports position, LocalQueue position, priority and creation time of the first N workloads", function () {
    const lqSeen = new Map<string, number>();
    const expected = big.map((w, i) => {
      const key = `${w.namespace}/${w.localQueue}`;
      const lqPos = lqSeen.get(key) ?? 0;
      lqSeen.set(key, lqPos + 1);
      return { w, i, lqPos };
    });
    for (const { w, i, lqPos } of expected.slice(0, TOP_N)) {
      const labels = { cluster_queue: "cq-big", namespace: w.namespace, local_queue: w.localQueue, workload: w.name };
      assert.equal(value(e, "kueuex_pending_workload_position", labels), i, `position of ${w.name}`);
      assert.equal(value(e, "kueuex_pending_workload_local_queue_position", labels), lqPos, `LocalQueue position of ${w.name}`);
      assert.equal(value(e, "kueuex_pending_workload_priority", labels), w.priority, `priority of ${w.name}`);
      assert.equal(value(e, "kueuex_pending_workload_created_timestamp_seconds", labels), w.createdMs / 1000);
    }
    assert.equal(value(e, "kueuex_pending_workload_priority", { cluster_queue: "cq-small", workload: "small-4" }), 6);
  });

  it("caps per-workload series at KUEUEX_TOP_N per ClusterQueue and counts the rest as truncated", function () {
    for (const m of WORKLOAD_METRICS) {
      assert.equal(select(e, m, { cluster_queue: "cq-big" }).length, TOP_N, m);
      assert.equal(select(e, m, { cluster_queue: "cq-exact" }).length, TOP_N, m);
      assert.equal(select(e, m, { cluster_queue: "cq-small" }).length, 5, m);
      assert.equal(select(e, m, { cluster_queue: "cq-empty" }).length, 0, m);
    }
    const positions = select(e, "kueuex_pending_workload_position", { cluster_queue: "cq-big" }).map((s) => s.value);
    assert.deepEqual(positions.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(value(e, "kueuex_series_truncated_workloads", { cluster_queue: "cq-big" }), 1234 - TOP_N);
    assert.equal(value(e, "kueuex_series_truncated_workloads", { cluster_queue: "cq-small" }), 0);

    // The documented bound: 4·N·CQ + 2·LQ + 17·CQ + self metrics.
    const cqs = 4;
    const lqs = select(e, "kueuex_local_queue_pending_workloads").length;
    const dataSeries = e.samples.filter((s) => s.name.startsWith("kueuex_") && !s.name.startsWith("kueuex_poll_duration") && !["kueuex_up", "kueuex_data_stale", "kueuex_last_successful_poll_timestamp_seconds"].includes(s.name) && !s.name.startsWith("kueuex_api_errors"));
    assert.ok(dataSeries.length <= 4 * TOP_N * cqs + 2 * lqs + 17 * cqs + 1, `${dataSeries.length} data series`);
  });

  it("reports the oldest pending age per ClusterQueue and LocalQueue, and none for an empty queue", function () {
    assertAge(value(e, "kueuex_cluster_queue_oldest_pending_age_seconds", { cluster_queue: "cq-big" }), Math.min(...big.map((w) => w.createdMs)), "cq-big oldest");
    assertAge(value(e, "kueuex_cluster_queue_oldest_pending_age_seconds", { cluster_queue: "cq-small" }), small[4].createdMs, "cq-small oldest");
    assert.equal(value(e, "kueuex_cluster_queue_oldest_pending_age_seconds", { cluster_queue: "cq-empty" }), undefined);
    for (const lq of localQueues(big).values()) {
      const labels = { cluster_queue: "cq-big", namespace: lq.namespace, local_queue: lq.localQueue };
      assertAge(value(e, "kueuex_local_queue_oldest_pending_age_seconds", labels), lq.oldestMs, `oldest in ${lq.namespace}/${lq.localQueue}`);
    }
  });

  it("exposes the current age distribution as cumulative buckets ending in +Inf = _count", function () {
    for (const cq of ["cq-big", "cq-small", "cq-empty", "cq-exact"]) {
      const buckets = LES.map((le) => value(e, "kueuex_pending_workload_age_seconds_bucket", { cluster_queue: cq, le }));
      assert.ok(buckets.every((b) => b !== undefined), `${cq}: a bucket is missing`);
      for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]! >= buckets[i - 1]!, `${cq}: bucket le=${LES[i]} < le=${LES[i - 1]}`);
      const count = value(e, "kueuex_pending_workload_age_seconds_count", { cluster_queue: cq });
      assert.equal(buckets[buckets.length - 1], count);
      assert.equal(count, value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: cq }));
    }
    const smallBuckets = LES.map((le) => value(e, "kueuex_pending_workload_age_seconds_bucket", { cluster_queue: "cq-small", le }));
    assert.deepEqual(smallBuckets, [1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5]);
    const sum = value(e, "kueuex_pending_workload_age_seconds_sum", { cluster_queue: "cq-big" })!;
    const expectedSum = big.reduce((n, w) => n + ageNow(w.createdMs), 0);
    assert.ok(Math.abs(sum - expectedSum) <= 1234 * 5, `sum ${sum} vs ${expectedSum}`);
    assert.equal(e.types.get("kueuex_pending_workload_age_seconds_bucket"), "gauge");
  });

  it("reports its own health: up, not stale, a recent successful poll, no API errors", async function () {
    assert.equal(value(e, "kueuex_up"), 1);
    assert.equal(value(e, "kueuex_data_stale"), 0);
    const last = value(e, "kueuex_last_successful_poll_timestamp_seconds")!;
    assert.ok(Math.abs(Date.now() / 1000 - last) < 10, `last success ${last}`);
    assert.equal(select(e, "kueuex_api_errors_total").length, 0);
    assert.equal(e.types.get("kueuex_poll_duration_seconds"), "histogram");
    assert.equal((await exporter.get("/healthz")).status, 200);
    assert.equal((await exporter.get("/readyz")).status, 200);
    assert.equal((await exporter.get("/nope")).status, 404);
    const res = await exporter.get("/metrics");
    assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  });

  it("writes an exposition Prometheus' own parser accepts (promtool check metrics)", async function () {
    const body = (await exporter.get("/metrics")).body;
    const r = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
    if (r.error) this.skip(); // promtool not installed (.ci/run installs it)
    // Exit 1 = unparseable; 3 = lint findings only. The expected findings: the age distribution is a
    // gauge named like a histogram on purpose (see exporter/README.md), and prom-client's nodejs_*_total gauges.
    assert.ok(r.status === 0 || r.status === 3, `promtool exit ${r.status}: ${r.stderr}${r.stdout}`);
    const findings = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
    const allowed = [
      /^kueuex_pending_workload_age_seconds_(bucket|count|sum) non-histogram/,
      /^nodejs_\w+_total non-counter metrics should not have "_total" suffix$/,
    ];
    const unexpected = findings.filter((l) => !allowed.some((re) => re.test(l)));
    assert.deepEqual(unexpected, []);
  });

  it("follows changes: a deleted ClusterQueue's series disappear, new workloads are counted", async function () {
    api.deleteClusterQueue("cq-small");
    api.setClusterQueue("cq-empty", small.slice(0, 2));
    const after = await exporter.waitForMetrics("cq-small gone", (x) => value(x, "kueuex_cluster_queues") === 3 && value(x, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-empty" }) === 2);
    assert.equal(select(after, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-small" }).length, 0);
    assert.equal(select(after, "kueuex_local_queue_pending_workloads", { cluster_queue: "cq-small" }).length, 0);
    assert.equal(select(after, "kueuex_pending_workload_position", { cluster_queue: "cq-small" }).length, 0);
    assert.equal(select(after, "kueuex_pending_workload_age_seconds_bucket", { cluster_queue: "cq-small" }).length, 0);
    assert.equal(select(after, "kueuex_pending_workload_position", { cluster_queue: "cq-empty" }).length, 2);
    assert.equal(value(after, "kueuex_up"), 1);
  });
});

describe("kueue exporter: an older Kueue that serves only v1beta1", function () {
  const api = new FakeKubeApi();
  let exporter: ExporterProcess;

  before(async function () {
    api.kueueVersions = ["v1beta1"];
    api.visibilityVersions = ["v1beta1"];
    const now = Date.now();
    api.setClusterQueue("cq-1", generateWorkloads({ count: 150, localQueues: [["ns", "lq"]], nowMs: now, prefix: "a" }));
    api.setClusterQueue("cq-2", generateWorkloads({ count: 3, localQueues: [["ns", "lq2"]], nowMs: now, prefix: "b" }));
    api.setClusterQueue("cq-3", []);
    await api.start();
    exporter = await ExporterProcess.start({
      KUEUEX_API_URL: api.url,
      KUEUEX_PAGE_SIZE: "100",
      KUEUEX_POLL_INTERVAL_SECONDS: "0.2",
      KUEUEX_CONCURRENCY: "2",
    });
  });

  after(async function () {
    await exporter?.kill();
    await api.stop();
  });

  it("falls back to v1beta1 for both APIs, remembers it, and counts no error", async function () {
    const e = await exporter.waitForMetrics("a successful poll", (x) => value(x, "kueuex_up") === 1);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-1" }), 150);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-2" }), 3);
    assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq-3" }), 0);
    assert.ok(api.requestsTo(/^\/apis\/kueue\.x-k8s\.io\/v1beta1\/clusterqueues$/).length > 0);
    assert.equal(api.requestsTo(/^\/apis\/kueue\.x-k8s\.io\/v1beta2\//).length, 0, "discovery said v1beta1");

    const v1beta2Tries = api.requestsTo(/^\/apis\/visibility\.kueue\.x-k8s\.io\/v1beta2\//).length;
    assert.ok(v1beta2Tries >= 1 && v1beta2Tries <= 2, `${v1beta2Tries} v1beta2 tries; at most one per concurrent worker`);
    const later = await exporter.waitForPolls(3);
    assert.equal(api.requestsTo(/^\/apis\/visibility\.kueue\.x-k8s\.io\/v1beta2\//).length, v1beta2Tries, "v1beta2 tried again after v1beta1 worked");
    assert.equal(select(later, "kueuex_api_errors_total").length, 0);
    assert.equal(value(later, "kueuex_up"), 1);
    assert.ok(exporter.logs.some((l) => l.msg === "visibility API version switched" && l.to === "v1beta1"));
  });
});
