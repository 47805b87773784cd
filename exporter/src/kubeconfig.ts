// Minimal kubeconfig support for local runs: the current context's cluster (server, CA, insecure flag,
// tls-server-name) and user (token, tokenFile, client certificate). Not supported, with an error saying so:
// exec and auth-provider plugins, basic auth, proxy-url, and merging several files (only the first file
// of a KUBECONFIG list that exists is read). `kubectl proxy` + KUEUEX_API_URL covers everything else.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ApiTarget, Material } from "./config";
import { parseBaseUrl } from "./url";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function named(list: unknown, name: string, key: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const entry of list) {
    if (isObj(entry) && entry.name === name && isObj(entry[key])) return entry[key] as Obj;
  }
  return undefined;
}

export function loadKubeconfig(kubeconfigVar: string): { target?: ApiTarget; errors: string[] } {
  const where = (msg: string) => ({ errors: [`KUBECONFIG: ${JSON.stringify(kubeconfigVar)}: ${msg}`] });
  const file = kubeconfigVar.split(path.delimiter).find((p) => p !== "" && fs.existsSync(p));
  if (file === undefined) return where("no such file; set KUBECONFIG to an existing kubeconfig file or use KUEUEX_API_URL");

  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    return where(`${file} is not valid YAML (${(err as Error).message.split("\n")[0]})`);
  }
  if (!isObj(doc)) return where(`${file} is not a kubeconfig (expected a mapping at the top)`);

  const contextName = doc["current-context"];
  if (typeof contextName !== "string" || contextName === "") {
    return where(`${file} has no current-context; run \`kubectl config use-context NAME\``);
  }
  const context = named(doc.contexts, contextName, "context");
  if (context === undefined) return where(`${file}: current-context ${JSON.stringify(contextName)} is not in contexts`);
  const clusterName = String(context.cluster ?? "");
  const userName = String(context.user ?? "");
  const cluster = named(doc.clusters, clusterName, "cluster");
  if (cluster === undefined) return where(`${file}: cluster ${JSON.stringify(clusterName)} is not in clusters`);
  const user = userName === "" ? {} : named(doc.users, userName, "user");
  if (user === undefined) return where(`${file}: user ${JSON.stringify(userName)} is not in users`);

  const errors: string[] = [];
  const base = path.dirname(path.resolve(file));
  // Relative paths in a kubeconfig are relative to the file itself (as in client-go).
  const material = (fileKey: string, dataKey: string, from: Obj): Material | undefined => {
    const data = from[dataKey];
    if (typeof data === "string" && data !== "") return { data: Buffer.from(data, "base64").toString("utf8") };
    const f = from[fileKey];
    if (typeof f === "string" && f !== "") return { file: path.resolve(base, f) };
    return undefined;
  };

  for (const unsupported of ["exec", "auth-provider", "username", "password"]) {
    if (user[unsupported] !== undefined) {
      errors.push(
        `KUBECONFIG: ${file}: user ${JSON.stringify(userName)} uses ${unsupported}, which the exporter does not support; ` +
          "use a token or a client certificate, or run `kubectl proxy` and set KUEUEX_API_URL",
      );
    }
  }
  if (cluster["proxy-url"] !== undefined) {
    errors.push(`KUBECONFIG: ${file}: cluster ${JSON.stringify(clusterName)} uses proxy-url, which the exporter does not support; use KUEUEX_API_URL`);
  }

  const server = typeof cluster.server === "string" ? cluster.server : "";
  const parsed = parseBaseUrl(server);
  if (parsed.url === undefined) {
    errors.push(`KUBECONFIG: ${file}: cluster ${JSON.stringify(clusterName)} server ${JSON.stringify(server)} ${parsed.problem}`);
  }

  const token: Material | undefined =
    typeof user.token === "string" && user.token !== ""
      ? { data: user.token }
      : typeof user.tokenFile === "string" && user.tokenFile !== ""
        ? { file: path.resolve(base, user.tokenFile) }
        : undefined;

  if (errors.length > 0 || parsed.url === undefined) return { errors };
  return {
    errors,
    target: {
      source: "KUBECONFIG",
      baseUrl: parsed.url,
      token,
      ca: material("certificate-authority", "certificate-authority-data", cluster),
      clientCert: material("client-certificate", "client-certificate-data", user),
      clientKey: material("client-key", "client-key-data", user),
      insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
      tlsServerName: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
    },
  };
}
