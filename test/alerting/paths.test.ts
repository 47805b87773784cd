/**
 * For every committed stack, over the declared resources: every Prometheus that evaluates rules sends its
 * alerts to the stack's Alertmanager (and can discover it), the Alertmanager's configuration holds every
 * configured contact point and route, a deployed Grafana hands its alerts to the same Alertmanager, and the
 * platform Prometheus selects the chart's default rules and the repository's.
 */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { ofType, one, type Recorded } from "../harness/mocks";
import { REPO, runStack, stackConfig } from "../harness/program";
import { listStacks } from "../../components/config/stackFiles";
import type { StackConfig } from "../../components/config";
import { loadContent, renderedContent } from "../../components/charts/content";
import { charts } from "../../components/versions";

const PROM = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const AM = "kubernetes:monitoring.coreos.com/v1:Alertmanager";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

const selected = (labels: Record<string, string> | undefined, sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels?.[k] === v);

for (const stack of listStacks(REPO)) {
  describe(`alert paths of stack ${stack}`, () => {
    let rs: Recorded[];
    let cfg: StackConfig;
    before(async () => {
      ({ resources: rs } = await runStack(stack));
      cfg = stackConfig(stack);
    });

    it("sends every Prometheus' alerts to the stack's Alertmanager", () => {
      const [am] = ofType(rs, AM);
      assert.ok(am, "no Alertmanager");
      assert.equal(am.inputs.spec.replicas, cfg.alerting.alertmanager.replicas);
      const proms = ofType(rs, PROM);
      assert.ok(proms.length >= 1);
      for (const p of proms) {
        assert.deepEqual(p.inputs.spec.alerting?.alertmanagers, [{ namespace: am.inputs.metadata.namespace, name: "alertmanager-operated", port: "web", apiVersion: "v2" }], p.name);
      }
    });

    it("lets each team's Prometheus discover the Alertmanager in its namespace, and nothing more there", () => {
      const amNs = ofType(rs, AM)[0].inputs.metadata.namespace;
      for (const t of cfg.teams.filter((x) => x.enabled)) {
        const role = one(rs, "kubernetes:rbac.authorization.k8s.io/v1:Role", `${cfg.cluster.name}-team-${t.name}-read-alertmanagers`);
        assert.equal(role.inputs.metadata.namespace, amNs);
        assert.ok(role.inputs.rules.some((r: any) => r.resources.includes("endpoints") && r.verbs.includes("list")));
        assert.ok(role.inputs.rules.every((r: any) => r.verbs.every((v: string) => ["get", "list", "watch"].includes(v))), "read only");
      }
    });

    it("configures the Alertmanager with every contact point and route of the stack, from its own Secret", () => {
      const am = ofType(rs, AM)[0];
      const secret = ofType(rs, "kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === am.inputs.spec.configSecret)!;
      assert.ok(secret, "the configSecret is declared");
      assert.ok(am.dependsOn.includes(secret.urn), "created after its configuration (a missing one drops every notification)");
      assert.ok(secret.secretPaths.some((p) => p.startsWith("stringData")), "receivers' credentials stay secret");
      const conf = YAML.parse(secret.inputs.stringData["alertmanager.yaml"]);
      const receivers = conf.receivers.map((r: { name: string }) => r.name);
      for (const c of cfg.alerting.contactPoints) assert.ok(receivers.includes(c.name), `receiver ${c.name}`);
      assert.equal(conf.route.receiver, cfg.alerting.defaultContactPoint ?? "null");
      for (const r of cfg.alerting.routes) {
        assert.ok(conf.route.routes.some((x: any) => x.receiver === r.contactPoint && (x.matchers ?? []).includes(`team=${JSON.stringify(r.team)}`)), `route of team ${r.team}`);
      }
      assert.equal(conf.route.routes[0].matchers[0], 'alertname="Watchdog"');
    });

    it("hands a deployed Grafana's alerts to the same Alertmanager", () => {
      if (!(cfg.features.grafana && cfg.grafana.mode === "deploy")) return;
      const cp = one(rs, "grafana:alerting/contactPoint:ContactPoint", `${cfg.cluster.name}-grafana-content-cp-alertmanager`);
      assert.equal(cp.inputs.alertmanagers[0].url, `http://alertmanager-operated.${cfg.namespaces.monitoring}.svc:9093`);
      const policy = ofType(rs, "grafana:alerting/notificationPolicy:NotificationPolicy")[0];
      assert.equal(policy.inputs.contactPoint, "alertmanager");
      assert.ok(ofType(rs, "grafana:oss/dataSource:DataSource").some((d) => d.inputs.type === "alertmanager"), "an Alertmanager data source shows every alert in Grafana");
    });

    it("has the platform Prometheus select the chart's default rules and the repository's alert rules", () => {
      const platform = ofType(rs, PROM).find((p) => p.inputs.metadata.name === "platform")!;
      const sel = platform.inputs.spec.ruleSelector.matchLabels;
      const op = ofType(rs, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "kube-prometheus-stack")!;
      assert.equal(op.inputs.values.defaultRules.create, true);
      assert.ok(selected(op.inputs.values.defaultRules.labels, sel), "the chart's PrometheusRules carry the selected label");
      const repo = ofType(rs, RULE).find((r) => r.inputs.metadata.name === "platform-alert-rules")!;
      assert.ok(selected(repo.inputs.metadata.labels, sel));
      for (const g of repo.inputs.spec.groups) for (const r of g.rules) assert.match(r.annotations.runbook_url, /^https:\/\//, `${r.alert}: runbook opens`);
      const rendered = renderedContent(loadContent(charts.kubePrometheusStack.chart, charts.kubePrometheusStack.version)!, op.inputs.values);
      assert.ok(rendered.groups.length >= 20, `${rendered.groups.length} default groups`);
      // Nothing for what the stack does not scrape.
      for (const g of ["etcd", "kubernetes-system-scheduler", "kube-scheduler.rules", "kubernetes-system-controller-manager", "kubernetes-system-kube-proxy", "windows.node.rules"]) {
        assert.ok(!rendered.groups.some((x) => x.name === g), g);
      }
    });
  });
}

describe("default rules tuned by a stack file", () => {
  it("disables one alert and changes another's `for` and severity (prod)", async () => {
    const { resources } = await runStack("prod");
    const op = ofType(resources, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "kube-prometheus-stack")!;
    assert.equal(op.inputs.values.defaultRules.disabled.KubeCPUOvercommit, true);
    assert.deepEqual(op.inputs.values.customRules.KubePodCrashLooping, { for: "10m", severity: "critical" });
    const rendered = renderedContent(loadContent("kube-prometheus-stack", charts.kubePrometheusStack.version)!, op.inputs.values);
    const alerts = rendered.groups.flatMap((g) => g.alerts);
    assert.ok(!alerts.includes("KubeCPUOvercommit") && alerts.includes("KubePodCrashLooping"));
    assert.ok(!alerts.includes("TargetDown"), "superseded by the repository's PrometheusTargetsDown");
  });
});
