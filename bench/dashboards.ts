/**
 * Dashboard query cost on a realistic cluster, in a real Prometheus (not a test: prints figures).
 *
 *   npx tsx bench/dashboards.ts [--fresh] [--runs N]
 *
 * 1. Generates a synthetic cluster (scripts/synthetic, `bench` profile: 150 nodes, >= 10k containers, 6 h at
 *    30 s), streamed to disk, and backfills it with promtool. The TSDB is cached in the OS temp dir (keyed by
 *    the generator's options) so reruns skip this; --fresh regenerates.
 * 2. Starts Prometheus on 127.0.0.1 over it and runs every panel and annotation query of every dashboard as
 *    Grafana would by default (6 h range, 30 s step or the panel's longer min interval, $__rate_interval =
 *    max(step + scrape, 4 x scrape), every variable on All or its first value), printing median, p95 and max
 *    of N runs after one warm-up, then p50/p95/max over all queries and each query's p95 against 100 ms.
 * 3. Compares the image-version panel (kube-state-metrics kube_pod_container_info) with the upstream
 *    "Container Image Used" query (dotdc/grafana-dashboards-kubernetes: cAdvisor CPU series counted by
 *    image), in the same run, for the whole cluster and one namespace, and prints the ratios.
 * 4. For every recording rule in alerts/ (loadRecordingGroups), backfills it over the same data with
 *    `promtool tsdb create-blocks-from rules`, restarts Prometheus, and prints the panels a recording rule or
 *    a scrape-time label changed, before (bench/dashboards-before.json, the inline workload join) and after.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadRecordingGroups, toPrometheusRuleFile } from "../components/content/alerts";
import { Dashboard, loadDashboards } from "../components/content/dashboards";
import { DashboardQuery, dashboardQueries, grafanaStep, parseVariableQuery, substituteVariables, variableQueryText } from "../components/content/promql";
import { benchOptions, generateCluster, GenerateSummary } from "../scripts/synthetic/cluster";
import { PrometheusServer, backfillOpenMetrics, backfillRecordingRules, resultSize, startPrometheus } from "../test/support/prometheus";

const RANGE = 6 * 3600;
const STEP = 30;
/** Grafana's interval variables at the default step (a query with a longer min interval gets its own: grafanaStep). */
const INTERVALS: Record<string, string> = grafanaStep({}, STEP, RANGE, 30).variables;
const SLOW_MS = 1000;

/** The "Kubernetes images" queries as they were before the recording rule (inline pod -> workload join). */
function workloadJoin(sel: string, offset = ""): string {
  const o = offset ? ` offset ${offset}` : "";
  return (
    `max by (cluster, namespace, pod, workload) (` +
    `kube_pod_owner{${sel}, owner_kind="ReplicaSet"}${o} * on (cluster, namespace, owner_name) group_left (workload) ` +
    `max by (cluster, namespace, owner_name, workload) (label_replace(label_replace(kube_replicaset_owner{${sel}, owner_kind="Deployment"}${o}, "workload", "$1", "owner_name", "(.+)"), "owner_name", "$1", "replicaset", "(.+)")) ` +
    `or on (cluster, namespace, pod) label_replace(kube_pod_owner{${sel}, owner_kind!=""}${o}, "workload", "$1", "owner_name", "(.+)") ` +
    `or on (cluster, namespace, pod) label_replace(kube_pod_owner{${sel}}${o}, "workload", "$1", "pod", "(.+)"))`
  );
}
const K = 'cluster=~"$cluster", namespace=~"$namespace"';
const INLINE_WORKLOAD_IMAGES = `count by (namespace, workload, image) (kube_pod_container_info{${K}} * on (cluster, namespace, pod) group_left (workload) ${workloadJoin(K)})`;
/** Panels as they were before a recording rule or a scrape-time label took their query-time work away. */
interface Before {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}
function loadBefore(): Before[] {
  const images: Before[] = [
    { dashboard: "ms-kubernetes-images", panel: "Running image versions per workload", refId: "A", expr: INLINE_WORKLOAD_IMAGES },
    { dashboard: "ms-kubernetes-images", panel: "Distinct images per namespace", refId: "A", expr: `count by (namespace) (count by (namespace, image) (kube_pod_container_info{${K}}))` },
    {
      dashboard: "ms-kubernetes-images",
      panel: "Image changes",
      refId: "",
      expr: `group by (namespace, workload, image) (kube_pod_container_info{${K}} * on (cluster, namespace, pod) group_left (workload) ${workloadJoin(K)}) unless group by (namespace, workload, image) (kube_pod_container_info{${K}} offset 1m * on (cluster, namespace, pod) group_left (workload) ${workloadJoin(K, "1m")})`,
    },
  ];
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, "dashboards-before.json"), "utf8")) as { queries: Before[] };
  return [...images, ...file.queries];
}
/** The data's scrape interval (scripts/synthetic: 30 s), what Grafana's data source would be set to. */
const SCRAPE = 30;
/** The targets of the dashboards issue: every panel query's p95 at most this, the whole-cluster image view at most this share of upstream's. */
const P95_TARGET_MS = 100;
const IMAGE_RATIO_TARGET = 0.5;

interface Timing {
  series: number;
  /** Over the runs after the warm-up. */
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  error?: string;
}
interface Measured extends Timing {
  dashboard: string;
  what: string;
  expr: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (xs: number[]): number => percentile(xs, 50);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function prepareData(fresh: boolean): Promise<{ tsdb: string; summary: GenerateSummary; dir: string }> {
  // The end is fixed per cache directory; queries run relative to it, so an old cache is as good as new.
  const probe = benchOptions(0);
  const key = `ms-bench-dashboards-${probe.nodes}n-${probe.appContainers}c-${probe.durationSeconds}s-${probe.seed}`;
  const dir = path.join(os.tmpdir(), key);
  const meta = path.join(dir, "summary.json");
  const tsdb = path.join(dir, "tsdb");
  if (!fresh && fs.existsSync(meta) && fs.existsSync(tsdb)) {
    console.log(`using cached TSDB ${tsdb} (--fresh to regenerate)`);
    return { tsdb, summary: JSON.parse(fs.readFileSync(meta, "utf8")) as GenerateSummary, dir };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP - 60;
  const file = path.join(dir, "cluster.om");
  let t0 = Date.now();
  const summary = generateCluster(file, benchOptions(end));
  console.log(`generated ${summary.series} series, ${summary.samples} samples, ${(summary.bytes / 1e9).toFixed(2)} GB OpenMetrics in ${((Date.now() - t0) / 1000).toFixed(0)} s (${summary.pods} pods, ${summary.containersAtEnd} containers running at the end, ${summary.containers} over the window; peak heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB)`);
  t0 = Date.now();
  backfillOpenMetrics(file, tsdb);
  console.log(`backfilled with promtool in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  fs.rmSync(file);
  fs.writeFileSync(meta, JSON.stringify(summary, null, 2));
  return { tsdb, summary, dir };
}

/**
 * Grafana's default view: a variable with All takes its allValue (or an alternation of every value); one
 * without All takes its first value (sorted, as the variables here are); $cluster is .* (All).
 */
async function defaultVariables(server: PrometheusServer, d: Dashboard, start: number, end: number): Promise<Record<string, string>> {
  const values: Record<string, string> = { ...INTERVALS };
  for (const v of d.json.templating?.list ?? []) {
    if (!v.name) continue;
    if (v.type === "datasource") {
      values[v.name] = "prometheus";
      continue;
    }
    if (v.name === "cluster" || (v.includeAll && typeof v.allValue === "string")) {
      values[v.name] = v.allValue ?? ".*";
      continue;
    }
    const { expr, label } = parseVariableQuery(variableQueryText(v) ?? "");
    const found = label ? await server.labelValues(label, start, end, expr ? substituteVariables(expr, values) : undefined) : [];
    values[v.name] = (v.includeAll ? found.map(escapeRegex).join("|") : escapeRegex(found[0] ?? "")) || ".*";
  }
  return values;
}

/** Latency of `runs` runs after a warm-up; a query slower than 10 s runs once; an error is reported, not thrown. */
async function measure(server: PrometheusServer, expr: string, instant: boolean, start: number, end: number, runs: number, step = STEP): Promise<Timing> {
  const once = async (): Promise<{ ms: number; series: number }> => {
    const t0 = process.hrtime.bigint();
    const r = instant ? await server.query(expr, end) : await server.queryRange(expr, start, end, step);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, series: resultSize(r) };
  };
  let warm: { ms: number; series: number };
  try {
    warm = await once();
  } catch (e) {
    return { series: 0, medianMs: NaN, p95Ms: NaN, maxMs: NaN, error: (e as Error).message };
  }
  if (warm.ms > 10_000) return { series: warm.series, medianMs: warm.ms, p95Ms: warm.ms, maxMs: warm.ms };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await once()).ms);
  return { series: warm.series, medianMs: median(times), p95Ms: percentile(times, 95), maxMs: Math.max(...times) };
}

function printTable(rows: Measured[]): void {
  const w = Math.max(...rows.map((r) => r.what.length), 10);
  console.log(`${"dashboard".padEnd(28)} ${"query".padEnd(w)} ${"series".padStart(7)} ${"median ms".padStart(10)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)}`);
  for (const r of rows) {
    const f = (x: number): string => (r.error ? (r.error.startsWith("timeout") ? "timeout" : "error") : x.toFixed(1));
    const flag = r.error || r.medianMs > SLOW_MS ? "  SLOW" : r.p95Ms > P95_TARGET_MS ? `  >${P95_TARGET_MS}ms` : "";
    console.log(`${r.dashboard.padEnd(28)} ${r.what.padEnd(w)} ${String(r.series).padStart(7)} ${f(r.medianMs).padStart(10)} ${f(r.p95Ms).padStart(8)} ${f(r.maxMs).padStart(8)}${flag}${r.error ? `  (${r.error})` : ""}`);
  }
}

async function main(): Promise<void> {
  const runs = Number(arg("--runs") ?? 10);
  const { tsdb, summary, dir } = await prepareData(process.argv.includes("--fresh"));
  const end = summary.end;
  const start = end - RANGE;
  const dashboards = loadDashboards();
  const recording = loadRecordingGroups();
  const recordedNames = recording.flatMap((g) => g.rules.map((r) => r.record));

  // Recording rules: each group backfilled once per cache (evaluated against a server over the raw data);
  // the stamp lists the groups already backfilled, so a new group is added without duplicating the others.
  const rulesFile = path.join(dir, "recording.rules.yaml");
  const rulesStamp = path.join(dir, "recording.rules.stamp.json");
  const done: string[] = fs.existsSync(rulesStamp) ? JSON.parse(fs.readFileSync(rulesStamp, "utf8")) : [];
  const todo = recording.filter((g) => !done.includes(toPrometheusRuleFile([g])));
  let server = await startPrometheus({ dataDir: tsdb, readyTimeoutMs: 300_000 });
  try {
    if (todo.length > 0) {
      const names = todo.flatMap((g) => g.rules.map((r) => r.record));
      if (todo.some((g) => done.some((d) => d.includes(`name: ${g.name}\n`)))) console.log("a recording group changed: --fresh drops its old recorded blocks");
      fs.writeFileSync(rulesFile, toPrometheusRuleFile(todo));
      const t0 = Date.now();
      backfillRecordingRules(server.url, rulesFile, start - 600, end, tsdb);
      console.log(`backfilled ${names.length} recording rule(s) (${names.join(", ")}) over ${RANGE / 3600} h in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await server.stop();
      fs.writeFileSync(rulesStamp, JSON.stringify([...done, ...todo.map((g) => toPrometheusRuleFile([g]))]));
      server = await startPrometheus({ dataDir: tsdb, readyTimeoutMs: 300_000 });
    }
    console.log(`recorded series: ${recordedNames.join(", ")}`);

    console.log(`\n${summary.containersAtEnd} containers / ${summary.pods} pods; range ${RANGE / 3600} h, step ${STEP} s, $__rate_interval 2m, median of ${runs} runs after a warm-up\n`);
    const rows: Measured[] = [];
    for (const d of dashboards) {
      const vars = await defaultVariables(server, d, start, end);
      for (const q of dashboardQueries(d).filter((x) => x.kind !== "variable")) {
        const { step, variables } = grafanaStep(q, STEP, RANGE, SCRAPE);
        const expr = substituteVariables(q.expr, { ...vars, ...variables });
        const m = await measure(server, expr, q.instant, start, end, runs, step);
        rows.push({ dashboard: d.uid, what: label(q), ...m, expr });
        if (process.env.BENCH_VERBOSE) console.error(`${d.uid} ${label(q)}: ${m.error ?? m.medianMs.toFixed(1) + " ms"}`);
      }
    }
    printTable(rows);
    printSummary(rows);

    // The image-version panel against the upstream "Container Image Used" query, same data, same run: for
    // the whole cluster (namespace .*) and for the default (first) namespace.
    console.log("\nimage versions over time: this dashboard vs upstream (dotdc/grafana-dashboards-kubernetes v2.4.0)\n");
    const images = dashboards.find((d) => d.uid === "ms-kubernetes-images") as Dashboard;
    const ours = dashboardQueries(images).find((q) => q.panelTitle === "Running image versions per workload") as DashboardQuery;
    const firstNamespace = (await defaultVariables(server, images, start, end)).namespace;
    const cmp: Measured[] = [];
    const oursStep = grafanaStep(ours, STEP, RANGE, SCRAPE);
    for (const ns of [".*", firstNamespace]) {
      const vars = { ...INTERVALS, cluster: ".*", namespace: ns };
      // [what, expr, step]: the dashboard's panel at its own min interval (5m, max_over_time: no version
      // missed), the others at the default step, the upstream panel's.
      const compare: [string, string, number][] = [
        [`ours: recorded workload x image, ${oursStep.step} s step (dashboard)`, substituteVariables(ours.expr, { ...vars, ...oursStep.variables }), oursStep.step],
        ["ours at 30 s: recorded workload x image", substituteVariables(`sum by (namespace, workload, image) (namespace_workload_image:kube_pod_container_info:count{${K}})`, vars), STEP],
        ["ours inline: KSM info x workload join", substituteVariables(INLINE_WORKLOAD_IMAGES, vars), STEP],
        ["KSM info by namespace, image (no workload)", substituteVariables(`count by (namespace, image) (kube_pod_container_info{${K}})`, vars), STEP],
        ["upstream: cAdvisor CPU rate by image", `count(rate(container_cpu_usage_seconds_total{namespace=~"${ns}", image!="", pod=~".*", cluster=~".*"}[2m])) by (image)`, STEP],
      ];
      for (const [what, expr, step] of compare) cmp.push({ dashboard: `namespace=~"${ns}"`, what, ...(await measure(server, expr, false, start, end, runs, step)), expr });
    }
    printTable(cmp);
    printRatios(cmp);
    const count = async (expr: string): Promise<string> => {
      const r = await server.query(expr, end);
      return r.resultType === "vector" && (r.result as { value: [number, string] }[]).length ? (r.result as { value: [number, string] }[])[0].value[1] : "0";
    };
    console.log(
      `\nat the end: ${await count("count(kube_pod_container_info)")} containers; ` +
        `${await count("count(count by (image) (kube_pod_container_info))")} distinct images per kube-state-metrics, ` +
        `${await count('count(count by (image) (rate(container_cpu_usage_seconds_total{image!=""}[2m])))')} per cAdvisor`,
    );

    // The panels a recording rule or a scrape-time label took a join from: before (inline) and after.
    console.log("\npanels before (the join inline, as the dashboard had it) and after (a recorded series or a scrape-time label)\n");
    const ba: Measured[] = [];
    const befores = loadBefore();
    for (const d of dashboards) {
      const v = await defaultVariables(server, d, start, end);
      for (const q of dashboardQueries(d).filter((x) => x.kind !== "variable")) {
        const before = befores.find((b) => b.dashboard === d.uid && b.panel === (q.panelTitle ?? q.annotation) && b.refId === (q.refId ?? ""));
        if (!before) continue;
        // Before: at the default step, as the panel had no min interval then; after: as the panel is now.
        const now = grafanaStep(q, STEP, RANGE, SCRAPE);
        ba.push({ dashboard: d.uid, what: `${label(q)} before`, ...(await measure(server, substituteVariables(before.expr, v), q.instant, start, end, runs)), expr: before.expr });
        ba.push({ dashboard: d.uid, what: `${label(q)} after`, ...(await measure(server, substituteVariables(q.expr, { ...v, ...now.variables }), q.instant, start, end, runs, now.step)), expr: q.expr });
      }
    }
    printTable(ba);
    const slow = rows.filter((r) => r.error || r.medianMs > SLOW_MS);
    console.log(slow.length ? `\n${slow.length} query(ies) above ${SLOW_MS} ms` : `\nno query above ${SLOW_MS} ms`);
  } finally {
    await server.stop();
  }
}

/** p50/p95/max over every panel and annotation query (of each query's median), and each query's own p95 against the target. */
function printSummary(rows: Measured[]): void {
  const ok = rows.filter((r) => !r.error);
  const medians = ok.map((r) => r.medianMs);
  const over = ok.filter((r) => r.p95Ms > P95_TARGET_MS);
  console.log(
    `\n${rows.length} panel and annotation queries: median over queries p50 ${percentile(medians, 50).toFixed(1)} ms, p95 ${percentile(medians, 95).toFixed(1)} ms, max ${Math.max(...medians).toFixed(1)} ms; ` +
      `each query's own p95 over its runs: max ${Math.max(...ok.map((r) => r.p95Ms)).toFixed(1)} ms; ${over.length} above ${P95_TARGET_MS} ms${rows.length - ok.length ? `; ${rows.length - ok.length} failed` : ""}`,
  );
  for (const r of over) console.log(`  above ${P95_TARGET_MS} ms: ${r.dashboard} ${r.what} (p95 ${r.p95Ms.toFixed(1)} ms)`);
  console.log(`target (every query's p95 <= ${P95_TARGET_MS} ms): ${over.length === 0 && ok.length === rows.length ? "met" : "NOT met"}`);
}

/** Each "ours" row of a comparison block as a multiple of the upstream row of the same block. */
function printRatios(cmp: Measured[]): void {
  for (const block of [...new Set(cmp.map((r) => r.dashboard))]) {
    const rows = cmp.filter((r) => r.dashboard === block);
    const upstream = rows.find((r) => r.what.startsWith("upstream"));
    if (!upstream || upstream.error) continue;
    for (const r of rows.filter((x) => x !== upstream && !x.error)) {
      const ratio = r.medianMs / upstream.medianMs;
      const target = r.what.includes("(dashboard)") ? `  (target <= ${IMAGE_RATIO_TARGET}x: ${ratio <= IMAGE_RATIO_TARGET ? "met" : "NOT met"})` : "";
      console.log(`${block} ${r.what}: ${ratio.toFixed(2)}x upstream (${r.medianMs.toFixed(1)} / ${upstream.medianMs.toFixed(1)} ms)${target}`);
    }
  }
}

function label(q: DashboardQuery): string {
  return q.kind === "panel" ? `${q.panelId} ${q.panelTitle} ${q.refId}` : `${q.kind} ${q.annotation ?? q.variable}`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
