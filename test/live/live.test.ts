/**
 * Every dashboard query and every alert expression against a real Prometheus serving synthetic data with
 * the metric names and labels the components really emit (scripts/synthetic/). A query that returns nothing
 * fails, naming dashboard, panel and query: it would be an empty panel in Grafana.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadAlertGroups, loadRecordingGroups, toPrometheusRuleFile } from "../../components/content/alerts";
import { Dashboard, loadDashboards } from "../../components/content/dashboards";
import { DashboardQuery, dashboardQueries, grafanaStep, substituteVariables } from "../../components/content/promql";
import { GenerateSummary, generateCluster, liveOptions } from "../../scripts/synthetic/cluster";
import { resolveVariables, samplesOf } from "../support/dashboardVariables";
import { PromResult, PromSample, PrometheusServer, backfillOpenMetrics, backfillRecordingRules, resultSize, startPrometheus, tempDir } from "../support/prometheus";

/** Grafana's interval variables as Grafana would set them for a 1 h range on 30 s scrapes. */
const INTERVALS: Record<string, string> = {
  __rate_interval: "2m",
  __interval: "1m",
  __interval_ms: "60000",
  __range: "1h",
  __range_s: "3600",
  __range_ms: "3600000",
};
/** Variable values chosen where the first value found would not exercise the interesting data. */
const CHOSEN: Record<string, Record<string, string>> = {
  "ms-kubernetes-images": { namespace: "team-a" },
  "ms-kueue-pending-workloads": { cluster_queue: "cq-gpu", namespace: "team-a" },
};
const RANGE_SECONDS = 3600;
const RANGE_STEP = 60;
/** The synthetic data's scrape interval (scripts/synthetic: 30 s). */
const SCRAPE_SECONDS = 30;

const dashboards = loadDashboards();
const alertRules = loadAlertGroups().flatMap((g) => g.rules);

const series = (r: PromResult) => samplesOf<PromSample>(r);

describe("live: dashboards and alerts on a real Prometheus with synthetic data", function () {
  this.timeout(180_000);
  let work: string;
  let server: PrometheusServer | undefined;
  let summary: GenerateSummary;
  let end: number;
  const values = new Map<string, Record<string, string>>();

  before(async () => {
    work = tempDir("live");
    // Data ends a minute ago: recent enough to be "now" for the server, old enough to be complete.
    const dataEnd = Math.floor(Date.now() / 1000 / 30) * 30 - 60;
    const file = path.join(work, "cluster.om");
    summary = generateCluster(file, liveOptions(dataEnd));
    const tsdb = path.join(work, "tsdb");
    backfillOpenMetrics(file, tsdb);
    fs.rmSync(file);
    server = await startPrometheus({ dataDir: tsdb });
    end = summary.end;
    // The recording rules the dashboards read, evaluated over the same data, as the platform Prometheus would.
    const rules = path.join(work, "recording.rules.yaml");
    fs.writeFileSync(rules, toPrometheusRuleFile(loadRecordingGroups()));
    backfillRecordingRules(server.url, rules, summary.start, summary.end, tsdb);
    await server.stop();
    server = await startPrometheus({ dataDir: tsdb });
  });

  after(async () => {
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** The query with the dashboard's variables and Grafana's interval variables for its step (its min interval, if any). */
  function withIntervals(q: DashboardQuery, vars: Record<string, string>): { expr: string; step: number } {
    const { step, variables } = grafanaStep(q, RANGE_STEP, RANGE_SECONDS, SCRAPE_SECONDS);
    return { expr: substituteVariables(q.expr, { ...vars, ...variables }), step };
  }

  async function run(q: DashboardQuery, vars: Record<string, string>): Promise<PromResult> {
    assert.ok(server);
    const { expr, step } = withIntervals(q, vars);
    if (q.instant) return server.query(expr, end);
    return server.queryRange(expr, end - RANGE_SECONDS, end, step);
  }

  /** Resolves a dashboard's variables in order, as Grafana does, and checks each has values. */
  function resolveDashboard(d: Dashboard): Promise<Record<string, string>> {
    assert.ok(server);
    const prom = server;
    return resolveVariables(d, {
      initial: INTERVALS,
      labelValues: (label, match) => prom.labelValues(label, end - RANGE_SECONDS, end, match),
      chosen: CHOSEN[d.uid],
      cluster: (found) => {
        // External labels are not in a Prometheus' own TSDB: no values, and All (.*) must match.
        assert.deepStrictEqual(found, [], `${d.uid} › $cluster: the synthetic data has no cluster label`);
        return ".*";
      },
    });
  }

  for (const d of dashboards) {
    describe(d.uid, () => {
      it("variables resolve to values present in the data", async () => {
        values.set(d.uid, await resolveDashboard(d));
      });
      for (const q of dashboardQueries(d).filter((x) => x.kind !== "variable")) {
        it(`${q.where.replace(`${d.uid} › `, "")} returns data`, async () => {
          const vars = values.get(d.uid);
          assert.ok(vars, `${d.uid}: variables were not resolved`);
          const r = await run(q, vars);
          assert.ok(resultSize(r) > 0, `empty result: dashboard ${d.uid} › ${q.kind === "panel" ? `panel ${q.panelId} ${JSON.stringify(q.panelTitle)} › ${q.refId}` : q.where}\n  query: ${withIntervals(q, vars).expr}`);
        });
      }
    });
  }

  describe("what the panels show", () => {
    const query = async (uid: string, panelTitle: string, refId = "A"): Promise<PromSample[]> => {
      const d = dashboards.find((x) => x.uid === uid);
      assert.ok(d);
      const q = dashboardQueries(d).find((x) => x.panelTitle === panelTitle && x.refId === refId);
      assert.ok(q, `${uid}: no panel ${panelTitle}`);
      const vars = values.get(uid) ?? {};
      return series(await run(q, vars));
    };

    it("drift lists only the container whose running image differs (short names are normalised)", async () => {
      const rows = await query("ms-kubernetes-images", "Requested vs running image (drift)");
      assert.deepStrictEqual(
        rows.map((r) => `${r.metric.pod}/${r.metric.container}`),
        ["legacy/legacy"],
      );
    });

    it(":latest or untagged lists busybox (no tag) and alpine:latest only", async () => {
      const rows = await query("ms-kubernetes-images", ":latest or untagged images");
      assert.deepStrictEqual(rows.map((r) => r.metric.image_spec).sort(), ["alpine:latest", "busybox"]);
    });

    it("the image-change annotation marks team-a/api's rollout to 1.5.0 when it happened", async () => {
      const d = dashboards.find((x) => x.uid === "ms-kubernetes-images");
      assert.ok(d);
      const q = dashboardQueries(d).find((x) => x.kind === "annotation");
      assert.ok(q);
      const r = series(await run(q, values.get(d.uid) ?? {}));
      const api = r.find((s) => s.metric.workload === "api" && s.metric.image === "registry.example.com/team-a/api:1.5.0");
      assert.ok(api?.values, `no annotation for api 1.5.0 in ${JSON.stringify(r.map((s) => s.metric))}`);
      const first = api.values[0][0];
      assert.ok(Math.abs(first - summary.apiRolloutAt) <= 60, `annotation at ${first}, rollout at ${summary.apiRolloutAt}`);
      assert.deepStrictEqual(r.filter((s) => s.metric.workload !== "api"), [], "only the rollout is an image change within the last hour");
    });

    it("image versions per workload shows both of team-a/api's versions", async () => {
      const rows = await query("ms-kubernetes-images", "Running image versions per workload");
      const api = rows.filter((r) => r.metric.workload === "api").map((r) => r.metric.image).sort();
      assert.deepStrictEqual(api, ["registry.example.com/team-a/api:1.4.2", "registry.example.com/team-a/api:1.5.0"]);
    });

    it("Spegel's per-node panels resolve every node through kube_pod_info", async () => {
      const rows = await query("ms-spegel", "Served throughput per node");
      assert.deepStrictEqual(rows.map((r) => r.metric.node).sort(), ["node-001", "node-002", "node-003"]);
    });

    it("Spegel's HTTP panels only count Spegel's own http_* series", async () => {
      const rows = await query("ms-spegel", "Registry responses by HTTP status");
      assert.deepStrictEqual(rows.map((r) => r.metric.code).sort(), ["200", "404", "500"]);
    });

    it("the Prometheus servers panel shows the team Prometheus down and the platform one up", async () => {
      const rows = await query("ms-monitoring-health", "Prometheus servers");
      assert.deepStrictEqual(rows.map((r) => [r.metric.job, r.value?.[1]]).sort(), [
        ["prometheus-platform", "1"],
        ["prometheus-team-a", "0"],
      ]);
    });

    it("the Kueue table has one row per first-in-line workload of the chosen queue and namespace", async () => {
      const rows = await query("ms-kueue-pending-workloads", "Pending workloads (first in line per ClusterQueue)", "D");
      assert.strictEqual(rows.length, 3);
      for (const r of rows) {
        assert.strictEqual(r.metric.cluster_queue, "cq-gpu");
        assert.strictEqual(r.metric.namespace, "team-a");
        assert.ok(Number(r.value?.[1]) > 0, "age must be positive");
      }
    });
  });

  describe("alert expressions", () => {
    // The synthetic data holds these incidents (scripts/synthetic/cluster.ts); everything else is healthy.
    const EXPECTED_FIRING = [
      "KueueExporterApiErrors",
      "PrometheusDown",
      "PrometheusOperatorReconcileErrors",
      "PrometheusOperatorSyncFailed",
      "PrometheusRuleEvaluationFailures",
      "PrometheusTargetsDown",
      "TempoCompactionsFailing",
      "TempoDiscardingSpans",
      "TempoRefusingSpans",
    ];
    const firing = new Set<string>();

    for (const rule of alertRules) {
      it(`${rule.alert} evaluates without error`, async () => {
        assert.ok(server);
        const r = await server.query(rule.expr, end);
        if (resultSize(r) > 0) firing.add(rule.alert);
      });
    }

    it("exactly the incidents in the synthetic data match", () => {
      assert.deepStrictEqual([...firing].sort(), EXPECTED_FIRING);
    });
  });
});
