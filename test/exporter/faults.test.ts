// Faults of the Kubernetes API: each is counted by cause, the last good data is kept and marked stale, the
// process stays up, and everything recovers when the API does.
import * as assert from "node:assert/strict";
import { ExporterProcess } from "./exporterProcess";
import { Exposition, value } from "./exposition";
import { FakeKubeApi, Fault, generateWorkloads } from "./fakeKubeApi";

const VISIBILITY_ANY = /^\/apis\/visibility\.kueue\.x-k8s\.io\//;
const CQ_LIST = /^\/apis\/kueue\.x-k8s\.io\/v1beta[12]\/clusterqueues$/;
const GOOD = { "cq-a": 250, "cq-b": 30, "cq-c": 3 } as const;

function errors(e: Exposition, code: string): number {
  return value(e, "kueuex_api_errors_total", { code }) ?? 0;
}

function pending(e: Exposition, cq: string): number | undefined {
  return value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: cq });
}

describe("kueue exporter: API faults (real bundle, fake API)", function () {
  const api = new FakeKubeApi();
  let exporter: ExporterProcess;
  const now = Date.now();
  const workloads = (cq: string, n: number) =>
    generateWorkloads({ count: n, localQueues: [["ns-1", "lq-1"], ["ns-2", "lq-2"]], nowMs: now, prefix: cq, seed: n });

  function setGood(): void {
    for (const [cq, n] of Object.entries(GOOD)) api.setClusterQueue(cq, workloads(cq, n));
  }

  /**
   * Injects `faults` and waits until the exporter has counted `code` and marked its data stale. Then it
   * changes the fake's data (so kept data can be told from fresh data) and takes a scrape after two more
   * polls, which it returns once the fault is cleared and the exporter has recovered with the new data.
   */
  async function duringFault(faults: Fault[], code: string): Promise<Exposition> {
    const before = await healthy();
    api.faults = faults;
    const first = await exporter.waitForMetrics(`error code ${code} counted and data marked stale`, (x) =>
      errors(x, code) > errors(before, code) && value(x, "kueuex_data_stale") === 1 && value(x, "kueuex_up") === 0,
    );
    for (const [cq, n] of Object.entries(GOOD)) api.setClusterQueue(cq, workloads(cq, n + 5));
    const during = await exporter.waitForPolls(2);
    assert.equal(value(during, "kueuex_data_stale"), 1);
    assert.equal(value(during, "kueuex_up"), 0);
    assert.ok(errors(during, code) > errors(first, code), `code ${code} is counted on every poll`);
    assert.equal(exporter.exitStatus, undefined, "the exporter exited");
    assert.equal((await exporter.get("/healthz")).status, 200);
    assert.equal((await exporter.get("/readyz")).status, 200);
    assert.ok(value(during, "kueuex_last_successful_poll_timestamp_seconds")! > 0);

    api.faults = [];
    const recovered = await exporter.waitForMetrics("recovery", (x) => value(x, "kueuex_up") === 1 && value(x, "kueuex_data_stale") === 0);
    for (const [cq, n] of Object.entries(GOOD)) assert.equal(pending(recovered, cq), n + 5, `${cq} after recovery`);
    setGood();
    return during;
  }

  /** Waits for a fully successful poll that reports the GOOD counts. */
  function healthy(): Promise<Exposition> {
    return exporter.waitForMetrics("a healthy poll with the good data", (x) =>
      value(x, "kueuex_up") === 1 && value(x, "kueuex_data_stale") === 0 && Object.entries(GOOD).every(([cq, n]) => pending(x, cq) === n),
    );
  }

  function assertKeptAll(e: Exposition): void {
    for (const [cq, n] of Object.entries(GOOD)) assert.equal(pending(e, cq), n, `${cq} must keep its last good count`);
    assert.equal(value(e, "kueuex_cluster_queues"), 3);
  }

  before(async function () {
    setGood();
    await api.start();
    exporter = await ExporterProcess.start({
      KUEUEX_API_URL: api.url,
      KUEUEX_PAGE_SIZE: "100",
      KUEUEX_POLL_INTERVAL_SECONDS: "0.2",
      KUEUEX_REQUEST_TIMEOUT_SECONDS: "0.4",
    });
  });

  // A failed test must not leave its fault behind for the next one.
  afterEach(function () {
    api.faults = [];
    setGood();
  });

  after(async function () {
    await exporter?.kill();
    await api.stop();
  });

  it("401 (token rejected): counted as code 401, last good data kept and stale", async function () {
    assertKeptAll(await duringFault([{ path: /^\/apis\// , status: 401 }], "401"));
  });

  it("403 on the ClusterQueue list: counted as code 403, last good data kept and stale", async function () {
    assertKeptAll(await duringFault([{ path: CQ_LIST, status: 403 }], "403"));
  });

  it("404 from the visibility API (not installed): counted as code 404 after trying both versions", async function () {
    const e = await duringFault([{ path: VISIBILITY_ANY, status: 404 }], "404");
    assertKeptAll(e);
    assert.ok(api.requestsTo(/^\/apis\/visibility\.kueue\.x-k8s\.io\/v1beta1\//).length > 0, "v1beta1 was not tried");
  });

  it("500 for one ClusterQueue: only that queue keeps its old data; the others are fresh", async function () {
    const e = await duringFault([{ path: /\/clusterqueues\/cq-b\/pendingworkloads$/, status: 500 }], "500");
    assert.equal(pending(e, "cq-b"), GOOD["cq-b"], "cq-b keeps its last good count");
    assert.equal(pending(e, "cq-a"), GOOD["cq-a"] + 5, "cq-a is fresh");
    assert.equal(pending(e, "cq-c"), GOOD["cq-c"] + 5, "cq-c is fresh");
    assert.ok(exporter.logs.some((l) => l.code === "500" && l.clusterQueue === "cq-b"), "no error log naming cq-b");
  });

  it("a response slower than KUEUEX_REQUEST_TIMEOUT_SECONDS: counted as timeout", async function () {
    assertKeptAll(await duringFault([{ path: VISIBILITY_ANY, delayMs: 1500 }], "timeout"));
  });

  it("a body that is not JSON: counted as malformed", async function () {
    assertKeptAll(await duringFault([{ path: VISIBILITY_ANY, status: 200, body: '{"items": [ {"metadata": ' }], "malformed"));
  });

  it("JSON of the wrong shape: counted as malformed, and the log names the field", async function () {
    const item = { metadata: { name: "w", namespace: "n", creationTimestamp: "2026-01-01T00:00:00Z" }, priority: 0, localQueueName: "lq", positionInClusterQueue: "first", positionInLocalQueue: 0 };
    assertKeptAll(await duringFault([{ path: VISIBILITY_ANY, status: 200, body: JSON.stringify({ items: [item] }) }], "malformed"));
    assert.match(exporter.stderr, /items\[0\]\.positionInClusterQueue: expected a non-negative integer, got \\"first\\"/);
  });

  it("a ClusterQueue list of the wrong shape: counted as malformed, naming the field", async function () {
    assertKeptAll(await duringFault([{ path: CQ_LIST, status: 200, body: JSON.stringify({ items: [{ metadata: {} }] }) }], "malformed"));
    assert.match(exporter.stderr, /items\[0\]\.metadata\.name: expected a non-empty string/);
  });

  it("connection refused (API server down): counted as network, data kept, recovers when it is back", async function () {
    const before = await healthy();
    const port = api.port;
    await api.stop();
    const during = await exporter.waitForMetrics("network errors", (x) => errors(x, "network") > errors(before, "network") && value(x, "kueuex_data_stale") === 1);
    assertKeptAll(during);
    assert.equal(value(during, "kueuex_up"), 0);
    await api.start({ port });
    await exporter.waitForMetrics("recovery", (x) => value(x, "kueuex_up") === 1 && value(x, "kueuex_data_stale") === 0);
  });
});

describe("kueue exporter: an API server that never answered", function () {
  it("is ready after its first (failed) poll, reports up=0 and not stale, and keeps running", async function () {
    // Find a port nobody listens on: start and stop a fake.
    const api = await new FakeKubeApi().start();
    const url = api.url;
    await api.stop();
    const exporter = await ExporterProcess.start({ KUEUEX_API_URL: url, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      const e = await exporter.waitForMetrics("network errors", (x) => errors(x, "network") >= 2);
      assert.equal(value(e, "kueuex_up"), 0);
      assert.equal(value(e, "kueuex_data_stale"), 0, "no earlier data, so nothing is stale");
      assert.equal(value(e, "kueuex_last_successful_poll_timestamp_seconds"), 0);
      assert.equal(e.samples.filter((s) => s.name === "kueuex_cluster_queue_pending_workloads").length, 0);
      assert.equal((await exporter.get("/readyz")).status, 200);
      assert.equal(exporter.exitStatus, undefined);
    } finally {
      await exporter.kill();
    }
  });
});

describe("kueue exporter: an outage of many ClusterQueues", function () {
  it("counts every failed request but logs at most 20 errors a poll", async function () {
    const api = new FakeKubeApi();
    for (let i = 0; i < 25; i++) api.setClusterQueue(`cq-${i}`, generateWorkloads({ count: 1, localQueues: [["ns", "lq"]], nowMs: Date.now() }));
    api.faults = [{ path: VISIBILITY_ANY, status: 500 }];
    await api.start();
    const exporter = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      const e = await exporter.waitForPolls(2);
      const polls = value(e, "kueuex_poll_duration_seconds_count")!;
      assert.ok(errors(e, "500") >= 25 * polls - 25, `${errors(e, "500")} errors counted in ${polls} polls`);
      const summaries = exporter.logs.filter((l) => typeof l.msg === "string" && l.msg.startsWith("poll incomplete"));
      assert.ok(summaries.length >= 2);
      for (const s of summaries) {
        assert.equal(s.failedClusterQueueCount, 25);
        assert.equal(s.suppressedErrorLogs, 5);
      }
      const errorLines = exporter.logs.filter((l) => l.msg === "Kubernetes API request failed").length;
      assert.ok(errorLines <= 20 * (summaries.length + 1), `${errorLines} error lines for ${summaries.length} polls`);
    } finally {
      await exporter.kill();
      await api.stop();
    }
  });
});
