/**
 * Just enough of Go's text/template (the language of Helm templates) to find where a chart declares Helm
 * hooks and to decide, offline, whether a template's enclosing `if`/`with`/`range` conditions hold for a
 * set of values. Used by scripts/helm-hooks.ts (derive the inventory from a pinned chart) and by
 * components/charts/hooks.ts (evaluate it against a stack's values).
 *
 * Semantics follow text/template (pkg.go.dev/text/template "Actions", "Functions") and the Sprig/Helm
 * functions charts use in conditions (and, or, not, eq, ne, lt/le/gt/ge, empty, default, hasKey, kindIs,
 * ternary, len, coalesce, contains, toString). Anything else (include, lookup, .Capabilities, variables)
 * evaluates to UNKNOWN: a caller must treat "unknown" as "may render", never as "does not".
 */

// ---------------------------------------------------------------- scanning templates into actions

export type Segment = { kind: "text"; text: string; line: number } | { kind: "action"; body: string; line: number };

/** Splits template text into text and `{{ … }}` actions (trim markers and comments removed). */
export function scanTemplate(src: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let line = 1;
  const advance = (s: string) => {
    for (const c of s) if (c === "\n") line++;
  };
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ kind: "text", text: src.slice(i), line });
      break;
    }
    if (open > i) {
      const text = src.slice(i, open);
      out.push({ kind: "text", text, line });
      advance(text);
    }
    // Find the closing "}}" outside string literals.
    let j = open + 2;
    let quote: string | null = null;
    for (; j < src.length; j++) {
      const c = src[j];
      if (quote) {
        if (c === "\\" && quote === '"') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "`") quote = c;
      else if (c === "/" && src[j + 1] === "*") {
        const end = src.indexOf("*/", j + 2);
        j = end < 0 ? src.length : end + 1;
      } else if (c === "}" && src[j + 1] === "}") break;
    }
    const raw = src.slice(open + 2, j);
    const body = raw.replace(/^-\s/, "").replace(/^-$/, "").replace(/\s-$/, "").trim();
    const startLine = line;
    advance(src.slice(open, j + 2));
    if (!body.startsWith("/*")) out.push({ kind: "action", body, line: startLine });
    i = j + 2;
  }
  return out;
}

/** One enclosing block condition of a region of a template. */
export interface Condition {
  /** `if X` holds; `not` (an else branch) X does not; `with`/`range` X is non-empty. */
  kind: "if" | "not" | "with" | "range";
  expr: string;
  /** What an opaque condition stands for (set by the inventory script; the expression is then a variable, UNKNOWN). */
  note?: string;
}

interface Frame {
  kind: "if" | "with" | "range" | "define" | "block";
  /** Conditions this frame adds for its current branch. */
  conds: Condition[];
  /** Negations of every earlier branch (for else / else if). */
  earlier: Condition[];
  name?: string;
}

export interface Walker {
  /** Conditions in force at a point, outermost first. */
  conditions(): Condition[];
  /** The `define` the point is in, if any. */
  define(): string | undefined;
}

/**
 * Walks the segments, keeping the stack of block conditions; calls `onText`/`onAction` with the
 * conditions in force. `else if` = every earlier branch false and this one true.
 */
export function walkTemplate(
  segments: Segment[],
  visit: { onText?: (s: Extract<Segment, { kind: "text" }>, w: Walker) => void; onAction?: (s: Extract<Segment, { kind: "action" }>, w: Walker) => void },
): void {
  const stack: Frame[] = [];
  const w: Walker = {
    conditions: () => stack.flatMap((f) => f.conds),
    define: () => [...stack].reverse().find((f) => f.kind === "define")?.name,
  };
  for (const s of segments) {
    if (s.kind === "text") {
      visit.onText?.(s, w);
      continue;
    }
    const b = s.body;
    const m = /^(if|with|range|define|block|else|end)\b\s*([\s\S]*)$/.exec(b);
    if (!m) {
      visit.onAction?.(s, w);
      continue;
    }
    const [, kw, rest] = m;
    switch (kw) {
      case "if":
        stack.push({ kind: "if", conds: [{ kind: "if", expr: rest }], earlier: [] });
        break;
      case "with":
        stack.push({ kind: "with", conds: [{ kind: "with", expr: rest }], earlier: [] });
        break;
      case "range":
        stack.push({ kind: "range", conds: [{ kind: "range", expr: rangeExpr(rest) }], earlier: [] });
        break;
      case "define":
      case "block": {
        const name = /^"([^"]*)"/.exec(rest)?.[1];
        stack.push({ kind: kw, conds: [], earlier: [], name });
        if (kw === "block") visit.onAction?.({ ...s, body: `template ${rest}` }, w);
        break;
      }
      case "else": {
        const f = stack[stack.length - 1];
        if (!f) break;
        // The branch that just ended becomes an "earlier" branch that did not hold.
        const ended = f.conds.filter((c) => !f.earlier.includes(c));
        f.earlier = [...f.earlier, ...ended.filter((c) => c.kind !== "not").map((c): Condition => ({ kind: "not", expr: c.kind === "if" ? c.expr : `${c.kind === "with" ? "" : "len "}${c.expr}`.trim() }))];
        const elseIf = /^(if|with)\s+([\s\S]*)$/.exec(rest);
        f.conds = [...f.earlier, ...(elseIf ? [{ kind: elseIf[1] as "if" | "with", expr: elseIf[2] }] : [])];
        break;
      }
      case "end":
        stack.pop();
        break;
    }
  }
}

/** `range $i, $x := .Values.list` → `.Values.list`. */
function rangeExpr(rest: string): string {
  const m = /^(?:\$[\w]*\s*(?:,\s*\$[\w]*)?\s*:?=\s*)?([\s\S]*)$/.exec(rest);
  return (m?.[1] ?? rest).trim();
}

// ---------------------------------------------------------------- evaluating conditions

export const UNKNOWN: unique symbol = Symbol("unknown");
export type Value = unknown;

export interface EvalScope {
  /** `.Values` (chart defaults coalesced with the user's values). */
  values: Record<string, unknown>;
  /** `.Release` fields known offline (Name, Namespace, IsInstall, IsUpgrade). */
  release?: Record<string, unknown>;
  /** `.Chart` fields (Name, Version, AppVersion). */
  chart?: Record<string, unknown>;
}

type Tok = { t: "field"; path: string[]; root: "." | "$" } | { t: "var"; name: string; path: string[] } | { t: "str"; v: string } | { t: "num"; v: number } | { t: "ident"; v: string } | { t: "lp" } | { t: "rp" } | { t: "pipe" };

function tokenize(expr: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(") (toks.push({ t: "lp" }), i++);
    else if (c === ")") (toks.push({ t: "rp" }), i++);
    else if (c === "|") (toks.push({ t: "pipe" }), i++);
    else if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < expr.length && expr[j] !== '"') {
        if (expr[j] === "\\") j++;
        s += expr[j++];
      }
      toks.push({ t: "str", v: s });
      i = j + 1;
    } else if (c === "`") {
      const j = expr.indexOf("`", i + 1);
      toks.push({ t: "str", v: expr.slice(i + 1, j) });
      i = j + 1;
    } else if (c === "." || c === "$") {
      const m = /^(\$[\w]*)?((?:\.[\w-]+)*)\.?/.exec(expr.slice(i))!;
      const path = m[2].split(".").filter(Boolean);
      if (m[1] && m[1] !== "$") toks.push({ t: "var", name: m[1], path });
      else toks.push({ t: "field", path, root: m[1] ? "$" : "." });
      i += m[0].length || 1;
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(expr.slice(i));
      if (!m) throw new Error(`cannot parse ${JSON.stringify(expr)} at ${i}`);
      toks.push({ t: "num", v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(expr.slice(i))!;
      toks.push({ t: "ident", v: m[0] });
      i += m[0].length;
    } else throw new Error(`cannot parse ${JSON.stringify(expr)}: unexpected ${JSON.stringify(c)}`);
  }
  return toks;
}

type Node = { n: "pipeline"; cmds: Node[][] } | { n: "tok"; tok: Tok };

function parse(toks: Tok[]): Node {
  let pos = 0;
  const pipeline = (): Node => {
    const cmds: Node[][] = [[]];
    while (pos < toks.length && toks[pos].t !== "rp") {
      const t = toks[pos++];
      if (t.t === "pipe") cmds.push([]);
      else if (t.t === "lp") {
        const inner = pipeline();
        if (toks[pos]?.t !== "rp") throw new Error("unbalanced parentheses");
        pos++;
        cmds[cmds.length - 1].push(inner);
      } else cmds[cmds.length - 1].push({ n: "tok", tok: t });
    }
    return { n: "pipeline", cmds };
  };
  const p = pipeline();
  if (pos !== toks.length) throw new Error("unbalanced parentheses");
  return p;
}

/** Go template truthiness (text/template `truth`): false, 0, nil, "" and empty maps/slices are false. */
export function truthy(v: Value): boolean | typeof UNKNOWN {
  if (v === UNKNOWN) return UNKNOWN;
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function dig(root: unknown, path: string[]): Value {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === UNKNOWN) return UNKNOWN;
    if (cur === undefined || cur === null) return undefined;
    if (typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function fieldValue(path: string[], scope: EvalScope): Value {
  const [head, ...rest] = path;
  if (head === undefined) return UNKNOWN; // the whole context
  if (head === "Values") return dig(scope.values, rest);
  if (head === "Release") return scope.release && rest[0] in scope.release ? dig(scope.release, rest) : UNKNOWN;
  if (head === "Chart") return scope.chart && rest[0] in scope.chart ? dig(scope.chart, rest) : UNKNOWN;
  return UNKNOWN; // .Capabilities, .Template, .Files, a dict passed to include…
}

const eqv = (a: Value, b: Value) => (a === UNKNOWN || b === UNKNOWN ? UNKNOWN : JSON.stringify(a ?? null) === JSON.stringify(b ?? null));

const FUNCS: Record<string, (args: Value[]) => Value> = {
  and: (a) => {
    let last: Value = true;
    let unknown = false;
    for (const x of a) {
      const t = truthy(x);
      if (t === false) return x;
      if (t === UNKNOWN) unknown = true;
      last = x;
    }
    return unknown ? UNKNOWN : last;
  },
  or: (a) => {
    let unknown = false;
    for (const x of a) {
      const t = truthy(x);
      if (t === true) return x;
      if (t === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : a[a.length - 1];
  },
  not: ([x]) => {
    const t = truthy(x);
    return t === UNKNOWN ? UNKNOWN : !t;
  },
  eq: ([a, ...bs]) => {
    let unknown = false;
    for (const b of bs) {
      const r = eqv(a, b);
      if (r === true) return true;
      if (r === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : false;
  },
  ne: ([a, b]) => {
    const r = eqv(a, b);
    return r === UNKNOWN ? UNKNOWN : !r;
  },
  lt: ([a, b]) => cmp(a, b, (x, y) => x < y),
  le: ([a, b]) => cmp(a, b, (x, y) => x <= y),
  gt: ([a, b]) => cmp(a, b, (x, y) => x > y),
  ge: ([a, b]) => cmp(a, b, (x, y) => x >= y),
  empty: ([x]) => {
    const t = truthy(x);
    return t === UNKNOWN ? UNKNOWN : !t;
  },
  // Sprig `default d v`: v when truthy, else d (with a pipe, v is the piped value: the last argument).
  default: (a) => {
    const v = a.length > 1 ? a[a.length - 1] : undefined;
    const t = truthy(v);
    return t === UNKNOWN ? UNKNOWN : t ? v : a[0];
  },
  coalesce: (a) => {
    for (const x of a) {
      const t = truthy(x);
      if (t === UNKNOWN) return UNKNOWN;
      if (t) return x;
    }
    return undefined;
  },
  hasKey: ([m, k]) => (m === UNKNOWN || k === UNKNOWN ? UNKNOWN : !!m && typeof m === "object" && (k as string) in (m as object)),
  kindIs: ([kind, v]) => {
    if (v === UNKNOWN) return UNKNOWN;
    const k = v === undefined || v === null ? "invalid" : Array.isArray(v) ? "slice" : typeof v === "object" ? "map" : typeof v === "boolean" ? "bool" : typeof v === "number" ? (Number.isInteger(v) ? "int" : "float64") : "string";
    return kind === k;
  },
  ternary: ([a, b, c]) => {
    const t = truthy(c);
    return t === UNKNOWN ? UNKNOWN : t ? a : b;
  },
  len: ([x]) => (x === UNKNOWN ? UNKNOWN : Array.isArray(x) ? x.length : typeof x === "string" ? x.length : x && typeof x === "object" ? Object.keys(x).length : 0),
  contains: ([sub, s]) => (sub === UNKNOWN || s === UNKNOWN ? UNKNOWN : String(s).includes(String(sub))),
  toString: (a: Value[]) => (a[0] === UNKNOWN ? UNKNOWN : typeof a[0] === "string" ? a[0] : JSON.stringify(a[0])),
  true: () => true,
  false: () => false,
  nil: () => null,
};

function cmp(a: Value, b: Value, f: (x: number, y: number) => boolean): Value {
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  return typeof a === "number" && typeof b === "number" ? f(a, b) : UNKNOWN;
}

function evalNode(node: Node, scope: EvalScope): Value {
  if (node.n === "tok") {
    const t = node.tok;
    switch (t.t) {
      case "field":
        return fieldValue(t.path, scope);
      case "var":
        return UNKNOWN;
      case "str":
        return t.v;
      case "num":
        return t.v;
      case "ident":
        return Object.hasOwn(FUNCS, t.v) ? FUNCS[t.v]([]) : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }
  let piped: Value | undefined;
  let hasPiped = false;
  for (const cmd of node.cmds) {
    if (cmd.length === 0) return UNKNOWN;
    const [head, ...args] = cmd;
    let v: Value;
    if (head.n === "tok" && head.tok.t === "ident") {
      const fn = Object.hasOwn(FUNCS, head.tok.v) ? FUNCS[head.tok.v] : undefined;
      const argv = args.map((a) => evalNode(a, scope));
      if (hasPiped) argv.push(piped);
      v = fn ? fn(argv) : UNKNOWN;
    } else {
      if (args.length) return UNKNOWN;
      v = evalNode(head, scope);
    }
    piped = v;
    hasPiped = true;
  }
  return piped;
}

/** Evaluates a pipeline expression; UNKNOWN when it depends on anything not known offline. */
export function evaluate(expr: string, scope: EvalScope): Value {
  try {
    return evalNode(parse(tokenize(expr)), scope);
  } catch {
    return UNKNOWN;
  }
}

/** Whether a condition holds: true, false, or UNKNOWN. */
export function conditionHolds(c: Condition, scope: EvalScope): boolean | typeof UNKNOWN {
  const t = truthy(evaluate(c.expr, scope));
  if (t === UNKNOWN) return UNKNOWN;
  return c.kind === "not" ? !t : t;
}

/** All conditions: false as soon as one is false, else UNKNOWN if one is, else true. */
export function allHold(cs: Condition[], scope: EvalScope): boolean | typeof UNKNOWN {
  let unknown = false;
  for (const c of cs) {
    const r = conditionHolds(c, scope);
    if (r === false) return false;
    if (r === UNKNOWN) unknown = true;
  }
  return unknown ? UNKNOWN : true;
}

/** The `.Values.a.b` paths an expression reads (for recording chart defaults next to the inventory). */
export function valuesPaths(expr: string): string[] {
  try {
    return tokenize(expr)
      .filter((t): t is Extract<Tok, { t: "field" }> => t.t === "field" && t.path[0] === "Values" && t.path.length > 1)
      .map((t) => t.path.slice(1).join("."));
  } catch {
    return [];
  }
}
