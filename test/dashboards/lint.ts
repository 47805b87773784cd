/**
 * Dashboard and rule linting, in the spirit of grafana/dashboard-linter (template-datasource-rule,
 * panel-datasource-rule, target-rate-interval-rule, panel-units-rule, panel-title-description-rule,
 * target-counter-agg-rule, ...) plus this repository's conventions ($cluster, uid prefix, unique panel ids).
 * Each rule returns problems as text naming dashboard, panel and query; the tests assert none, and a bad
 * fixture proves every rule can fail.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import type { Dashboard, DataSourceRef, Panel } from "../../components/content/dashboards";
import { allPanels, dashboardQueries, dashboardVariables, substituteVariables, variableQueryText } from "../../components/content/promql";

export interface LintProblem {
  rule: string;
  message: string;
}

/** Values for parsing only (the live test uses real values). */
export const PARSE_BUILTINS: Record<string, string> = {
  __rate_interval: "5m",
  __interval: "1m",
  __interval_ms: "60000",
  __range: "1h",
  __range_s: "3600",
  __range_ms: "3600000",
  __from: "0",
  __to: "0",
};

// A duration nobody types: after substitution, a range equal to it was written as $__rate_interval.
const RATE_INTERVAL_SENTINEL = "7777s";
const RATE_FUNCTIONS = new Set(["rate", "irate", "increase"]);
const COUNTER_SUFFIX = /_(total|count|sum|bucket)$/;
/**
 * Series with counter suffixes that are not counters: the kueue-exporter's snapshot distribution of current
 * pending ages is a set of gauges with histogram names (exporter/src/metrics.ts).
 */
export const GAUGE_SHAPED = /^kueuex_pending_workload_age_seconds_(bucket|count|sum)$/;
/** Counters without a _total suffix (client_golang counters named so): Tempo's receiver counters. */
export const COUNTERS_WITHOUT_SUFFIX = new Set(["tempo_receiver_accepted_spans", "tempo_receiver_refused_spans"]);

export const DATASOURCE_REF: DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** Parses PromQL; returns undefined or a message with the offending position. */
export function promqlSyntaxError(expr: string): string | undefined {
  const tree = parser.parse(expr);
  let error: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (error === undefined && n.type.isError) error = n.from;
    },
  });
  if (error === undefined) return undefined;
  return `syntax error at character ${error + 1} of ${expr}`;
}

function isCounter(name: string): boolean {
  return !GAUGE_SHAPED.test(name) && (COUNTER_SUFFIX.test(name) || COUNTERS_WITHOUT_SUFFIX.has(name));
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function functionName(call: SyntaxNode, text: string): string | undefined {
  const id = children(call).find((c) => c.name === "FunctionIdentifier");
  return id ? text.slice(id.from, id.to) : undefined;
}

interface SelectorInfo {
  name?: string;
  matchers: { label: string; op: string; value: string }[];
  node: SyntaxNode;
}

function selectors(expr: string): SelectorInfo[] {
  const tree = parser.parse(expr);
  const out: SelectorInfo[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== "VectorSelector") return;
      const node = ref.node;
      const id = children(node).find((c) => c.name === "Identifier");
      const matchers: SelectorInfo["matchers"] = [];
      const lm = children(node).find((c) => c.name === "LabelMatchers");
      for (const m of lm ? children(lm) : []) {
        const parts = children(m);
        const label = parts.find((p) => p.name === "LabelName");
        const op = parts.find((p) => p.name === "MatchOp");
        const value = parts.find((p) => p.name === "StringLiteral");
        if (label && op && value) matchers.push({ label: expr.slice(label.from, label.to), op: expr.slice(op.from, op.to), value: expr.slice(value.from + 1, value.to - 1) });
      }
      out.push({ name: id ? expr.slice(id.from, id.to) : undefined, matchers, node });
    },
  });
  return out;
}

/** The metric names an expression selects (by name or by a `__name__="…"` matcher). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const s of selectors(expr)) {
    if (s.name) names.add(s.name);
    for (const m of s.matchers) if (m.label === "__name__" && m.op === "=") names.add(m.value);
  }
  return [...names].sort();
}

/**
 * Counters must go through rate/irate/increase: a raw counter's value is meaningless (it resets on restart).
 * Returns the names of counters used otherwise.
 */
export function rawCounterUses(expr: string): string[] {
  const bad: string[] = [];
  for (const s of selectors(expr)) {
    if (!s.name || !isCounter(s.name)) continue;
    let p = s.node.parent;
    let ok = false;
    if (p?.name === "MatrixSelector") {
      p = p.parent;
      if (p?.name === "OffsetExpr") p = p.parent;
      if (p?.name === "FunctionCallBody" && p.parent?.name === "FunctionCall") {
        ok = RATE_FUNCTIONS.has(functionName(p.parent, expr) ?? "");
      }
    }
    if (!ok) bad.push(s.name);
  }
  return bad;
}

/** Ranges of rate/irate/increase calls that are not `$__rate_interval` (expr must have it replaced by the sentinel). */
function rateRangesNotRateInterval(expr: string): string[] {
  const tree = parser.parse(expr);
  const bad: string[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== "FunctionCall") return;
      const fn = functionName(ref.node, expr);
      if (!fn || !RATE_FUNCTIONS.has(fn)) return;
      const body = children(ref.node).find((c) => c.name === "FunctionCallBody");
      let arg = body?.firstChild ?? null;
      // skip the "(" token if present
      while (arg && arg.name !== "MatrixSelector" && arg.name !== "OffsetExpr" && arg.name !== "SubqueryExpr") arg = arg.nextSibling;
      if (arg?.name === "OffsetExpr") arg = arg.firstChild;
      if (!arg || arg.name !== "MatrixSelector") {
        bad.push(`${fn}(...) without a range selector`);
        return;
      }
      const range = children(arg).find((c) => c.name === "DurationExpr" || c.name.includes("Duration"));
      const text = range ? expr.slice(range.from, range.to) : "";
      if (text !== RATE_INTERVAL_SENTINEL) bad.push(`${fn}(...[${text}])`);
    },
  });
  return bad;
}

function sameRef(a: unknown, b: DataSourceRef): boolean {
  return typeof a === "object" && a !== null && (a as DataSourceRef).type === b.type && (a as DataSourceRef).uid === b.uid;
}

/** The expression with interval builtins substituted and every dashboard variable left in place. */
function withBuiltins(expr: string, variables: string[], rateSentinel: boolean): string {
  const values: Record<string, string> = { ...PARSE_BUILTINS };
  if (rateSentinel) values.__rate_interval = RATE_INTERVAL_SENTINEL;
  for (const v of variables) values[v] = `$${v}`;
  return substituteVariables(expr, values);
}

/** All lint problems of one dashboard (empty = clean). */
export function lintDashboard(d: Dashboard): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (rule: string, message: string): void => {
    problems.push({ rule, message: `${d.uid}: ${message}` });
  };
  // Query messages start with the query's origin, which names the dashboard already.
  const addAt = (rule: string, where: string, message: string): void => {
    problems.push({ rule, message: `${where}: ${message}` });
  };
  const model = d.json;
  const vars = model.templating?.list ?? [];
  const varNames = dashboardVariables(d);

  // dashboard-level conventions
  if (!d.uid.startsWith("ms-")) add("uid-rule", `uid ${JSON.stringify(d.uid)} must start with "ms-"`);
  if (model.id !== null) add("uid-rule", `id must be null (Grafana assigns it), found ${JSON.stringify(model.id)}`);
  if (typeof model.schemaVersion !== "number" || model.schemaVersion < 41) add("schema-version-rule", `schemaVersion must be >= 41, found ${JSON.stringify(model.schemaVersion)}`);
  if (!Array.isArray(model.tags) || model.tags.length === 0) add("tags-rule", "needs tags");

  // template-datasource-rule
  const ds = vars.find((v) => v.name === "datasource");
  if (!ds || ds.type !== "datasource" || ds.query !== "prometheus") {
    add("template-datasource-rule", 'needs a variable "datasource" of type datasource with query "prometheus"');
  }
  // template-cluster-rule
  const cluster = vars.find((v) => v.name === "cluster");
  if (!cluster || cluster.type !== "query" || (variableQueryText(cluster) ?? "").replace(/\s+/g, "") !== "label_values(up,cluster)" || cluster.includeAll !== true || cluster.allValue !== ".*") {
    add("template-cluster-rule", 'needs a query variable "cluster" = label_values(up, cluster) with includeAll true and allValue ".*"');
  }
  for (const v of vars) {
    if (v.type === "query" && !sameRef(v.datasource, DATASOURCE_REF)) add("template-datasource-rule", `variable $${v.name}: datasource must be {type: "prometheus", uid: "\${datasource}"}`);
  }

  // unique panel ids
  const seen = new Map<number, string>();
  for (const p of allPanels(model.panels)) {
    if (typeof p.id !== "number") {
      add("panel-id-rule", `panel ${JSON.stringify(p.title)} has no numeric id`);
    } else if (seen.has(p.id)) {
      add("panel-id-rule", `panel id ${p.id} is used by ${JSON.stringify(seen.get(p.id))} and ${JSON.stringify(p.title)}`);
    } else {
      seen.set(p.id, p.title ?? "");
    }
  }

  for (const p of allPanels(model.panels)) lintPanel(p, add);

  for (const a of model.annotations?.list ?? []) {
    if (a.builtIn) continue;
    if (!sameRef(a.datasource, DATASOURCE_REF)) add("annotation-datasource-rule", `annotation ${JSON.stringify(a.name)}: datasource must be {type: "prometheus", uid: "\${datasource}"}`);
  }

  // query rules: every PromQL of panels, variables and annotations
  for (const q of dashboardQueries(d)) {
    let full: string;
    try {
      full = substituteVariables(q.expr, { ...PARSE_BUILTINS, ...Object.fromEntries(varNames.map((n) => [n, ".*"])) });
    } catch (e) {
      addAt("template-variables-rule", q.where, (e as Error).message);
      continue;
    }
    const syntax = promqlSyntaxError(full);
    if (syntax) {
      addAt("target-promql-rule", q.where, syntax);
      continue;
    }
    const sentinel = withBuiltins(q.expr, varNames, true);
    for (const bad of rateRangesNotRateInterval(sentinel)) addAt("target-rate-interval-rule", q.where, `${bad} must use [$__rate_interval]`);
    for (const name of rawCounterUses(sentinel)) addAt("target-counter-agg-rule", q.where, `counter ${name} is used without rate(), irate() or increase()`);
    if (q.variable !== "cluster") {
      for (const s of selectors(sentinel)) {
        if (!s.matchers.some((m) => m.label === "cluster" && m.op === "=~" && m.value === "$cluster")) {
          addAt("target-cluster-rule", q.where, `selector ${s.name ?? "{...}"} needs cluster=~"$cluster"`);
        }
      }
    }
  }
  return problems;
}

function lintPanel(p: Panel, add: (rule: string, message: string) => void): void {
  const name = `panel ${p.id} ${JSON.stringify(p.title ?? "")}`;
  if (typeof p.title !== "string" || p.title.trim() === "") add("panel-title-description-rule", `${name} needs a title`);
  if (p.type === "row") return;
  if (typeof p.description !== "string" || p.description.trim() === "") add("panel-title-description-rule", `${name} needs a description`);
  if (!sameRef(p.datasource, DATASOURCE_REF)) add("panel-datasource-rule", `${name}: datasource must be {type: "prometheus", uid: "\${datasource}"}, found ${JSON.stringify(p.datasource)}`);
  for (const t of p.targets ?? []) {
    if (t.datasource !== undefined && !sameRef(t.datasource, DATASOURCE_REF)) add("panel-datasource-rule", `${name} › ${t.refId}: target datasource must be the panel's \${datasource}`);
  }
  if (!Array.isArray(p.targets) || p.targets.length === 0) add("panel-target-rule", `${name} has no queries`);
  const unit = p.fieldConfig?.defaults?.unit;
  if (typeof unit !== "string" || unit.trim() === "") add("panel-units-rule", `${name} needs fieldConfig.defaults.unit`);
}

/** Lint problems of an alerting or recording rule expression (parse and counters). */
export function lintRuleExpr(expr: string, where: string): LintProblem[] {
  const problems: LintProblem[] = [];
  if (/\$\{?__|\$cluster\b/.test(expr)) problems.push({ rule: "rule-variables-rule", message: `${where}: rule expressions cannot use Grafana variables` });
  const syntax = promqlSyntaxError(expr);
  if (syntax) {
    problems.push({ rule: "target-promql-rule", message: `${where}: ${syntax}` });
    return problems;
  }
  for (const name of rawCounterUses(expr)) problems.push({ rule: "target-counter-agg-rule", message: `${where}: counter ${name} is used without rate(), irate() or increase()` });
  return problems;
}
