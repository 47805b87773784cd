/**
 * Derives a Helm hook inventory from a chart's templates: every template (or `define` included by one)
 * that carries a `helm.sh/hook` annotation, with its hook kinds and the `if`/`with`/`range` conditions
 * around it, plus the chart defaults of every value those conditions read. Subcharts are included with
 * their dependency condition and their values under the alias.
 *
 *   npx tsx scripts/helm-hooks.ts <chart dir> [<alias>=<subchart dir> ...] [--version V] [--source TEXT ...] \
 *     > components/charts/hooks/<chart>-<version>.json
 * (`--version` when the chart's Chart.yaml carries a placeholder that its release workflow replaces, as
 * Spegel's does; `--source` names the upstream commit and path, recorded in the inventory.)
 *
 * Why: `helm.v4.Chart` renders with hooks disabled and applies only the release manifest
 * (pulumi-kubernetes provider/pkg/helm/chart.go), so a hook a stack needs is silently never applied.
 * components/charts/hooks.ts evaluates the inventory under each stack's values; plan and the tests refuse
 * a stack where an install or upgrade hook would render. The chart dirs come from the pinned upstream
 * sources (e.g. `git archive <tag> charts/<chart> | tar -x`); only this derived inventory is committed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { Condition, scanTemplate, valuesPaths, walkTemplate } from "../components/charts/gotemplate";
import { coalesceValues, type HookEntry, type HookInventory } from "../components/charts/hooks";

const HOOK_RE = /^\s*["']?helm\.sh\/hook["']?\s*:\s*(.*)$/;

interface RawHook {
  kind?: string;
  hookValue: string;
  conditions: Condition[];
  line: number;
}

interface ChartFiles {
  /** Path prefix shown in the inventory (e.g. "charts/kube-state-metrics/"). */
  prefix: string;
  dir: string;
  /** Values prefix of a subchart ("" for the parent). */
  alias: string;
  /** Dependency condition in the parent's values scope (subcharts only). */
  dependency?: string;
}

function templateFiles(dir: string): string[] {
  const root = path.join(dir, "templates");
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== "NOTES.txt") out.push(p);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

/** `.Values.x` of a subchart is `.Values.<alias>.x` of the parent; globals stay global. */
function rescope(c: Condition, alias: string): Condition {
  if (!alias) return c;
  return { ...c, expr: c.expr.replace(/(\$?)\.Values\.(?!global\b)/g, `$1.Values.${alias}.`) };
}

interface IncludeSite {
  conditions: Condition[];
  /** Called with another context than `.`: the define's own conditions are not in the chart's scope. */
  opaque: boolean;
}

function hooksOf(src: string): { defines: Map<string, RawHook[]>; includes: Map<string, (IncludeSite & { line: number })[]>; top: RawHook[]; defineIncludes: Map<string, (IncludeSite & { name: string })[]> } {
  const segments = scanTemplate(src);
  const defines = new Map<string, RawHook[]>();
  const defineIncludes = new Map<string, (IncludeSite & { name: string })[]>();
  const includes = new Map<string, (IncludeSite & { line: number })[]>();
  const top: RawHook[] = [];
  let docKind: string | undefined;
  walkTemplate(segments, {
    onText: (s, w) => {
      const lines = s.text.split("\n");
      lines.forEach((l, i) => {
        if (/^---/.test(l)) docKind = undefined;
        const k = /^kind:\s*(\S+)/.exec(l);
        if (k) docKind = k[1];
        const h = HOOK_RE.exec(l);
        if (!h) return;
        // The value may continue in a following action (`"helm.sh/hook": {{ .Values.x }}`).
        const hook: RawHook = { kind: docKind, hookValue: h[1].trim().replace(/^["']$/, ""), conditions: w.conditions(), line: s.line + i };
        const def = w.define();
        if (def) defines.set(def, [...(defines.get(def) ?? []), hook]);
        else top.push(hook);
      });
    },
    onAction: (s, w) => {
      const inc = /^(?:include|template)\s+"([^"]+)"\s*([^|)]*)/.exec(s.body) ?? /\(\s*include\s+"([^"]+)"\s*([^|)]*)/.exec(s.body);
      const def = w.define();
      if (inc) {
        // A define called with another context than `.`/`$` reads its own `.Values` from that context:
        // its inner conditions cannot be judged in the chart's scope, so they become one unknown.
        const ctx = inc[2].trim();
        const site = [...w.conditions(), ...(ctx === "." || ctx === "$" || ctx === "" ? [] : [{ kind: "if" as const, expr: "$includeContext", note: `the define's own conditions, read in the context ${ctx}…` }])];
        const opaque = site.length > w.conditions().length;
        if (def) defineIncludes.set(def, [...(defineIncludes.get(def) ?? []), { name: inc[1], conditions: site, opaque }]);
        else includes.set(inc[1], [...(includes.get(inc[1]) ?? []), { conditions: site, line: s.line, opaque }]);
      }
      // A hook value written as an action right after the key: attach it to the last hook seen.
      const last = def ? defines.get(def)?.at(-1) : top.at(-1);
      if (last && last.hookValue === "" && last.line === s.line) last.hookValue = `{{ ${s.body} }}`;
    },
  });
  return { defines, includes, top, defineIncludes };
}

function kindsOf(v: string): { hooks: string[]; hookExpr?: string } {
  const t = v.replace(/^["']|["']$/g, "").trim();
  const m = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/.exec(t);
  if (m) return { hooks: [], hookExpr: m[1] };
  return { hooks: t.split(",").map((x) => x.trim()).filter(Boolean) };
}

function inventoryOf(charts: ChartFiles[]): HookEntry[] {
  // Defines are global across the chart and its subcharts (Helm loads every template's defines).
  const parsed = new Map<string, ReturnType<typeof hooksOf>>();
  const owner = new Map<string, ChartFiles>();
  for (const c of charts) {
    for (const f of templateFiles(c.dir)) {
      const r = hooksOf(fs.readFileSync(f, "utf8"));
      const key = c.prefix + path.relative(c.dir, f);
      parsed.set(key, r);
      owner.set(key, c);
    }
  }
  const defineHooks = new Map<string, RawHook[]>();
  const defineIncludes = new Map<string, (IncludeSite & { name: string })[]>();
  for (const r of parsed.values()) {
    for (const [n, hs] of r.defines) defineHooks.set(n, [...(defineHooks.get(n) ?? []), ...hs]);
    for (const [n, is] of r.defineIncludes) defineIncludes.set(n, [...(defineIncludes.get(n) ?? []), ...is]);
  }
  // Hooks a define yields, through the defines it includes (conditions relative to the define).
  const memo = new Map<string, RawHook[]>();
  const yields = (name: string, seen = new Set<string>()): RawHook[] => {
    if (memo.has(name)) return memo.get(name)!;
    if (seen.has(name)) return [];
    seen.add(name);
    const own = defineHooks.get(name) ?? [];
    const nested = (defineIncludes.get(name) ?? []).flatMap((i) => yields(i.name, seen).map((h) => ({ ...h, conditions: [...i.conditions, ...(i.opaque ? [] : h.conditions)] })));
    const all = [...own, ...nested];
    memo.set(name, all);
    return all;
  };

  const out: HookEntry[] = [];
  for (const [template, r] of parsed) {
    const c = owner.get(template)!;
    if (path.basename(template).startsWith("_")) continue; // partials: only their defines count, via includes
    const base: Condition[] = c.dependency ? [{ kind: "if", expr: `.Values.${c.dependency}` }] : [];
    const add = (h: RawHook, extra: Condition[], via?: string) => {
      const { hooks, hookExpr } = kindsOf(h.hookValue);
      out.push({
        template,
        ...(h.kind ? { kind: h.kind } : {}),
        hooks,
        ...(hookExpr ? { hookExpr: rescope({ kind: "if", expr: hookExpr }, c.alias).expr } : {}),
        ...(via ? { via } : {}),
        conditions: [...base, ...[...extra, ...h.conditions].map((x) => rescope(x, c.alias))],
      });
    };
    for (const h of r.top) add(h, []);
    for (const [name, sites] of r.includes)
      for (const site of sites) for (const h of yields(name)) add(site.opaque ? { ...h, conditions: [] } : h, site.conditions, name);
  }
  return out;
}

function defaultsFor(entries: HookEntry[], charts: ChartFiles[]): Record<string, unknown> {
  // The parent's values, with each subchart's defaults under its alias and the parent's settings for the
  // alias over them (Helm's coalescing; components/charts/hooks.ts coalesceValues).
  const read = (c: ChartFiles) => (YAML.parse(fs.readFileSync(path.join(c.dir, "values.yaml"), "utf8")) ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = read(charts[0]);
  for (const c of charts.slice(1)) {
    const parent = values[c.alias];
    values[c.alias] = coalesceValues(read(c), parent && typeof parent === "object" ? (parent as Record<string, unknown>) : {});
  }
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    for (const expr of [...e.conditions.map((x) => x.expr), ...(e.hookExpr ? [e.hookExpr] : [])]) {
      for (const p of valuesPaths(expr)) {
        const v = p.split(".").reduce<any>((cur, k) => (cur && typeof cur === "object" ? cur[k] : undefined), values);
        out[p] = v === undefined ? null : v;
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const take = (flag: string): string[] => {
    const out: string[] = [];
    for (let i = args.indexOf(flag); i >= 0; i = args.indexOf(flag)) out.push(...args.splice(i, 2).slice(1));
    return out;
  };
  const version = take("--version")[0];
  const sources = take("--source");
  const [chartDir, ...subs] = args;
  if (!chartDir) {
    process.stderr.write("usage: npx tsx scripts/helm-hooks.ts <chart dir> [<alias>=<subchart dir> ...]\n");
    process.exit(2);
  }
  const chartYaml = YAML.parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
  const deps: { name: string; alias?: string; condition?: string }[] = chartYaml.dependencies ?? [];
  const charts: ChartFiles[] = [{ prefix: "", dir: chartDir, alias: "" }];
  for (const s of subs) {
    const [alias, dir] = s.split("=");
    const dep = deps.find((d) => (d.alias ?? d.name) === alias);
    if (!dep) throw new Error(`${alias}: not a dependency of ${chartYaml.name} (${deps.map((d) => d.alias ?? d.name).join(", ")})`);
    charts.push({ prefix: `charts/${alias}/`, dir, alias, dependency: dep.condition });
  }
  const missing = deps.filter((d) => !charts.some((c) => c.alias === (d.alias ?? d.name)));
  const entries = inventoryOf(charts);
  const inv: HookInventory = {
    chart: chartYaml.name,
    version: version ?? chartYaml.version,
    source: sources,
    derivation: "scripts/helm-hooks.ts: every template carrying a helm.sh/hook annotation (directly or through an included define), its hook kinds and enclosing conditions; subcharts with their dependency condition; chart defaults of the values read.",
    subchartsNotScanned: missing.map((d) => ({ alias: d.alias ?? d.name, condition: d.condition ?? null })),
    hooks: entries,
    defaults: defaultsFor(entries, charts),
  };
  process.stdout.write(JSON.stringify(inv, null, 1) + "\n");
}

export { inventoryOf };
