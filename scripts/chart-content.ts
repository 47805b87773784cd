/**
 * Derives the content inventory of kube-prometheus-stack from its templates: every default rule group
 * (templates/prometheus/rules-1.14/*.yaml: group name, its `defaultRules.rules.<key>`, the conditions around
 * it, each alert with the conditions around it, the number of recording rules) and every dashboard
 * (templates/grafana/dashboards-1.14/*.yaml: its ConfigMap key and conditions), plus the chart defaults of the
 * values those conditions read.
 *
 *   npx tsx scripts/chart-content.ts <kube-prometheus-stack chart dir> --source TEXT > components/charts/content/kube-prometheus-stack-<version>.json
 *
 * components/charts/content.ts evaluates it under a stack's values: which groups, alerts and dashboards the
 * chart renders (the plan lists them; config validation checks alert names and group keys against it).
 *
 * Every template guards itself with `semverCompare ">=1.14.0-0" $kubeTargetVersion` and `"<9.9.9-9"`; the
 * chart requires Kubernetes ≥ 1.25 (Chart.yaml kubeVersion), so both hold and are left out.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { Condition, scanTemplate, valuesPaths, walkTemplate } from "../components/charts/gotemplate";
import type { ChartContent, DashboardEntry, RuleGroupEntry } from "../components/charts/content";

const KUBE_GUARD = /\(semverCompare "[^"]*" \$kubeTargetVersion\)\s*/g;

function clean(cs: Condition[]): Condition[] {
  return cs
    .map((c) => ({ ...c, expr: c.expr.replace(KUBE_GUARD, "").replace(/^and\s+(\S+)$/, "$1").trim() }))
    .filter((c) => c.expr !== "" && c.expr !== "and");
}

function files(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort() : [];
}

export function ruleGroups(chartDir: string): RuleGroupEntry[] {
  const dir = path.join(chartDir, "templates", "prometheus", "rules-1.14");
  const out: RuleGroupEntry[] = [];
  for (const f of files(dir)) {
    let group: RuleGroupEntry | undefined;
    let fileConds: Condition[] = [];
    walkTemplate(scanTemplate(fs.readFileSync(path.join(dir, f), "utf8")), {
      onText: (s, w) => {
        for (const line of s.text.split("\n")) {
          // The group's `name:` line (`- name: x`, or `name: x` after `- interval: 3m`).
          const g = /^\s{2}(?:-\s|\s\s)name:\s*(\S+)\s*$/.exec(line);
          if (g && !group) {
            fileConds = clean(w.conditions());
            const key = fileConds.map((c) => /\.Values\.defaultRules\.rules\.(\w+)/.exec(c.expr)?.[1]).find(Boolean) ?? "";
            group = { template: `templates/prometheus/rules-1.14/${f}`, name: g[1], valuesKey: key, conditions: fileConds, alerts: [], records: 0 };
          }
          const a = /^\s*-\s*alert:\s*(\S+)\s*$/.exec(line);
          if (a && group) {
            // The alert's own conditions beyond the file's (its `disabled` switch, component checks).
            const own = clean(w.conditions()).slice(fileConds.length);
            group.alerts.push({ name: a[1], conditions: own });
          }
          if (/^\s*(-\s*)?record:\s*\S/.test(line) && group) group.records++;
        }
      },
    });
    if (group) out.push(group);
  }
  return out;
}

export function dashboards(chartDir: string): DashboardEntry[] {
  const dir = path.join(chartDir, "templates", "grafana", "dashboards-1.14");
  const out: DashboardEntry[] = [];
  for (const f of files(dir)) {
    walkTemplate(scanTemplate(fs.readFileSync(path.join(dir, f), "utf8")), {
      onText: (s, w) => {
        for (const line of s.text.split("\n")) {
          const m = /^\s{2}([\w.-]+\.json):\s*\|-?\s*$/.exec(line);
          if (m) out.push({ template: `templates/grafana/dashboards-1.14/${f}`, key: m[1], conditions: clean(w.conditions()) });
        }
      },
    });
  }
  return out;
}

function defaultsFor(chartDir: string, exprs: string[]): Record<string, unknown> {
  const values = YAML.parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {};
  const out: Record<string, unknown> = {};
  for (const e of exprs) {
    for (const p of valuesPaths(e)) {
      const v = p.split(".").reduce<any>((cur, k) => (cur && typeof cur === "object" ? cur[k] : undefined), values);
      out[p] = v === undefined ? null : v;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const sources: string[] = [];
  for (let i = args.indexOf("--source"); i >= 0; i = args.indexOf("--source")) sources.push(...args.splice(i, 2).slice(1));
  const [chartDir] = args;
  if (!chartDir) {
    process.stderr.write("usage: npx tsx scripts/chart-content.ts <chart dir> [--source TEXT ...]\n");
    process.exit(2);
  }
  const chart = YAML.parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
  const groups = ruleGroups(chartDir);
  const dash = dashboards(chartDir);
  const exprs = [...groups.flatMap((g) => [...g.conditions, ...g.alerts.flatMap((a) => a.conditions)]), ...dash.flatMap((d) => d.conditions)].map((c) => c.expr);
  const content: ChartContent = {
    chart: chart.name,
    version: chart.version,
    source: sources,
    derivation: "scripts/chart-content.ts: default rule groups (templates/prometheus/rules-1.14) and dashboards (templates/grafana/dashboards-1.14) with the conditions around them; the Kubernetes version guards left out (the chart requires ≥ 1.25).",
    ruleGroups: groups,
    dashboards: dash,
    defaults: defaultsFor(chartDir, exprs),
  };
  process.stdout.write(JSON.stringify(content, null, 1) + "\n");
}
