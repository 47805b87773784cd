/** `monitoring:alerting`: one routing source for every alert; each mistake refused with its message. */
import * as assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../components/config";
import { productionNamespaces } from "../../components/config/alerting";

const j = JSON.stringify;
const A = "monitoring:alerting";
const RUNBOOKS = "https://github.com/example-org/monitoring-stack/blob/main/";
const base = {
  "monitoring:cluster": j({ name: "prod-eu" }),
  "monitoring:teams": j([{ name: "payments", namespaces: ["payments", "payments-jobs"] }]),
};

function problems(alerting: Record<string, unknown>, secret = true, extra: Record<string, string> = {}): string[] {
  try {
    parseConfig({ ...base, ...extra, [A]: j({ runbookBaseUrl: RUNBOOKS, ...alerting }) }, secret ? [A] : []);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("expected the config to be rejected");
}

const webhook = { name: "platform", type: "webhook", settings: { url: "https://hooks.example.com/x" } };
const email = { name: "mail", type: "email", settings: { addresses: ["oncall@example.com"] } };
const smtp = { host: "smtp.example.com:587", fromAddress: "alerts@example.com" };

describe("alerting config", () => {
  it("defaults: Prometheus evaluates the repository's rules, one Alertmanager, the chart's default rules on, no routing", () => {
    const c = parseConfig({ ...base, [A]: j({ runbookBaseUrl: RUNBOOKS }) });
    assert.equal(c.alerting.evaluator, "prometheus");
    assert.equal(c.alerting.alertmanager.replicas, 1);
    assert.equal(c.alerting.defaultRules.enabled, true);
    assert.deepEqual(c.alerting.contactPoints, []);
    assert.deepEqual(c.alerting.groupBy, ["alertname", "cluster", "namespace"]);
  });

  it("requires a runbook base URL: a relative runbook link opens nowhere", () => {
    assert.throws(
      () => parseConfig(base),
      (e: ConfigError) =>
        e.problems.some(
          (p) =>
            p.path === "alerting.runbookBaseUrl" &&
            p.message === `is required: the repository's alerts link runbooks by a relative path (docs/runbooks/…), which no notification can open; set the URL this repository is browsed at, e.g. "https://github.com/<org>/<repo>/blob/main/"`,
        ),
    );
  });

  it("rejects an unknown contact point type", () => {
    assert.deepEqual(problems({ contactPoints: [{ name: "p", type: "opsgenie", settings: {} }], defaultContactPoint: "p" }), [
      `alerting.contactPoints[0].type: "opsgenie" is not allowed; use one of: webhook, slack, email, pagerduty`,
    ]);
  });

  it("rejects a route or default to an undefined contact point, and a route to an unknown team", () => {
    assert.deepEqual(
      problems({ contactPoints: [webhook], defaultContactPoint: "platfrom", routes: [{ team: "paymnets", contactPoint: "payments-pager", bySeverity: { critical: "oncall" } }] }),
      [
        `alerting.defaultContactPoint: "platfrom" is not a defined contact point; defined: platform`,
        `alerting.routes[0].team: "paymnets" is not a configured team; teams: payments`,
        `alerting.routes[0].contactPoint: "payments-pager" is not a defined contact point; defined: platform`,
        `alerting.routes[0].bySeverity.critical: "oncall" is not a defined contact point; defined: platform`,
      ],
    );
  });

  it("requires the platform default once contact points exist, and a matcher on every route", () => {
    assert.deepEqual(problems({ contactPoints: [webhook], routes: [{ contactPoint: "platform" }] }), [
      `alerting.defaultContactPoint: is required when contact points or routes are defined: the platform default receives every alert no route matches; defined: platform`,
      `alerting.routes[0]: matches nothing specific; set team, severity, cluster and/or environment (the default is alerting.defaultContactPoint)`,
    ]);
  });

  it("checks each contact point's settings against its type", () => {
    assert.deepEqual(
      problems({
        contactPoints: [
          { name: "a", type: "email", settings: { url: "https://x.example" } },
          { name: "b", type: "slack", settings: { token: "xoxb" } },
        ],
        defaultContactPoint: "a",
        smtp,
      }),
      [
        `alerting.contactPoints[0].settings.url: is not read by type "email"; allowed: addresses`,
        `alerting.contactPoints[0].settings: type "email" needs addresses`,
        `alerting.contactPoints[1].settings: type "slack" needs url or token + recipient`,
      ],
    );
  });

  it("keeps URLs, integration keys and passwords secret config", () => {
    assert.deepEqual(
      problems(
        {
          contactPoints: [webhook, { name: "pd", type: "pagerduty", settings: { integrationKey: "abc", severity: "critical" } }],
          defaultContactPoint: "platform",
          smtp: { ...smtp, user: "u", password: "p" },
          deadMansSwitch: { url: "https://hc-ping.com/uuid" },
        },
        false,
      ),
      [
        `alerting.contactPoints[0].settings.url: is a credential and must be secret config; set it with: pulumi config set --secret --path 'alerting.contactPoints[0].settings.url' <value>`,
        `alerting.contactPoints[1].settings.integrationKey: is a credential and must be secret config; set it with: pulumi config set --secret --path 'alerting.contactPoints[1].settings.integrationKey' <value>`,
        `alerting.smtp.password: is a credential and must be secret config; set it with: pulumi config set --secret --path 'alerting.smtp.password' <value>`,
        `alerting.deadMansSwitch.url: is a credential and must be secret config; set it with: pulumi config set --secret --path 'alerting.deadMansSwitch.url' <value>`,
      ],
    );
  });

  it("requires SMTP for an email contact point, as host:port with a sender address, credentials in pairs", () => {
    assert.deepEqual(problems({ contactPoints: [email], defaultContactPoint: "mail" }), [
      `alerting.contactPoints[0]: type "email" needs alerting.smtp (host, fromAddress): without it Alertmanager cannot send and Grafana fails every send with "SMTP not configured"`,
    ]);
    assert.doesNotThrow(() => parseConfig({ ...base, [A]: j({ runbookBaseUrl: RUNBOOKS, contactPoints: [email], defaultContactPoint: "mail", smtp }) }));
    assert.deepEqual(problems({ smtp: { host: "smtp.example.com", fromAddress: "alerts" } }), [
      `alerting.smtp.host: "smtp.example.com" is not host:port; Grafana's mail dialer and Alertmanager's smarthost both need it, e.g. "smtp.example.com:587"`,
      `alerting.smtp.fromAddress: "alerts" is not an e-mail address, e.g. "grafana@example.com"`,
    ]);
    assert.deepEqual(problems({ smtp: { ...smtp, user: "u" } }), [`alerting.smtp.password: is required with alerting.smtp.user; set both, or neither for a relay without authentication`]);
  });

  it("needs SMTP on a central Grafana that delivers its own rules' email", () => {
    // The owner of the central Grafana's shared content: its contact points are the ones pushed.
    const external = { "monitoring:features": j({ grafana: true }), "monitoring:grafana": j({ mode: "external", ownsSharedContent: true, teamIsolation: "none", external: { url: "https://grafana.example.com", token: "t" } }) };
    const raw = { ...base, ...external, [A]: j({ runbookBaseUrl: RUNBOOKS, evaluator: "grafana", contactPoints: [email], defaultContactPoint: "mail", smtp }) };
    assert.throws(
      () => parseConfig(raw, [A, "monitoring:grafana"]),
      (e: ConfigError) =>
        e.problems.length === 1 &&
        e.problems[0].message === `type "email" needs SMTP on the central Grafana, which delivers these rules' notifications; once its admin has configured [smtp], set grafana.external.smtpConfigured: true`,
    );
  });

  it("refuses contact points and routes a stack could never push: external, not the owner, Grafana evaluating", () => {
    const grafana = (owns: boolean) => ({ "monitoring:features": j({ grafana: true }), "monitoring:grafana": j({ mode: "external", ownsSharedContent: owns, teamIsolation: "none", external: { url: "https://grafana.example.com", token: "t" } }) });
    const hook = { name: "hook", type: "webhook", settings: { url: "https://hooks.example.com/x" } };
    const alerting = (evaluator: string) => j({ runbookBaseUrl: RUNBOOKS, evaluator, contactPoints: [hook], defaultContactPoint: "hook", routes: [{ team: "payments", contactPoint: "hook" }] });
    assert.throws(
      () => parseConfig({ ...base, ...grafana(false), [A]: alerting("grafana") }, ["monitoring:grafana", A]),
      (e: ConfigError) =>
        e.problems.map((p) => p.path).join() === "alerting.contactPoints,alerting.routes" &&
        e.problems.every((p) => /does not own the central Grafana's shared content .* only the owner's contact points and routes are pushed/.test(p.message)),
    );
    // The owner pushes them; with Prometheus evaluating, this stack's Alertmanager delivers with them.
    assert.doesNotThrow(() => parseConfig({ ...base, ...grafana(true), [A]: alerting("grafana") }, ["monitoring:grafana", A]));
    assert.doesNotThrow(() => parseConfig({ ...base, ...grafana(false), [A]: alerting("prometheus") }, ["monitoring:grafana", A]));
  });

  it("checks default rule groups and alerts against the pinned chart, with a hint for a near miss", () => {
    assert.deepEqual(problems({ defaultRules: { disabledGroups: ["kubernetesStorag"], disabledAlerts: ["KubePodCrashlooping"], overrides: { NoSuchAlert: { for: "5m" } } } }), [
      `alerting.defaultRules.disabledGroups[0]: "kubernetesStorag" is not a default rule group of kube-prometheus-stack 88.5.3; groups: alertmanager, configReloaders, etcd, general, k8sContainerCpuLimits, k8sContainerCpuRequests, k8sContainerCpuUsageSecondsTotal, k8sContainerMemoryCache, k8sContainerMemoryLimits, k8sContainerMemoryRequests, k8sContainerMemoryRss, k8sContainerMemorySwap, k8sContainerMemoryWorkingSetBytes, k8sContainerResource, k8sPodOwner, kubeApiserverAvailability, kubeApiserverBurnrate, kubeApiserverHistogram, kubeApiserverSlos, kubeControllerManager, kubePrometheusGeneral, kubePrometheusNodeRecording, kubeProxy, kubeSchedulerAlerting, kubeSchedulerRecording, kubeStateMetrics, kubelet, kubernetesApps, kubernetesResources, kubernetesStorage, kubernetesSystem, network, node, nodeExporterAlerting, nodeExporterRecording, prometheus, prometheusOperator, windows`,
      `alerting.defaultRules.disabledAlerts[0]: "KubePodCrashlooping" is not a default alert of kube-prometheus-stack 88.5.3; did you mean "KubePodCrashLooping"?`,
      `alerting.defaultRules.overrides.NoSuchAlert: "NoSuchAlert" is not a default alert of kube-prometheus-stack 88.5.3`,
    ]);
    assert.deepEqual(problems({ defaultRules: { overrides: { KubePodCrashLooping: { for: "10 minutes" } } } }), [
      `alerting.defaultRules.overrides.KubePodCrashLooping.for: "10 minutes" is not a duration; use e.g. "15d" or "12h"`,
    ]);
  });

  it("runs the Alertmanager highly available in prod", () => {
    const prod = { "monitoring:cluster": j({ name: "prod-eu", environment: "prod" }), "monitoring:platformPrometheus": j({ replicas: 2 }), "monitoring:teams": j([]) };
    assert.deepEqual(problems({}, true, prod), [`alerting.alertmanager.replicas: 1 is not highly available; cluster.environment "prod" requires at least 2 replicas`]);
  });

  it("takes every team's namespaces as production namespaces in a prod cluster, unless they are listed", () => {
    const prod = parseConfig({
      ...base,
      "monitoring:cluster": j({ name: "prod-eu", environment: "prod" }),
      "monitoring:platformPrometheus": j({ replicas: 2 }),
      "monitoring:teams": j([{ name: "payments", namespaces: ["payments", "payments-jobs"], replicas: 2 }]),
      [A]: j({ runbookBaseUrl: RUNBOOKS, alertmanager: { replicas: 2 } }),
    });
    assert.deepEqual(productionNamespaces(prod), ["payments", "payments-jobs"]);
    const listed = parseConfig({ ...base, [A]: j({ runbookBaseUrl: RUNBOOKS, imagePolicy: { productionNamespaces: ["shop"] } }) });
    assert.deepEqual(productionNamespaces(listed), ["shop"]);
    assert.deepEqual(productionNamespaces(parseConfig({ ...base, [A]: j({ runbookBaseUrl: RUNBOOKS }) })), [], "none in a staging cluster");
  });
});

describe("routes by cluster and environment", () => {
  it("narrows a route to one environment or cluster, so a staging alert does not page the prod on-call", async () => {
    const { routingTree } = await import("../../components/alerting/routing");
    const tree = routingTree({
      contactPoints: [],
      defaultContactPoint: "platform",
      groupBy: ["alertname"],
      teams: [{ name: "payments", namespaces: ["payments"] }],
      routes: [
        { team: "payments", environment: "prod", contactPoint: "payments-pager", bySeverity: {}, continue: false },
        { cluster: "staging-eu1", contactPoint: "staging-chat", bySeverity: {}, continue: false },
      ],
    });
    const text = tree.routes.map((r) => r.matchers.map((m) => `${m.label}${m.op}${m.value}`).join(","));
    assert.deepEqual(text.slice(2), ["team=payments,environment=prod", "team=,namespace=~payments,environment=prod", "cluster=staging-eu1"]);
  });
});
