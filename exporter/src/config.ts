// Configuration from environment variables. Every problem is reported at once, each message naming the
// variable, the bad value and what is allowed; main.ts exits with code 2 when there is any.
import * as fs from "node:fs";
import * as net from "node:net";
import { loadKubeconfig } from "./kubeconfig";
import { parseBaseUrl } from "./url";

/** Secret or TLS material: read from a file on every poll (so rotation is picked up) or given inline. */
export type Material = { file: string } | { data: string };

export interface ApiTarget {
  /** Which settings chose this target; used in logs. */
  source: "KUEUEX_API_URL" | "KUBECONFIG" | "in-cluster";
  /** Base URL without a trailing slash, e.g. https://10.96.0.1:443 or http://127.0.0.1:8001/prefix. */
  baseUrl: string;
  token?: Material;
  ca?: Material;
  clientCert?: Material;
  clientKey?: Material;
  insecureSkipTlsVerify: boolean;
  /** TLS server name (SNI and certificate check) when it differs from the URL's host. */
  tlsServerName?: string;
}

export interface ExporterConfig {
  port: number;
  /** Address to listen on; undefined = all interfaces (Node's default). */
  listenHost?: string;
  pollIntervalSeconds: number;
  topN: number;
  pageSize: number;
  concurrency: number;
  requestTimeoutSeconds: number;
  api: ApiTarget;
}

export const DEFAULTS = {
  port: 8080,
  pollIntervalSeconds: 30,
  topN: 20,
  pageSize: 500,
  concurrency: 4,
  requestTimeoutSeconds: 10,
} as const;

/**
 * Upper bound of KUEUEX_PAGE_SIZE. Kueue clamps `limit` to MaxPendingWorkloadsLimit = 100_000
 * (kubernetes-sigs/kueue v0.19.2 pkg/constants/constants.go, since v0.19.0; applied in pkg/visibility/storage/utils.go
 * boundedLimitOffset); a larger page size would make a full page look short and end paging early.
 */
export const MAX_PAGE_SIZE = 100_000;
export const MAX_TOP_N = 1000;

// Standard in-cluster service-account paths (the same ones client-go's rest.InClusterConfig reads).
export const IN_CLUSTER_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";
export const IN_CLUSTER_CA_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

/** Every variable the exporter reads; anything else starting with KUEUEX_ is rejected as a likely typo. */
export const KNOWN_VARIABLES = [
  "KUEUEX_PORT",
  "KUEUEX_LISTEN_HOST",
  "KUEUEX_POLL_INTERVAL_SECONDS",
  "KUEUEX_TOP_N",
  "KUEUEX_PAGE_SIZE",
  "KUEUEX_CONCURRENCY",
  "KUEUEX_REQUEST_TIMEOUT_SECONDS",
  "KUEUEX_API_URL",
  "KUEUEX_TOKEN",
  "KUEUEX_TOKEN_FILE",
  "KUEUEX_CA_FILE",
  "KUEUEX_INSECURE_SKIP_TLS_VERIFY",
] as const;

type Env = Record<string, string | undefined>;

/** An unset or empty variable counts as unset (Kubernetes manifests often carry `value: ""`). */
function get(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** A bounded number from `name`: `pattern` decides what it may look like, `what`/`allowed` word the errors. */
function bounded(env: Env, name: string, def: number, min: number, max: number, errors: string[], f: { pattern: RegExp; what: string; allowed: string }): number {
  const raw = get(env, name);
  if (raw === undefined) return def;
  if (!f.pattern.test(raw)) {
    errors.push(`${name}: ${JSON.stringify(raw)} is not ${f.what}; ${f.allowed}`);
    return def;
  }
  const n = Number(raw);
  if (n < min || n > max) {
    errors.push(`${name}: ${JSON.stringify(raw)} is out of range; ${f.allowed}`);
    return def;
  }
  return n;
}

function integer(env: Env, name: string, def: number, min: number, max: number, errors: string[]): number {
  return bounded(env, name, def, min, max, errors, { pattern: /^[0-9]+$/, what: "an integer", allowed: `use an integer from ${min} to ${max}` });
}

function seconds(env: Env, name: string, def: number, min: number, max: number, errors: string[]): number {
  return bounded(env, name, def, min, max, errors, {
    pattern: /^[0-9]+(\.[0-9]+)?$/,
    what: "a number",
    allowed: `use a number of seconds from ${min} to ${max} (fractions allowed, e.g. 0.5)`,
  });
}

function boolean(env: Env, name: string, errors: string[]): boolean {
  const raw = get(env, name);
  if (raw === undefined) return false;
  if (raw === "true") return true;
  if (raw === "false") return false;
  errors.push(`${name}: ${JSON.stringify(raw)} is not a boolean; use "true" or "false"`);
  return false;
}

function fileMustExist(name: string, file: string, errors: string[]): void {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    errors.push(`${name}: ${JSON.stringify(file)} is not a readable file; use the path of an existing file`);
  }
}

function resolveApiTarget(env: Env, errors: string[]): ApiTarget | undefined {
  const apiUrl = get(env, "KUEUEX_API_URL");
  const token = get(env, "KUEUEX_TOKEN");
  const tokenFile = get(env, "KUEUEX_TOKEN_FILE");
  const caFile = get(env, "KUEUEX_CA_FILE");
  const insecureRaw = get(env, "KUEUEX_INSECURE_SKIP_TLS_VERIFY");
  const insecure = boolean(env, "KUEUEX_INSECURE_SKIP_TLS_VERIFY", errors);

  if (apiUrl !== undefined) {
    const parsed = parseBaseUrl(apiUrl);
    if (parsed.problem !== undefined) {
      errors.push(`KUEUEX_API_URL: ${JSON.stringify(apiUrl)} ${parsed.problem}`);
    }
    if (token !== undefined && tokenFile !== undefined) {
      errors.push(`KUEUEX_TOKEN_FILE: ${JSON.stringify(tokenFile)} conflicts with KUEUEX_TOKEN; set only one of them`);
    }
    if (tokenFile !== undefined) fileMustExist("KUEUEX_TOKEN_FILE", tokenFile, errors);
    if (caFile !== undefined) fileMustExist("KUEUEX_CA_FILE", caFile, errors);
    if (parsed.url === undefined) return undefined;
    return {
      source: "KUEUEX_API_URL",
      baseUrl: parsed.url,
      token: token !== undefined ? { data: token } : tokenFile !== undefined ? { file: tokenFile } : undefined,
      ca: caFile !== undefined ? { file: caFile } : undefined,
      insecureSkipTlsVerify: insecure,
    };
  }

  // The credential variables only apply to KUEUEX_API_URL; silently ignoring them would hide a mistake.
  const orphans: Array<[string, string | undefined]> = [
    ["KUEUEX_TOKEN", token === undefined ? undefined : "(hidden)"], // never echo a secret
    ["KUEUEX_TOKEN_FILE", tokenFile && JSON.stringify(tokenFile)],
    ["KUEUEX_CA_FILE", caFile && JSON.stringify(caFile)],
    ["KUEUEX_INSECURE_SKIP_TLS_VERIFY", insecureRaw && JSON.stringify(insecureRaw)],
  ];
  for (const [name, shown] of orphans) {
    if (shown !== undefined) {
      errors.push(`${name}: ${shown} is only used with KUEUEX_API_URL; set KUEUEX_API_URL or unset ${name}`);
    }
  }

  const kubeconfig = get(env, "KUBECONFIG");
  if (kubeconfig !== undefined) {
    const result = loadKubeconfig(kubeconfig);
    errors.push(...result.errors);
    return result.target;
  }

  const host = get(env, "KUBERNETES_SERVICE_HOST");
  const port = get(env, "KUBERNETES_SERVICE_PORT");
  if (host !== undefined) {
    if (port === undefined || !/^[0-9]+$/.test(port)) {
      errors.push(
        `KUBERNETES_SERVICE_PORT: ${JSON.stringify(port ?? "")} is not a port number; in a pod Kubernetes sets it, elsewhere set KUEUEX_API_URL`,
      );
      return undefined;
    }
    try {
      fs.accessSync(IN_CLUSTER_CA_FILE, fs.constants.R_OK);
    } catch {
      errors.push(
        `KUBERNETES_SERVICE_HOST: ${JSON.stringify(host)} selects in-cluster mode, but ${IN_CLUSTER_CA_FILE} is not readable; ` +
          "mount the service-account token (automountServiceAccountToken: true) or set KUEUEX_API_URL",
      );
    }
    // An IPv6 service host needs brackets in a URL (client-go uses net.JoinHostPort for the same reason).
    const hostPart = net.isIPv6(host) ? `[${host}]` : host;
    return {
      source: "in-cluster",
      baseUrl: `https://${hostPart}:${port}`,
      token: { file: IN_CLUSTER_TOKEN_FILE },
      ca: { file: IN_CLUSTER_CA_FILE },
      insecureSkipTlsVerify: false,
    };
  }

  errors.push(
    "KUEUEX_API_URL: not set, and neither KUBECONFIG nor KUBERNETES_SERVICE_HOST is set; " +
      "set KUEUEX_API_URL (e.g. http://127.0.0.1:8001 with `kubectl proxy`), set KUBECONFIG, or run in a pod",
  );
  return undefined;
}

/** Reads and validates the whole configuration; `config` is set only when `errors` is empty. */
export function loadConfig(env: Env): { config?: ExporterConfig; errors: string[] } {
  const errors: string[] = [];

  for (const name of Object.keys(env).sort()) {
    if (name.startsWith("KUEUEX_") && !(KNOWN_VARIABLES as readonly string[]).includes(name)) {
      errors.push(`${name}: unknown variable; the exporter reads ${KNOWN_VARIABLES.join(", ")}`);
    }
  }

  // Port 0 asks the OS for a free port (the actual one is logged); meant for tests.
  const port = integer(env, "KUEUEX_PORT", DEFAULTS.port, 0, 65535, errors);
  const listenHost = get(env, "KUEUEX_LISTEN_HOST");
  if (listenHost !== undefined && net.isIP(listenHost) === 0) {
    errors.push(`KUEUEX_LISTEN_HOST: ${JSON.stringify(listenHost)} is not an IP address; use e.g. 0.0.0.0, :: or 127.0.0.1`);
  }
  const pollIntervalSeconds = seconds(env, "KUEUEX_POLL_INTERVAL_SECONDS", DEFAULTS.pollIntervalSeconds, 0.05, 86400, errors);
  const topN = integer(env, "KUEUEX_TOP_N", DEFAULTS.topN, 0, MAX_TOP_N, errors);
  const pageSize = integer(env, "KUEUEX_PAGE_SIZE", DEFAULTS.pageSize, 1, MAX_PAGE_SIZE, errors);
  const concurrency = integer(env, "KUEUEX_CONCURRENCY", DEFAULTS.concurrency, 1, 64, errors);
  const requestTimeoutSeconds = seconds(env, "KUEUEX_REQUEST_TIMEOUT_SECONDS", DEFAULTS.requestTimeoutSeconds, 0.05, 600, errors);
  const api = resolveApiTarget(env, errors);

  if (errors.length > 0 || api === undefined) return { errors };
  return {
    errors,
    config: { port, listenHost, pollIntervalSeconds, topN, pageSize, concurrency, requestTimeoutSeconds, api },
  };
}
