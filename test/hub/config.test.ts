/**
 * Config of the hub role (components/config/hub.ts): what a hub stack file can get wrong, each named by its
 * key with the bad value and what is allowed, starting from the committed Pulumi.hub.yaml.
 */
import * as assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../components/config";
import { hubReplicas } from "../../components/config/hub";
import { readStackConfig } from "../../components/config/stackFiles";
import { REPO } from "../harness/program";

const raw = readStackConfig(REPO, "hub");
const hubOf = () => JSON.parse(raw.config["monitoring:hub"]);

/** The problems (path: message) of the hub stack with `edit` applied to its raw keys. */
function problems(edit: (c: Record<string, any>) => void): string[] {
  const c: Record<string, any> = Object.fromEntries(Object.entries(raw.config).map(([k, v]) => [k, JSON.parse(v)]));
  edit(c);
  const config = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => [k, JSON.stringify(v)]));
  try {
    parseConfig(config, raw.secretKeys, "hub");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe("hub config", () => {
  it("accepts the committed hub stack", () => {
    assert.deepEqual(problems(() => {}), []);
    assert.deepEqual(hubReplicas(parseConfig(raw.config, raw.secretKeys, "hub").hub!, "prod"), { receive: 3, replicationFactor: 3, query: 2, storeGateway: 2, gateway: 2 });
  });

  it("sizes a dev hub small: one of each, replication factor 1", () => {
    const c = parseConfig({ ...raw.config, "monitoring:cluster": JSON.stringify({ name: "hub-dev", environment: "dev" }) }, raw.secretKeys, "hub");
    assert.deepEqual(hubReplicas(c.hub!, "dev"), { receive: 1, replicationFactor: 1, query: 1, storeGateway: 1, gateway: 1 });
  });

  it("refuses a prod hub that is not highly available, and a replication factor above the replicas", () => {
    assert.deepEqual(
      problems((c) => (c["monitoring:hub"].receive = { ...c["monitoring:hub"].receive, replicas: 2 })),
      [`hub.receive: 2 replica(s) with replication factor 1: cluster.environment "prod" requires 3 replicas and replication factor 3, so a writer survives one replica down`],
    );
    assert.deepEqual(
      problems((c) => {
        c["monitoring:hub"].receive = { ...c["monitoring:hub"].receive, replicas: 3, replicationFactor: 4 };
        c["monitoring:hub"].query = { replicas: 1 };
      }),
      [`hub.receive.replicationFactor: 4 is more than hub.receive.replicas (3): each copy needs its own replica`, `hub.query.replicas: 1 is not highly available; cluster.environment "prod" requires at least 2`],
    );
  });

  it("refuses a writer's tenant the hub does not have, a tenant with no team, and a team whose tenant is missing", () => {
    assert.deepEqual(
      problems((c) => (c["monitoring:hub"].writers[0].tenants = ["platform", "payment"])),
      [`hub.writers[0].tenants[1]: "payment" is not a tenant of the hub; tenants: platform, payments, search, ml-platform (hub.platformTenant and hub.tenants)`],
    );
    assert.match(problems((c) => (c["monitoring:hub"].tenants = [...hubOf().tenants, "data"])).join("\n"), /^hub\.tenants\[3\]: "data" is not a team of this stack; a tenant's data source lives in its team's Grafana organization/);
    assert.deepEqual(
      problems((c) => (c["monitoring:teams"] = [...c["monitoring:teams"], { name: "data", namespaces: ["data"], replicas: 2 }])),
      [`hub.tenants: does not list "data": the team's Prometheus in the hub's cluster writes into tenant "data", which no data source would read`],
    );
    assert.match(problems((c) => (c["monitoring:hub"].tenants = ["platform", ...hubOf().tenants])).join("\n"), /hub\.tenants\[0\]: "platform" is hub\.platformTenant/);
  });

  it("refuses a team named after the platform's tenant", () => {
    assert.deepEqual(
      problems((c) => (c["monitoring:teams"] = [...c["monitoring:teams"], { name: "platform", enabled: false }])),
      [`teams[3].name: "platform" is reserved for the platform (its alerts' team label and its tenant at the hub: platform); name the team otherwise`],
    );
  });

  it("says who creates the gateway's TLS Secret, and which namespace its ingress controller runs in", () => {
    assert.deepEqual(
      problems((c) => (c["monitoring:hub"].ingress = { host: "metrics.hub.example.com", tls: { secretName: "metrics-hub-tls" } })),
      [
        `hub.ingress.tls: nothing creates Secret "metrics-hub-tls": set certManagerClusterIssuer (cert-manager issues it) or existingSecret: true (you create it before pulumi up)`,
        `hub.ingress.controllerNamespace: is required with networkPolicies.enabled: the gateway's NetworkPolicy admits the ingress controller's pods by their namespace, e.g. "ingress-nginx"`,
      ],
    );
  });

  it("needs the bucket settings of the backend it names, and refuses a hub that writes to a hub", () => {
    assert.deepEqual(
      problems((c) => (c["monitoring:hub"].storage = { backend: "gcs", s3: c["monitoring:hub"].storage.s3 })),
      [`hub.storage.s3: is set but hub.storage.backend is "gcs"; remove it or set the backend to "s3"`, `hub.storage.gcs: is required when hub.storage.backend is "gcs"`],
    );
    assert.match(
      problems((c) => (c["monitoring:remoteWrite"] = { url: "https://metrics.hub.example.com/api/v1/receive", username: "hub", password: "x" })).join("\n"),
      /remoteWrite: is set on a hub: the hub's own Prometheus instances write to its Receive inside the cluster/,
    );
  });

  it("needs platform monitoring (the store's own monitoring) and a Grafana in the hub's cluster, in a namespace of its own", () => {
    const out = problems((c) => {
      c["monitoring:features"] = { grafana: true, platformMonitoring: false };
      c["monitoring:hub"].namespace = "monitoring";
    });
    assert.ok(out.includes(`hub: needs features.platformMonitoring: the hub's own Prometheus scrapes and alerts on the store (ServiceMonitors, Thanos' rules)`), out.join("\n"));
    assert.ok(out.includes(`hub.namespace: "monitoring" is namespaces.monitoring; the store gets its own namespace (its Pod Security and NetworkPolicies)`), out.join("\n"));
    assert.match(
      problems((c) => (c["monitoring:grafana"] = { mode: "external", external: { url: "https://grafana.example.com", user: "admin", password: "x" } })).join("\n"),
      /grafana\.mode: "external" on a hub: its Grafana reads Thanos Query inside the hub's cluster/,
    );
  });
});
