/**
 * promtool and a real Prometheus server for the dashboard and alert tests and the dashboard benchmark.
 *
 * The binaries come from PATH or from `.tools/usr/bin` (where `scripts/install-promtool.sh` unpacks the
 * Debian package without root). When they are missing the tests FAIL with the command to run: a skipped
 * proof is no proof.
 *
 * Servers listen on 127.0.0.1 only, on a free port, over a caller-owned data directory; `stop()` ends them.
 * Never rely on a system Prometheus (the Debian package may start one on :9090).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "usr", "bin");
export const INSTALL_HINT = "run `bash scripts/install-promtool.sh` (installs the Debian package, or unpacks it into .tools/ without root)";

export type Tool = "promtool" | "prometheus" | "prometheus-alertmanager" | "amtool" | "nginx";

/** Absolute path of a tool: PATH first, then `.tools/usr/bin`. Throws with the install hint. */
export function findTool(name: Tool): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  const local = path.join(TOOLS_BIN, name);
  if (isExecutable(local)) return local;
  // nginx is in sbin (Debian's nginx package), which a user's PATH may not hold.
  for (const sbin of ["/usr/sbin", path.join(REPO_ROOT, ".tools", "usr", "sbin")]) if (isExecutable(path.join(sbin, name))) return path.join(sbin, name);
  throw new Error(`${name} not found on PATH or in ${path.relative(REPO_ROOT, TOOLS_BIN)}/: ${INSTALL_HINT}`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool synchronously; never throws on a non-zero exit (callers assert on `status`). */
export function promtool(args: string[], opts: { cwd?: string } = {}): ToolResult {
  const r = spawnSync(findTool("promtool"), args, { cwd: opts.cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool tsdb create-blocks-from openmetrics <file> <dir>`; throws with promtool's output on failure. */
export function backfillOpenMetrics(file: string, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const r = promtool(["tsdb", "create-blocks-from", "openmetrics", "--quiet", file, outDir]);
  if (r.status !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${r.status}):\n${r.stderr}${r.stdout}`);
}

/**
 * Evaluates the recording rules of `ruleFile` over [start, end] against `serverUrl` and moves the resulting
 * blocks into `tsdbDir` (`promtool tsdb create-blocks-from rules`). The server must be restarted to see them.
 * promtool cannot backfill a rule that reads another rule's output: keep recording rules self-contained.
 */
export function backfillRecordingRules(serverUrl: string, ruleFile: string, start: number, end: number, tsdbDir: string, evalInterval = "30s"): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ms-rule-blocks-"));
  try {
    const r = promtool(["tsdb", "create-blocks-from", "rules", "--quiet", `--url=${serverUrl}`, `--start=${start}`, `--end=${end}`, `--output-dir=${out}`, `--eval-interval=${evalInterval}`, ruleFile]);
    if (r.status !== 0) throw new Error(`promtool tsdb create-blocks-from rules failed (${r.status}):\n${r.stderr}${r.stdout}`);
    for (const block of fs.readdirSync(out)) fs.renameSync(path.join(out, block), path.join(tsdbDir, block));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** A fresh temporary directory under the OS temp dir. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ms-${prefix}-`));
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface PromResult {
  resultType: "vector" | "matrix" | "scalar" | "string";
  result: PromSample[] | [number, string];
}

/** A Prometheus HTTP API error, with the query that caused it. */
export class PrometheusQueryError extends Error {}

export interface PrometheusServer {
  url: string;
  port: number;
  dataDir: string;
  /** Instant query (`/api/v1/query`). */
  query(expr: string, time: number): Promise<PromResult>;
  /** Range query (`/api/v1/query_range`); times in Unix seconds, step in seconds. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<PromResult>;
  /** Values of `label` over [start, end], optionally restricted to series matching `match`. */
  labelValues(label: string, start: number, end: number, match?: string): Promise<string[]>;
  /** Label sets of the series matching `match` over [start, end] (`/api/v1/series`). */
  series(match: string, start: number, end: number): Promise<Record<string, string>[]>;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** TSDB directory (e.g. where backfilled blocks are). */
  dataDir: string;
  /** Rule files to load (paths); none by default. */
  ruleFiles?: string[];
  /** How long to wait for /-/ready before failing (a bound, not an assertion). Default 60 s. */
  readyTimeoutMs?: number;
  /** `global.evaluation_interval`. Default 1m. */
  evaluationInterval?: string;
  /** `global.external_labels` (attached to alerts it sends, as a Prometheus CR's externalLabels). */
  externalLabels?: Record<string, string>;
  /** host:port of Alertmanagers to send alerts to. */
  alertmanagers?: string[];
  /**
   * `--rules.alert.resend-delay` (default 1m): how soon a firing alert is sent again, e.g. after its first
   * send was dropped because the Alertmanager was not discovered yet.
   */
  resendDelay?: string;
  /**
   * The whole configuration file, written as given; replaces the one built from the options above
   * (evaluationInterval, externalLabels, alertmanagers, ruleFiles are then ignored).
   */
  configText?: string;
  /** More command-line flags, e.g. `--web.enable-remote-write-receiver`. */
  extraFlags?: string[];
  /** Name of the log file in the config directory (shown in errors). Default prometheus.log. */
  logName?: string;
}

/** Starts `prometheus` on 127.0.0.1:<free port> over `dataDir` with a minimal config (no scrape jobs). */
export async function startPrometheus(opts: StartOptions): Promise<PrometheusServer> {
  const bin = findTool("prometheus");
  const work = tempDir("prom-config");
  const config = path.join(work, "prometheus.yml");
  const rules = (opts.ruleFiles ?? []).map((f) => `  - ${JSON.stringify(path.resolve(f))}`).join("\n");
  const labels = Object.entries(opts.externalLabels ?? {}).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join("\n");
  const alerting = opts.alertmanagers?.length ? `alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [${opts.alertmanagers.map((t) => JSON.stringify(t)).join(", ")}]\n` : "";
  fs.writeFileSync(
    config,
    opts.configText ??
    `global:\n  evaluation_interval: ${opts.evaluationInterval ?? "1m"}\n${labels ? `  external_labels:\n${labels}\n` : ""}${alerting}${rules ? `rule_files:\n${rules}\n` : ""}scrape_configs: []\n`,
  );
  const logFile = path.join(work, opts.logName ?? "prometheus.log");

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const log = fs.openSync(logFile, "w");
    const child = spawn(
      bin,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${opts.dataDir}`,
        // Backfilled data must not be deleted as "old": keep it all.
        "--storage.tsdb.retention.time=10y",
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
        ...(opts.resendDelay ? [`--rules.alert.resend-delay=${opts.resendDelay}`] : []),
        ...(opts.extraFlags ?? []),
      ],
      { stdio: ["ignore", log, log] },
    );
    fs.closeSync(log);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, opts.readyTimeoutMs ?? 60_000, logFile);
      return makeServer(url, port, opts.dataDir, child, () => fs.rmSync(work, { recursive: true, force: true }));
    } catch (e) {
      lastError = e as Error;
      await stopChild(child);
    }
  }
  // Keep the config and log of a failed start for inspection (the error names the log file).
  throw lastError ?? new Error("prometheus did not start");
}

export async function waitReady(url: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n") : "";
  throw new Error(`${path.basename(logFile, ".log")} at ${url} ${exited ? "exited" : "was not ready"} (log ${logFile}):\n${tail}`);
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function makeServer(url: string, port: number, dataDir: string, child: ChildProcess, cleanup: () => void): PrometheusServer {
  const api = async (endpoint: string, params: Record<string, string>, method: "GET" | "POST" = "POST"): Promise<unknown> => {
    const body = new URLSearchParams(params);
    // /api/v1/label/<name>/values answers GET only; queries go by POST (long expressions).
    const res =
      method === "GET"
        ? await fetch(`${url}${endpoint}?${body}`)
        : await fetch(`${url}${endpoint}`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
    const json = (await res.json()) as { status: string; data?: unknown; error?: string; errorType?: string };
    if (json.status !== "success") throw new PrometheusQueryError(`${json.errorType ?? res.status}: ${json.error ?? "unknown error"}`);
    return json.data;
  };
  return {
    url,
    port,
    dataDir,
    query: async (expr, time) => (await api("/api/v1/query", { query: expr, time: String(time) })) as PromResult,
    queryRange: async (expr, start, end, step) => (await api("/api/v1/query_range", { query: expr, start: String(start), end: String(end), step: String(step) })) as PromResult,
    labelValues: async (label, start, end, match) =>
      (await api(`/api/v1/label/${encodeURIComponent(label)}/values`, { start: String(start), end: String(end), ...(match ? { "match[]": match } : {}) }, "GET")) as string[],
    series: async (match, start, end) => (await api("/api/v1/series", { "match[]": match, start: String(start), end: String(end) })) as Record<string, string>[],
    stop: async () => {
      await stopChild(child);
      cleanup();
    },
  };
}

/** Number of series (vector/matrix) or 1 for a scalar/string result. */
export function resultSize(r: PromResult): number {
  if (r.resultType === "scalar" || r.resultType === "string") return 1;
  return (r.result as PromSample[]).length;
}
