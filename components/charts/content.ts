/**
 * What kube-prometheus-stack renders of its own content (default rule groups, alerts, dashboards) under a
 * stack's values, from the inventory components/charts/content/<chart>-<version>.json that
 * scripts/chart-content.ts derives from the pinned chart's templates. Used by the config (alert names and
 * group keys a stack file may switch off must exist), by `plan` (it lists the groups per stack) and by the
 * tests (counts per stack).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { allHold, Condition, UNKNOWN } from "./gotemplate";
import { coalesceValues, defaultsTree, inventoryName } from "./hooks";

export interface RuleGroupEntry {
  template: string;
  /** The group's name in the PrometheusRule (e.g. "kubernetes-apps"). */
  name: string;
  /** Its switch, `defaultRules.rules.<valuesKey>`. */
  valuesKey: string;
  conditions: Condition[];
  /** Alerts in file order (a name appears once per severity variant), with their own conditions. */
  alerts: { name: string; conditions: Condition[] }[];
  records: number;
}

export interface DashboardEntry {
  template: string;
  /** The ConfigMap data key, e.g. "k8s-resources-cluster.json". */
  key: string;
  conditions: Condition[];
}

export interface ChartContent {
  chart: string;
  version: string;
  source: string[];
  derivation: string;
  ruleGroups: RuleGroupEntry[];
  dashboards: DashboardEntry[];
  defaults: Record<string, unknown>;
}

export const CONTENT_DIR = path.join(__dirname, "content");

export function loadContent(chart: string, version: string, dir = CONTENT_DIR): ChartContent | undefined {
  const file = path.join(dir, `${inventoryName(chart, version)}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as ChartContent) : undefined;
}

export interface RenderedContent {
  groups: { name: string; valuesKey: string; alerts: string[]; records: number }[];
  dashboards: string[];
  alerts: number;
  records: number;
}

/** What the chart renders with `values`; an undecidable condition counts as rendered (it may be). */
export function renderedContent(c: ChartContent, values: Record<string, unknown>): RenderedContent {
  const scope = { values: coalesceValues(defaultsTree(c.defaults), values) };
  const on = (cs: Condition[]) => allHold(cs, scope) !== false;
  const groups = c.ruleGroups
    .filter((g) => on(g.conditions))
    .map((g) => {
      const alerts = g.alerts.filter((a) => on(a.conditions)).map((a) => a.name);
      return { name: g.name, valuesKey: g.valuesKey, alerts, records: g.records };
    });
  return {
    groups,
    dashboards: c.dashboards.filter((d) => on(d.conditions)).map((d) => d.key),
    alerts: groups.reduce((n, g) => n + g.alerts.length, 0),
    records: groups.reduce((n, g) => n + g.records, 0),
  };
}

/** Every alert name and group key of the inventory (for the config's checks). */
export function knownNames(c: ChartContent): { alerts: string[]; groupKeys: string[] } {
  return {
    alerts: [...new Set(c.ruleGroups.flatMap((g) => g.alerts.map((a) => a.name)))].sort(),
    groupKeys: [...new Set(c.ruleGroups.map((g) => g.valuesKey).filter(Boolean))].sort(),
  };
}

export { UNKNOWN };
