// Benchmark of the Kueue pending-workloads exporter: the real bundle against a fake API holding 100k
// pending workloads over 200 ClusterQueues, and the floor (plain http + JSON.parse of the same pages).
// Run: npx tsx bench/exporter.ts   (about a minute on 2 cores; everything stays on 127.0.0.1)
//
// The fake API runs in its own process so that neither the exporter's nor the floor's CPU figures include
// serving the pages.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { buildExporterBundle } from "../exporter/bundle";
import { parseExposition } from "../test/exporter/exposition";
import { FakeKubeApi, FakeWorkload, prng } from "../test/exporter/fakeKubeApi";

const WORKLOADS = 100_000;
const CLUSTER_QUEUES = 200;
const NAMESPACES = 60;
const PAGE_SIZE = 500; // the exporter's default
const CONCURRENCY = 4; // the exporter's default
const MEASURED_POLLS = 5;
const SCRAPES = 25;
const FLOOR_RUNS = 3;

// ---------------------------------------------------------------------------------------------------
// Fake API process (bench/exporter.ts --serve)

function populate(api: FakeKubeApi): void {
  const rnd = prng(42);
  const now = Date.now();
  // Skewed queue sizes (a few large ClusterQueues, many small ones), as in real clusters.
  const weights = Array.from({ length: CLUSTER_QUEUES }, (_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w) => (cumulative.push(acc + w / total), acc + w / total), 0);
  const queues: FakeWorkload[][] = Array.from({ length: CLUSTER_QUEUES }, () => []);
  const lqs = Array.from({ length: CLUSTER_QUEUES }, () =>
    Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, j) => [`ns-${Math.floor(rnd() * NAMESPACES)}`, `lq-${j}`] as const),
  );
  for (let i = 0; i < WORKLOADS; i++) {
    const r = rnd();
    let q = cumulative.findIndex((c) => r <= c);
    if (q < 0) q = CLUSTER_QUEUES - 1;
    const [namespace, localQueue] = lqs[q][Math.floor(rnd() * lqs[q].length)];
    queues[q].push({
      namespace,
      localQueue,
      name: `job-${i.toString(36)}-${Math.floor(rnd() * 1e6).toString(36)}`,
      priority: [0, 0, 10, 100, 1000, -5][Math.floor(rnd() * 6)],
      createdMs: Math.floor((now - rnd() * 7 * 86400 * 1000) / 1000) * 1000,
    });
  }
  queues.forEach((ws, i) => api.setClusterQueue(`cq-${String(i).padStart(3, "0")}`, ws));
}

async function serve(): Promise<void> {
  const api = new FakeKubeApi();
  api.recordRequests = false;
  populate(api);
  await api.start();
  process.stdout.write(JSON.stringify({ url: api.url }) + "\n");
  process.on("SIGTERM", () => void api.stop().then(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------------
// Measurement helpers

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let partial = "";
  child.stdout!.on("data", (c: Buffer) => {
    const parts = (partial + c.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    parts.forEach(onLine);
  });
}

const CLK_TCK = 100; // Linux USER_HZ; `getconf CLK_TCK` is 100 on every mainstream kernel build

/** utime + stime of a process in seconds, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function statusKb(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

function get(agent: http.Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SCRAPES sequential scrapes of /metrics; latencies in ms and the last body. */
async function scrapes(port: number): Promise<{ latencies: number[]; body: string }> {
  const agent = new http.Agent({ keepAlive: true });
  const latencies: number[] = [];
  let body = "";
  for (let i = 0; i < SCRAPES; i++) {
    const s = process.hrtime.bigint();
    const r = await get(agent, `http://127.0.0.1:${port}/metrics`);
    latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
    body = r.body;
  }
  agent.destroy();
  return { latencies, body };
}

/** The floor: the same requests with plain http + JSON.parse, no validation, no metrics. */
async function floor(base: string): Promise<{ seconds: number; cpu: number; workloads: number; requests: number; bytes: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 1 });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let requests = 0;
  let bytes = 0;
  const json = async (p: string) => {
    const r = await get(agent, base + p);
    requests++;
    bytes += r.body.length;
    return JSON.parse(r.body) as { items: Array<{ metadata: { name: string } }>; metadata?: { continue?: string } };
  };
  await json("/apis/kueue.x-k8s.io");
  const names: string[] = [];
  let cont: string | undefined;
  do {
    const page = await json(`/apis/kueue.x-k8s.io/v1beta2/clusterqueues?limit=500${cont ? `&continue=${cont}` : ""}`);
    names.push(...page.items.map((i) => i.metadata.name));
    cont = page.metadata?.continue;
  } while (cont);
  let workloads = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < names.length) {
        const cq = names[next++];
        for (let offset = 0; ; offset += PAGE_SIZE) {
          const page = await json(`/apis/visibility.kueue.x-k8s.io/v1beta2/clusterqueues/${cq}/pendingworkloads?limit=${PAGE_SIZE}&offset=${offset}`);
          workloads += page.items.length;
          if (page.items.length < PAGE_SIZE) break;
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(cpu0);
  agent.destroy();
  return { seconds, cpu: (c.user + c.system) / 1e6, workloads, requests, bytes };
}

// ---------------------------------------------------------------------------------------------------

async function bench(): Promise<void> {
  const started = Date.now();
  const rows: Array<[string, string]> = [];
  const row = (k: string, v: string) => rows.push([k, v]);

  const t0 = Date.now();
  const bundle = buildExporterBundle();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kueuex-bench-"));
  const bundleFile = path.join(dir, "kueue-exporter.js");
  fs.writeFileSync(bundleFile, bundle.code);
  row("bundle", `${bundle.bytes} bytes (${((bundle.bytes / 1048576) * 100).toFixed(1)}% of 1 MiB), built in ${Date.now() - t0} ms`);

  const children: ChildProcess[] = [];
  const cleanup = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);

  // Fake API in its own process.
  const server = spawn(process.execPath, [...process.execArgv, __filename, "--serve"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(server);
  let apiUrl = "";
  lines(server, (l) => {
    if (l.startsWith("{")) apiUrl = (JSON.parse(l) as { url: string }).url;
  });
  await until("the fake API", () => apiUrl !== "", 60_000);
  row("fake API", `${WORKLOADS} workloads over ${CLUSTER_QUEUES} ClusterQueues at ${apiUrl} (generated in ${Date.now() - t0} ms)`);

  // Floor first, while nothing else runs.
  const floors = [];
  for (let i = 0; i < FLOOR_RUNS; i++) floors.push(await floor(apiUrl));
  const f = floors.sort((a, b) => a.seconds - b.seconds)[Math.floor(FLOOR_RUNS / 2)];
  if (f.workloads !== WORKLOADS) throw new Error(`floor saw ${f.workloads} workloads, expected ${WORKLOADS}`);

  // The exporter.
  const spawnedAt = Date.now();
  const exporter = spawn(process.execPath, [bundleFile], {
    env: {
      PATH: process.env.PATH ?? "",
      KUEUEX_API_URL: apiUrl,
      KUEUEX_PORT: "0",
      KUEUEX_LISTEN_HOST: "127.0.0.1",
      KUEUEX_POLL_INTERVAL_SECONDS: "1",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(exporter);
  const pid = exporter.pid!;
  let port = 0;
  const polls: Array<{ ok: boolean; durationSeconds: number; pendingWorkloads: number; at: number }> = [];
  lines(exporter, (l) => {
    const rec = JSON.parse(l) as Record<string, unknown>;
    if (rec.msg === "listening") port = Number(rec.port);
    if (rec.msg === "poll complete" || String(rec.msg).startsWith("poll ")) {
      polls.push({ ok: rec.ok === true, durationSeconds: Number(rec.durationSeconds), pendingWorkloads: Number(rec.pendingWorkloads), at: Date.now() });
    }
  });
  await until("the first poll", () => polls.length >= 1, 60_000);
  const firstPollMs = polls[0].at - spawnedAt;
  if (!polls[0].ok || polls[0].pendingWorkloads !== WORKLOADS) throw new Error(`first poll: ${JSON.stringify(polls[0])}`);

  const cpu0 = cpuSeconds(pid);
  const from = polls.length;
  const wall0 = Date.now();
  await until(`${MEASURED_POLLS} polls`, () => polls.length >= from + MEASURED_POLLS, 120_000);
  const cpu1 = cpuSeconds(pid);
  const wall1 = Date.now();
  const measured = polls.slice(from, from + MEASURED_POLLS);
  if (!measured.every((p) => p.ok)) throw new Error("a measured poll failed");

  // Scrapes, while polling goes on.
  const busy = await scrapes(port);
  const body = busy.body;
  const e = parseExposition(body);
  const own = e.samples.filter((s) => s.name.startsWith("kueuex_"));
  const perWorkload = e.samples.filter((s) => s.name.startsWith("kueuex_pending_workload_") && !s.name.startsWith("kueuex_pending_workload_age_"));
  const heapUsed = e.samples.find((s) => s.name === "nodejs_heap_size_used_bytes")?.value ?? NaN;
  const heapTotal = e.samples.find((s) => s.name === "nodejs_heap_size_total_bytes")?.value ?? NaN;
  const histSum = own.find((s) => s.name === "kueuex_poll_duration_seconds_sum")!.value;
  const histCount = own.find((s) => s.name === "kueuex_poll_duration_seconds_count")!.value;

  const hwmKb = statusKb(pid, "VmHWM");
  const rssKb = statusKb(pid, "VmRSS");
  const stopAt = Date.now();
  exporter.kill("SIGTERM");
  const code = await new Promise<number | null>((r) => exporter.on("exit", (c) => r(c)));
  const stopMs = Date.now() - stopAt;

  // A second exporter that polls once and then idles: scrape latency without a poll in progress.
  const idle = spawn(process.execPath, [bundleFile], {
    env: { PATH: process.env.PATH ?? "", KUEUEX_API_URL: apiUrl, KUEUEX_PORT: "0", KUEUEX_LISTEN_HOST: "127.0.0.1", KUEUEX_POLL_INTERVAL_SECONDS: "3600" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(idle);
  let idlePort = 0;
  let idlePolled = false;
  lines(idle, (l) => {
    const rec = JSON.parse(l) as Record<string, unknown>;
    if (rec.msg === "listening") idlePort = Number(rec.port);
    if (rec.msg === "poll complete") idlePolled = true;
  });
  await until("the idle exporter's poll", () => idlePolled, 60_000);
  const quiet = await scrapes(idlePort);
  idle.kill("SIGTERM");
  server.kill("SIGTERM");

  const durations = measured.map((p) => p.durationSeconds);
  const cpuPerPoll = (cpu1 - cpu0) / MEASURED_POLLS;
  row("floor: fetch + JSON.parse", `${f.seconds.toFixed(3)} s wall, ${f.cpu.toFixed(3)} s CPU, ${f.requests} requests, ${(f.bytes / 1e6).toFixed(1)} MB (median of ${FLOOR_RUNS})`);
  row("exporter: first poll", `${firstPollMs} ms after spawn (incl. Node start)`);
  row("exporter: poll cycle", `p50 ${quantile(durations, 0.5).toFixed(3)} s, max ${Math.max(...durations).toFixed(3)} s over ${MEASURED_POLLS} polls (histogram mean ${(histSum / histCount).toFixed(3)} s)`);
  row("exporter: CPU per poll", `${cpuPerPoll.toFixed(3)} s (${((cpuPerPoll / f.cpu) || 0).toFixed(2)}× the floor's CPU); ${(cpu1 - cpu0).toFixed(2)} s CPU in ${((wall1 - wall0) / 1000).toFixed(1)} s wall`);
  row("exporter: memory", `peak RSS (VmHWM) ${(hwmKb / 1024).toFixed(1)} MiB, RSS now ${(rssKb / 1024).toFixed(1)} MiB, V8 heap used ${(heapUsed / 1048576).toFixed(1)} of ${(heapTotal / 1048576).toFixed(1)} MiB`);
  const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p90 ${quantile(xs, 0.9).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  row("/metrics latency, idle", `${fmt(quiet.latencies)} over ${SCRAPES} scrapes (no poll running)`);
  row("/metrics latency, busy", `${fmt(busy.latencies)} over ${SCRAPES} scrapes (polls back to back)`);
  row("/metrics size", `${Buffer.byteLength(body)} bytes, ${e.samples.length} samples (${own.length} kueuex_*, ${perWorkload.length} per-workload)`);
  row("SIGTERM", `exit code ${code} after ${stopMs} ms`);
  row("total bench time", `${((Date.now() - started) / 1000).toFixed(1)} s`);

  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nKueue exporter benchmark (${os.cpus().length} CPUs, Node ${process.version}; page size ${PAGE_SIZE}, concurrency ${CONCURRENCY}, top N 20)\n`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log("");
  if (code !== 0) process.exitCode = 1;
}

if (process.argv.includes("--serve")) {
  void serve();
} else {
  bench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
