/**
 * Prometheus alerting rules → Grafana-managed rule groups (inputs of `grafana.alerting.RuleGroup`), pure.
 *
 * Follows Grafana's own converter (grafana/grafana pkg/services/ngalert/prom/convert.go + query.go, the
 * code behind `/api/convert/prometheus/...` and "Import to Grafana-managed rules"), so a Grafana rule
 * fires exactly when the Prometheus rule would:
 * - three nodes: `query` (the PromQL, instant, over the last 600 s), `prometheus_math`
 *   (`is_number($query) || is_nan($query) || is_inf($query)`: 1 for every returned series, whatever its
 *   value) and `threshold` (> 0 on it, the condition). A threshold on the raw PromQL would be wrong:
 *   `up == 0` returns the value 0 and would never fire.
 * - no-data state OK (no series = nothing to alert on, as in Prometheus), missing-series evaluations to
 *   resolve 1 (an alert resolves as soon as its series disappears, as in Prometheus).
 * - `for` and `keep_firing_for` copied; group labels merged under rule labels; annotations copied.
 * - group interval from the group, else Grafana's default (1m); query offset from the group's
 *   `query_offset`, else 0 (Prometheus' default).
 * Additions, each needed by this stack and documented in docs/components/grafana.md:
 * - "external labels" (`cluster`, and `team` for a team's folder) under the group labels: Prometheus
 *   attaches its external labels to the alerts it sends; a Grafana rule must carry them itself for routing.
 * - `runbook_url` annotations relative to the repository are prefixed with `runbookBaseUrl`.
 * - `{{ $value }}` in annotations becomes `{{ $values.query.Value }}`: in Grafana `$value` is a string of
 *   every node's labels and values, `$values.<refId>.Value` the number Prometheus' `$value` is (Grafana
 *   docs "Annotation and label template reference"; the same replacement Grafana's
 *   pkg/services/ngalert/prom/template.go VariableReplacer exists for).
 * - the execution-error state is `Error` by default (a broken data source shows up as a DatasourceError
 *   alert instead of silently resolving); Grafana's converter has used both Error and OK across versions.
 */
import { DURATION_RE } from "../config/schema";
import { hashedUid } from "./uid";
import { runbookUrl } from "../content/alerts";
import type { PromAlertGroup, PromAlertRule } from "./types";

/** Grafana's expression "data source" (pkg/expr/service.go DatasourceUID/DatasourceType). */
export const EXPR_DATASOURCE_UID = "__expr__";
/** Grafana's default evaluation interval (`[unified_alerting] default_rule_evaluation_interval`). */
export const DEFAULT_GROUP_INTERVAL = "1m";
/** Grafana's scheduler tick (`[unified_alerting] base_interval`): group intervals must be multiples of it. */
export const BASE_INTERVAL_SECONDS = 10;
/** The converter's query range (convert.go `defaultTimeRange`). */
export const QUERY_RANGE_SECONDS = 600;

export const REF = { query: "query", math: "prometheus_math", threshold: "threshold" } as const;

/** Allowed by the provider (RuleGroupRule.noDataState / execErrState docs). */
export type NoDataState = "OK" | "NoData" | "KeepLast" | "Alerting";
export type ExecErrState = "OK" | "Error" | "KeepLast" | "Alerting";

export interface RuleData {
  refId: string;
  datasourceUid: string;
  queryType: string;
  /** JSON model. */
  model: string;
  relativeTimeRange: { from: number; to: number };
}

/** One rule: assignable to `grafana.types.input.alerting.RuleGroupRule`. */
export interface GrafanaRule {
  uid: string;
  name: string;
  condition: string;
  datas: RuleData[];
  for: string;
  keepFiringFor?: string;
  noDataState: NoDataState;
  execErrState: ExecErrState;
  missingSeriesEvalsToResolve: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** One rule group: `folderUid`, `name`, `intervalSeconds`, `rules` are `grafana.alerting.RuleGroupArgs`. */
export interface GrafanaRuleGroup {
  /** Stable, unique key for the Pulumi resource name. */
  key: string;
  /** Source file, for messages. */
  file: string;
  folderUid: string;
  name: string;
  intervalSeconds: number;
  rules: GrafanaRule[];
}

/** Where a group goes and what it queries: decided by the caller from the group's folder. */
export interface GroupTarget {
  folderUid: string;
  datasourceUid: string;
  /** Labels added under the group's and rules' labels (Prometheus external labels). */
  externalLabels: Record<string, string>;
}

export interface ConvertOptions {
  /** Cluster name: suffixes group names and seeds rule UIDs (several clusters push into one Grafana). */
  cluster: string;
  /** Folder, data source and external labels of a group. */
  target: (group: PromAlertGroup) => GroupTarget;
  /** Prefix for repository-relative `runbook_url` annotations. */
  runbookBaseUrl?: string;
  /** @default "1m" */
  defaultInterval?: string;
  /** @default "Error" */
  execErrState?: ExecErrState;
  /** Rewrite `$value` to `$values.query.Value` in annotations. @default true */
  prometheusValueTemplates?: boolean;
}

export class RuleConversionError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} alert rule problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "RuleConversionError";
  }
}

const UNIT_MS: Record<string, number> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a Prometheus duration ("1d12h", "90s"); undefined when invalid. */
export function parsePromDuration(d: string): number | undefined {
  if (d === "" || !DURATION_RE.test(d)) return undefined;
  let ms = 0;
  for (const m of d.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/**
 * A duration the provider accepts: it parses `for`/`keep_firing_for` with go-openapi strfmt.ParseDuration
 * (terraform-provider-grafana resource_alerting_rule_group.go), which takes Go durations ("36h", "1h30m")
 * but not Prometheus compounds with days ("1d12h"). So: hours, minutes, seconds, milliseconds.
 */
export function toGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s) parts.push(`${s}s`);
  if (rest) parts.push(`${rest}ms`);
  return parts.join("");
}

export { runbookUrl } from "../content/alerts";

/** `$value` (not `$values`) inside `{{ … }}` actions → `$values.query.Value`. */
export function prometheusValueTemplate(text: string): string {
  return text.replace(/\{\{[\s\S]*?\}\}/g, (action) => action.replace(/\$value\b/g, `$values.${REF.query}.Value`));
}

/** The three nodes of Grafana's converter (query.go createQueryNode/createMathNode/createThresholdNode). */
export function ruleNodes(expr: string, datasourceUid: string, offsetSeconds: number): RuleData[] {
  const exprDs = { type: EXPR_DATASOURCE_UID, uid: EXPR_DATASOURCE_UID };
  return [
    {
      refId: REF.query,
      datasourceUid,
      queryType: "",
      model: JSON.stringify({ datasource: { type: "prometheus", uid: datasourceUid }, expr, instant: true, range: false, refId: REF.query }),
      relativeTimeRange: { from: QUERY_RANGE_SECONDS + offsetSeconds, to: offsetSeconds },
    },
    {
      refId: REF.math,
      datasourceUid: EXPR_DATASOURCE_UID,
      queryType: "math",
      model: JSON.stringify({
        datasource: exprDs,
        expression: `is_number($${REF.query}) || is_nan($${REF.query}) || is_inf($${REF.query})`,
        refId: REF.math,
        type: "math",
      }),
      relativeTimeRange: { from: 0, to: 0 },
    },
    {
      refId: REF.threshold,
      datasourceUid: EXPR_DATASOURCE_UID,
      queryType: "threshold",
      model: JSON.stringify({
        datasource: exprDs,
        expression: REF.math,
        conditions: [{ evaluator: { params: [0], type: "gt" } }],
        refId: REF.threshold,
        type: "threshold",
      }),
      relativeTimeRange: { from: 0, to: 0 },
    },
  ];
}

/**
 * Converts every group; throws RuleConversionError listing every problem (file, group, rule) at once.
 * Group names get the cluster appended ("<name> (<cluster>)"): each cluster's rules query that cluster's
 * data source, so with one shared Grafana every cluster pushes its own copy of each group.
 */
export function toGrafanaRuleGroups(groups: PromAlertGroup[], opts: ConvertOptions): GrafanaRuleGroup[] {
  const problems: string[] = [];
  const out: GrafanaRuleGroup[] = [];
  const defaultInterval = opts.defaultInterval ?? DEFAULT_GROUP_INTERVAL;
  const rewrite = opts.prometheusValueTemplates ?? true;
  const seen = new Map<string, string>();

  for (const g of groups) {
    const where = `${g.file}: group ${JSON.stringify(g.name)}`;
    const target = opts.target(g);
    const intervalMs = parsePromDuration(g.interval ?? defaultInterval);
    if (intervalMs === undefined) {
      problems.push(`${where}: interval ${JSON.stringify(g.interval)} is not a duration; use e.g. "1m"`);
      continue;
    }
    const intervalSeconds = intervalMs / 1000;
    if (!Number.isInteger(intervalSeconds) || intervalSeconds <= 0 || intervalSeconds % BASE_INTERVAL_SECONDS !== 0) {
      // Grafana refuses it: "interval … should be non-zero and divided exactly by scheduler interval: 10".
      problems.push(`${where}: interval ${JSON.stringify(g.interval)} is not a multiple of Grafana's 10s evaluation tick; use e.g. "30s" or "1m"`);
      continue;
    }
    const offsetMs = g.query_offset === undefined ? 0 : parsePromDuration(g.query_offset);
    if (offsetMs === undefined || offsetMs % 1000 !== 0) {
      problems.push(`${where}: query_offset ${JSON.stringify(g.query_offset)} is not a duration in whole seconds`);
      continue;
    }
    const name = `${g.name} (${opts.cluster})`;
    const groupId = `${target.folderUid}/${name}`;
    if (seen.has(groupId)) {
      problems.push(`${where}: a group of this name is already in folder ${target.folderUid} (${seen.get(groupId)}); group names must be unique per folder`);
      continue;
    }
    seen.set(groupId, g.file);

    const occurrences = new Map<string, number>();
    const rules: GrafanaRule[] = [];
    g.rules.forEach((r: PromAlertRule) => {
      const rw = `${where}: rule ${JSON.stringify(r.alert)}`;
      const forMs = r.for === undefined ? 0 : parsePromDuration(r.for);
      const keepMs = r.keep_firing_for === undefined ? undefined : parsePromDuration(r.keep_firing_for);
      if (forMs === undefined) return void problems.push(`${rw}: for ${JSON.stringify(r.for)} is not a duration`);
      if (r.keep_firing_for !== undefined && keepMs === undefined) return void problems.push(`${rw}: keep_firing_for ${JSON.stringify(r.keep_firing_for)} is not a duration`);
      // The same alert name often appears several times in a group (one per severity): number them.
      const n = (occurrences.get(r.alert) ?? 0) + 1;
      occurrences.set(r.alert, n);
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.annotations ?? {})) {
        annotations[k] = k === "runbook_url" ? runbookUrl(v, opts.runbookBaseUrl) : rewrite ? prometheusValueTemplate(v) : v;
      }
      rules.push({
        uid: hashedUid(r.alert, opts.cluster, g.folder, g.name, r.alert, String(n)),
        name: r.alert,
        condition: REF.threshold,
        datas: ruleNodes(r.expr, target.datasourceUid, offsetMs / 1000),
        for: toGoDuration(forMs),
        ...(keepMs !== undefined ? { keepFiringFor: toGoDuration(keepMs) } : {}),
        noDataState: "OK",
        execErrState: opts.execErrState ?? "Error",
        missingSeriesEvalsToResolve: 1,
        labels: { ...target.externalLabels, ...(g.labels ?? {}), ...(r.labels ?? {}) },
        annotations,
      });
    });
    if (rules.length === 0 && g.rules.length === 0) {
      // The provider requires at least one rule (terraform-provider-grafana: rule MinItems 1).
      problems.push(`${where}: has no rules; Grafana rule groups need at least one`);
      continue;
    }
    out.push({ key: hashedUid(g.name, g.folder, g.name), file: g.file, folderUid: target.folderUid, name, intervalSeconds, rules });
  }
  if (problems.length) throw new RuleConversionError(problems);
  return out;
}
