// A small Kubernetes API client: GET + JSON with a bearer token, optional TLS material and a hard deadline
// per request. Hand-rolled on purpose: @kubernetes/client-node's bundle is larger than a ConfigMap can hold
// (see shared FACTS, "Toolchain").
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { ApiTarget, Material } from "./config";

/**
 * Why a request failed; this is the `code` label of kueuex_api_errors_total: the HTTP status as a string
 * ("401", "403", "404", "500", ...), "timeout", "network" (refused, reset, DNS, TLS) or "malformed" (not
 * JSON, or JSON of the wrong shape).
 */
export type ErrorCode = string;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Raised when a request is cut short because the exporter is shutting down; never counted. */
export class AbortedError extends Error {
  constructor() {
    super("aborted: shutting down");
    this.name = "AbortedError";
  }
}

interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

function readMaterial(m: Material | undefined): string | undefined {
  if (m === undefined) return undefined;
  return "data" in m ? m.data : fs.readFileSync(m.file, "utf8");
}

const MAX_ERROR_BODY = 300;

export class KubeClient {
  private agent: http.Agent | https.Agent;
  private tls: TlsMaterial = {};
  private token: string | undefined;
  private readonly isHttps: boolean;

  constructor(
    private readonly target: ApiTarget,
    private readonly timeoutMs: number,
    private readonly maxSockets: number,
  ) {
    this.isHttps = target.baseUrl.startsWith("https:");
    this.agent = this.newAgent();
  }

  private newAgent(): http.Agent | https.Agent {
    const common = { keepAlive: true, maxSockets: this.maxSockets };
    if (!this.isHttps) return new http.Agent(common);
    return new https.Agent({
      ...common,
      ca: this.tls.ca,
      cert: this.tls.cert,
      key: this.tls.key,
      rejectUnauthorized: !this.target.insecureSkipTlsVerify,
      servername: this.target.tlsServerName,
    });
  }

  /**
   * Re-reads the token and TLS files. Called before every poll: projected service-account tokens rotate
   * (about hourly) and a CA bundle can change. Returns problems as text; the old values stay in use.
   */
  refreshCredentials(): string[] {
    const problems: string[] = [];
    try {
      this.token = readMaterial(this.target.token)?.trim();
    } catch (err) {
      problems.push(`cannot read the API token: ${(err as Error).message}`);
    }
    if (this.isHttps) {
      try {
        const next: TlsMaterial = {
          ca: readMaterial(this.target.ca),
          cert: readMaterial(this.target.clientCert),
          key: readMaterial(this.target.clientKey),
        };
        if (next.ca !== this.tls.ca || next.cert !== this.tls.cert || next.key !== this.tls.key) {
          this.tls = next;
          this.agent.destroy();
          this.agent = this.newAgent();
        }
      } catch (err) {
        problems.push(`cannot read TLS material: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  /** GET `path` (starting with /apis/...) and parse the body as JSON; throws ApiError or AbortedError. */
  getJson(path: string, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new AbortedError());
        return;
      }
      const url = new URL(this.target.baseUrl + path);
      const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "kueue-exporter" };
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      const mod = this.isHttps ? https : http;
      // How to settle, until settled; then cleared, so that what a request leaves behind cannot keep its
      // promise, and with it the parsed page, alive. Its closures stay reachable for a while from long-lived
      // objects (measured: through the long-lived abort signal's listener bookkeeping, even after
      // removeEventListener); before this, most pages survived into the old generation, 7-18 times what
      // plain http.get + JSON.parse promotes, at about as much CPU in GC as all the exporter's own work per
      // poll (bench/exporter.ts; docs/components/kueue-exporter.md; issue 12 item 7).
      let settle: { resolve: (value: unknown) => void; reject: (err: Error) => void } | undefined = { resolve, reject };
      const finish = (err: Error | undefined, value?: unknown) => {
        const s = settle;
        if (s === undefined) return;
        settle = undefined;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (err) s.reject(err);
        else s.resolve(value);
      };
      const req = mod.request(url, { method: "GET", headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => finish(new ApiError("network", path, `${path}: response aborted: ${e.message}`)));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          chunks.length = 0;
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            finish(new ApiError(String(status), path, `${path}: HTTP ${status}: ${statusMessage(body)}`));
            return;
          }
          try {
            finish(undefined, JSON.parse(body));
          } catch (e) {
            finish(new ApiError("malformed", path, `${path}: response is not JSON (${(e as Error).message})`));
          }
        });
      });
      const timer = setTimeout(() => {
        finish(new ApiError("timeout", path, `${path}: no complete response within ${this.timeoutMs / 1000} s`));
        req.destroy();
      }, this.timeoutMs);
      const onAbort = () => {
        finish(new AbortedError());
        req.destroy();
      };
      signal.addEventListener("abort", onAbort);
      req.on("error", (e: NodeJS.ErrnoException) => {
        finish(new ApiError("network", path, `${path}: ${e.code ? e.code + ": " : ""}${e.message}`));
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The `message` of a Kubernetes Status body, or the start of whatever the body is. */
function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message.slice(0, MAX_ERROR_BODY);
  } catch {
    // not JSON: fall through
  }
  return body.replace(/\s+/g, " ").trim().slice(0, MAX_ERROR_BODY) || "(empty body)";
}
