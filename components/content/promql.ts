/**
 * Finds every PromQL expression of a dashboard (panel targets, query variables, annotation queries) and
 * substitutes Grafana variables, so tests, the live check and the benchmark run exactly what Grafana would.
 * Pure and synchronous; parsing and linting live in the tests (the PromQL parser is a dev dependency).
 */
import type { AnnotationQuery, Dashboard, Panel, TemplateVariable } from "./dashboards";

export type QueryKind = "panel" | "variable" | "annotation";

/** One PromQL expression of a dashboard, with where it comes from. */
export interface DashboardQuery {
  kind: QueryKind;
  /** Dashboard uid. */
  dashboard: string;
  /** Human-readable origin for messages, e.g. `ms-spegel › panel 4 "Mirror requests" › A`. */
  where: string;
  /** The expression as written, with Grafana variables. For a `label_values(sel, label)` variable: `sel`. */
  expr: string;
  /** Panel targets: evaluated at one instant (`instant: true`) rather than over a range. */
  instant: boolean;
  panelId?: number;
  panelTitle?: string;
  refId?: string;
  /** Variable queries: the variable's name and, for `label_values`, the label it reads. */
  variable?: string;
  label?: string;
  /** Annotation queries: the annotation's name. */
  annotation?: string;
  /** The minimum step Grafana uses: an annotation's step, a panel's or target's min interval (`interval`). */
  step?: string;
}

/** Grafana's built-in interval variables, with the values tests substitute when only syntax matters. */
export const BUILTIN_VARIABLES = ["__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms", "__from", "__to"] as const;

/** Seconds of a Grafana interval such as "30s", "5m", "1h" (undefined when it is not one). */
export function intervalSeconds(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(\d+)(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) return undefined;
  return (Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "ms" | "s" | "m" | "h" | "d"]);
}

/**
 * The step Grafana queries with and the interval variables it sets: the step is the query's min interval
 * (`step`) when that is longer than the default step; `$__interval` is the step; `$__rate_interval` is
 * max(step + scrape interval, 4 x scrape interval) (Grafana docs, "Rate interval"), with `scrape` the data
 * source's scrape interval.
 */
export function grafanaStep(q: Pick<DashboardQuery, "step">, defaultStep: number, rangeSeconds: number, scrape: number): { step: number; variables: Record<string, string> } {
  const step = Math.max(defaultStep, intervalSeconds(q.step) ?? 0);
  const rate = Math.max(step + scrape, 4 * scrape);
  return {
    step,
    variables: {
      __interval: `${step}s`,
      __interval_ms: String(step * 1000),
      __rate_interval: `${rate}s`,
      __range: `${rangeSeconds}s`,
      __range_s: String(rangeSeconds),
      __range_ms: String(rangeSeconds * 1000),
    },
  };
}

/** All panels of a dashboard model, rows flattened (a collapsed row keeps its panels in `panels`). */
export function allPanels(panels: Panel[] | undefined): Panel[] {
  const out: Panel[] = [];
  for (const p of panels ?? []) {
    out.push(p);
    if (Array.isArray(p.panels)) out.push(...allPanels(p.panels));
  }
  return out;
}

/** The query text of a query variable (Grafana saves either a string or `{query: string, ...}`). */
export function variableQueryText(v: TemplateVariable): string | undefined {
  if (typeof v.query === "string") return v.query;
  if (v.query && typeof v.query === "object" && typeof v.query.query === "string") return v.query.query;
  return undefined;
}

/**
 * Splits a Prometheus variable query. `label_values(sel, label)` → PromQL `sel` + label; `label_values(label)`
 * → label only; `query_result(expr)` → `expr`. Other forms (`label_names()`, `metrics(re)`) carry no PromQL.
 */
export function parseVariableQuery(text: string): { expr?: string; label?: string } {
  const lv = /^\s*label_values\(\s*([\s\S]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(text);
  if (lv) return { expr: lv[1].trim(), label: lv[2] };
  const lvOnly = /^\s*label_values\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(text);
  if (lvOnly) return { label: lvOnly[1] };
  const qr = /^\s*query_result\(\s*([\s\S]*)\)\s*$/.exec(text);
  if (qr) return { expr: qr[1].trim() };
  return {};
}

function annotationExpr(a: AnnotationQuery): { expr?: string; step?: string } {
  return { expr: a.target?.expr ?? a.expr, step: a.target?.interval ?? (typeof a.step === "string" ? a.step : undefined) };
}

/** Every PromQL expression in the dashboard, in file order: variables, annotations, then panel targets. */
export function dashboardQueries(d: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const v of d.json.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const text = variableQueryText(v);
    if (text === undefined) continue;
    const { expr, label } = parseVariableQuery(text);
    if (expr === undefined) continue;
    out.push({ kind: "variable", dashboard: d.uid, where: `${d.uid} › variable $${v.name}`, expr, instant: false, variable: v.name, ...(label ? { label } : {}) });
  }
  for (const a of d.json.annotations?.list ?? []) {
    if (a.builtIn) continue;
    const { expr, step } = annotationExpr(a);
    if (!expr) continue;
    out.push({ kind: "annotation", dashboard: d.uid, where: `${d.uid} › annotation ${JSON.stringify(a.name)}`, expr, instant: false, annotation: a.name, ...(step ? { step } : {}) });
  }
  for (const p of allPanels(d.json.panels)) {
    for (const t of p.targets ?? []) {
      if (typeof t.expr !== "string" || t.hide === true) continue;
      out.push({
        kind: "panel",
        dashboard: d.uid,
        where: `${d.uid} › panel ${p.id} ${JSON.stringify(p.title)} › ${t.refId}`,
        expr: t.expr,
        instant: t.instant === true && t.range !== true,
        panelId: p.id,
        panelTitle: p.title,
        refId: t.refId,
        ...(t.interval || p.interval ? { step: String(t.interval || p.interval) } : {}),
      });
    }
  }
  return out;
}

/** Names of the variables a dashboard defines (`templating.list[].name`). */
export function dashboardVariables(d: Dashboard): string[] {
  return (d.json.templating?.list ?? []).map((v) => v.name).filter((n): n is string => typeof n === "string");
}

/**
 * Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` with `values[name]`. A name with no value
 * throws (a typo such as `$namspace` must not survive), except all-digit names: `$1` in
 * `label_replace(..., "$1", ...)` is PromQL, not a variable.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, braced?: string, bare?: string, brackets?: string) => {
    const name = (braced ?? bare ?? brackets) as string;
    if (/^\d+$/.test(name)) return whole;
    const value = values[name];
    if (value === undefined) throw new Error(`uses undefined variable $${name}`);
    return value;
  });
}
