// Start-up, configuration, credentials and shutdown of the real exporter bundle.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ExporterProcess, scratchDir, waitFor } from "./exporterProcess";
import { value } from "./exposition";
import { FakeKubeApi, generateWorkloads } from "./fakeKubeApi";

function fakeWithOneQueue(): FakeKubeApi {
  const api = new FakeKubeApi();
  api.setClusterQueue("cq", generateWorkloads({ count: 12, localQueues: [["ns", "lq"]], nowMs: Date.now() }));
  return api;
}

describe("kueue exporter: configuration errors", function () {
  it("exits 2 and names every bad variable, its value and what is allowed", async function () {
    const p = ExporterProcess.spawn({
      KUEUEX_API_URL: "ftp://example.invalid",
      KUEUEX_TOP_N: "1001",
      KUEUEX_PAGE_SIZE: "0",
      KUEUEX_POLL_INTERVAL_SECONDS: "soon",
      KUEUEX_CONCURRENCY: "-1",
      KUEUEX_INSECURE_SKIP_TLS_VERIFY: "yes",
      KUEUEX_TOPN: "5",
    });
    const status = await p.exited;
    assert.equal(status.code, 2, p.stderr);
    for (const expected of [
      'KUEUEX_API_URL: \\"ftp://example.invalid\\" has scheme \\"ftp\\"; use http or https',
      'KUEUEX_TOP_N: \\"1001\\" is out of range; use an integer from 0 to 1000',
      'KUEUEX_PAGE_SIZE: \\"0\\" is out of range; use an integer from 1 to 100000',
      'KUEUEX_POLL_INTERVAL_SECONDS: \\"soon\\" is not a number; use a number of seconds from 0.05 to 86400',
      'KUEUEX_CONCURRENCY: \\"-1\\" is not an integer; use an integer from 1 to 64',
      'KUEUEX_INSECURE_SKIP_TLS_VERIFY: \\"yes\\" is not a boolean; use \\"true\\" or \\"false\\"',
      "KUEUEX_TOPN: unknown variable",
    ]) {
      assert.ok(p.stderr.includes(expected), `stderr lacks ${expected}:\n${p.stderr}`);
    }
    assert.ok(!p.logs.some((l) => l.msg === "listening"), "it must not start serving");
  });

  it("exits 2 when it cannot tell where the API server is", async function () {
    const p = ExporterProcess.spawn({});
    assert.equal((await p.exited).code, 2);
    assert.match(p.stderr, /KUEUEX_API_URL: not set, and neither KUBECONFIG nor KUBERNETES_SERVICE_HOST is set/);
  });

  it("exits 2 for a kubeconfig user with an exec plugin, naming it", async function () {
    const file = path.join(scratchDir(), "exec-kubeconfig.yaml");
    fs.writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: c",
        "contexts: [{name: c, context: {cluster: k, user: u}}]",
        "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443'}}]",
        "users: [{name: u, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}}]",
      ].join("\n"),
    );
    const p = ExporterProcess.spawn({ KUBECONFIG: file });
    assert.equal((await p.exited).code, 2);
    assert.match(p.stderr, /user \\"u\\" uses exec, which the exporter does not support/);
  });
});

describe("kueue exporter: lifecycle", function () {
  const api = fakeWithOneQueue();
  before(() => api.start());
  after(() => api.stop());

  it("answers /healthz at once and /readyz only after the first poll has completed", async function () {
    api.faults = [{ path: /^\/apis\/kueue\.x-k8s\.io$/, delayMs: 1500, times: 1 }];
    const p = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      assert.equal((await p.get("/healthz")).status, 200);
      const notReady = await p.get("/readyz");
      assert.equal(notReady.status, 503);
      // A scrape does not wait for the slow API server.
      const e = await p.scrape();
      assert.equal(value(e, "kueuex_up"), 0);
      assert.equal(value(e, "kueuex_poll_duration_seconds_count"), 0);
      await waitFor("/readyz to answer 200", async () => (await p.get("/readyz")).status === 200);
      assert.equal(value(await p.scrape(), "kueuex_up"), 1);
    } finally {
      api.faults = [];
      await p.kill();
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`exits 0 promptly on ${signal}, even with a request hanging`, async function () {
      api.faults = [{ path: /^\/apis\//, delayMs: 30_000 }];
      const p = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_REQUEST_TIMEOUT_SECONDS: "60" });
      try {
        await waitFor("a request in flight", () => api.requests.length > 0 && api.requestsTo(/^\/apis\/kueue\.x-k8s\.io$/).length > 0);
        const started = Date.now();
        const status = await p.stop(signal);
        assert.deepEqual(status, { code: 0, signal: null });
        // Generous: the point is that it does not wait for the 30 s request or a 60 s timeout.
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
        assert.ok(p.logs.some((l) => l.msg === "shutting down" && l.signal === signal));
      } finally {
        api.faults = [];
        await p.kill();
      }
    });
  }
});

describe("kueue exporter: credentials", function () {
  const api = fakeWithOneQueue();
  before(() => api.start());
  after(async () => {
    api.requiredToken = undefined;
    await api.stop();
  });

  it("re-reads KUEUEX_TOKEN_FILE on every poll, so a rotated token is used", async function () {
    const tokenFile = path.join(scratchDir(), "token");
    fs.writeFileSync(tokenFile, "token-one\n");
    api.requiredToken = "token-one";
    const p = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_TOKEN_FILE: tokenFile, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      await p.waitForMetrics("success with the first token", (e) => value(e, "kueuex_up") === 1);
      fs.writeFileSync(tokenFile, "token-two\n");
      api.requiredToken = "token-two";
      const e = await p.waitForMetrics("success with the rotated token", (x) => value(x, "kueuex_up") === 1 && api.requests.at(-1)?.authorization === "Bearer token-two");
      assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq" }), 12);
    } finally {
      await p.kill();
      api.requiredToken = undefined;
    }
  });

  it("reads server and token from the current context of KUBECONFIG", async function () {
    const file = path.join(scratchDir(), "kubeconfig.yaml");
    fs.writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: fake",
        "contexts:",
        "- {name: other, context: {cluster: nowhere, user: nobody}}",
        "- {name: fake, context: {cluster: fake-cluster, user: fake-user}}",
        "clusters:",
        `- {name: fake-cluster, cluster: {server: '${api.url}'}}`,
        "- {name: nowhere, cluster: {server: 'https://192.0.2.1:6443'}}",
        "users:",
        "- {name: fake-user, user: {token: kubeconfig-token}}",
        "- {name: nobody, user: {}}",
      ].join("\n"),
    );
    api.requiredToken = "kubeconfig-token";
    const p = await ExporterProcess.start({ KUBECONFIG: file, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      const e = await p.waitForMetrics("a successful poll", (x) => value(x, "kueuex_up") === 1);
      assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq" }), 12);
      assert.ok(p.logs.some((l) => l.msg === "listening" && l.apiSource === "KUBECONFIG"));
    } finally {
      await p.kill();
      api.requiredToken = undefined;
    }
  });
});

describe("kueue exporter: TLS to the API server", function () {
  const api = fakeWithOneQueue();
  let certFile = "";

  before(async function () {
    const dir = fs.mkdtempSync(path.join(scratchDir(), "tls-"));
    certFile = path.join(dir, "cert.pem");
    const keyFile = path.join(dir, "key.pem");
    try {
      // A self-signed certificate for 127.0.0.1, standing in for the cluster CA + API server certificate.
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1",
      ], { stdio: "ignore" });
    } catch {
      this.skip(); // no openssl on this machine
    }
    await api.start({ tls: { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8") } });
  });
  after(() => api.stop());

  it("trusts the API server through KUEUEX_CA_FILE", async function () {
    const p = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_CA_FILE: certFile, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      const e = await p.waitForMetrics("a successful poll over TLS", (x) => value(x, "kueuex_up") === 1);
      assert.equal(value(e, "kueuex_cluster_queue_pending_workloads", { cluster_queue: "cq" }), 12);
    } finally {
      await p.kill();
    }
  });

  it("refuses an unknown certificate (counted as network) unless KUEUEX_INSECURE_SKIP_TLS_VERIFY=true", async function () {
    const strict = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      const e = await strict.waitForMetrics("a TLS failure", (x) => (value(x, "kueuex_api_errors_total", { code: "network" }) ?? 0) > 0);
      assert.equal(value(e, "kueuex_up"), 0);
      assert.match(strict.stderr, /self[- ]signed certificate/i);
    } finally {
      await strict.kill();
    }
    const insecure = await ExporterProcess.start({ KUEUEX_API_URL: api.url, KUEUEX_INSECURE_SKIP_TLS_VERIFY: "true", KUEUEX_POLL_INTERVAL_SECONDS: "0.2" });
    try {
      await insecure.waitForMetrics("a successful poll without verification", (x) => value(x, "kueuex_up") === 1);
    } finally {
      await insecure.kill();
    }
  });
});
