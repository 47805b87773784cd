// The exporter's pure parts, tested directly: configuration, response validation, summaries, the bundle.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CONFIGMAP_LIMIT_BYTES, buildExporterBundle } from "../../exporter/bundle";
import { DEFAULTS, loadConfig } from "../../exporter/src/config";
import { ApiError } from "../../exporter/src/kube";
import { WorkloadRecord, parseApiGroup, parseClusterQueueList, parsePendingWorkloadsSummary } from "../../exporter/src/kueue";
import { AGE_BUCKETS, summarize } from "../../exporter/src/snapshot";

describe("exporter config", function () {
  it("fills every default when only KUEUEX_API_URL is set", function () {
    const { config, errors } = loadConfig({ KUEUEX_API_URL: "http://127.0.0.1:8001/" });
    assert.deepEqual(errors, []);
    assert.deepEqual(config, {
      ...DEFAULTS,
      listenHost: undefined,
      api: { source: "KUEUEX_API_URL", baseUrl: "http://127.0.0.1:8001", token: undefined, ca: undefined, insecureSkipTlsVerify: false },
    });
    assert.deepEqual(DEFAULTS, { port: 8080, pollIntervalSeconds: 30, topN: 20, pageSize: 500, concurrency: 4, requestTimeoutSeconds: 10 });
  });

  it("keeps an explicit 0 for KUEUEX_TOP_N and accepts fractional seconds", function () {
    const { config } = loadConfig({ KUEUEX_API_URL: "http://a:1", KUEUEX_TOP_N: "0", KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    assert.equal(config?.topN, 0);
    assert.equal(config?.pollIntervalSeconds, 0.2);
  });

  it("reports all problems at once with exact messages", function () {
    const { config, errors } = loadConfig({
      KUEUEX_API_URL: "http://a:1?x=1",
      KUEUEX_PORT: "65536",
      KUEUEX_TOP_N: "1.5",
      KUEUEX_REQUEST_TIMEOUT_SECONDS: "0",
      KUEUEX_TOKEN: "secret",
      KUEUEX_TOKEN_FILE: "/nonexistent/token",
    });
    assert.equal(config, undefined);
    assert.deepEqual(errors, [
      'KUEUEX_PORT: "65536" is out of range; use an integer from 0 to 65535',
      'KUEUEX_TOP_N: "1.5" is not an integer; use an integer from 0 to 1000',
      'KUEUEX_REQUEST_TIMEOUT_SECONDS: "0" is out of range; use a number of seconds from 0.05 to 600 (fractions allowed, e.g. 0.5)',
      'KUEUEX_API_URL: "http://a:1?x=1" must not carry a query, a fragment or credentials; use KUEUEX_TOKEN for credentials',
      'KUEUEX_TOKEN_FILE: "/nonexistent/token" conflicts with KUEUEX_TOKEN; set only one of them',
      'KUEUEX_TOKEN_FILE: "/nonexistent/token" is not a readable file; use the path of an existing file',
    ]);
  });

  it("never echoes KUEUEX_TOKEN, and rejects it without KUEUEX_API_URL", function () {
    const { errors } = loadConfig({ KUEUEX_TOKEN: "s3cret", KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" });
    assert.ok(errors.includes("KUEUEX_TOKEN: (hidden) is only used with KUEUEX_API_URL; set KUEUEX_API_URL or unset KUEUEX_TOKEN"));
    assert.ok(!errors.join("\n").includes("s3cret"));
  });

  it("builds the in-cluster URL from KUBERNETES_SERVICE_HOST/PORT, bracketing IPv6", function () {
    // The CA file does not exist here, so the config is rejected; the message says why.
    const { errors } = loadConfig({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" });
    assert.deepEqual(errors, [
      'KUBERNETES_SERVICE_HOST: "fd00::1" selects in-cluster mode, but /var/run/secrets/kubernetes.io/serviceaccount/ca.crt is not readable; mount the service-account token (automountServiceAccountToken: true) or set KUEUEX_API_URL',
    ]);
  });
});

describe("exporter response validation", function () {
  const path = "/apis/visibility.kueue.x-k8s.io/v1beta2/clusterqueues/cq/pendingworkloads?limit=1&offset=0";
  const good = {
    metadata: { name: "w", namespace: "ns", creationTimestamp: "2026-01-01T00:00:00Z", ownerReferences: [] },
    priority: -5,
    localQueueName: "lq",
    positionInClusterQueue: 0,
    positionInLocalQueue: 0,
  };

  function failure(body: unknown): ApiError {
    try {
      parsePendingWorkloadsSummary(path, body);
    } catch (err) {
      assert.ok(err instanceof ApiError);
      return err;
    }
    assert.fail("no error");
  }

  it("reads a PendingWorkloadsSummary item", function () {
    assert.deepEqual(parsePendingWorkloadsSummary(path, { kind: "PendingWorkloadsSummary", items: [good] }), [
      { name: "w", namespace: "ns", localQueue: "lq", priority: -5, positionInClusterQueue: 0, positionInLocalQueue: 0, createdMs: Date.parse("2026-01-01T00:00:00Z") },
    ]);
    assert.deepEqual(parsePendingWorkloadsSummary(path, { items: null }), []);
  });

  it("names the field and the value when the shape is wrong", function () {
    assert.equal(failure({ items: {} }).message, `${path}: items: expected an array, got {}`);
    assert.equal(failure({ items: [{ ...good, priority: 1.5 }] }).message, `${path}: items[0].priority: expected an integer, got 1.5`);
    assert.equal(failure({ items: [good, { ...good, positionInLocalQueue: -1 }] }).message, `${path}: items[1].positionInLocalQueue: expected a non-negative integer, got -1`);
    assert.equal(
      failure({ items: [{ ...good, metadata: { ...good.metadata, creationTimestamp: "yesterday" } }] }).message,
      `${path}: items[0].metadata.creationTimestamp: expected an RFC 3339 time, got "yesterday"`,
    );
    assert.equal(failure({ items: [{ ...good, metadata: { ...good.metadata, name: "" } }] }).message, `${path}: items[0].metadata.name: expected a non-empty string, got ""`);
    assert.equal(failure([]).code, "malformed");
  });

  it("reads discovery and ClusterQueue lists, with continue tokens", function () {
    assert.equal(parseApiGroup("/apis/kueue.x-k8s.io", { preferredVersion: { groupVersion: "kueue.x-k8s.io/v1beta2", version: "v1beta2" } }), "v1beta2");
    assert.throws(() => parseApiGroup("/apis/kueue.x-k8s.io", { preferredVersion: { version: "../v1" } }), /preferredVersion\.version: expected a Kubernetes API version/);
    assert.deepEqual(parseClusterQueueList("/l", { metadata: { continue: "abc" }, items: [{ metadata: { name: "b" } }, { metadata: { name: "a" } }] }), {
      names: ["b", "a"],
      continueToken: "abc",
    });
  });
});

describe("exporter summaries", function () {
  const now = Date.parse("2026-06-01T12:00:00Z");
  const w = (i: number, ageS: number, lq = "lq", ns = "ns"): WorkloadRecord => ({
    name: `w${i}`,
    namespace: ns,
    localQueue: lq,
    priority: 0,
    positionInClusterQueue: i,
    positionInLocalQueue: 0,
    createdMs: now - ageS * 1000,
  });

  it("counts a workload whose age equals a bound into that bucket (le = less or equal)", function () {
    const s = summarize("cq", [w(0, 60), w(1, 61), w(2, 604800), w(3, 604801)], now, 2);
    assert.deepEqual(s.bucketCounts, [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 4]);
    assert.equal(s.bucketCounts.length, AGE_BUCKETS.length + 1);
    assert.equal(s.ageSumSeconds, 60 + 61 + 604800 + 604801);
    assert.equal(s.oldestAgeSeconds, 604801);
    assert.deepEqual(s.top.map((x) => x.name), ["w0", "w1"]);
    assert.equal(s.truncated, 2);
  });

  it("has no oldest age for an empty queue, and clamps a future creation time to age 0", function () {
    const empty = summarize("cq", [], now, 5);
    assert.equal(empty.oldestAgeSeconds, undefined);
    assert.deepEqual(empty.bucketCounts, new Array(AGE_BUCKETS.length + 1).fill(0));
    assert.equal(summarize("cq", [w(0, -30)], now, 5).oldestAgeSeconds, 0);
  });

  it("groups LocalQueues by namespace and name", function () {
    const s = summarize("cq", [w(0, 10, "a", "x"), w(1, 20, "a", "y"), w(2, 30, "a", "x")], now, 5);
    assert.deepEqual(s.localQueues, [
      { namespace: "x", localQueue: "a", pending: 2, oldestAgeSeconds: 30 },
      { namespace: "y", localQueue: "a", pending: 1, oldestAgeSeconds: 20 },
    ]);
  });
});

describe("exporter bundle", function () {
  it("is one deterministic CommonJS file that fits in a ConfigMap, with a matching hash", function () {
    const a = buildExporterBundle();
    const b = buildExporterBundle();
    assert.equal(a.code, b.code, "two builds differ");
    assert.equal(a.sha256, createHash("sha256").update(a.code).digest("hex"));
    assert.equal(a.bytes, Buffer.byteLength(a.code));
    assert.ok(a.bytes < CONFIGMAP_LIMIT_BYTES, `${a.bytes} bytes does not fit in a ConfigMap (1 MiB)`);
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
    assert.doesNotMatch(a.code, /\/work\/|node_modules\//, "build paths leaked into the bundle");
    assert.doesNotMatch(a.code, /require\("(prom-client|yaml|esbuild)"\)/, "a dependency was left external");
  });
});
