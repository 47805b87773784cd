/**
 * Several clusters writing to one hub, on real processes (127.0.0.1 only): for each of the stacks
 * `staging` and `prod`, every Prometheus the program declares (the platform's and each team's) runs as a
 * real Prometheus scraping live synthetic data and remote-writing, with the external labels and
 * remote_write the declared CR gives it (test/support/remoteWrite.ts), to one receiving Prometheus
 * (`--web.enable-remote-write-receiver`) standing in for the hub's write path. Then, on the receiver:
 *   (a) `label_values(up, cluster)`, the dashboards' `$cluster`, lists every cluster;
 *   (b) every panel and annotation query of every dashboard both stacks deploy returns data for each
 *       cluster and across clusters;
 *   (c) the tenant/label design: team series carry team, cluster and environment; `{team="<t>"}` (how the
 *       hub restricts a team's tenant) sees that team's series only; platform series carry no team; the
 *       senders are configured with each instance's tenant header.
 *
 * Time is compressed: each cluster's synthetic timeline (scripts/synthetic/cluster.ts, the live check's
 * data) is served from 50 to 10 minutes before its end at SPEED synthetic seconds per wall second, scraped
 * every second, so that within ~16 s team-a/api rolls out 1.5.0 (image-change panels), the team-a
 * Prometheus target goes down, an operator sync starts failing, and Kueue workloads stay pending. The
 * recording and alert rules are the PrometheusRules each Prometheus selects, evaluated every second.
 * Backfilled blocks cannot be used: remote write only sends what a Prometheus appends to its WAL.
 *
 * Not simulated: a second replica (prod runs 2; replica 0's external labels are used, the hub deduplicates
 * on prometheus_replica), Kubernetes discovery (the scrape job is a static target with honor_labels,
 * which keeps the synthetic target labels), and tenant enforcement (Thanos Receive, which cannot run here).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../../components/config";
import { readStackConfig } from "../../components/config/stackFiles";
import { Dashboard } from "../../components/content/dashboards";
import { stackContent } from "../../components/content/forStack";
import { DashboardQuery, dashboardQueries, grafanaStep, substituteVariables } from "../../components/content/promql";
import { generateCluster, liveOptions } from "../../scripts/synthetic/cluster";
import { CompressedClock, SyntheticExposition, SyntheticTarget, serveSynthetic } from "../../scripts/synthetic/target";
import { generateTeam } from "../../scripts/synthetic/team";
import { REPO, runStack } from "../harness/program";
import { PromResult, PromSample, PrometheusServer, resultSize, startPrometheus, tempDir } from "../support/prometheus";
import { DeclaredResource, PROMETHEUS_TYPE, SenderConfig, ruleFileText, scrapeNamespacesOf, selectedRuleGroups, senderConfig, teamOf } from "../support/remoteWrite";
import { RemoteWriteProxy, startRemoteWriteProxy } from "../support/remoteWriteProxy";
import { escapeRegex, resolveVariables, samplesOf } from "../support/dashboardVariables";

const STACKS = ["staging", "prod"] as const;
/** Scrape and rule evaluation interval of every sender (seconds). */
const SCRAPE_SECONDS = 1;
/** Synthetic seconds per wall second. */
const SPEED = 150;
/** The synthetic window served, relative to the synthetic data's end (seconds). */
const WINDOW = { from: -50 * 60, to: -10 * 60 };
/** Wall seconds the final state is served before the queries' time (a few scrapes and rule evaluations). */
const SETTLE_SECONDS = 3;
/** Grafana's view: the last 10 minutes at a 10 s step on 1 s scrapes. */
const RANGE_SECONDS = 600;
const RANGE_STEP = 10;
/** Variable values chosen where the first value found would not exercise the interesting data (as live.test.ts). */
const CHOSEN: Record<string, Record<string, string>> = {
  "ms-kubernetes-images": { namespace: "team-a" },
  "ms-kueue-pending-workloads": { cluster_queue: "cq-gpu", namespace: "team-a" },
};

const configs = Object.fromEntries(
  STACKS.map((s) => {
    const raw = readStackConfig(REPO, s);
    return [s, parseConfig(raw.config, raw.secretKeys, s)];
  }),
) as Record<(typeof STACKS)[number], ReturnType<typeof parseConfig>>;
/** The dashboards each stack deploys (its features); tested: those both deploy. */
const deployedBy = Object.fromEntries(STACKS.map((s) => [s, stackContent(configs[s]).dashboards])) as Record<(typeof STACKS)[number], Dashboard[]>;
/** The hub settings of each stack (tenant header, platform tenant). */
function hubOf(stack: string): { tenantHeader: string; platformTenant: string } {
  const rw = configs[stack as (typeof STACKS)[number]].remoteWrite;
  assert.ok(rw, `${stack}: no remoteWrite in its config: it does not write to a hub`);
  return rw;
}
const dashboards = deployedBy[STACKS[0]].filter((d) => STACKS.every((s) => deployedBy[s].some((x) => x.uid === d.uid)));

const samples = (r: PromResult) => samplesOf<PromSample>(r);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One simulated Prometheus: the declared CR, its generated config, its target, proxy and process. */
interface Sender {
  stack: string;
  cluster: string;
  environment: string;
  cr: DeclaredResource;
  /** undefined for the platform instance. */
  team?: string;
  /** Namespaces its synthetic series live in (team instances). */
  namespaces: string[];
  config: SenderConfig;
  target: SyntheticTarget;
  proxy: RemoteWriteProxy;
  /** `team` labels its selected alert rules set (routing labels; they end up on ALERTS series). */
  alertTeamLabels: Set<string>;
  server?: PrometheusServer;
}

/** The series a Prometheus writes for its alerts, with the alert's labels. */
const ALERT_SERIES = ["ALERTS", "ALERTS_FOR_STATE"];

describe("live: clusters remote-writing to a hub stand-in (real Prometheus processes)", function () {
  this.timeout(180_000);
  let work: string | undefined;
  let receiver: PrometheusServer | undefined;
  const senders: Sender[] = [];
  const targets: SyntheticTarget[] = [];
  const proxies: RemoteWriteProxy[] = [];
  const declaredDashboards = new Map<string, Set<string>>();
  /** cluster name → stack. */
  const clusters = new Map<string, string>();
  let runStart = 0;
  let end = 0;

  before(async function () {
    work = tempDir("multicluster");
    receiver = await startPrometheus({ dataDir: path.join(work, "receiver"), extraFlags: ["--web.enable-remote-write-receiver"], logName: "receiver.log" });
    const receiverWrite = `${receiver.url}/api/v1/write`;
    const grid = liveOptions(Math.floor(Date.now() / 1000 / 30) * 30);
    const clock = new CompressedClock(grid.end + WINDOW.from, grid.end + WINDOW.to, SPEED);

    for (const [k, stack] of STACKS.entries()) {
      const { resources } = await runStack(stack);
      declaredDashboards.set(stack, new Set(resources.filter((r) => r.type === "grafana:oss/dashboard:Dashboard").map((r) => JSON.parse(String(r.inputs.configJson)).uid)));
      const crs = resources.filter((r) => r.type === PROMETHEUS_TYPE);
      const platform = crs.filter((r) => !teamOf(r));
      assert.strictEqual(platform.length, 1, `${stack}: expected one platform Prometheus, found ${platform.map((r) => r.name).join(", ")}`);
      const cluster: string = platform[0].inputs.spec.externalLabels?.cluster;
      assert.ok(cluster, `${stack}: the platform Prometheus has no cluster external label`);
      assert.ok(!clusters.has(cluster), `${stack} and ${clusters.get(cluster)} declare the same cluster label ${cluster}`);
      clusters.set(cluster, stack);
      const dir = path.join(work, stack);
      fs.mkdirSync(dir, { recursive: true });

      // The cluster's data (its own seed: names and values differ between clusters).
      const clusterFile = path.join(dir, "cluster.om");
      const summary = generateCluster(clusterFile, { ...grid, seed: grid.seed + k });
      const clusterData = SyntheticExposition.fromFile(clusterFile, summary);
      for (const cr of crs) {
        const team = teamOf(cr);
        const id = `${cr.inputs.metadata.namespace}/${cr.inputs.metadata.name}`;
        const idDir = path.join(dir, cr.inputs.metadata.name);
        fs.mkdirSync(idDir);
        let data = clusterData;
        const namespaces = team ? scrapeNamespacesOf(cr) : [];
        if (team) {
          assert.ok(namespaces.length > 0, `${stack} ${id}: no namespaces in serviceMonitorNamespaceSelector`);
          const file = path.join(idDir, "team.om");
          const t = generateTeam(file, { team, namespaces, end: grid.end, durationSeconds: grid.durationSeconds, step: grid.step, seed: grid.seed + k });
          data = SyntheticExposition.fromFile(file, t);
        }
        const target = await serveSynthetic(data, clock);
        targets.push(target);
        const proxy = await startRemoteWriteProxy(receiverWrite, hubOf(stack).tenantHeader);
        proxies.push(proxy);
        const groups = selectedRuleGroups(cr, resources).flatMap((r) => r.groups);
        const ruleFiles: string[] = [];
        if (groups.length) {
          const file = path.join(idDir, "rules.yaml");
          fs.writeFileSync(file, ruleFileText(groups));
          ruleFiles.push(file);
        }
        const config = senderConfig(cr, resources, {
          receiverUrl: proxy.url,
          scrapeInterval: `${SCRAPE_SECONDS}s`,
          evaluationInterval: `${SCRAPE_SECONDS}s`,
          ruleFiles,
          scrapeConfigs: [{ job_name: "synthetic", honor_labels: true, static_configs: [{ targets: [target.address] }] }],
        });
        const environment = config.externalLabels.environment;
        const alertTeamLabels = new Set(groups.flatMap((g) => g.rules).filter((r) => r.alert && (r.labels as Record<string, string> | undefined)?.team).map((r) => (r.labels as Record<string, string>).team));
        senders.push({ stack, cluster, environment, cr, team, namespaces, config, target, proxy, alertTeamLabels });
      }
    }

    // Every sender at once (all settled before failing, so that after() stops each one that started); a
    // failed start keeps its config and log, named in the error.
    const started = await Promise.allSettled(
      senders.map(async (s) => {
        s.server = await startPrometheus({ dataDir: path.join(work as string, s.stack, s.cr.inputs.metadata.name, "data"), configText: s.config.yaml, extraFlags: s.config.flags, logName: `${s.stack}-${s.cr.inputs.metadata.name}.log` });
      }),
    );
    const failed = started.flatMap((r, i) => (r.status === "rejected" ? [`${senders[i].stack} ${senders[i].config.id}: ${(r.reason as Error).message}`] : []));
    if (failed.length) throw new Error(`senders did not start:\n${failed.join("\n")}`);
    // The scrape manager applies new targets after up to 5 s: start the clock once every target was scraped.
    const firstScrape = Date.now() + 30_000;
    while (senders.some((s) => s.target.scrapes() === 0)) {
      if (Date.now() > firstScrape) throw new Error(`never scraped: ${senders.filter((s) => s.target.scrapes() === 0).map((s) => `${s.stack} ${s.config.id}`).join(", ")}`);
      await sleep(100);
    }
    clock.start();
    runStart = Math.floor(Date.now() / 1000) - 10;
    await sleep(clock.endsAt - Date.now() + SETTLE_SECONDS * 1000);
    end = Math.floor(Date.now() / 1000);

    // Wait until the receiver has every sender's samples up to `end`, then stop the senders.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const latest = new Map(samples(await receiver.query("max by (cluster, prometheus) (timestamp(up))", Date.now() / 1000)).map((x) => [`${x.metric.cluster} ${x.metric.prometheus}`, Number(x.value?.[1])]));
      const behind = senders.filter((s) => !((latest.get(`${s.cluster} ${s.config.id}`) ?? 0) >= end));
      if (behind.length === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the receiver did not get every sender's samples up to ${end}:\n${behind.map((s) => `  ${s.stack} ${s.config.id}: latest ${latest.get(`${s.cluster} ${s.config.id}`) ?? "none"}; proxy saw ${s.proxy.record.requests} requests, failures: ${s.proxy.record.failures.slice(0, 3).join("; ") || "none"}`).join("\n")}`,
        );
      }
      await sleep(250);
    }
    await Promise.all(senders.map((s) => s.server?.stop()));
  });

  after(async () => {
    await Promise.all(senders.map((s) => s.server?.stop()));
    await receiver?.stop();
    await Promise.all([...targets, ...proxies].map((x) => x.close()));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("simulates every declared Prometheus of both stacks, with rules where it selects PrometheusRules", () => {
    const rows = senders.map((s) => `${s.stack} ${s.config.id} → ${s.cluster}${s.team ? ` team ${s.team}` : ""}`);
    for (const stack of STACKS) {
      assert.ok(senders.some((s) => s.stack === stack && !s.team), `${stack}: no platform Prometheus simulated`);
      assert.ok(senders.some((s) => s.stack === stack && s.team), `${stack}: no team Prometheus simulated`);
    }
    assert.ok(rows.length >= 4, rows.join("\n"));
    for (const s of senders.filter((x) => !x.team)) assert.ok((s.config.config.rule_files as string[] | undefined)?.length, `${s.stack} ${s.config.id}: selects no PrometheusRule (the dashboards read recording rules)`);
  });

  it("the dashboards tested are those both stacks declare", () => {
    assert.ok(dashboards.length > 0, "no dashboard is deployed by both stacks");
    for (const stack of STACKS) {
      const declared = declaredDashboards.get(stack) ?? new Set();
      assert.deepStrictEqual(deployedBy[stack].map((d) => d.uid).filter((u) => !declared.has(u)), [], `${stack}: dashboards of its features that the program does not declare`);
    }
  });

  it("(a) label_values(up, cluster) lists every cluster", async () => {
    assert.ok(receiver);
    const found = await receiver.labelValues("cluster", end - RANGE_SECONDS, end, "up");
    assert.deepStrictEqual(found.sort(), [...clusters.keys()].sort());
  });

  /** The query with Grafana's interval variables for its step. */
  function withIntervals(q: DashboardQuery, vars: Record<string, string>): { expr: string; step: number } {
    const { step, variables } = grafanaStep(q, RANGE_STEP, RANGE_SECONDS, SCRAPE_SECONDS);
    return { expr: substituteVariables(q.expr, { ...vars, ...variables }), step };
  }

  async function run(q: DashboardQuery, vars: Record<string, string>): Promise<PromResult> {
    assert.ok(receiver);
    const { expr, step } = withIntervals(q, vars);
    if (q.instant) return receiver.query(expr, end);
    return receiver.queryRange(expr, end - RANGE_SECONDS, end, step);
  }

  /** Resolves a dashboard's variables in order as Grafana does, with `$cluster` = `cluster` (a name or All). */
  function resolveDashboard(d: Dashboard, cluster: string | "all"): Promise<Record<string, string>> {
    assert.ok(receiver);
    const hub = receiver;
    return resolveVariables(d, {
      initial: grafanaStep({}, RANGE_STEP, RANGE_SECONDS, SCRAPE_SECONDS).variables,
      labelValues: (label, match) => hub.labelValues(label, end - RANGE_SECONDS, end, match),
      chosen: CHOSEN[d.uid],
      scope: ` (cluster ${cluster})`,
      cluster: (found, v, text) => {
        assert.deepStrictEqual([...found].sort(), [...clusters.keys()].sort(), `${d.uid} › $cluster: ${text} must list every cluster`);
        if (cluster !== "all") return escapeRegex(cluster);
        return typeof v.allValue === "string" && v.allValue ? v.allValue : found.map(escapeRegex).join("|");
      },
    });
  }

  describe("(b) every dashboard query returns data per cluster and across clusters", () => {
    const scopes = (): (string | "all")[] => [...clusters.keys(), "all"];
    for (const d of dashboards) {
      describe(d.uid, () => {
        const values = new Map<string, Record<string, string>>();
        it("variables resolve in every scope", async () => {
          for (const scope of scopes()) values.set(scope, await resolveDashboard(d, scope));
        });
        for (const q of dashboardQueries(d).filter((x) => x.kind !== "variable")) {
          it(`${q.where.replace(`${d.uid} › `, "")} returns data`, async () => {
            const empty: string[] = [];
            for (const scope of scopes()) {
              const vars = values.get(scope);
              assert.ok(vars, `${d.uid}: variables were not resolved for ${scope}`);
              const r = await run(q, vars);
              if (resultSize(r) === 0) empty.push(`  ${scope === "all" ? "across clusters" : `cluster ${scope}`}: ${withIntervals(q, vars).expr}`);
            }
            assert.deepStrictEqual(empty, [], `empty result: dashboard ${d.uid} › ${q.kind === "panel" ? `panel ${q.panelId} ${JSON.stringify(q.panelTitle)} › ${q.refId}` : q.where}\n${empty.join("\n")}`);
          });
        }
      });
    }

    describe("the events of the run reach the hub from each cluster", () => {
      const panel = async (uid: string, title: string, cluster: string, refId = "A"): Promise<PromSample[]> => {
        const d = dashboards.find((x) => x.uid === uid);
        assert.ok(d, `${uid} is not tested`);
        const q = dashboardQueries(d).find((x) => x.panelTitle === title && x.refId === refId);
        assert.ok(q, `${uid}: no panel ${title}`);
        return samples(await run(q, await resolveDashboard(d, cluster)));
      };

      it("team-a/api's rollout: 1.4.2 is retired and 1.5.0 introduced, per cluster", async () => {
        for (const c of clusters.keys()) {
          const rows = await panel("ms-kubernetes-images", "Image changes in the last 7 days", c, "B");
          assert.deepStrictEqual(rows.filter((r) => r.metric.workload === "api").map((r) => r.metric.image), ["registry.example.com/team-a/api:1.4.2"], `${c}: retired images ${JSON.stringify(rows.map((r) => r.metric))}`);
          const now = await panel("ms-kubernetes-images", "Running image versions per workload", c);
          assert.ok(now.some((r) => r.metric.workload === "api" && r.metric.image === "registry.example.com/team-a/api:1.5.0"), `${c}: api 1.5.0 not running`);
        }
      });

      it("the team-a Prometheus target went down, the platform one is up, per cluster", async () => {
        for (const c of clusters.keys()) {
          const rows = await panel("ms-monitoring-health", "Prometheus servers", c);
          assert.deepStrictEqual(rows.map((r) => [r.metric.job, r.value?.[1]]).sort(), [["prometheus-platform", "1"], ["prometheus-team-a", "0"]], c);
        }
      });

      it("the operator's failing sync and Kueue's pending workloads show, per cluster", async () => {
        for (const c of clusters.keys()) {
          const failing = await panel("ms-monitoring-health", "Objects failing to reconcile", c);
          const prom = failing.find((r) => r.metric.controller === "prometheus");
          assert.strictEqual(prom?.values?.at(-1)?.[1], "1", `${c}: ${JSON.stringify(failing)}`);
          const rows = await panel("ms-kueue-pending-workloads", "Pending workloads (first in line per ClusterQueue)", c, "D");
          assert.strictEqual(rows.length, 3, `${c}: ${JSON.stringify(rows.map((r) => r.metric))}`);
        }
      });
    });
  });

  describe("(c) tenants and labels", () => {
    // The receiving Prometheus ignores tenant headers: it only shows what the labels allow. Tenant
    // enforcement is the hub's Thanos Receive (per THANOS-TENANT) and its query path, which cannot run here.

    it("every series a team Prometheus sends arrives with team, cluster and environment, in the team's namespaces", async () => {
      assert.ok(receiver);
      for (const s of senders.filter((x) => x.team)) {
        const got = await receiver.series(`{prometheus=${JSON.stringify(s.config.id)}, cluster=${JSON.stringify(s.cluster)}}`, runStart, end);
        assert.ok(got.length > 0, `${s.stack} ${s.config.id}: no series on the receiver`);
        const wrong = got.filter((l) => l.team !== s.team || l.cluster !== s.cluster || l.environment !== s.environment || (l.namespace !== undefined && !s.namespaces.includes(l.namespace)));
        assert.deepStrictEqual(wrong.slice(0, 5), [], `${s.stack} ${s.config.id}: ${wrong.length} of ${got.length} series lack team=${s.team}, cluster=${s.cluster}, environment=${s.environment} or leave ${s.namespaces.join(", ")}`);
      }
    });

    it("platform series carry cluster and environment and no team label (alert series: their routing label only)", async () => {
      assert.ok(receiver);
      const teamNames = new Set(senders.filter((x) => x.team).map((x) => x.team));
      for (const s of senders.filter((x) => !x.team)) {
        const got = await receiver.series(`{prometheus=${JSON.stringify(s.config.id)}, cluster=${JSON.stringify(s.cluster)}}`, runStart, end);
        assert.ok(got.length > 1000, `${s.stack} ${s.config.id}: only ${got.length} series on the receiver`);
        // The platform's alert rules carry a `team` routing label (alerts/platform: team: platform), which
        // ALERTS and ALERTS_FOR_STATE keep: allowed, as long as no team has that name (its restriction would
        // then see the platform's alerts).
        const routing = s.alertTeamLabels;
        for (const t of routing) assert.ok(!teamNames.has(t), `${s.stack}: a team is named ${JSON.stringify(t)}, the platform alert rules' team label: {team="${t}"} would include the platform's alerts`);
        const wrong = got.filter((l) => l.environment !== s.environment || (l.team !== undefined && !(ALERT_SERIES.includes(l.__name__) && routing.has(l.team))));
        assert.deepStrictEqual(wrong.slice(0, 5), [], `${s.stack} ${s.config.id}: ${wrong.length} series with a team label or without environment=${s.environment}`);
      }
      // And nothing arrives without the operator's labels, i.e. from outside the simulated Prometheus.
      const stray = await receiver.series(`{__name__=~".+", prometheus=""}`, runStart, end);
      assert.deepStrictEqual(stray.slice(0, 5), [], "series without a prometheus label");
    });

    it("a team's restriction ({team=...}) returns exactly that team's series, none of the platform's or other teams'", async () => {
      assert.ok(receiver);
      const teams = [...new Set(senders.filter((s) => s.team).map((s) => s.team as string))];
      assert.ok(teams.length >= 2, `need two teams to tell them apart, have ${teams.join(", ")}`);
      const key = (l: Record<string, string>): string => JSON.stringify(Object.entries(l).sort());
      for (const team of teams) {
        const restricted = await receiver.series(`{team=${JSON.stringify(team)}}`, runStart, end);
        const own = new Set<string>();
        for (const s of senders.filter((x) => x.team === team)) for (const l of await receiver.series(`{prometheus=${JSON.stringify(s.config.id)}, cluster=${JSON.stringify(s.cluster)}}`, runStart, end)) own.add(key(l));
        const foreign = restricted.filter((l) => !own.has(key(l)));
        assert.deepStrictEqual(foreign.slice(0, 5), [], `{team="${team}"} returned ${foreign.length} series not sent by ${team}'s Prometheus`);
        assert.strictEqual(restricted.length, own.size, `{team="${team}"} returned ${restricted.length} series, ${team}'s Prometheus sent ${own.size}`);
      }
      // The same metric name exists on the platform (Spegel) and for every team: the label is what separates them.
      const byName = samples(await receiver.query("count by (team, namespace) (http_request_duration_seconds_count)", end));
      assert.ok(byName.some((r) => r.metric.team === undefined), "the platform's http_request_duration_seconds is missing: the restriction would prove nothing");
      for (const team of teams) {
        const namespaces = senders.filter((s) => s.team === team).flatMap((s) => s.namespaces);
        const rows = samples(await receiver.query(`sum by (cluster, team, namespace) (rate(http_request_duration_seconds_count{team=${JSON.stringify(team)}}[1m]))`, end));
        assert.ok(rows.length > 0, `${team}: no data through its restriction`);
        assert.deepStrictEqual(rows.filter((r) => r.metric.team !== team || !namespaces.includes(r.metric.namespace)).map((r) => r.metric), [], `${team}: rows of other tenants`);
      }
    });

    it("each sender is configured with its instance's tenant header, and what it sent matches its labels", () => {
      const problems: string[] = [];
      for (const s of senders) {
        const { tenantHeader, platformTenant } = hubOf(s.stack);
        const tenant = s.team ?? platformTenant;
        const rw = s.config.remoteWrite;
        if (rw.length !== 1) problems.push(`${s.stack} ${s.config.id}: ${rw.length} remote writes`);
        const headers = (rw[0]?.headers ?? {}) as Record<string, string>;
        if (headers[tenantHeader] !== tenant) problems.push(`${s.stack} ${s.config.id}: ${tenantHeader} ${JSON.stringify(headers[tenantHeader])}, expected ${JSON.stringify(tenant)}`);
        const wire = s.proxy.record;
        if (wire.requests === 0) problems.push(`${s.stack} ${s.config.id}: sent nothing`);
        if (wire.failures.length) problems.push(`${s.stack} ${s.config.id}: ${wire.failures.slice(0, 3).join("; ")}`);
        const auth = "basic_auth" in (rw[0] ?? {});
        if (auth && wire.withoutBasicAuth) problems.push(`${s.stack} ${s.config.id}: ${wire.withoutBasicAuth} of ${wire.requests} requests without basic auth`);
        if (!auth && wire.withoutBasicAuth !== wire.requests) problems.push(`${s.stack} ${s.config.id}: basic auth sent, none declared`);
        const teams = [...wire.teams].sort();
        const expected = s.team ? [s.team] : ["", ...s.alertTeamLabels].sort();
        if (JSON.stringify(teams) !== JSON.stringify(expected)) problems.push(`${s.stack} ${s.config.id}: sent series with team labels ${JSON.stringify(teams)}, expected ${JSON.stringify(expected)}`);
        // Debian's prometheus 2.42.0+ds does not send remote_write `headers` (prometheus/prometheus#13030):
        // the header is required in the config above; on the wire it may be missing but never another tenant's.
        const other = [...wire.tenants].filter((t) => t !== "" && t !== tenant);
        if (other.length) problems.push(`${s.stack} ${s.config.id}: sent as tenant ${JSON.stringify(other)}`);
      }
      assert.deepStrictEqual(problems, []);
    });
  });
});
