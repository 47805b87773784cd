/**
 * The hub's write gateway, run for real: Debian's nginx with the configuration and htpasswd the program
 * declares (components/hub/gateway.ts), in front of a local stand-in for Thanos Receive; then a real
 * Prometheus remote-writes through it with the basic auth and tenant header a cluster stack declares.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { gatewayConfig, RECEIVE_PATH, sshaEntry } from "../../components/hub/gateway";
import { findTool, startPrometheus, tempDir, type PrometheusServer } from "../support/prometheus";
import { listenOnLoopback } from "../../scripts/synthetic/listen";

const WRITERS = [
  { username: "prod-eu1", password: "s3cret-prod", tenants: ["platform", "payments"] },
  { username: "staging-eu1", password: "s3cret-staging", tenants: ["platform"] },
];

interface Seen {
  path: string;
  tenant?: string;
  authorization?: string;
  bytes: number;
}

function receiver(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    let bytes = 0;
    req.on("data", (c) => (bytes += c.length));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", tenant: req.headers["thanos-tenant"] as string | undefined, authorization: req.headers.authorization, bytes });
      res.writeHead(200).end();
    });
  });
  return listenOnLoopback(s).then(({ port, close }) => ({ url: `http://127.0.0.1:${port}`, seen, close }));
}

async function freePort(): Promise<number> {
  const { port, close } = await listenOnLoopback(http.createServer());
  await close();
  return port;
}

async function waitFor(url: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("hub write gateway (real nginx)", function () {
  this.timeout(60_000);
  let work: string;
  let nginx: ChildProcess;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let url: string;
  let logFile = "";
  const logs = () => (logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");

  before(async () => {
    work = tempDir("gateway");
    rx = await receiver();
    const port = await freePort();
    fs.mkdirSync(path.join(work, "secrets"));
    fs.writeFileSync(path.join(work, "secrets", "htpasswd"), WRITERS.map((w) => sshaEntry(w.username, w.password)).join("\n") + "\n");
    // Started as root (CI), nginx's workers run as nobody: they must be able to read what the pod mounts.
    fs.chmodSync(work, 0o755);
    fs.chmodSync(path.join(work, "secrets"), 0o755);
    fs.chmodSync(path.join(work, "secrets", "htpasswd"), 0o644);
    const conf = gatewayConfig(WRITERS, rx.url, { port, stateDir: work, secretsDir: path.join(work, "secrets") }).replace(/listen (\d+);/, "listen 127.0.0.1:$1;");
    fs.writeFileSync(path.join(work, "nginx.conf"), conf);
    // Output to a file: nginx opens /dev/stdout itself (its access log), which a pipe to node cannot be.
    logFile = path.join(work, "nginx.log");
    const fd = fs.openSync(logFile, "w");
    nginx = spawn(findTool("nginx"), ["-p", work, "-c", path.join(work, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"], { stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/healthz`).catch((e) => {
      throw new Error(`${e.message}\n${logs()}`);
    });
  });

  after(async () => {
    nginx?.kill("SIGTERM");
    await rx?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const post = (auth: string | undefined, tenant: string | undefined, p = RECEIVE_PATH) =>
    fetch(`${url}${p}`, { method: "POST", body: "x", headers: { ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {}), ...(tenant ? { "THANOS-TENANT": tenant } : {}) } });

  it("forwards a writer's request into one of its tenants, with the tenant header and without its credentials", async () => {
    const n = rx.seen.length;
    const r = await post("prod-eu1:s3cret-prod", "payments");
    assert.equal(r.status, 200, logs());
    const got = rx.seen[n];
    assert.deepEqual({ path: got.path, tenant: got.tenant, authorization: got.authorization }, { path: RECEIVE_PATH, tenant: "payments", authorization: undefined });
  });

  it("refuses another writer's tenant (403), a wrong password (401), no credentials or no tenant (403), other paths (404)", async () => {
    const n = rx.seen.length;
    assert.equal((await post("staging-eu1:s3cret-staging", "payments")).status, 403);
    assert.equal((await post("prod-eu1:wrong", "platform")).status, 401);
    assert.equal((await post(undefined, "platform")).status, 403);
    assert.equal((await post("prod-eu1:s3cret-prod", undefined)).status, 403);
    assert.equal((await post("prod-eu1:s3cret-prod", "platform", "/api/v1/query")).status, 404);
    assert.equal(rx.seen.length, n, "nothing refused reached the receiver");
  });

  it("carries a real Prometheus' remote write, configured as a cluster stack's Prometheus is", async function () {
    this.timeout(60_000);
    let prom: PrometheusServer | undefined;
    let hop: Awaited<ReturnType<typeof headerHop>> | undefined;
    const n = rx.seen.length;
    const headers = { "THANOS-TENANT": "payments" };
    try {
      hop = await headerHop(`${url}${RECEIVE_PATH}`, headers);
      // Scrapes a closed port: the `up` series (0) alone is what it writes, through the gateway.
      prom = await startPrometheus({
        dataDir: path.join(work, "prom"),
        configText: [
          "global: { scrape_interval: 1s }",
          "scrape_configs: [{ job_name: nothing, static_configs: [{ targets: ['127.0.0.1:1'] }] }]",
          "remote_write:",
          `  - url: ${hop.url}`,
          `    headers: ${JSON.stringify(headers)}`,
          "    basic_auth: { username: prod-eu1, password: s3cret-prod }",
          "    queue_config: { batch_send_deadline: 1s }",
          "",
        ].join("\n"),
      });
      const end = Date.now() + 30_000;
      while (!rx.seen.slice(n).some((s) => s.tenant === "payments" && s.bytes > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
      const writes = rx.seen.slice(n);
      assert.ok(writes.length > 0, `no remote write reached the receiver through the gateway\n${logs()}`);
      assert.ok(writes.every((w) => w.tenant === "payments" && w.authorization === undefined && w.path === RECEIVE_PATH));
      // The gateway got Prometheus' own basic auth and body (snappy protobuf), not the hop's.
      assert.ok(hop.forwarded.length > 0 && hop.forwarded.every((f) => f.authorization?.startsWith("Basic ") && f.contentEncoding === "snappy"));
    } finally {
      await prom?.stop();
      await hop?.close();
    }
  });
});

/**
 * Debian's Prometheus (2.42.0+ds, the one CI installs) loads remote_write `headers` but never sends them
 * (prometheus/prometheus#13030, reproduced here: the request carries basic auth and no THANOS-TENANT). The
 * operator's images are upstream builds, which do. So in front of the gateway, a hop adds the headers the
 * config declares when the request lacks them, and forwards everything else (basic auth, body) unchanged.
 */
function headerHop(target: string, headers: Record<string, string>): Promise<{ url: string; forwarded: { authorization?: string; contentEncoding?: string }[]; close: () => Promise<void> }> {
  const forwarded: { authorization?: string; contentEncoding?: string }[] = [];
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !["host", "content-length", "connection"].includes(k)) out[k] = v;
      for (const [k, v] of Object.entries(headers)) if (!(k.toLowerCase() in out)) out[k] = v;
      forwarded.push({ authorization: req.headers.authorization, contentEncoding: req.headers["content-encoding"] as string | undefined });
      try {
        const r = await fetch(target, { method: "POST", headers: out, body: Buffer.concat(chunks) });
        res.writeHead(r.status).end(Buffer.from(await r.arrayBuffer()));
      } catch (e) {
        res.writeHead(502).end(String(e));
      }
    });
  });
  return listenOnLoopback(s).then(({ port, close }) => ({ url: `http://127.0.0.1:${port}`, forwarded, close }));
}
