/**
 * Every alert reaches its contact point, on real processes: the Alertmanager configuration this program
 * renders (components/alerting) loaded by a real Alertmanager (Debian's 0.25) on 127.0.0.1, real Prometheus
 * servers sending to it (a team's, with the `team` external label its Prometheus CR gets; the platform's,
 * with `cluster` only), and a local webhook server standing in for every receiver.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { alertmanagerConfig } from "../../components/alerting/alertmanagerConfig";
import { routingTree } from "../../components/alerting/routing";
import { routingTreeOf } from "../../components/alerting/fromConfig";
import { parseConfig } from "../../components/config";
import { listStacks, readStackConfig } from "../../components/config/stackFiles";
import { REPO } from "../harness/program";
import { amtoolCheck, startAlertmanager, webhookReceiver, type AlertmanagerProcess, type WebhookAlert, type WebhookReceiver } from "../support/alertmanager";
import { startPrometheus, tempDir, type PrometheusServer } from "../support/prometheus";

function writeRules(dir: string, name: string, rules: { alert: string; expr: string; labels?: Record<string, string> }[]): string {
  const file = path.join(dir, `${name}.rules.yaml`);
  fs.writeFileSync(file, YAML.stringify({ groups: [{ name, interval: "1s", rules: rules.map((r) => ({ ...r, labels: r.labels ?? {} })) }] }));
  return file;
}

describe("the rendered Alertmanager configuration", () => {
  for (const stack of listStacks(REPO)) {
    it(`${stack}: passes Alertmanager's own check (amtool check-config, v0.25)`, () => {
      const raw = readStackConfig(REPO, stack);
      const cfg = parseConfig(raw.config, raw.secretKeys, stack);
      const dir = tempDir("amcfg");
      const file = path.join(dir, "alertmanager.yml");
      fs.writeFileSync(file, YAML.stringify(alertmanagerConfig(routingTreeOf(cfg), cfg.alerting.smtp)));
      const r = amtoolCheck(file);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS/);
    });
  }

  it("is refused by the same check when a route names a receiver that does not exist (the check can fail)", () => {
    const tree = routingTree({ contactPoints: [], defaultContactPoint: "nobody", routes: [], groupBy: ["alertname"], teams: [] });
    const dir = tempDir("amcfg");
    const file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(file, YAML.stringify(alertmanagerConfig(tree)));
    const r = amtoolCheck(file);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /undefined receiver "nobody"/);
  });

  it("renders every contact point type with the keys Alertmanager reads, secrets inline", () => {
    const tree = routingTree({
      contactPoints: [
        { name: "hook", type: "webhook", settings: { url: "https://h.example.com/x", username: "u", password: "p" } },
        { name: "slack-url", type: "slack", settings: { url: "https://hooks.slack.com/services/T/B/X" } },
        { name: "slack-bot", type: "slack", settings: { token: "xoxb-1", recipient: "#alerts" } },
        { name: "mail", type: "email", settings: { addresses: ["a@example.com", "b@example.com"] } },
        { name: "pd", type: "pagerduty", settings: { integrationKey: "KEY", severity: "critical" } },
      ],
      defaultContactPoint: "hook",
      routes: [],
      groupBy: ["alertname"],
      teams: [],
    });
    const c = alertmanagerConfig(tree, { host: "smtp.example.com:587", fromAddress: "alerts@example.com", user: "u", password: "pw", startTlsPolicy: "MandatoryStartTLS" }) as any;
    const byName = Object.fromEntries(c.receivers.map((r: any) => [r.name, r]));
    assert.deepEqual(byName.hook.webhook_configs, [{ url: "https://h.example.com/x", send_resolved: true, http_config: { basic_auth: { username: "u", password: "p" } } }]);
    assert.deepEqual(byName["slack-url"].slack_configs, [{ api_url: "https://hooks.slack.com/services/T/B/X", send_resolved: true }]);
    assert.deepEqual(byName["slack-bot"].slack_configs, [
      { api_url: "https://slack.com/api/chat.postMessage", channel: "#alerts", send_resolved: true, http_config: { authorization: { type: "Bearer", credentials: "xoxb-1" } } },
    ]);
    assert.deepEqual(byName.mail.email_configs, [{ to: "a@example.com, b@example.com", send_resolved: true }]);
    assert.deepEqual(byName.pd.pagerduty_configs, [{ routing_key: "KEY", send_resolved: true, severity: "critical" }]);
    assert.deepEqual(c.global, { resolve_timeout: "5m", smtp_smarthost: "smtp.example.com:587", smtp_from: "alerts@example.com", smtp_require_tls: true, smtp_auth_username: "u", smtp_auth_password: "pw" });
    const dir = tempDir("amcfg");
    fs.writeFileSync(path.join(dir, "a.yml"), YAML.stringify(c));
    const r = amtoolCheck(path.join(dir, "a.yml"));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

describe("delivery through a real Alertmanager", function () {
  this.timeout(120_000);
  let hooks: WebhookReceiver;
  let am: AlertmanagerProcess;
  const proms: PrometheusServer[] = [];

  before(async () => {
    hooks = await webhookReceiver();
    const webhook = (name: string) => ({ name, type: "webhook" as const, settings: { url: `${hooks.url}/${name}` } });
    const tree = routingTree({
      contactPoints: [webhook("platform"), webhook("payments"), webhook("payments-pager")],
      defaultContactPoint: "platform",
      routes: [{ team: "payments", contactPoint: "payments", bySeverity: { critical: "payments-pager" }, continue: false }],
      groupBy: ["alertname", "cluster", "namespace"],
      deadMansSwitch: { url: `${hooks.url}/heartbeat`, interval: "2s" },
      teams: [{ name: "payments", namespaces: ["payments", "payments-jobs"] }],
    });
    const config = alertmanagerConfig(tree) as any;
    // Only the timings are made short for the test; the routes and receivers are as rendered.
    Object.assign(config.route, { group_wait: "1s", group_interval: "1s", repeat_interval: "1h" });
    am = await startAlertmanager(YAML.stringify(config));

    const dir = tempDir("am-rules");
    // A team's Prometheus: its rules carry no team label; the external label `team` does (Prometheus CR externalLabels).
    const team = writeRules(dir, "team", [
      { alert: "PaymentsQueueBacklog", expr: "vector(1)", labels: { severity: "warning" } },
      { alert: "PaymentsDown", expr: "vector(1)", labels: { severity: "critical" } },
    ]);
    // The platform Prometheus: the chart's Watchdog and InfoInhibitor, a Kubernetes alert in a team namespace
    // (namespace label, no team), and a platform alert.
    const platform = writeRules(dir, "platform", [
      { alert: "Watchdog", expr: "vector(1)", labels: { severity: "none" } },
      { alert: "InfoInhibitor", expr: 'label_replace(vector(1), "namespace", "payments", "", "")', labels: { severity: "none" } },
      { alert: "KubePodCrashLooping", expr: 'label_replace(vector(1), "namespace", "payments-jobs", "", "")', labels: { severity: "warning" } },
      { alert: "KubeNodeNotReady", expr: 'label_replace(vector(1), "namespace", "kube-system", "", "")', labels: { severity: "warning" } },
    ]);
    proms.push(await startPrometheus({ dataDir: tempDir("prom-team"), ruleFiles: [team], evaluationInterval: "1s", externalLabels: { cluster: "test", team: "payments" }, alertmanagers: [am.target], resendDelay: "1s" }));
    proms.push(await startPrometheus({ dataDir: tempDir("prom-platform"), ruleFiles: [platform], evaluationInterval: "1s", externalLabels: { cluster: "test" }, alertmanagers: [am.target], resendDelay: "1s" }));
    const names = (r: Map<string, WebhookAlert[]>, k: string) => new Set((r.get(k) ?? []).map((a) => a.labels.alertname));
    await hooks.waitFor((r) => names(r, "payments").has("PaymentsQueueBacklog") && names(r, "payments").has("KubePodCrashLooping") && names(r, "payments-pager").has("PaymentsDown") && names(r, "platform").has("KubeNodeNotReady") && (r.get("heartbeat") ?? []).length >= 2, 60_000);
  });

  after(async () => {
    for (const p of proms) await p.stop();
    await am?.stop();
    await hooks?.close();
  });

  const got = (k: string) => hooks.received.get(k) ?? [];

  it("a team Prometheus' alert reaches the team's contact point, with the team label its Prometheus attaches", () => {
    const a = got("payments").find((x) => x.labels.alertname === "PaymentsQueueBacklog")!;
    assert.equal(a.labels.team, "payments");
    assert.equal(a.labels.cluster, "test");
    assert.equal(a.status, "firing");
  });

  it("a team's critical alert goes to its pager (the route's bySeverity), not to its mail", () => {
    assert.ok(got("payments-pager").some((x) => x.labels.alertname === "PaymentsDown"));
    assert.ok(!got("payments").some((x) => x.labels.alertname === "PaymentsDown"));
  });

  it("a Kubernetes alert without a team label reaches the team that owns its namespace", () => {
    const a = got("payments").find((x) => x.labels.alertname === "KubePodCrashLooping")!;
    assert.equal(a.labels.namespace, "payments-jobs");
    assert.equal(a.labels.team, undefined);
    assert.ok(!got("platform").some((x) => x.labels.alertname === "KubePodCrashLooping"));
  });

  it("everything else reaches the platform default", () => {
    assert.ok(got("platform").some((x) => x.labels.alertname === "KubeNodeNotReady"));
  });

  it("the Watchdog heartbeat repeats to the dead man's switch, and nowhere else; InfoInhibitor goes nowhere", () => {
    assert.ok(got("heartbeat").length >= 2, `${got("heartbeat").length} heartbeats`);
    assert.ok(got("heartbeat").every((x) => x.labels.alertname === "Watchdog"));
    for (const k of ["platform", "payments", "payments-pager"]) {
      assert.ok(!got(k).some((x) => x.labels.alertname === "Watchdog" || x.labels.alertname === "InfoInhibitor"), k);
    }
  });
});
