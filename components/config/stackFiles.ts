/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands them to a program: every
 * `<namespace>:<key>` as a string (objects as JSON), project defaults merged under stack values, and the
 * top-level keys holding `secure:` values listed as secret. Used by `npm run plan` and the stack tests,
 * where no CLI is there to do it.
 *
 * Offline, `secure:` ciphertexts cannot be decrypted (that needs the stack's secrets provider); they are
 * replaced with the placeholder "[secret]", which is enough to evaluate the program and keeps them secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

export const SECRET_PLACEHOLDER = "[secret]";

export interface RawStackConfig {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

export function listStacks(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/** YAML parse that rejects duplicate keys (the yaml package's default, made explicit) and names the file. */
function parseYamlFile(file: string): any {
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
  return doc.toJS();
}

function replaceSecure(v: any): { value: any; secret: boolean } {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
    let secret = false;
    const out: Record<string, any> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = replaceSecure(x);
      out[k] = r.value;
      secret ||= r.secret;
    }
    return { value: out, secret };
  }
  if (Array.isArray(v)) {
    const rs = v.map(replaceSecure);
    return { value: rs.map((r) => r.value), secret: rs.some((r) => r.secret) };
  }
  return { value: v, secret: false };
}

export function readStackConfig(dir: string, stack: string): RawStackConfig {
  const projectFile = path.join(dir, "Pulumi.yaml");
  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new Error(`no stack file ${path.basename(stackFile)}; stacks here: ${listStacks(dir).join(", ") || "none"}`);
  }
  const project = parseYamlFile(projectFile);
  const name: string = project.name;
  const merged: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  const qualify = (k: string) => (k.includes(":") ? k : `${name}:${k}`);
  // Project-level declarations: `key: {default|value: …}` or a plain value.
  for (const [k, decl] of Object.entries<any>(project.config ?? {})) {
    const isDecl = decl && typeof decl === "object" && !Array.isArray(decl) && ("default" in decl || "value" in decl || "type" in decl || "description" in decl);
    const v = isDecl ? (decl.value ?? decl.default) : decl;
    if (v !== undefined) merged[qualify(k)] = v;
  }
  const stackDoc = parseYamlFile(stackFile) ?? {};
  for (const [k, v] of Object.entries<any>(stackDoc.config ?? {})) merged[qualify(k)] = v;
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(merged)) {
    const r = replaceSecure(v);
    if (r.secret) secretKeys.add(k);
    config[k] = typeof r.value === "string" ? r.value : JSON.stringify(r.value);
  }
  return { project: name, stack, config, secretKeys: [...secretKeys].sort() };
}
