// Runs the real exporter bundle (from buildExporterBundle) as a child process and talks to it over HTTP.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { buildExporterBundle } from "../../exporter/bundle";
import { Exposition, parseExposition, value } from "./exposition";

let cachedBundle: string | undefined;
let tmpDir: string | undefined;

/** A scratch directory removed when the test process exits. */
export function scratchDir(): string {
  if (tmpDir === undefined) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "kueuex-test-"));
    const dir = tmpDir;
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return tmpDir;
}

/** Builds the bundle once per test process and writes it to a temporary file. */
export function bundlePath(): string {
  if (cachedBundle === undefined) {
    const file = path.join(scratchDir(), "kueue-exporter.js");
    fs.writeFileSync(file, buildExporterBundle().code);
    cachedBundle = file;
  }
  return cachedBundle;
}

export interface HttpResult {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function httpGet(url: string, timeoutMs = 5000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ExporterProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  stdout = "";
  stderr = "";
  port = 0;
  readonly exited: Promise<ExitStatus>;
  exitStatus: ExitStatus | undefined;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
    const partials = { stdout: "", stderr: "" };
    const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this[stream] += text;
      const partial = partials[stream] + text;
      const lines = partial.split("\n");
      partials[stream] = lines.pop() ?? "";
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ unparsed: line });
        }
      }
    };
    child.stdout!.on("data", onData("stdout"));
    child.stderr!.on("data", onData("stderr"));
  }

  /**
   * Spawns `node <bundle>` with only PATH and the given variables (nothing from this process's
   * environment leaks in, e.g. KUBECONFIG). Defaults: an ephemeral port on 127.0.0.1.
   */
  static spawn(env: Record<string, string>): ExporterProcess {
    const child = spawn(process.execPath, [bundlePath()], {
      env: { PATH: process.env.PATH ?? "", KUEUEX_PORT: "0", KUEUEX_LISTEN_HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ExporterProcess(child);
  }

  /** Spawns the exporter and waits until it logs the port it listens on. */
  static async start(env: Record<string, string>): Promise<ExporterProcess> {
    const p = ExporterProcess.spawn(env);
    const listening = await waitFor(
      "the exporter to log 'listening'",
      () => {
        if (p.exitStatus) throw new Error(`exporter exited early (${JSON.stringify(p.exitStatus)}): ${p.stderr}`);
        return p.logs.find((l) => l.msg === "listening");
      },
      15_000,
    ).catch((err) => {
      p.child.kill("SIGKILL");
      throw err;
    });
    p.port = Number(listening.port);
    return p;
  }

  get(pathname: string): Promise<HttpResult> {
    return httpGet(`http://127.0.0.1:${this.port}${pathname}`);
  }

  async scrape(): Promise<Exposition> {
    const res = await this.get("/metrics");
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${res.body}`);
    return parseExposition(res.body);
  }

  /** Completed polls, read from the exporter's own poll-duration histogram. */
  async polls(): Promise<number> {
    return value(await this.scrape(), "kueuex_poll_duration_seconds_count") ?? 0;
  }

  /**
   * Waits for `n` more completed polls. With n ≥ 2 at least one whole poll started after this call, so a
   * change made to the fake API before calling is visible.
   */
  async waitForPolls(n = 2, timeoutMs = 20_000): Promise<Exposition> {
    const start = await this.polls();
    return waitFor(`${n} more polls`, async () => {
      const e = await this.scrape();
      return (value(e, "kueuex_poll_duration_seconds_count") ?? 0) >= start + n ? e : undefined;
    }, timeoutMs);
  }

  /** Waits until a scrape satisfies `cond`; returns that scrape. */
  waitForMetrics(what: string, cond: (e: Exposition) => boolean, timeoutMs = 20_000): Promise<Exposition> {
    return waitFor(what, async () => {
      const e = await this.scrape();
      return cond(e) ? e : undefined;
    }, timeoutMs);
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    this.child.kill(signal);
    return this.exited;
  }

  /** For after hooks: make sure nothing is left running. */
  async kill(): Promise<void> {
    if (this.exitStatus) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }
}
