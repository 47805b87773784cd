import * as assert from "assert";
import * as path from "path";
import { loadDashboards } from "../../components/content/dashboards";
import { dashboardQueries } from "../../components/content/promql";
import { LintProblem, lintDashboard, promqlSyntaxError, PARSE_BUILTINS, rawCounterUses } from "./lint";
import { substituteVariables, dashboardVariables } from "../../components/content/promql";
import { loadRecordingGroups } from "../../components/content/alerts";

const dashboards = loadDashboards();
const ALL_RULES = [
  "annotation-datasource-rule",
  "panel-datasource-rule",
  "panel-id-rule",
  "panel-target-rule",
  "panel-title-description-rule",
  "panel-units-rule",
  "schema-version-rule",
  "tags-rule",
  "target-cluster-rule",
  "target-counter-agg-rule",
  "target-promql-rule",
  "target-rate-interval-rule",
  "template-cluster-rule",
  "template-datasource-rule",
  "template-variables-rule",
  "uid-rule",
];

const show = (ps: LintProblem[]): string => ps.map((p) => `${p.rule}: ${p.message}`).join("\n");

describe("dashboard PromQL", () => {
  for (const d of dashboards) {
    it(`${d.uid}: every panel, variable and annotation query parses (variables substituted)`, () => {
      const queries = dashboardQueries(d);
      assert.ok(queries.length > 0, `${d.uid} has no queries`);
      const values = { ...PARSE_BUILTINS, cluster: ".*", ...Object.fromEntries(dashboardVariables(d).filter((v) => v !== "cluster").map((v) => [v, "x"])) };
      const errors = queries
        .map((q) => {
          const err = promqlSyntaxError(substituteVariables(q.expr, values));
          return err ? `${q.where}: ${err}` : undefined;
        })
        .filter(Boolean);
      assert.deepStrictEqual(errors, []);
    });
  }
});

describe("dashboard lint rules", () => {
  for (const d of dashboards) {
    for (const rule of ALL_RULES) {
      it(`${d.uid}: ${rule}`, () => {
        const problems = lintDashboard(d).filter((p) => p.rule === rule);
        assert.strictEqual(problems.length, 0, show(problems));
      });
    }
  }

  it("every recorded series a dashboard reads (level:metric:operation) is defined by a recording rule", () => {
    const recorded = new Set(loadRecordingGroups().flatMap((g) => g.rules.map((r) => r.record)));
    const missing: string[] = [];
    for (const d of dashboards) {
      for (const q of dashboardQueries(d)) {
        for (const name of q.expr.match(/\b[a-zA-Z_]\w*:[\w:]+/g) ?? []) if (!recorded.has(name)) missing.push(`${q.where}: ${name}`);
      }
    }
    assert.deepStrictEqual(missing, []);
  });

  it("uids are unique across dashboards", () => {
    const uids = dashboards.map((d) => d.uid);
    assert.deepStrictEqual([...new Set(uids)].sort(), [...uids].sort());
  });

  it("every rule fails on a bad fixture dashboard", () => {
    const [bad] = loadDashboards(path.join(__dirname, "fixtures", "lint-bad"));
    const problems = lintDashboard(bad);
    assert.deepStrictEqual([...new Set(problems.map((p) => p.rule))].sort(), ALL_RULES, show(problems));
    const messages = problems.map((p) => p.message);
    for (const expected of [
      'bad-dashboard: uid "bad-dashboard" must start with "ms-"',
      'bad-dashboard: panel 1 "Hard-coded data source, no description, no unit": datasource must be {type: "prometheus", uid: "${datasource}"}, found {"type":"prometheus","uid":"P1809F7CD0C75ACF3"}',
      'bad-dashboard: panel 1 "Hard-coded data source, no description, no unit" needs fieldConfig.defaults.unit',
      'bad-dashboard › panel 1 "Hard-coded data source, no description, no unit" › A: rate(...[5m]) must use [$__rate_interval]',
      'bad-dashboard › panel 2 "Raw counter" › A: counter http_requests_total is used without rate(), irate() or increase()',
      'bad-dashboard › panel 2 "Raw counter" › B: selector http_requests_total needs cluster=~"$cluster"',
      'bad-dashboard › panel 2 "Duplicate id, broken queries" › A: syntax error at character 32 of sum(rate(up{cluster=~".*"}[5m])',
      'bad-dashboard › panel 2 "Duplicate id, broken queries" › B: uses undefined variable $namspace',
      'bad-dashboard: panel id 2 is used by "Raw counter" and "Duplicate id, broken queries"',
    ]) {
      assert.ok(messages.includes(expected), `missing: ${expected}\n${show(problems)}`);
    }
  });
});

describe("counter rule", () => {
  it("accepts counters inside rate, irate and increase, also with offset", () => {
    assert.deepStrictEqual(rawCounterUses("sum(rate(a_total[5m])) + irate(b_count[1m]) + increase(c_bucket[1h] offset 1m)"), []);
  });
  it("flags counters used raw or in other range functions", () => {
    assert.deepStrictEqual(rawCounterUses("sum(a_total) + max_over_time(b_sum[5m]) + tempo_receiver_refused_spans"), ["a_total", "b_sum", "tempo_receiver_refused_spans"]);
  });
  it("exempts the exporter's gauge-shaped age distribution", () => {
    assert.deepStrictEqual(rawCounterUses("histogram_quantile(0.9, sum by (le) (kueuex_pending_workload_age_seconds_bucket))"), []);
  });
});
