import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../components/config";
import { grafanaArgsFromConfig, grafanaContentArgsFromConfig } from "../../components/grafana";
import { valueOf } from "../harness/mocks";
import { RUNBOOKS } from "../support/config";

const j = JSON.stringify;
const raw = (grafana: object, alerting: object = {}) => ({
  "monitoring:cluster": j({ name: "prod-eu" }),
  "monitoring:features": j({ grafana: true, tempo: true }),
  "monitoring:teams": j([
    { name: "payments", namespaces: ["payments"], scrapeInterval: "15s" },
    { name: "search", namespaces: ["search"], enabled: false },
  ]),
  "monitoring:grafana": j(grafana),
  "monitoring:alerting": j({ ...JSON.parse(RUNBOOKS["monitoring:alerting"]), ...alerting }),
});
const endpoints = {
  platformPrometheus: "http://prometheus-operated.monitoring.svc:9090",
  teamPrometheus: { payments: "http://prometheus-operated.payments.svc:9090" },
  tempo: { url: "http://tempo-query-frontend.tempo.svc:3200", metricsGenerator: true },
};
const content = { folders: [], dashboards: [], alertGroups: [] };

describe("grafana config → component args", () => {
  it("deploy mode: chart settings for Grafana, the in-cluster endpoints and every team for GrafanaContent", async () => {
    const cfg = parseConfig(
      raw(
        { url: "https://g.example.com", ingress: { enabled: true, host: "g.example.com", controllerNamespace: "ingress-nginx" } },
        {
          smtp: { host: "smtp.example.com:587", fromAddress: "grafana@example.com", user: "grafana", password: "pw" },
          defaultContactPoint: "p",
          contactPoints: [{ name: "p", type: "email", settings: { addresses: ["a@example.com"] } }],
        },
      ),
      ["monitoring:grafana", "monitoring:alerting"],
    );
    const g = grafanaArgsFromConfig(cfg, { namespace: "monitoring" });
    assert.deepEqual(g.ingress, { enabled: true, host: "g.example.com", controllerNamespace: "ingress-nginx" });
    assert.equal(g.providerUrl, "https://g.example.com");
    assert.equal(g.readinessTimeoutSeconds, 600);
    assert.equal(await valueOf(g.smtp!.password!), "pw");
    assert.equal(await (g.smtp!.password as any).isSecret, true, "the SMTP password stays a secret");
    assert.deepEqual(g.persistence, { enabled: true, size: "10Gi" });
    const connection = { url: "http://grafana.monitoring.svc:80", auth: "admin:x" };
    const c = grafanaContentArgsFromConfig(cfg, { connection, endpoints: { ...endpoints, alertmanager: "http://alertmanager-operated.monitoring.svc:9093" }, ...content });
    assert.equal(c.connection, connection);
    assert.equal(c.cluster, "prod-eu");
    assert.deepEqual(c.teams, ["payments", "search"], "a disabled team keeps its Grafana team and folder");
    assert.deepEqual(Object.keys(c.dataSources!.teamPrometheus!), ["payments"], "but has no data source");
    assert.equal(c.dataSources!.teamPrometheus!.payments.scrapeInterval, "15s");
    assert.equal(c.dataSources!.platformPrometheus!.url, endpoints.platformPrometheus);
    assert.deepEqual(c.dataSources!.tempo, endpoints.tempo);
    assert.equal(c.dataSources!.platformIsDefault, true);
    assert.equal(c.ownsSharedContent, true);
    // A deployed Grafana hands every alert to the stack's Alertmanager, which routes them all.
    assert.deepEqual(c.contactPoints, [{ name: "alertmanager", type: "alertmanager", settings: { url: "http://alertmanager-operated.monitoring.svc:9093" } }]);
    assert.deepEqual(c.notificationPolicy, { contactPoint: "alertmanager", groupBy: ["alertname", "cluster", "namespace"], routes: [] });
    assert.equal(c.dataSources!.alertmanager!.url, "http://alertmanager-operated.monitoring.svc:9093");
  });

  it("external mode: token auth as a secret, data source URL overrides, no shared content unless owner", async () => {
    const cfg = parseConfig(
      raw({
        mode: "external",
        teamIsolation: "none",
        external: { url: "https://grafana.example.com", token: "glsa_x" },
        dataSourceUrls: { platformPrometheus: "https://prom.prod-eu.example.com", teamPrometheus: { payments: "https://payments-prom.prod-eu.example.com" } },
      }),
      ["monitoring:grafana"],
    );
    const c = grafanaContentArgsFromConfig(cfg, { endpoints, ...content });
    assert.equal(c.connection.url, "https://grafana.example.com");
    assert.equal(await valueOf(c.connection.auth), "glsa_x");
    assert.equal(await (pulumi.output(c.connection.auth) as any).isSecret, true);
    assert.equal(c.dataSources!.platformPrometheus!.url, "https://prom.prod-eu.example.com");
    assert.equal(c.dataSources!.teamPrometheus!.payments.url, "https://payments-prom.prod-eu.example.com");
    assert.equal(c.dataSources!.platformIsDefault, false);
    assert.equal(c.ownsSharedContent, false);
    assert.equal(c.notificationPolicy, undefined, "no default contact point: the org's routing is left alone");
  });

  it("external mode: the contact points and the policy rendered from the same routing tree as the Alertmanager's", () => {
    const cfg = parseConfig(
      raw(
        { mode: "external", teamIsolation: "none", ownsSharedContent: true, external: { url: "https://grafana.example.com", token: "glsa_x" } },
        { contactPoints: [{ name: "p", type: "webhook", settings: { url: "https://hooks.example.com/x" } }], defaultContactPoint: "p", routes: [{ team: "payments", contactPoint: "p" }] },
      ),
      ["monitoring:grafana", "monitoring:alerting"],
    );
    const c = grafanaContentArgsFromConfig(cfg, { endpoints, ...content });
    assert.deepEqual(c.contactPoints!.map((x) => x.name), ["p"]);
    const policy = c.notificationPolicy!;
    assert.equal(policy.contactPoint, "p");
    assert.deepEqual(
      policy.routes.map((r) => r.matchers.map((m) => `${m.label}${m.op}${m.value}`).join(",")),
      ["team=payments", "team=,namespace=~payments"],
      "the heartbeat and null routes are the Alertmanager's only",
    );
  });
});
