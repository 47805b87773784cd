/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml exactly as the Pulumi CLI does before it runs a program, and
 * refuses them where the CLI would, with the CLI's own messages. Used by `npm run plan` and the stack
 * tests, where no CLI is there to do it: a stack that plans here must not be stopped by `pulumi up`.
 *
 * Every rule below is read in pulumi/pulumi at commit 1b5949891b3c (v3.260.0, 2026-08-21); the `object`
 * config type exists since CLI v3.188.0 (#20132), so the project needs a CLI at least that new.
 *   P1 sdk/go/common/workspace/loaders.go LoadProjectBytes: Pulumi.yaml is validated against project.json
 *      (ValidateProject), then RewriteShorthandConfigValues, then Project.Validate.
 *   P2 project.go ValidateProject + project.json: `name` is a non-empty string; each `config` entry is a
 *      string, integer, boolean, array, or a declaration with only type/items/description/secret/default/
 *      value; `type` ∈ string|integer|boolean|array|object; `items` needs `type`, and `items` of an array
 *      type need `items` themselves.
 *   P3 project.go RewriteShorthandConfigValues: a primitive (string, int, bool) or an array is shorthand:
 *      `{default: v}` for a project key, `{value: v}` for a key of another namespace (`aws:region`).
 *      An object is never shorthand: `namespaces: {}` is a declaration with neither default nor value.
 *   P4 project.go Project.Validate: not both default and value; an `array` type needs `items`; a typed
 *      default must be of its type; a key of another namespace has no type, no default, and a value.
 *   S1 loaders.go LoadProjectStackBytes + stackConfigNamespacedWithProject: stack keys without ":" get the
 *      project's namespace; an empty file is an empty config; a key with no value warns (empty string).
 *   S2 resource/config/key.go ParseKey: a key is `<namespace>:<name>` (or the old `<ns>:config:<name>`).
 *   S3 resource/config/object.go + value.go: `{secure: …}` is a secret; an object or list is an "object"
 *      value (JSON) that is secret when any value inside it is; `Map.SecureKeys` lists the top-level keys
 *      holding a secret, which is what the program sees as secret (pkg/resource/deploy/source_eval.go).
 *   M1 pkg/workspace/config.go mergeConfig: for every project key (sorted), one missing from the stack
 *      with neither value nor default, in the project's namespace, is missing: all of them make one error
 *      "Stack '<stack>' is missing configuration value(s) …"; a missing key with a value/default gets it.
 *   M2 config.go validateStackConfigValues: only keys with a `type` are checked, in sorted order, and the
 *      first failure stops: `secret: true` needs a secure value, then the value must be of the type
 *      (workspace.ValidateConfigValue: integers may be strings that parse; booleans "true"/"false"; a
 *      primitive value of the stack is its string form, objects and lists are parsed JSON).
 *   C1 pkg/cmd/pulumi/operations/up.go (and preview.go): the CLI prints "validating stack config: <err>".
 *
 * Offline, `secure:` ciphertexts cannot be decrypted (that needs the stack's secrets provider); they are
 * replaced with the placeholder "[secret]", which is enough to evaluate the program and keeps them secret.
 * Not emulated: ESC environments (a stack file that imports one is refused: plan cannot resolve it).
 * Refused where the CLI is silent: top-level keys of a stack file other than its attributes (the CLI drops
 * them, so a config key outside `config:` would vanish). The running program reads its stack file too
 * (stackFileSecurePaths), for which values are `secure:` themselves: the CLI only says which keys hold one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

export const SECRET_PLACEHOLDER = "[secret]";

/** The CLI's minimum version for this project's Pulumi.yaml (the `object` config type, pulumi/pulumi#20132). */
export const MIN_PULUMI_CLI = "3.188.0";

export interface RawStackConfig {
  project: string;
  stack: string;
  /** Every `<namespace>:<key>` as the program receives it: strings, objects and lists as JSON. */
  config: Record<string, string>;
  /** Top-level keys holding a secret anywhere inside (S3). */
  secretKeys: string[];
  /**
   * Every `secure:` value of the stack file, as `<namespace>:<key>` plus its path inside the key
   * (`monitoring:alerting.contactPoints[0].settings.password`): which values are secret themselves, where
   * `secretKeys` only says which keys hold one (parseConfig's `securePaths`).
   */
  securePaths: string[];
  /** What the CLI would print as warnings (S1). */
  warnings: string[];
}

/** Where the CLI stops, and with which message. */
export class PulumiCliError extends Error {
  constructor(
    /** "project": Pulumi.yaml is invalid; "stack": the stack file is invalid; "config": merge/validation (M1, M2). */
    readonly kind: "project" | "stack" | "config",
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = "PulumiCliError";
  }
}

export const CONFIG_TYPES = ["string", "integer", "boolean", "array", "object"] as const;
type ConfigTypeName = (typeof CONFIG_TYPES)[number];
export interface ItemsType {
  type: ConfigTypeName;
  items?: ItemsType;
}
/** A project config declaration after shorthand rewriting (project.go ProjectConfigType). */
export interface ConfigDeclaration {
  type?: ConfigTypeName;
  items?: ItemsType;
  description?: string;
  secret?: boolean;
  default?: unknown;
  value?: unknown;
}
export interface ProjectFile {
  name: string;
  config: Record<string, ConfigDeclaration>;
}

export function listStacks(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

const rel = (file: string) => path.relative(process.cwd(), file) || file;

/**
 * YAML parse naming the file, line and column of a syntax error; duplicate keys are errors (as in yaml.v3),
 * and so is an alias without its anchor (yaml.v3: "unknown anchor"), which the parser only finds when it
 * builds the value. Every failure is a PulumiCliError: no YAML problem escapes as another error.
 */
export function parseYamlFile(file: string, kind: "project" | "stack"): unknown {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true, prettyErrors: true, lineCounter });
  const syntaxError = (msgs: string[]) => new PulumiCliError(kind, `YAML syntax error${msgs.length > 1 ? "s" : ""}:\n  ${msgs.join("\n  ")}`, file);
  if (doc.errors.length) {
    throw syntaxError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const msg = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return `${rel(file)}${pos ? `:${pos.line}:${pos.col}` : ""}: ${msg}`;
      }),
    );
  }
  const unresolved: string[] = [];
  YAML.visit(doc, {
    Alias(_, node) {
      if (!node.resolve(doc)) {
        const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined;
        unresolved.push(`${rel(file)}${pos ? `:${pos.line}:${pos.col}` : ""}: alias *${node.source} has no anchor &${node.source} before it`);
      }
    },
  });
  if (unresolved.length) throw syntaxError(unresolved);
  try {
    return doc.toJS();
  } catch (e) {
    // e.g. aliases expanding beyond the parser's limit ("resource exhaustion"): no single position.
    throw syntaxError([`${rel(file)}: ${(e as Error).message}`]);
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
/** project.go isPrimitiveValue: string, int, bool (a float is not). */
const isPrimitive = (v: unknown) => typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v));
const DECLARATION_KEYS = ["type", "items", "description", "secret", "default", "value"];

function itemsProblem(items: unknown, where: string): string | undefined {
  if (!isMap(items) || items.type === undefined) return `${where}: missing properties: 'type'`;
  if (typeof items.type !== "string" || !(CONFIG_TYPES as readonly string[]).includes(items.type)) {
    return `${where}/type: value must be one of ${CONFIG_TYPES.map((t) => `"${t}"`).join(", ")}`;
  }
  if (items.type === "array" && items.items === undefined) return `${where}: missing properties: 'items'`;
  return items.items === undefined ? undefined : itemsProblem(items.items, `${where}/items`);
}

/** Loads Pulumi.yaml (P1–P4). */
export function loadProject(dir: string): ProjectFile {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new PulumiCliError("project", `no Pulumi.yaml in ${dir}`, file);
  const raw = parseYamlFile(file, "project");
  const fail = (msg: string): never => {
    throw new PulumiCliError("project", `could not validate '${rel(file)}': ${msg}`, file);
  };
  if (!isMap(raw)) fail("expected project to be an object");
  const p = raw as Record<string, unknown>;
  if (!("name" in p)) fail("project is missing a 'name' attribute");
  if (typeof p.name !== "string" || p.name === "") fail("project is missing a non-empty string 'name' attribute");
  const name = p.name as string;
  const rawConfig = p.config ?? {};
  // Schema (P2): every entry a primitive, an array or a declaration; problems listed like the CLI's
  // jsonschema errors ("#/config/<key>: …").
  const schemaProblems: string[] = [];
  if (typeof rawConfig === "string") fail("config as a path is deprecated; use stackConfigDir");
  if (!isMap(rawConfig)) fail(`#/config: expected object, but got ${Array.isArray(rawConfig) ? "array" : typeof rawConfig}`);
  for (const [k, v] of Object.entries(rawConfig as Record<string, unknown>)) {
    const where = `#/config/${k}`;
    if (isPrimitive(v) || Array.isArray(v)) continue;
    if (!isMap(v)) {
      schemaProblems.push(`${where}: ${JSON.stringify(v)} is not a string, integer, boolean, array or config declaration`);
      continue;
    }
    for (const attr of Object.keys(v)) {
      if (!DECLARATION_KEYS.includes(attr)) schemaProblems.push(`${where}: '${attr}' not allowed; the allowed attributes are ${DECLARATION_KEYS.map((x) => `'${x}'`).join(", ")}`);
    }
    if (v.type !== undefined && !(typeof v.type === "string" && (CONFIG_TYPES as readonly string[]).includes(v.type))) {
      schemaProblems.push(`${where}/type: value must be one of ${CONFIG_TYPES.map((t) => `"${t}"`).join(", ")}`);
    }
    if (v.items !== undefined) {
      const pr = itemsProblem(v.items, `${where}/items`);
      if (pr) schemaProblems.push(pr);
    }
    if (v.description !== undefined && typeof v.description !== "string") schemaProblems.push(`${where}/description: expected string`);
    if (v.secret !== undefined && typeof v.secret !== "boolean") schemaProblems.push(`${where}/secret: expected boolean`);
  }
  if (schemaProblems.length) fail(schemaProblems.join("\n  "));

  // Shorthand (P3).
  const config: Record<string, ConfigDeclaration> = {};
  const ownKey = (k: string) => !k.includes(":") || k.startsWith(`${name}:`);
  for (const [k, v] of Object.entries(rawConfig as Record<string, unknown>)) {
    config[k] = isPrimitive(v) || Array.isArray(v) ? (ownKey(k) ? { default: v } : { value: v }) : ({ ...(v as object) } as ConfigDeclaration);
  }
  // Project.Validate (P4): the first problem stops, as in the CLI (map order there; sorted here).
  const unmarshal = (msg: string): never => {
    throw new PulumiCliError("project", `could not unmarshal '${rel(file)}': ${msg}`, file);
  };
  for (const k of Object.keys(config).sort()) {
    const d = config[k];
    if (d.default !== undefined && d.value !== undefined) unmarshal(`project config '${k}' cannot have both a 'default' and 'value' attribute`);
    if (ownKey(k)) {
      if (d.type === "array" && d.items === undefined) unmarshal(`The configuration key '${k}' declares an array but does not specify the underlying type via the 'items' attribute`);
      if (d.type !== undefined && d.default !== undefined && !validateConfigValue(d.type, d.items, d.default)) {
        unmarshal(`The default value specified for configuration key '${k}' is not of the expected type '${fullTypeName(d.type, d.items)}'`);
      }
    } else {
      if (d.type !== undefined) unmarshal(`Configuration key '${k}' is not namespaced by the project and should not define a type`);
      if (d.default !== undefined) {
        unmarshal(`Configuration key '${k}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`);
      }
      if (d.value === undefined) unmarshal(`Configuration key '${k}' is namespaced and must provide an attribute 'value'`);
    }
  }
  return { name, config };
}

/** project.go InferFullTypeName. */
export function fullTypeName(type: ConfigTypeName, items?: ItemsType): string {
  return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** project.go ValidateConfigValue. */
export function validateConfigValue(type: ConfigTypeName, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return isMap(value);
    case "array":
      return Array.isArray(value) && items !== undefined && value.every((x) => validateConfigValue(items.type, items.items, x));
  }
}

/** One stack config value as the CLI holds it (S3). */
interface StackValue {
  /** What the program receives: the string, or the JSON of an object/list (secrets as the placeholder). */
  text: string;
  /** An object or list (config.Value.Object()). */
  object: boolean;
  /** A secret, or an object holding one (config.Value.Secure()). */
  secure: boolean;
  /** What M2's type check sees: the decrypted string, or the parsed object. */
  content: unknown;
  /** Where inside the value its secure leaves are ("" for the value itself, ".a[0].b" inside it). */
  securePaths: string[];
}

function isSecureLeaf(v: unknown): boolean {
  return isMap(v) && Object.keys(v).length === 1 && "secure" in v;
}

/** `v` with its secure leaves replaced by the placeholder; `paths` collects where they were (".a[0].b"). */
function decrypted(v: unknown, at = "", paths: string[] = []): { value: unknown; secure: boolean } {
  if (isSecureLeaf(v)) {
    paths.push(at);
    return { value: SECRET_PLACEHOLDER, secure: true };
  }
  if (Array.isArray(v)) {
    const xs = v.map((x, i) => decrypted(x, `${at}[${i}]`, paths));
    return { value: xs.map((x) => x.value), secure: xs.some((x) => x.secure) };
  }
  if (isMap(v)) {
    let secure = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = decrypted(x, `${at}.${k}`, paths);
      out[k] = r.value;
      secure ||= r.secure;
    }
    return { value: out, secure };
  }
  return { value: v, secure: false };
}

function stackValue(v: unknown): StackValue {
  if (v === null || v === undefined) return { text: "", object: false, secure: false, content: "", securePaths: [] };
  if (isSecureLeaf(v)) return { text: SECRET_PLACEHOLDER, object: false, secure: true, content: SECRET_PLACEHOLDER, securePaths: [""] };
  if (isMap(v) || Array.isArray(v)) {
    const securePaths: string[] = [];
    const d = decrypted(v, "", securePaths);
    return { text: JSON.stringify(d.value), object: true, secure: d.secure, content: d.value, securePaths };
  }
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return { text, object: false, secure: false, content: text, securePaths: [] };
}

/** S2: `<namespace>:<name>`, or the old `<namespace>:config:<name>`. */
function parseKey(key: string, file: string): string {
  const colons = key.split(":").length - 1;
  if (colons === 1 && key.indexOf(":") > 0) return key;
  if (colons === 2 && key.split(":")[1] === "config") return key.replace(":config:", ":");
  throw new PulumiCliError("stack", `${rel(file)}: could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`, file);
}

/**
 * The attributes of a stack file (workspace.ProjectStack). The CLI reads the file with a lenient YAML
 * unmarshal: any other top-level key is dropped without a word, so a config key written at the top level
 * (a missing `config:` line or indentation) would vanish; plan refuses it instead, naming it.
 */
export const STACK_FILE_ATTRIBUTES = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

/** "a list", "the string \"x\"", "the number 3", … for "found …" in shape messages. */
function found(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${JSON.stringify(v)}`;
}

/** Loads a stack file (S1–S3). */
function loadStackFile(project: ProjectFile, file: string): { values: Map<string, StackValue>; warnings: string[] } {
  const raw = fs.existsSync(file) ? parseYamlFile(file, "stack") : null;
  const values = new Map<string, StackValue>();
  const warnings: string[] = [];
  if (raw === null || raw === undefined) return { values, warnings };
  if (!isMap(raw)) throw new PulumiCliError("stack", `${rel(file)}: expected the stack file to be a mapping (config:, secretsprovider:, …), found ${found(raw)}`, file);
  const stray = Object.keys(raw).filter((k) => !STACK_FILE_ATTRIBUTES.includes(k));
  if (stray.length) {
    const keys = stray.map((k) => JSON.stringify(k)).join(", ");
    throw new PulumiCliError(
      "stack",
      `${rel(file)}: top-level key${stray.length > 1 ? "s" : ""} ${keys} ${stray.length > 1 ? "are" : "is"} not a stack file attribute (${STACK_FILE_ATTRIBUTES.join(", ")}), and the CLI would ignore ${stray.length > 1 ? "them" : "it"}; config keys go under \`config:\`, indented`,
      file,
    );
  }
  if (raw.environment !== undefined) {
    throw new PulumiCliError("stack", `${rel(file)}: imports ESC environments (environment:); their values are resolved by Pulumi Cloud at \`pulumi up\`, so plan cannot check this stack offline`, file);
  }
  const config = raw.config ?? {};
  if (!isMap(config)) {
    throw new PulumiCliError("stack", `${rel(file)}: \`config\` must be a mapping of <namespace>:<key> to values; found ${found(config)} (the CLI cannot unmarshal it into a config map)`, file);
  }
  const empty: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    const key = parseKey(k.includes(":") ? k : `${project.name}:${k}`, file);
    if (v === null) empty.push(k);
    values.set(key, stackValue(v));
  }
  if (empty.length) {
    const keys = empty.map((k) => `"${k}"`);
    const s = keys.length > 1 ? "s" : "";
    warnings.push(
      `No value for configuration key${s} ${keys.length === 2 ? keys.join(" and ") : keys.join(", ")}. This is currently treated as an empty string \`""\`, but will be treated as \`null\` in a future version of pulumi.\nSet the value${s} to \`""\` to avoid this warning.`,
    );
  }
  return { values, warnings };
}

/** config.go formatMissingKeys + missingStackConfigurationKeysError. */
export function missingKeysMessage(stack: string, keys: string[]): string {
  const sorted = [...keys].sort();
  const list =
    sorted.length === 1
      ? `'${sorted[0]}'`
      : sorted.map((k, i) => (i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `)).join("");
  return `Stack '${stack}' is missing configuration value${sorted.length > 1 ? "s" : ""} ${list}`;
}

/** What the program receives for a project default/value (config.go createConfigValue). */
function projectValue(v: unknown): StackValue {
  if (isPrimitive(v)) return { text: String(v), object: false, secure: false, content: String(v), securePaths: [] };
  return { text: JSON.stringify(v), object: true, secure: false, content: v, securePaths: [] };
}

/**
 * Pulumi.yaml + Pulumi.<stack>.yaml → the config the program receives, or a PulumiCliError where
 * `pulumi up` would stop (message as the CLI prints it, C1).
 */
export function readStackConfig(dir: string, stack: string): RawStackConfig {
  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new Error(`no stack file ${path.basename(stackFile)}; stacks here: ${listStacks(dir).join(", ") || "none"}`);
  }
  const project = loadProject(dir);
  const { values, warnings } = loadStackFile(project, stackFile);

  // M1: defaults and values of the project, and the missing keys.
  const missing: string[] = [];
  const qualify = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
  for (const k of Object.keys(project.config).sort()) {
    const d = project.config[k];
    const key = qualify(k);
    if (values.has(key)) continue;
    if (d.value === undefined && d.default === undefined) {
      if (key.startsWith(`${project.name}:`)) missing.push(k);
      continue;
    }
    values.set(key, projectValue(d.default !== undefined ? d.default : d.value));
  }
  const fail = (msg: string): never => {
    throw new PulumiCliError("config", `validating stack config: ${msg}`, stackFile);
  };
  if (missing.length) fail(missingKeysMessage(stack, missing));

  // M2: typed keys, sorted, first failure.
  for (const k of Object.keys(project.config).sort()) {
    const d = project.config[k];
    if (d.type === undefined) continue;
    const v = values.get(qualify(k));
    if (!v) continue; // a key of another namespace that the stack does not set
    if (d.secret && !v.secure) fail(`Stack '${stack}' with configuration key '${k}' must be encrypted as it's secret`);
    // A top-level ciphertext cannot be decrypted offline: its type is checked by the CLI, not here.
    if (v.secure && !v.object) continue;
    if (!validateConfigValue(d.type, d.items, v.content)) fail(`Stack '${stack}' with configuration key '${k}' must be of type '${fullTypeName(d.type, d.items)}'`);
  }

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const securePaths: string[] = [];
  for (const [k, v] of values) {
    config[k] = v.text;
    if (v.secure) secretKeys.push(k);
    securePaths.push(...v.securePaths.map((p) => k + p));
  }
  return { project: project.name, stack, config, secretKeys: secretKeys.sort(), securePaths: securePaths.sort(), warnings };
}

/**
 * The secure paths (RawStackConfig.securePaths) of `Pulumi.<stack>.yaml` in `dir`, for the running program,
 * which the CLI tells only which keys hold a secret; undefined when there is no such file, or it imports
 * ESC environments. Throws a PulumiCliError for a stack file plan would refuse (YAML syntax, shape).
 */
export function stackFileSecurePaths(dir: string, project: string, stack: string): string[] | undefined {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  // Values from ESC environments are the CLI's to resolve (plan refuses them, the program must not): where
  // a stack imports one, which values are secure is not in the file.
  const raw = parseYamlFile(file, "stack");
  if (isMap(raw) && raw.environment !== undefined) return undefined;
  const { values } = loadStackFile({ name: project, config: {} }, file);
  return [...values].flatMap(([k, v]) => v.securePaths.map((p) => k + p)).sort();
}
