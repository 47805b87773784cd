/**
 * A small schema language for stack config: one declaration gives the TypeScript type, the validation
 * (every problem reported at once, each naming the key path, the bad value and what is allowed), the
 * defaults, unknown-key rejection and the generated config reference (docs/CONFIG.md).
 *
 * Why not a library: the messages are part of the product (tests assert them verbatim), and the docs
 * generator needs the same declarations; ~250 lines keep both exact.
 */

import { isSemver } from "../semver";

/** One problem found in the config. */
export interface Problem {
  path: string;
  message: string;
}

export interface Ctx {
  problems: Problem[];
  /** Top-level keys the user marked secret (`pulumi config set --secret`). */
  secretKeys: Set<string>;
  /**
   * Where the stack file holds `secure:` values (paths as in problems, e.g. "alerting.smtp.password"), when
   * known (plan, and the program when it finds its stack file): then every credential must itself be one
   * of them, not merely sit in a key holding some secret. Unknown: the top-level key must be secret.
   */
  securePaths?: Set<string>;
  /** What did parse of the objects and lists that did not (by path): see `partialView`. */
  partials?: Map<string, PartialValue>;
  /** `cluster.environment`, once parsed (parsed first): what environment-dependent defaults read. */
  environment?: string;
}

/** An object or list that did not parse: the children that did, and the keys (or indices) that did not. */
export interface PartialValue {
  value: object;
  failed: Set<string>;
}

function recordPartial(ctx: Ctx, path: string, value: object, failed: Set<string>): void {
  (ctx.partials ??= new Map()).set(path, { value, failed });
}

/** Thrown by a `partialView` read of what did not parse: whoever reads it (a rule, a duplicate check) stops. */
export const UNPARSED = Symbol("did not parse");

/**
 * What parsed at `path` of a value that did not (an object missing its bad keys, a list missing its bad
 * items): reads of what parsed return it, as a valid config would have it; a read of what did not (or a
 * listing of keys while some are bad) throws UNPARSED. So a rule over several keys can run, and stay right,
 * whatever else is wrong: it reports from what it could read, or stops. Throws UNPARSED when nothing parsed.
 */
export function partialView(ctx: Ctx, path: string): unknown {
  const p = ctx.partials?.get(path);
  if (!p) throw UNPARSED;
  const child = (k: string) => (Array.isArray(p.value) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
  return new Proxy(p.value, {
    get(target, key, receiver) {
      if (typeof key === "string" && p.failed.has(key)) return partialView(ctx, child(key));
      return Reflect.get(target, key, receiver);
    },
    // Array methods ask before they read (forEach: HasProperty, then Get).
    has(target, key) {
      if (typeof key === "string" && p.failed.has(key)) {
        if (ctx.partials?.has(child(key))) return true;
        throw UNPARSED;
      }
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      if (p.failed.size) throw UNPARSED;
      return Reflect.ownKeys(target);
    },
  });
}

/** `fn()`, or undefined when it read something that did not parse (UNPARSED). */
export function ifParsed<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e === UNPARSED) return undefined;
    throw e;
  }
}

export interface DocRow {
  path: string;
  type: string;
  default: string;
  doc: string;
  secret?: boolean;
}

export interface Field<T> {
  readonly typeName: string;
  readonly doc: string;
  /** A scalar that refuses "" (so its wrappers can say what to do instead: set it, or leave it out). */
  readonly refusesEmpty?: boolean;
  /** Parses `v` (undefined when absent); returns undefined after recording a problem. */
  parse(v: unknown, path: string, ctx: Ctx): T | undefined;
  /** Rows for the config reference. */
  docs(path: string): DocRow[];
  /** The default, as written in the reference ("" when none / required). */
  defaultText(): string;
}

export type Infer<F> = F extends Field<infer T> ? T : never;

export function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

function fail(ctx: Ctx, path: string, message: string): undefined {
  ctx.problems.push({ path, message });
  return undefined;
}

abstract class Base<T> implements Field<T> {
  constructor(readonly typeName: string, readonly doc: string) {}
  abstract parse(v: unknown, path: string, ctx: Ctx): T | undefined;
  docs(path: string): DocRow[] {
    return [{ path, type: this.typeName, default: this.defaultText(), doc: this.doc }];
  }
  defaultText(): string {
    return "(required)";
  }
}

type Check<T> = (v: T) => string | undefined;

/** What an empty string gets: a required key needs a value; an optional one is left out instead. */
export const EMPTY_REQUIRED = `"" is empty; a value is required`;
export const EMPTY_OPTIONAL = `"" is empty; set a value or leave the key out`;
const emptyWithDefault = (d: string) => `"" is empty; set a value or leave the key out for the default ${d}`;

class Scalar<T> extends Base<T> {
  readonly refusesEmpty = true;
  constructor(
    typeName: string,
    doc: string,
    private readonly coerce: (v: unknown) => T | undefined,
    private readonly expected: string,
    private readonly checks: Check<T>[] = [],
  ) {
    super(typeName, doc);
  }
  parse(v: unknown, path: string, ctx: Ctx): T | undefined {
    if (v === undefined || v === null) return fail(ctx, path, "is required");
    // An empty string is never a value here (a key written without one reaches the program as ""):
    // refused now, not half-way through declaring resources.
    if (v === "") return fail(ctx, path, EMPTY_REQUIRED);
    const c = this.coerce(v);
    if (c === undefined) return fail(ctx, path, `${show(v)} is not ${this.expected}`);
    for (const check of this.checks) {
      const msg = check(c);
      if (msg) return fail(ctx, path, `${show(v)} ${msg}`);
    }
    return c;
  }
  /** The same field with one more check; `msg` follows the shown value ("is not a duration; use …"). */
  check(fn: (v: T) => boolean, msg: string): Scalar<T> {
    return new Scalar(this.typeName, this.doc, this.coerce, this.expected, [...this.checks, (v) => (fn(v) ? undefined : msg)]);
  }
}

export function str(doc: string): Scalar<string> {
  return new Scalar("string", doc, (v) => (typeof v === "string" ? v : undefined), "a string");
}

export function int(doc: string, min: number, max: number): Scalar<number> {
  return new Scalar(
    "integer",
    doc,
    (v) => (typeof v === "number" && Number.isInteger(v) ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : undefined),
    "an integer",
  ).check((n) => n >= min && n <= max, `is out of range; allowed: ${min} to ${max}`);
}

export function num(doc: string, min: number, max: number): Scalar<number> {
  return new Scalar(
    "number",
    doc,
    (v) => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined),
    "a number",
  ).check((n) => n >= min && n <= max, `is out of range; allowed: ${min} to ${max}`);
}

export function bool(doc: string): Scalar<boolean> {
  // Pulumi passes booleans set with `pulumi config set` as the strings "true"/"false".
  return new Scalar("boolean", doc, (v) => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined), "a boolean (true or false)");
}

export function oneOf<const T extends string>(doc: string, values: readonly T[]): Scalar<T> {
  return new Scalar(
    values.map((x) => JSON.stringify(x)).join(" | "),
    doc,
    (v) => (typeof v === "string" ? (v as T) : undefined),
    "a string",
  ).check((v) => values.includes(v), `is not allowed; use one of: ${values.join(", ")}`);
}

/** A field with a default: absent → the default. */
class WithDefault<T> extends Base<T> {
  constructor(private readonly inner: Field<T>, private readonly dflt: T) {
    super(inner.typeName, inner.doc);
  }
  parse(v: unknown, path: string, ctx: Ctx): T | undefined {
    if (v === undefined || v === null) return structuredClone(this.dflt);
    if (v === "" && this.inner.refusesEmpty) return fail(ctx, path, emptyWithDefault(this.defaultText()));
    return this.inner.parse(v, path, ctx);
  }
  docs(path: string): DocRow[] {
    const rows = this.inner.docs(path);
    rows[0] = { ...rows[0], default: this.defaultText() };
    return rows;
  }
  defaultText(): string {
    return JSON.stringify(this.dflt);
  }
}

export function dflt<T>(field: Field<T>, value: T): Field<T> {
  return new WithDefault(field, value);
}

/** An optional field: absent → undefined. */
class Optional<T> extends Base<T | undefined> {
  constructor(private readonly inner: Field<T>) {
    super(inner.typeName, inner.doc);
  }
  parse(v: unknown, path: string, ctx: Ctx): T | undefined {
    if (v === undefined || v === null) return undefined;
    if (v === "" && this.inner.refusesEmpty) return fail(ctx, path, EMPTY_OPTIONAL);
    return this.inner.parse(v, path, ctx);
  }
  docs(path: string): DocRow[] {
    const rows = this.inner.docs(path);
    rows[0] = { ...rows[0], default: "(none)" };
    return rows;
  }
  defaultText(): string {
    return "(none)";
  }
}

export function opt<T>(field: Field<T>): Field<T | undefined> {
  return new Optional(field);
}

/**
 * An optional top-level section: absent, or `{}` (what Pulumi.yaml's `default: {}` gives a key the stack does
 * not set: the CLI needs a default for every declared key), is unset.
 */
export function optSection<T>(field: Field<T>): Field<T | undefined> {
  const inner = new Optional(field);
  return new (class implements Field<T | undefined> {
    readonly typeName = inner.typeName;
    readonly doc = inner.doc;
    parse(v: unknown, path: string, ctx: Ctx): T | undefined {
      if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) return undefined;
      return inner.parse(v, path, ctx);
    }
    docs(path: string): DocRow[] {
      return inner.docs(path);
    }
    defaultText(): string {
      return inner.defaultText();
    }
  })();
}

/** Whether `path` is, or lies inside, one of `paths` ("a.b" is inside "a", "a[0].b" inside "a[0]"). */
export function isUnder(path: string, paths: Set<string>): boolean {
  if (paths.has(path)) return true;
  for (let i = path.length - 1; i > 0; i--) if ((path[i] === "." || path[i] === "[") && paths.has(path.slice(0, i))) return true;
  return false;
}

/**
 * A credential: must come from secret config. Parsed like a string, but it must itself be `secure:` in
 * the stack file, so it is encrypted there and masked by Pulumi. The CLI marks a whole top-level key
 * secret when any value inside it is secure, so a secret sibling does not make a plaintext credential
 * secret: where the stack file's secure paths are known (Ctx.securePaths), the credential's own path must
 * be one of them; otherwise its top-level key must be secret.
 */
export function secretStr(doc: string): Field<string> {
  const inner = str(doc);
  return new (class extends Base<string> {
    readonly refusesEmpty = true;
    parse(v: unknown, path: string, ctx: Ctx): string | undefined {
      const s = inner.parse(v, path, ctx);
      if (s === undefined) return undefined;
      const top = path.split(/[.[]/)[0];
      if (ctx.securePaths ? !isUnder(path, ctx.securePaths) : !ctx.secretKeys.has(top)) {
        return fail(ctx, path, `is a credential and must be secret config; set it with: pulumi config set --secret --path '${path}' <value>`);
      }
      return s;
    }
    docs(path: string): DocRow[] {
      return [{ path, type: "string (secret)", default: "(required)", doc: this.doc, secret: true }];
    }
  })("string", doc);
}

export function arr<T>(doc: string, item: Field<T>, opts: { min?: number; max?: number; unique?: (x: T) => string } = {}): Field<T[]> {
  return new (class extends Base<T[]> {
    parse(v: unknown, path: string, ctx: Ctx): T[] | undefined {
      if (v === undefined || v === null) return fail(ctx, path, "is required");
      if (!Array.isArray(v)) return fail(ctx, path, `${show(v)} is not a list`);
      if (opts.min !== undefined && v.length < opts.min) return fail(ctx, path, `has ${v.length} entries; at least ${opts.min} required`);
      if (opts.max !== undefined && v.length > opts.max) return fail(ctx, path, `has ${v.length} entries; at most ${opts.max} allowed`);
      const before = ctx.problems.length;
      const failed = new Set<string>();
      const out = v.map((x, i) => {
        const b = ctx.problems.length;
        const r = item.parse(x, `${path}[${i}]`, ctx);
        if (r === undefined && ctx.problems.length > b) failed.add(String(i));
        return r;
      });
      // Duplicates are reported with the items' own problems (an item that did not parse by what of it did).
      if (opts.unique) {
        const seen = new Map<string, number>();
        out.forEach((x, i) => {
          const key = failed.has(String(i)) ? ifParsed(() => opts.unique!(partialView(ctx, `${path}[${i}]`) as T)) : opts.unique!(x as T);
          if (key === undefined) return;
          if (seen.has(key)) fail(ctx, `${path}[${i}]`, `${show(key)} is a duplicate of ${path}[${seen.get(key)}]; values must be unique`);
          else seen.set(key, i);
        });
      }
      if (ctx.problems.length > before) {
        recordPartial(ctx, path, out, failed);
        return undefined;
      }
      return out as T[];
    }
    docs(path: string): DocRow[] {
      return [{ path, type: `list of ${item.typeName}`, default: this.defaultText(), doc: this.doc }, ...item.docs(`${path}[]`).slice(1)];
    }
  })(`list`, doc);
}

/** A string→string map (labels, annotations). */
export function strMap(doc: string, keyCheck?: { test: (k: string) => boolean; allowed: string }): Field<Record<string, string>> {
  return new (class extends Base<Record<string, string>> {
    parse(v: unknown, path: string, ctx: Ctx): Record<string, string> | undefined {
      if (v === undefined || v === null) return fail(ctx, path, "is required");
      if (typeof v !== "object" || Array.isArray(v)) return fail(ctx, path, `${show(v)} is not a map of strings`);
      const before = ctx.problems.length;
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (keyCheck && !keyCheck.test(k)) fail(ctx, `${path}.${k}`, `key ${show(k)} is not allowed; ${keyCheck.allowed}`);
        else if (typeof x !== "string") fail(ctx, `${path}.${k}`, `${show(x)} is not a string; quote it`);
        else out[k] = x;
      }
      return ctx.problems.length > before ? undefined : out;
    }
  })("map of string", doc);
}

type Shape = Record<string, Field<any>>;
export type ObjOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

/** Closest known key, for "did you mean" hints on typos. */
function closest(key: string, known: string[]): string | undefined {
  const d = (a: string, b: string) => {
    const m = a.length, n = b.length;
    const dp = Array.from({ length: m + 1 }, (_, i) => [i, ...Array(n).fill(0)]);
    for (let j = 1; j <= n; j++) dp[0][j] = j;
    for (let i = 1; i <= m; i++)
      for (let j = 1; j <= n; j++)
        dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    return dp[m][n];
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const x = d(key, k);
    if (x < bestD) (bestD = x), (best = k);
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

export function unknownKeyMessage(key: string, known: string[]): string {
  const hint = closest(key, known);
  return `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${known.join(", ")}`;
}

export class ObjField<S extends Shape> extends Base<ObjOf<S>> {
  constructor(doc: string, readonly shape: S) {
    super("object", doc);
  }
  parse(v: unknown, path: string, ctx: Ctx): ObjOf<S> | undefined {
    if (v === undefined || v === null) v = {};
    if (typeof v !== "object" || Array.isArray(v)) return fail(ctx, path, `${show(v)} is not an object`);
    const before = ctx.problems.length;
    const known = Object.keys(this.shape);
    for (const k of Object.keys(v as object)) {
      if (!known.includes(k)) fail(ctx, path ? `${path}.${k}` : k, unknownKeyMessage(k, known));
    }
    const out: Record<string, unknown> = {};
    const failed = new Set<string>();
    for (const k of known) {
      const b = ctx.problems.length;
      const x = this.shape[k].parse((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, ctx);
      if (x !== undefined) out[k] = x;
      else if (ctx.problems.length > b) failed.add(k);
    }
    if (ctx.problems.length > before) {
      recordPartial(ctx, path, out, failed);
      return undefined;
    }
    return out as ObjOf<S>;
  }
  docs(path: string): DocRow[] {
    const rows: DocRow[] = path ? [{ path, type: "object", default: "", doc: this.doc }] : [];
    for (const [k, f] of Object.entries(this.shape)) rows.push(...f.docs(path ? `${path}.${k}` : k));
    return rows;
  }
  defaultText(): string {
    return "";
  }
}

export function obj<S extends Shape>(doc: string, shape: S): ObjField<S> {
  return new ObjField(doc, shape);
}

// ---- Common value formats, with the upstream grammar they follow ----

/** Prometheus duration (prometheus-operator `Duration` pattern, monitoring.coreos.com/v1 types.go). */
export const DURATION_RE = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
/**
 * A Prometheus duration, positive: a zero interval, retention or wait is never what a stack means.
 * `allowZero` where Prometheus gives 0 a meaning (an alert's `for: 0s` fires at once).
 */
export function duration(doc: string, opts: { allowZero?: boolean } = {}): Scalar<string> {
  const f = str(doc).check((v) => DURATION_RE.test(v), `is not a duration; use e.g. "15d" or "12h"`);
  return opts.allowZero ? f : f.check((v) => /[1-9]/.test(v), `is zero; use a positive duration, e.g. "15d" or "12h"`);
}

/**
 * A size in the units Prometheus' --storage.tsdb.retention.size takes (B, KB, MB, GB, TB, PB, EB; the
 * prometheus-operator `ByteSize` type), with a number and positive ("GB" and "0GB" match the operator's
 * pattern, but the first is no size and the second disables the limit: leave the key out instead).
 */
export const BYTESIZE_RE = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(B|KB|MB|GB|TB|PB|EB)$/;
export function byteSize(doc: string): Scalar<string> {
  return str(doc)
    .check((v) => BYTESIZE_RE.test(v), `is not a size; use e.g. "50GB" or "500MB" (units B, KB, MB, GB, TB, PB, EB)`)
    .check((v) => parseFloat(v.replace(/^\./, "0.")) > 0, `is zero; use a positive size, e.g. "50GB" or "500MB"`);
}

/** Kubernetes resource.Quantity (apimachinery pkg/api/resource/quantity.go grammar). */
export const QUANTITY_RE = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][-+]?[0-9]+))?$/;
/** A Kubernetes quantity, positive: a zero volume, request or limit is a mistake (leave the key out instead). */
export function quantity(doc: string): Scalar<string> {
  return new Scalar<string>("quantity", doc, (v) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined), "a quantity")
    .check((v) => QUANTITY_RE.test(v), `is not a Kubernetes quantity; use e.g. "500m", "2", "256Mi" or "10Gi"`)
    .check((v) => /[1-9]/.test(v.replace(/[eE][-+]?[0-9]+$/, "")), `is zero; use a positive quantity, e.g. "500m", "2", "256Mi" or "10Gi"`);
}

/** RFC 1123 label (namespace and object names). */
export const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export function dnsLabel(doc: string, maxLen = 63): Scalar<string> {
  return str(doc).check(
    (v) => v.length <= maxLen && DNS_LABEL_RE.test(v),
    `is not a valid name; use lower-case letters, digits and "-", starting and ending with a letter or digit, at most ${maxLen} characters`,
  );
}

/** An exact chart version (semver.org 2.0.0), as Helm resolves `version`; ranges would float between runs. */
export function chartVersion(doc: string): Scalar<string> {
  return str(doc).check((v) => isSemver(v), `is not an exact chart version; use a semantic version such as "1.2.3" (no range, no leading "v")`);
}

export function url(doc: string): Scalar<string> {
  return str(doc).check((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, `is not an http(s) URL; use e.g. "https://grafana.example.com"`);
}

/** Container resources: requests/limits of cpu and memory. */
export function resources(doc: string, defaults: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } } = {}) {
  const pair = (what: string, d: { cpu?: string; memory?: string } | undefined) =>
    dflt(
      obj(`${what}`, {
        cpu: d?.cpu !== undefined ? dflt(quantity(`CPU ${what}`), d.cpu) : opt(quantity(`CPU ${what}`)),
        memory: d?.memory !== undefined ? dflt(quantity(`memory ${what}`), d.memory) : opt(quantity(`memory ${what}`)),
      }),
      { ...(d ?? {}) } as any,
    );
  return obj(doc, { requests: pair("requests", defaults.requests), limits: pair("limits", defaults.limits) });
}
export type Resources = { requests: { cpu?: string; memory?: string }; limits: { cpu?: string; memory?: string } };

type ResourceDefaults = { requests: { cpu?: string; memory: string }; limits: { cpu?: string; memory: string } };
/** Which default tier an environment gets: dev and test clusters are small, staging and prod are sized for load. */
export const ENVIRONMENT_TIER: Record<string, "small" | "large"> = { dev: "small", test: "small", staging: "large", prod: "large" };

/**
 * Container resources whose defaults depend on `cluster.environment` (small: dev, test; large: staging,
 * prod), always with a memory request and limit. `why` says where the numbers come from (it is in the
 * config reference). A key the stack sets replaces only that default (e.g. `limits.memory` alone).
 */
export function envResources(doc: string, tiers: { small: ResourceDefaults; large: ResourceDefaults }, why: string): Field<Resources> {
  const text = (r: ResourceDefaults) =>
    `requests ${[r.requests.cpu && `cpu ${r.requests.cpu}`, `memory ${r.requests.memory}`].filter(Boolean).join(", ")}; limits ${[r.limits.cpu && `cpu ${r.limits.cpu}`, `memory ${r.limits.memory}`].filter(Boolean).join(", ")}`;
  const fields = { small: resources(doc, tiers.small), large: resources(doc, tiers.large) };
  return new (class implements Field<Resources> {
    readonly typeName = "object";
    readonly doc = `${doc}. Defaults: dev/test ${text(tiers.small)}; staging/prod ${text(tiers.large)} (${why})`;
    parse(v: unknown, path: string, ctx: Ctx): Resources | undefined {
      return fields[ENVIRONMENT_TIER[ctx.environment ?? "dev"] ?? "small"].parse(v, path, ctx) as Resources | undefined;
    }
    docs(path: string): DocRow[] {
      const rows = fields.small.docs(path);
      return [{ ...rows[0], doc: this.doc, default: "by environment" }, ...rows.slice(1).map((r) => ({ ...r, default: "by environment" }))];
    }
    defaultText(): string {
      return "by environment";
    }
  })();
}

/** Persistent storage for a StatefulSet's volumeClaimTemplate. */
export function storage(doc: string) {
  return obj(doc, {
    size: quantity("PersistentVolumeClaim size, e.g. \"50Gi\""),
    storageClassName: opt(str("StorageClass; the cluster default when unset")),
  });
}
export type Storage = { size: string; storageClassName?: string };
