import * as assert from "node:assert/strict";
import {
  parsePromDuration,
  prometheusValueTemplate,
  RuleConversionError,
  runbookUrl,
  toGoDuration,
  toGrafanaRuleGroups,
  type ConvertOptions,
} from "../../components/grafana/alertRules";
import { hashedUid, MAX_UID_LENGTH, UID_RE } from "../../components/grafana/uid";
import type { PromAlertGroup } from "../../components/grafana/types";
import { ALERT_GROUPS, TARGET_DOWN } from "./fixtures/content";

const opts: ConvertOptions = {
  cluster: "prod",
  runbookBaseUrl: "https://github.com/org/monitoring/blob/main/",
  target: (g) => ({ folderUid: `folder-${g.folder}`, datasourceUid: "prom-prod-platform", externalLabels: { cluster: "prod" } }),
};

describe("Prometheus rules → Grafana rule groups", () => {
  it("converts an `up == 0` rule exactly as Grafana's converter does: query, math node, threshold", () => {
    const [group] = toGrafanaRuleGroups([TARGET_DOWN], opts);
    assert.deepEqual(group, {
      key: hashedUid("targets", "platform", "targets"),
      file: "alerts/platform/targets.rules.yaml",
      folderUid: "folder-platform",
      name: "targets (prod)",
      intervalSeconds: 30,
      rules: [
        {
          uid: hashedUid("TargetDown", "prod", "platform", "targets", "TargetDown", "1"),
          name: "TargetDown",
          condition: "threshold",
          datas: [
            {
              refId: "query",
              datasourceUid: "prom-prod-platform",
              queryType: "",
              model: JSON.stringify({
                datasource: { type: "prometheus", uid: "prom-prod-platform" },
                expr: 'up{job="node-exporter"} == 0',
                instant: true,
                range: false,
                refId: "query",
              }),
              relativeTimeRange: { from: 600, to: 0 },
            },
            {
              refId: "prometheus_math",
              datasourceUid: "__expr__",
              queryType: "math",
              model: JSON.stringify({
                datasource: { type: "__expr__", uid: "__expr__" },
                expression: "is_number($query) || is_nan($query) || is_inf($query)",
                refId: "prometheus_math",
                type: "math",
              }),
              relativeTimeRange: { from: 0, to: 0 },
            },
            {
              refId: "threshold",
              datasourceUid: "__expr__",
              queryType: "threshold",
              model: JSON.stringify({
                datasource: { type: "__expr__", uid: "__expr__" },
                expression: "prometheus_math",
                conditions: [{ evaluator: { params: [0], type: "gt" } }],
                refId: "threshold",
                type: "threshold",
              }),
              relativeTimeRange: { from: 0, to: 0 },
            },
          ],
          for: "5m",
          noDataState: "OK",
          execErrState: "Error",
          missingSeriesEvalsToResolve: 1,
          labels: { cluster: "prod", severity: "warning", team: "platform" },
          annotations: {
            summary: "{{ $labels.instance }} is down",
            description: "{{ $labels.job }} on {{ $labels.instance }} has been down for 5 minutes (value {{ $values.query.Value }}).",
            runbook_url: "https://github.com/org/monitoring/blob/main/docs/runbooks/target-down.md",
          },
        },
      ],
    });
  });

  it("fires on any returned series: the threshold reads the math node, never the raw PromQL value", () => {
    const [group] = toGrafanaRuleGroups([TARGET_DOWN], opts);
    const rule = group.rules[0];
    const byRef = Object.fromEntries(rule.datas.map((d) => [d.refId, JSON.parse(d.model)]));
    assert.equal(rule.condition, "threshold");
    assert.equal(byRef.threshold.expression, "prometheus_math");
    assert.match(byRef.prometheus_math.expression, /^is_number\(\$query\) \|\| is_nan\(\$query\) \|\| is_inf\(\$query\)$/);
    assert.equal(byRef.query.instant, true);
  });

  it("merges labels: external labels under group labels under rule labels", () => {
    const g: PromAlertGroup = { ...TARGET_DOWN, labels: { team: "group-team", tier: "1" }, rules: [{ ...TARGET_DOWN.rules[0], labels: { severity: "critical", team: "rule-team" } }] };
    const [out] = toGrafanaRuleGroups([g], { ...opts, target: () => ({ folderUid: "f", datasourceUid: "d", externalLabels: { cluster: "prod", team: "ext", tier: "0" } }) });
    assert.deepEqual(out.rules[0].labels, { cluster: "prod", team: "rule-team", tier: "1", severity: "critical" });
  });

  it("carries `for` and `keep_firing_for` as durations the provider parses (days become hours)", () => {
    const g: PromAlertGroup = { ...TARGET_DOWN, rules: [{ ...TARGET_DOWN.rules[0], for: "1d12h", keep_firing_for: "90s" }] };
    const [out] = toGrafanaRuleGroups([g], opts);
    assert.equal(out.rules[0].for, "36h");
    assert.equal(out.rules[0].keepFiringFor, "1m30s");
    assert.equal(toGoDuration(parsePromDuration("1h30m")!), "1h30m");
    assert.equal(toGoDuration(0), "0s");
    assert.equal(parsePromDuration("5 minutes"), undefined);
  });

  it("uses Grafana's default 1m interval when the group has none, and shifts the query window by query_offset", () => {
    const [out] = toGrafanaRuleGroups([{ ...TARGET_DOWN, interval: undefined, query_offset: "1m" }], opts);
    assert.equal(out.intervalSeconds, 60);
    assert.deepEqual(out.rules[0].datas[0].relativeTimeRange, { from: 660, to: 60 });
  });

  it("gives repeated alert names distinct, stable UIDs within Grafana's 40-character limit", () => {
    const a = toGrafanaRuleGroups(ALERT_GROUPS, opts);
    const b = toGrafanaRuleGroups(ALERT_GROUPS, opts);
    const uids = a.flatMap((g) => g.rules.map((r) => r.uid));
    assert.deepEqual(uids, b.flatMap((g) => g.rules.map((r) => r.uid)), "same inputs → same UIDs");
    assert.equal(new Set(uids).size, uids.length);
    for (const u of uids) assert.ok(UID_RE.test(u) && u.length <= MAX_UID_LENGTH, u);
    const other = toGrafanaRuleGroups(ALERT_GROUPS, { ...opts, cluster: "staging" }).flatMap((g) => g.rules.map((r) => r.uid));
    assert.equal(other.filter((u) => uids.includes(u)).length, 0, "another cluster's copies get other UIDs");
  });

  it("leaves absolute runbook URLs and `$values` alone", () => {
    assert.equal(runbookUrl("https://x.example/a", "https://base/"), "https://x.example/a");
    assert.equal(runbookUrl("docs/r.md", undefined), "docs/r.md");
    assert.equal(runbookUrl("./docs/r.md", "https://base"), "https://base/docs/r.md");
    assert.equal(prometheusValueTemplate("{{ $values.query.Value }} $value"), "{{ $values.query.Value }} $value");
    assert.equal(prometheusValueTemplate("{{ $value | humanize }}"), "{{ $values.query.Value | humanize }}");
  });

  it("reports every bad group at once, naming file, group and rule", () => {
    const bad: PromAlertGroup[] = [
      { ...TARGET_DOWN, interval: "15s" },
      { ...TARGET_DOWN, name: "x", interval: "1 minute" },
      { ...TARGET_DOWN, name: "y", rules: [{ ...TARGET_DOWN.rules[0], for: "soon" }] },
      { ...TARGET_DOWN, name: "z", rules: [] },
    ];
    assert.throws(
      () => toGrafanaRuleGroups(bad, opts),
      (e: unknown) => {
        assert.ok(e instanceof RuleConversionError);
        assert.deepEqual(e.problems, [
          `alerts/platform/targets.rules.yaml: group "targets": interval "15s" is not a multiple of Grafana's 10s evaluation tick; use e.g. "30s" or "1m"`,
          `alerts/platform/targets.rules.yaml: group "x": interval "1 minute" is not a duration; use e.g. "1m"`,
          `alerts/platform/targets.rules.yaml: group "y": rule "TargetDown": for "soon" is not a duration`,
          `alerts/platform/targets.rules.yaml: group "z": has no rules; Grafana rule groups need at least one`,
        ]);
        return true;
      },
    );
  });

  it("refuses two groups of one name in one folder", () => {
    assert.throws(() => toGrafanaRuleGroups([TARGET_DOWN, { ...TARGET_DOWN, file: "alerts/platform/other.rules.yaml" }], opts), /group names must be unique per folder/);
  });
});
