// Benchmark of the Kueue pending-workloads exporter: the real bundle against a fake API holding 100k
// pending workloads over 200 ClusterQueues, and the floor (plain http + JSON.parse of the same pages).
// Run: npx tsx bench/exporter.ts   (under a minute on 2 cores; everything stays on 127.0.0.1)
//      npx tsx bench/exporter.ts --bundle other.js   measures a bundle built elsewhere (e.g. from another
//      revision, to compare; it must take the same KUEUEX_* variables and log the same poll lines)
//      --page-size N, --concurrency N   run the exporter (and the floor) with other than the defaults
//
// The fake API runs in its own process so that neither the exporter's nor the floor's CPU figures include
// serving the pages. Exporter polls and floor runs alternate (each measured poll is followed by one floor
// run in the idle time before the next poll), so a change in background load hits both sides alike; the
// fake API counts the requests and bytes each side asked for, so both are shown to fetch the same pages.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { buildExporterBundle } from "../exporter/bundle";
import { DEFAULTS } from "../exporter/src/config";
import { parseExposition } from "../test/exporter/exposition";
import { FakeKubeApi, FakeWorkload, prng } from "../test/exporter/fakeKubeApi";

const WORKLOADS = 100_000;
const CLUSTER_QUEUES = 200;
const NAMESPACES = 60;
function option(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
}
// The exporter runs with its defaults unless told otherwise; the floor asks for exactly the same pages.
const PAGE_SIZE = option("--page-size") ?? DEFAULTS.pageSize;
const CONCURRENCY = option("--concurrency") ?? DEFAULTS.concurrency;
const TOP_N = DEFAULTS.topN;
/** Measured exporter polls, each followed by one floor run. */
const MEASURED_POLLS = 7;
/** Seconds between poll starts of the measured exporter: room for a poll and a floor run, even under load. */
const MEASURE_INTERVAL_SECONDS = 3;
const WARMUP_FLOOR_RUNS = 2;
const SCRAPES = 25;
/** Memory the exporter must stay under (issue 12). */
const RSS_LIMIT_MIB = 200;
/** Target for exporter/floor, wall and CPU (issue 12). */
const RATIO_TARGET = 1.5;

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
  // Each line on stdin asks for the counters: requests answered and body bytes sent so far.
  let partial = "";
  process.stdin.on("data", (c: Buffer) => {
    const parts = (partial + c.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (let i = 0; i < parts.length; i++) process.stdout.write(JSON.stringify({ served: api.served }) + "\n");
  });
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

/** utime + stime of a process in seconds, from /proc/<pid>/stat (10 ms ticks; includes exited threads). */
function cpuSecondsTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * CPU time of a process in seconds to the nanosecond: the sum of sum_exec_runtime over its threads
 * (/proc/<pid>/task/<tid>/schedstat, first field), so V8's GC and compiler threads count too. Node's
 * threads live as long as the process; cpuSecondsTicks cross-checks the total.
 */
function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return ns / 1e9;
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
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

interface PollLine {
  ok: boolean;
  durationSeconds: number;
  pendingWorkloads: number;
  /** performance.now() when the line arrived, and the exporter's CPU seconds then. */
  at: number;
  cpu: number;
}

/** Starts the bundle; `onPoll` sees every poll line with the process's CPU time read on arrival. */
function startExporter(bundleFile: string, apiUrl: string, interval: number, children: ChildProcess[]) {
  const child = spawn(process.execPath, [bundleFile], {
    env: {
      PATH: process.env.PATH ?? "",
      KUEUEX_API_URL: apiUrl,
      KUEUEX_PORT: "0",
      KUEUEX_LISTEN_HOST: "127.0.0.1",
      KUEUEX_POLL_INTERVAL_SECONDS: String(interval),
      ...(PAGE_SIZE !== DEFAULTS.pageSize ? { KUEUEX_PAGE_SIZE: String(PAGE_SIZE) } : {}),
      ...(CONCURRENCY !== DEFAULTS.concurrency ? { KUEUEX_CONCURRENCY: String(CONCURRENCY) } : {}),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const state = { child, pid: child.pid!, port: 0, polls: [] as PollLine[], spawnedAt: performance.now() };
  lines(child, (l) => {
    const rec = JSON.parse(l) as Record<string, unknown>;
    if (rec.msg === "listening") state.port = Number(rec.port);
    if (String(rec.msg).startsWith("poll ")) {
      const cpu = cpuSeconds(state.pid);
      state.polls.push({ ok: rec.ok === true, durationSeconds: Number(rec.durationSeconds), pendingWorkloads: Number(rec.pendingWorkloads), at: performance.now(), cpu });
    }
  });
  return state;
}

// ---------------------------------------------------------------------------------------------------

async function bench(): Promise<void> {
  const started = Date.now();
  const rows: Array<[string, string]> = [];
  const row = (k: string, v: string) => rows.push([k, v]);

  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kueuex-bench-"));
  const bundleFile = path.join(dir, "kueue-exporter.js");
  const given = process.argv.indexOf("--bundle");
  if (given >= 0) {
    fs.copyFileSync(process.argv[given + 1], bundleFile);
    row("bundle", `${fs.statSync(bundleFile).size} bytes, given: ${process.argv[given + 1]}`);
  } else {
    const bundle = buildExporterBundle();
    fs.writeFileSync(bundleFile, bundle.code);
    row("bundle", `${bundle.bytes} bytes (${((bundle.bytes / 1048576) * 100).toFixed(1)}% of 1 MiB), built from exporter/src in ${Date.now() - t0} ms`);
  }

  const children: ChildProcess[] = [];
  const cleanup = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);

  // Fake API in its own process.
  const server = spawn(process.execPath, [...process.execArgv, __filename, "--serve"], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(server);
  let apiUrl = "";
  const servedWaiters: Array<(s: { requests: number; bytes: number }) => void> = [];
  lines(server, (l) => {
    if (!l.startsWith("{")) return;
    const rec = JSON.parse(l) as { url?: string; served?: { requests: number; bytes: number } };
    if (rec.url) apiUrl = rec.url;
    if (rec.served) servedWaiters.shift()?.(rec.served);
  });
  const served = () =>
    new Promise<{ requests: number; bytes: number }>((resolve) => {
      servedWaiters.push(resolve);
      server.stdin!.write("served\n");
    });
  await until("the fake API", () => apiUrl !== "", 60_000);
  row("fake API", `${WORKLOADS} workloads over ${CLUSTER_QUEUES} ClusterQueues at ${apiUrl} (generated in ${Date.now() - t0} ms)`);

  // Warm the floor's code paths (JIT) before anything is measured.
  for (let i = 0; i < WARMUP_FLOOR_RUNS; i++) {
    const w = await floor(apiUrl);
    if (w.workloads !== WORKLOADS) throw new Error(`floor saw ${w.workloads} workloads, expected ${WORKLOADS}`);
  }

  // The measured exporter: one poll every MEASURE_INTERVAL_SECONDS; after each poll, one floor run.
  const m = startExporter(bundleFile, apiUrl, MEASURE_INTERVAL_SECONDS, children);
  await until("the first poll", () => m.polls.length >= 1, 60_000);
  const firstPollMs = m.polls[0].at - m.spawnedAt;
  if (!m.polls[0].ok || m.polls[0].pendingWorkloads !== WORKLOADS) throw new Error(`first poll: ${JSON.stringify(m.polls[0])}`);
  // The second poll warms the exporter's code paths as the warm-up runs did the floor's.
  await until("the warm-up poll", () => m.polls.length >= 2, 60_000);
  const exp: Array<{ wall: number; cpu: number; requests: number; bytes: number }> = [];
  const flo: Array<{ wall: number; cpu: number; requests: number; bytes: number }> = [];
  let overlaps = 0;
  let floorEnd = performance.now();
  let s0 = await served();
  for (let k = 2; k < 2 + MEASURED_POLLS; k++) {
    await until(`poll ${k + 1}`, () => m.polls.length > k, 60_000);
    const p = m.polls[k];
    const s1 = await served();
    if (!p.ok || p.pendingWorkloads !== WORKLOADS) throw new Error(`poll ${k + 1}: ${JSON.stringify(p)}`);
    // The floor run must have ended before this poll started, or the two would share the CPUs.
    if (p.at - p.durationSeconds * 1000 < floorEnd) overlaps++;
    exp.push({ wall: p.durationSeconds, cpu: p.cpu - m.polls[k - 1].cpu, requests: s1.requests - s0.requests, bytes: s1.bytes - s0.bytes });
    const f = await floor(apiUrl);
    floorEnd = performance.now();
    s0 = await served();
    if (f.workloads !== WORKLOADS) throw new Error(`floor saw ${f.workloads} workloads, expected ${WORKLOADS}`);
    flo.push({ wall: f.seconds, cpu: f.cpu, requests: s0.requests - s1.requests, bytes: s0.bytes - s1.bytes });
  }
  const ticksCpu = cpuSecondsTicks(m.pid);
  const schedCpu = cpuSeconds(m.pid);
  const hwmMeasuredKb = statusKb(m.pid, "VmHWM");
  const stopAt = Date.now();
  m.child.kill("SIGTERM");
  const code = await new Promise<number | null>((r) => m.child.on("exit", (c) => r(c)));
  const stopMs = Date.now() - stopAt;

  // Polls back to back (0.05 s interval) while /metrics is scraped: scrape latency under load, peak memory.
  const busyExporter = startExporter(bundleFile, apiUrl, 0.05, children);
  await until("the busy exporter's first poll", () => busyExporter.polls.length >= 1 && busyExporter.port > 0, 60_000);
  const busy = await scrapes(busyExporter.port);
  await until("two more polls", () => busyExporter.polls.length >= 3, 60_000);
  const hwmBusyKb = statusKb(busyExporter.pid, "VmHWM");
  const rssBusyKb = statusKb(busyExporter.pid, "VmRSS");
  busyExporter.child.kill("SIGTERM");
  const body = busy.body;
  const e = parseExposition(body);
  const own = e.samples.filter((x) => x.name.startsWith("kueuex_"));
  const perWorkload = own.filter((x) => x.name.startsWith("kueuex_pending_workload_") && !x.name.startsWith("kueuex_pending_workload_age_"));
  const localQueues = own.filter((x) => x.name === "kueuex_local_queue_pending_workloads").length;
  const errorCodes = own.filter((x) => x.name === "kueuex_api_errors_total").length;
  const heapUsed = e.samples.find((x) => x.name === "nodejs_heap_size_used_bytes")?.value ?? NaN;
  const heapTotal = e.samples.find((x) => x.name === "nodejs_heap_size_total_bytes")?.value ?? NaN;
  // exporter/README.md "Series bound": 4·N·C + 17·C + 2·L + 19 + E.
  const bound = 4 * TOP_N * CLUSTER_QUEUES + 17 * CLUSTER_QUEUES + 2 * localQueues + 19 + errorCodes;

  // An exporter that polls once and then idles: scrape latency without a poll in progress.
  const idle = startExporter(bundleFile, apiUrl, 3600, children);
  await until("the idle exporter's poll", () => idle.polls.length >= 1 && idle.port > 0, 60_000);
  const quiet = await scrapes(idle.port);
  idle.child.kill("SIGTERM");
  server.kill("SIGTERM");

  const s = (xs: number[], unit: string, digits = 3) =>
    `min ${Math.min(...xs).toFixed(digits)}  median ${median(xs).toFixed(digits)}  max ${Math.max(...xs).toFixed(digits)} ${unit}  [${xs.map((x) => x.toFixed(digits)).join(" ")}]`;
  const ew = exp.map((x) => x.wall);
  const ec = exp.map((x) => x.cpu);
  const fw = flo.map((x) => x.wall);
  const fc = flo.map((x) => x.cpu);
  const same = (xs: number[]) => xs.every((x) => x === xs[0]);
  const pages = (side: typeof exp) =>
    same(side.map((x) => x.requests)) && same(side.map((x) => x.bytes))
      ? `${side[0].requests} requests, ${(side[0].bytes / 1e6).toFixed(2)} MB`
      : `requests ${side.map((x) => x.requests).join("/")}, bytes ${side.map((x) => x.bytes).join("/")}`;
  const samePages = exp.every((x, i) => x.requests === flo[i].requests && x.bytes === flo[i].bytes);
  const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(2)}×`;
  const pairwise = (a: number[], b: number[]) => a.map((x, i) => x / b[i]);
  row("pages per poll", `exporter ${pages(exp)}; floor ${pages(flo)} (${samePages ? "the same" : "DIFFERENT"}, counted by the fake API)`);
  row("exporter wall per poll", s(ew, "s"));
  row("floor wall per run", s(fw, "s"));
  row("exporter CPU per poll", s(ec, "s") + "  (poll end to poll end)");
  row("floor CPU per run", s(fc, "s"));
  row(
    "ratio exporter/floor",
    `wall ${ratio(ew, fw)}, CPU ${ratio(ec, fc)} (medians; target ≤ ${RATIO_TARGET}×); ` +
      `pairwise median wall ${median(pairwise(ew, fw)).toFixed(2)}×, CPU ${median(pairwise(ec, fc)).toFixed(2)}×; min/min wall ${(Math.min(...ew) / Math.min(...fw)).toFixed(2)}×, CPU ${(Math.min(...ec) / Math.min(...fc)).toFixed(2)}×`,
  );
  if (overlaps > 0) row("WARNING", `${overlaps} exporter poll(s) started before the preceding floor run ended; figures are not clean`);
  row("exporter CPU check", `${(ticksCpu).toFixed(2)} s from /proc/<pid>/stat, ${schedCpu.toFixed(2)} s summed over threads, for the whole life of the measured exporter`);
  row("exporter: first poll", `${firstPollMs.toFixed(0)} ms after spawn (incl. Node start)`);
  row(
    "exporter: memory",
    `peak RSS (VmHWM) ${(hwmMeasuredKb / 1024).toFixed(1)} MiB measured exporter, ${(hwmBusyKb / 1024).toFixed(1)} MiB back-to-back polls + scrapes (limit ${RSS_LIMIT_MIB} MiB); ` +
      `RSS now ${(rssBusyKb / 1024).toFixed(1)} MiB, V8 heap used ${(heapUsed / 1048576).toFixed(1)} of ${(heapTotal / 1048576).toFixed(1)} MiB`,
  );
  const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p90 ${quantile(xs, 0.9).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  row("/metrics latency, idle", `${fmt(quiet.latencies)} over ${SCRAPES} scrapes (no poll running)`);
  row("/metrics latency, busy", `${fmt(busy.latencies)} over ${SCRAPES} scrapes (polls back to back)`);
  row("/metrics size", `${Buffer.byteLength(body)} bytes, ${e.samples.length} samples (${own.length} kueuex_*, ${perWorkload.length} per-workload)`);
  row("series bound", `${own.length} kueuex_* series ≤ ${bound} = 4·N·C + 17·C + 2·L + 19 + E (N ${TOP_N}, C ${CLUSTER_QUEUES}, L ${localQueues}, E ${errorCodes})${own.length <= bound ? "" : " EXCEEDED"}`);
  row("SIGTERM", `exit code ${code} after ${stopMs} ms`);
  row("total bench time", `${((Date.now() - started) / 1000).toFixed(1)} s`);

  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `\nKueue exporter benchmark (${os.cpus().length} CPUs, Node ${process.version}; page size ${PAGE_SIZE}, concurrency ${CONCURRENCY}` +
      `${PAGE_SIZE === DEFAULTS.pageSize && CONCURRENCY === DEFAULTS.concurrency ? " (the defaults)" : " (NOT the defaults)"}, top N ${TOP_N}; ` +
      `${MEASURED_POLLS} polls, each followed by one floor run)\n`,
  );
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
