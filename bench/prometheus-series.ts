/**
 * Memory per active series in a real Prometheus (a measurement, not a test: prints figures, asserts nothing).
 *
 *   npx tsx bench/prometheus-series.ts [--sizes 100000,300000,1000000] [--targets 20] [--interval 5]
 *                                      [--scrapes 8] [--gogc N]
 *
 * Why: the docs size Prometheus shards ("series per shard") and the hub's Thanos Receive, which keeps every
 * tenant's head block in memory as a Prometheus does, by "memory per million active series". This measures
 * that figure on the Prometheus binary at hand instead of quoting folklore.
 *
 * How: for each size N (and a baseline of 0 series) a fresh Prometheus over a fresh TSDB scrapes T targets
 * every `--interval` seconds. The targets are Node http servers on 127.0.0.1 serving a text exposition of
 * N/T distinct cAdvisor-like series each (__name__, namespace, pod, container, node, device, plus the job and
 * instance Prometheus adds: 8 labels of realistic lengths), every value changing on every scrape. Each
 * target's body is built once; a scrape only rewrites the fixed-width values in place. Once every series is
 * in the head and each target has been scraped `--scrapes` more times, the Prometheus' own /metrics is read
 * once a second for two intervals: prometheus_tsdb_head_series, process_resident_memory_bytes,
 * go_memstats_heap_inuse_bytes (medians printed), and its /proc status for the anonymous / file-backed split
 * of RSS; then a full GC is forced (/debug/pprof/heap?gc=1) and go_memstats_alloc_bytes and
 * go_memstats_next_gc_bytes give the live heap (the floor) and the GC goal (what the heap grows to before the
 * next GC: where a long-running RSS tends). RSS and heap-inuse alone depend on the GC phase they catch. The
 * marginal cost per series is (figure - baseline) / (head series - baseline head series), so the fixed cost
 * of the process, the targets and their report series drops out; a least-squares slope over all runs too.
 *
 * What it does not cover (read before quoting the figures):
 * - Only a few scrapes are in the head: no chunk is full (120 samples), so none is m-mapped and nothing is
 *   compacted yet. A 2 h head holds more samples per series (a few hundred bytes of compressed chunks, part
 *   of it m-mapped file pages), and compaction and WAL replay after a restart need headroom on top.
 * - No churn: real clusters add series as pods come and go, and the head keeps them until it is truncated,
 *   so the head holds more series than are active at any one time.
 * - A scraping Prometheus keeps a scrape cache entry (with the raw series text) per series; a Thanos Receive
 *   has no scrape cache but has per-tenant TSDBs and remote-write decoding instead.
 * - The Go runtime's RSS sits above the live heap (GC target, unreturned pages); GOGC moves it (--gogc).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { PrometheusServer, findTool, startPrometheus, tempDir } from "../test/support/prometheus";

// ---------------------------------------------------------------------------------------------------
// Options

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
function positiveInt(name: string, value: string): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs positive integers (got ${value})`);
  return v;
}
const SIZES = (option("--sizes") ?? "100000,300000,1000000").split(",").map((s) => positiveInt("--sizes", s));
const TARGETS = positiveInt("--targets", option("--targets") ?? "20");
const INTERVAL_S = positiveInt("--interval", option("--interval") ?? "5");
/** Scrapes of every target after all series are in the head, before the measurement starts. */
const SCRAPES = positiveInt("--scrapes", option("--scrapes") ?? "8");
const GOGC = option("--gogc");
/** Samples of /metrics (one a second) over this many intervals once the head is steady. */
const SAMPLE_INTERVALS = 2;
/** Series Prometheus adds per target (up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling, scrape_series_added). */
const REPORT_SERIES_PER_TARGET = 5;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// ---------------------------------------------------------------------------------------------------
// Synthetic targets

/** cAdvisor metric names, counters and gauges (a counter grows, a gauge wanders). */
const METRICS: [name: string, counter: boolean][] = [
  ["container_cpu_usage_seconds_total", true],
  ["container_cpu_cfs_periods_total", true],
  ["container_cpu_cfs_throttled_periods_total", true],
  ["container_cpu_cfs_throttled_seconds_total", true],
  ["container_memory_working_set_bytes", false],
  ["container_memory_rss", false],
  ["container_memory_cache", false],
  ["container_memory_usage_bytes", false],
  ["container_memory_swap", false],
  ["container_memory_mapped_file", false],
  ["container_memory_failcnt", true],
  ["container_fs_reads_bytes_total", true],
  ["container_fs_writes_bytes_total", true],
  ["container_fs_reads_total", true],
  ["container_fs_writes_total", true],
  ["container_fs_usage_bytes", false],
  ["container_network_receive_bytes_total", true],
  ["container_network_transmit_bytes_total", true],
  ["container_network_receive_packets_total", true],
  ["container_network_transmit_packets_total", true],
  ["container_network_receive_errors_total", true],
  ["container_network_transmit_errors_total", true],
  ["container_spec_memory_limit_bytes", false],
  ["container_spec_cpu_shares", false],
  ["container_last_seen", false],
];
const DEVICES = ["/dev/nvme0n1", "/dev/nvme1n1"];
const APPS = ["checkout-api", "payments-worker", "search-indexer", "cart-service", "ledger-sync", "image-resizer", "auth-gateway", "notification-dispatcher"];
const TEAMS = ["payments", "search", "platform", "growth", "identity", "data", "mobile", "ml-serving", "observability", "billing"];
/** Series per pod: metrics x 2 containers x devices (100, as a cAdvisor pod with a sidecar). */
const SERIES_PER_POD = METRICS.length * 2 * DEVICES.length;
const PODS_PER_NODE = 30;
/** Width of every sample value in the body (leading zeros: ParseFloat accepts them), so it can be rewritten in place. */
const VALUE_WIDTH = 16;

/** Deterministic lower-case alphanumerics (pod name hashes). */
function suffix(seed: number, length: number): string {
  const chars = "bcdfghjklmnpqrstvwxz2456789";
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0;
  let s = "";
  for (let i = 0; i < length; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    s += chars[x % chars.length];
  }
  return s;
}

interface Target {
  server: http.Server;
  port: number;
  series: number;
  /** Label bytes per series in the body (names and values; `=`, quotes, commas excluded), for the printout. */
  labelBytes: number;
  bodyBytes: number;
  /** Scrapes served so far. */
  scrapes: number;
}

/** One target: a body of `series` lines, values rewritten on each request. `first` is its first global series index. */
async function startTarget(first: number, series: number): Promise<Target> {
  const lines: string[] = [];
  const offsets = new Uint32Array(series);
  const counter = new Uint8Array(series);
  const values = new Float64Array(series);
  let bytes = 0;
  let labelBytes = 0;
  for (let j = 0; j < series; j++) {
    const g = first + j;
    const [metric, isCounter] = METRICS[g % METRICS.length];
    const device = DEVICES[Math.floor(g / METRICS.length) % DEVICES.length];
    const containerNo = Math.floor(g / (METRICS.length * DEVICES.length)) % 2;
    const pod = Math.floor(g / SERIES_PER_POD);
    const app = APPS[pod % APPS.length];
    const namespace = `team-${TEAMS[Math.floor(pod / 7) % TEAMS.length]}-${String(Math.floor(pod / 70) % 5).padStart(2, "0")}`;
    const podName = `${app}-${suffix(Math.floor(pod / 4), 10)}-${suffix(pod, 5)}`;
    const container = containerNo === 0 ? app : "istio-proxy";
    const nodeNo = Math.floor(pod / PODS_PER_NODE);
    const node = `ip-10-${(nodeNo >> 16) & 255}-${(nodeNo >> 8) & 255}-${nodeNo & 255}.eu-west-1.compute.internal`;
    const prefix = `${metric}{namespace="${namespace}",pod="${podName}",container="${container}",node="${node}",device="${device}"} `;
    labelBytes += "__name__".length + metric.length + "namespace".length + namespace.length + "pod".length + podName.length;
    labelBytes += "container".length + container.length + "node".length + node.length + "device".length + device.length;
    offsets[j] = bytes + prefix.length;
    counter[j] = isCounter ? 1 : 0;
    values[j] = isCounter ? (g % 1000) * 37.5 : 1e8 + (g % 977) * 1e5;
    const line = `${prefix}${"0".repeat(VALUE_WIDTH)}\n`;
    lines.push(line);
    bytes += line.length;
  }
  // ASCII only: string length is byte length.
  const body = Buffer.from(lines.join(""), "latin1");
  lines.length = 0;

  const target: Target = { server: http.createServer(), port: 0, series, labelBytes: series ? labelBytes / series : 0, bodyBytes: body.length, scrapes: 0 };
  target.server.on("request", (req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    // Prometheus never overlaps two scrapes of one target, so the buffer is not being sent while rewritten.
    for (let j = 0; j < series; j++) {
      values[j] = counter[j] ? values[j] + Math.random() * 50 : Math.max(0, values[j] + (Math.random() - 0.5) * 1e6);
      body.write(values[j].toFixed(3).padStart(VALUE_WIDTH, "0"), offsets[j], VALUE_WIDTH, "latin1");
    }
    target.scrapes++;
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4", "content-length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    target.server.once("error", reject);
    target.server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = target.server.address();
  target.port = typeof addr === "object" && addr ? addr.port : 0;
  return target;
}

function stopTarget(t: Target): Promise<void> {
  return new Promise((resolve) => {
    t.server.closeAllConnections();
    t.server.close(() => resolve());
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading the Prometheus

/** The unlabelled samples of a text exposition (e.g. the Prometheus' own /metrics). */
async function selfMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}
function metric(m: Map<string, number>, name: string): number {
  const v = m.get(name);
  if (v === undefined) throw new Error(`${name} missing from the Prometheus' /metrics`);
  return v;
}

/** The pid of the prometheus started over `dataDir` (its flags name the directory), for /proc/<pid>/status. */
function pidOf(dataDir: string): number | undefined {
  const flag = `--storage.tsdb.path=${dataDir}`;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").includes(flag)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}
/** RssAnon and RssFile of a process, in bytes (Linux). */
function rssSplit(pid: number | undefined): { anon: number; file: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { anon: kb("RssAnon"), file: kb("RssFile") };
  } catch {
    return undefined;
  }
}
function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) total += e.isDirectory() ? dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// ---------------------------------------------------------------------------------------------------
// One run

interface Run {
  series: number;
  headSeries: number;
  rss: number;
  rssMax: number;
  heapInuse: number;
  /** go_memstats_alloc_bytes right after a forced full GC: the live heap. */
  live: number;
  /** go_memstats_next_gc_bytes right after it: the heap size the runtime lets the heap grow to before its next GC. */
  gcGoal: number;
  anon?: number;
  file?: number;
  labelBytes: number;
  bodyMiB: number;
  scrapeMaxS: number;
  upMin: number;
  chunksHeadBytes: number;
  walBytes: number;
  seconds: number;
}

async function measure(series: number): Promise<Run> {
  const t0 = Date.now();
  const perTarget = Math.floor(series / TARGETS);
  const targets: Target[] = [];
  for (let t = 0; t < TARGETS; t++) targets.push(await startTarget(t * perTarget, t === TARGETS - 1 ? series - perTarget * (TARGETS - 1) : perTarget));
  const expectedHead = series + TARGETS * REPORT_SERIES_PER_TARGET;
  const configText =
    `global:\n  scrape_interval: ${INTERVAL_S}s\n  scrape_timeout: ${INTERVAL_S}s\n  evaluation_interval: 1m\n` +
    `scrape_configs:\n  - job_name: cadvisor\n    static_configs:\n      - targets: [${targets.map((t) => `"127.0.0.1:${t.port}"`).join(", ")}]\n`;
  const dataDir = tempDir("prom-series");
  let prom: PrometheusServer | undefined;
  try {
    prom = await startPrometheus({ dataDir, configText, logName: `prometheus-${series}.log` });
    const pid = pidOf(dataDir);
    // Every series in the head (each target scraped once), then SCRAPES more scrapes of every target.
    const deadline = Date.now() + (SCRAPES + 10) * INTERVAL_S * 1000 + 120_000;
    let m = await selfMetrics(prom.url);
    while (metric(m, "prometheus_tsdb_head_series") < expectedHead) {
      if (Date.now() > deadline) throw new Error(`head has ${metric(m, "prometheus_tsdb_head_series")} of ${expectedHead} series after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await sleep(500);
      m = await selfMetrics(prom.url);
    }
    const start = targets.map((t) => t.scrapes);
    while (targets.some((t, i) => t.scrapes - start[i] < SCRAPES)) {
      if (Date.now() > deadline) throw new Error(`targets not scraped ${SCRAPES} times in time (scrapes: ${targets.map((t) => t.scrapes).join(",")})`);
      await sleep(500);
    }
    const samples: Map<string, number>[] = [];
    const splits: { anon: number; file: number }[] = [];
    for (let i = 0; i < SAMPLE_INTERVALS * INTERVAL_S; i++) {
      samples.push(await selfMetrics(prom.url));
      const split = rssSplit(pid);
      if (split) splits.push(split);
      await sleep(1000);
    }
    // A full GC (Go's pprof heap handler runs runtime.GC() for gc=1, and that returns once sweeping is done),
    // then the heap as it stands: the live heap, whatever phase of the GC cycle the samples above caught.
    await (await fetch(`${prom.url}/debug/pprof/heap?gc=1`)).arrayBuffer();
    const afterGc = await selfMetrics(prom.url);
    const now = Date.now() / 1000;
    const scalar = async (expr: string) => {
      const r = await prom!.query(expr, now);
      const v = (r.result as { value?: [number, string] }[])[0]?.value?.[1];
      return v === undefined ? NaN : Number(v);
    };
    const of = (name: string) => samples.map((s) => metric(s, name));
    return {
      series,
      headSeries: median(of("prometheus_tsdb_head_series")),
      rss: median(of("process_resident_memory_bytes")),
      rssMax: Math.max(...of("process_resident_memory_bytes")),
      heapInuse: median(of("go_memstats_heap_inuse_bytes")),
      live: metric(afterGc, "go_memstats_alloc_bytes"),
      gcGoal: metric(afterGc, "go_memstats_next_gc_bytes"),
      anon: splits.length ? median(splits.map((s) => s.anon)) : undefined,
      file: splits.length ? median(splits.map((s) => s.file)) : undefined,
      // Plus the job and instance labels Prometheus adds.
      labelBytes: targets.reduce((a, t) => a + (t.labelBytes + `jobcadvisorinstance127.0.0.1:${t.port}`.length) * t.series, 0) / Math.max(1, series),
      bodyMiB: targets.reduce((a, t) => a + t.bodyBytes, 0) / MiB,
      scrapeMaxS: await scalar(`max(max_over_time(scrape_duration_seconds[${(SCRAPES + 1) * INTERVAL_S}s]))`),
      upMin: await scalar(`min(min_over_time(up[${(SCRAPES + 1) * INTERVAL_S}s]))`),
      chunksHeadBytes: dirBytes(path.join(dataDir, "chunks_head")),
      walBytes: dirBytes(path.join(dataDir, "wal")),
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await prom?.stop();
    await Promise.all(targets.map(stopTarget));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

function prometheusVersion(): string {
  const r = spawnSync(findTool("prometheus"), ["--version"], { encoding: "utf8" });
  return `${r.stdout}${r.stderr}`.split("\n").find((l) => l.trim())?.trim() ?? "unknown";
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const cells of [header, ...rows]) console.log(cells.map((c, i) => c.padStart(widths[i])).join("  "));
}

function printRuns(runs: Run[], base: Run): void {
  const all = [base, ...runs];
  const mib = (b: number) => (b / MiB).toFixed(0);
  const f = (x: number, digits = 0) => (Number.isNaN(x) ? "-" : x.toFixed(digits));
  const perMillion = (bytesPerSeries: number) => f((bytesPerSeries * 1e6) / GiB, 2);
  const marginal = (r: Run, get: (r: Run) => number) => (r === base ? NaN : (get(r) - get(base)) / (r.headSeries - base.headSeries));
  const rss = (r: Run) => r.rss;
  const heap = (r: Run) => r.heapInuse;
  const live = (r: Run) => r.live;
  table(
    ["series", "head_series", "RSS MiB", "heap-inuse MiB", "live heap MiB", "ΔRSS B/series", "Δheap B/series", "Δlive B/series", "GiB/1M RSS", "GiB/1M heap", "GiB/1M live"],
    all.map((r) => [
      String(r.series),
      String(r.headSeries),
      mib(r.rss),
      mib(r.heapInuse),
      mib(r.live),
      f(marginal(r, rss)),
      f(marginal(r, heap)),
      f(marginal(r, live)),
      perMillion(marginal(r, rss)),
      perMillion(marginal(r, heap)),
      perMillion(marginal(r, live)),
    ]),
  );

  // Least-squares slope over every run (baseline included): the marginal cost with the fixed cost fitted out.
  const slope = (get: (r: Run) => number) => {
    const mx = all.reduce((a, r) => a + r.headSeries, 0) / all.length;
    const my = all.reduce((a, r) => a + get(r), 0) / all.length;
    const num = all.reduce((a, r) => a + (r.headSeries - mx) * (get(r) - my), 0);
    const den = all.reduce((a, r) => a + (r.headSeries - mx) ** 2, 0);
    return num / den;
  };
  if (runs.length) {
    console.log("\nleast-squares slope over all runs (baseline included):");
    const fits: [string, (r: Run) => number][] = [["RSS", rss], ["heap-inuse", heap], ["live heap (after a forced GC)", live], ["GC goal after it", (r) => r.gcGoal]];
    if (all.every((r) => r.anon !== undefined)) fits.splice(1, 0, ["anonymous RSS", (r) => r.anon!]);
    for (const [name, get] of fits) console.log(`  ${name.padEnd(30)} ${slope(get).toFixed(0).padStart(5)} B/series  ${perMillion(slope(get))} GiB per million series`);
  }

  console.log("\ndetails per run (medians over the sampling window; live heap and GC goal right after a forced GC)");
  table(
    ["series", "RSS max MiB", "RssAnon MiB", "RssFile MiB", "GC goal MiB", "scrape max s", "min up", "body MiB/scrape", "label B/series", "chunks_head KiB", "wal MiB", "run s"],
    all.map((r) => [
      String(r.series),
      mib(r.rssMax),
      r.anon === undefined ? "?" : mib(r.anon),
      r.file === undefined ? "?" : mib(r.file),
      mib(r.gcGoal),
      r.series ? r.scrapeMaxS.toFixed(2) : "-",
      String(r.upMin),
      r.bodyMiB.toFixed(0),
      r.series ? r.labelBytes.toFixed(0) : "-",
      (r.chunksHeadBytes / 1024).toFixed(0),
      (r.walBytes / MiB).toFixed(0),
      r.seconds.toFixed(0),
    ]),
  );
  const bad = all.filter((r) => r.upMin !== 1 || r.scrapeMaxS > INTERVAL_S * 0.8);
  if (bad.length) console.log(`\nWARNING: scrapes failed or came close to the ${INTERVAL_S} s timeout at ${bad.map((r) => r.series).join(", ")} series: those figures are suspect (try --interval 10 or more --targets)`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  if (GOGC) process.env.GOGC = GOGC; // inherited by the prometheus startPrometheus spawns
  const version = prometheusVersion();
  console.log(`Prometheus: ${version} (${findTool("prometheus")})${GOGC ? `, GOGC=${GOGC}` : ", GOGC unset (Go default 100)"}`);
  console.log(
    `${TARGETS} targets, scrape interval ${INTERVAL_S} s, measured after ${SCRAPES} scrape(s) of every target once all series are in the head; ` +
      `${SERIES_PER_POD} series per pod, 8 labels per series (with job and instance)\n`,
  );
  const runs: Run[] = [];
  for (const n of [0, ...SIZES]) {
    const r = await measure(n);
    console.log(`  ${String(n).padStart(8)} series: head ${r.headSeries}, RSS ${(r.rss / MiB).toFixed(0)} MiB, heap-inuse ${(r.heapInuse / MiB).toFixed(0)} MiB, live heap ${(r.live / MiB).toFixed(0)} MiB (${r.seconds.toFixed(0)} s)`);
    runs.push(r);
  }
  console.log("");
  printRuns(runs.slice(1), runs[0]);
  console.log(
    [
      "",
      "Δ = (figure - baseline) / (head_series - baseline head_series).",
      "RSS is what a container memory limit sees, at the moment sampled; heap-inuse is the Go heap's spans in use then (live objects",
      "plus garbage not yet collected); live heap is what survives a full GC, the floor. Between GCs the heap grows towards the GC goal",
      `(live x ${GOGC ? `(1 + ${GOGC}/100)` : "2 at GOGC 100"}), so a long-running Prometheus' RSS tends towards the GC goal plus non-heap memory.`,
      "With this few samples per series no chunk is full, so nothing is m-mapped (chunks_head is empty): RssFile is the binary's own",
      "pages, not TSDB page cache, and RSS is not inflated by it here (it would be with a 2 h head).",
      `NOTE: measured on ${version.split(" (")[0]}. The operator deploys Prometheus 3.x, whose label sets are stored more compactly (built with stringlabels since 2.44.0)`,
      "and whose Go runtime leaves less headroom (GOGC 75 by default since 2.53.0; prometheus CHANGELOG.md): expect it to need less per series than this;",
      "re-run with a 3.x binary first on PATH to measure it. A 2 h head, series churn, compaction, queries and WAL replay all need",
      "more than this steady few-scrape figure: size with headroom on top.",
    ].join("\n"),
  );
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
