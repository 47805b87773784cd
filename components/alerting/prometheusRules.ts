/**
 * The repository's alert rules (alerts/<folder>/*.rules.yaml) as PrometheusRule specs, for the Prometheus
 * that evaluates them (`alerting.evaluator: prometheus`): the platform Prometheus for shared folders, a
 * team's Prometheus for the team's folder. monitoring.coreos.com/v1 PrometheusRule spec.groups[].{name,
 * interval, rules[].{alert, expr, for, labels, annotations}} (prometheus-operator v0.93 prometheusrule_types.go).
 * Relative runbook URLs become absolute (`alerting.runbookBaseUrl`): a notification's link must open.
 */
import { runbookUrl, type AlertGroup } from "../content/alerts";

export interface PrometheusRuleGroupSpec {
  name: string;
  interval?: string;
  rules: { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

export function prometheusRuleGroups(groups: AlertGroup[], runbookBaseUrl?: string): PrometheusRuleGroupSpec[] {
  return groups.map((g) => ({
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    rules: g.rules.map((r) => ({
      alert: r.alert,
      expr: r.expr,
      ...(r.for ? { for: r.for } : {}),
      labels: { ...r.labels },
      annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, k === "runbook_url" ? runbookUrl(v, runbookBaseUrl) : v])),
    })),
  }));
}
