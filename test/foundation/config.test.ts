import * as assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../components/config";
import { minimal, RUNBOOKS } from "../support/config";

/** A minimal valid config: only the required cluster name. */
const base = minimal("dev");

function problems(raw: Record<string, string>, secretKeys: string[] = []): string[] {
  try {
    parseConfig({ ...base, ...raw }, secretKeys);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("expected the config to be rejected");
}

const j = JSON.stringify;
const team = (t: object) => ({ name: "payments", namespaces: ["payments"], ...t });

describe("stack config validation", () => {
  it("accepts a minimal config and fills every default", () => {
    const c = parseConfig(base);
    assert.equal(c.cluster.environment, "dev");
    assert.equal(c.namespaces.monitoring, "monitoring");
    assert.equal(c.features.platformMonitoring, true);
    assert.deepEqual(c.operator.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } });
    assert.deepEqual(c.teams, []);
    assert.equal(c.networkPolicies.enabled, true);
    assert.equal(c.dataSafety.keepOnDestroy, undefined);
  });

  it("sizes containers by environment: dev and test small, staging and prod larger, each with a memory limit", () => {
    const ha = { "monitoring:platformPrometheus": j({ replicas: 2 }), "monitoring:alerting": j({ ...JSON.parse(base["monitoring:alerting"]), alertmanager: { replicas: 2 } }) };
    const at = (environment: string) => parseConfig({ ...base, ...ha, "monitoring:cluster": j({ name: "c", environment }), "monitoring:teams": j([team({ replicas: 2 })]) });
    for (const env of ["dev", "test"]) assert.deepEqual(at(env).platformPrometheus.resources, { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } });
    for (const env of ["staging", "prod"]) {
      const c = at(env);
      assert.deepEqual(c.platformPrometheus.resources, { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } });
      assert.deepEqual(c.teams[0].resources, c.platformPrometheus.resources);
      assert.deepEqual(c.exporters.kubeStateMetrics.resources, { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } });
    }
    // A key the stack sets replaces only that default.
    const c = parseConfig({ ...base, ...ha, "monitoring:cluster": j({ name: "c", environment: "prod" }), "monitoring:platformPrometheus": j({ replicas: 2, resources: { limits: { memory: "16Gi" } } }) });
    assert.deepEqual(c.platformPrometheus.resources, { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "16Gi" } });
  });

  it("keeps an explicit false or 0 instead of the default", () => {
    const c = parseConfig({ ...base, "monitoring:features": j({ platformMonitoring: false }) });
    assert.equal(c.features.platformMonitoring, false);
  });

  it("accepts booleans and integers as the strings `pulumi config set` writes", () => {
    const c = parseConfig({ ...base, "monitoring:features": j({ tempo: "true" }), "monitoring:teams": j([team({ replicas: "3" })]) });
    assert.equal(c.features.tempo, true);
    assert.equal(c.teams[0].replicas, 3);
  });

  const cases: [string, Record<string, string>, string[], string[]?][] = [
    ["a missing cluster name", { "monitoring:cluster": j({}) }, ["cluster.name: is required"]],
    [
      "an invalid cluster name",
      { "monitoring:cluster": j({ name: "Prod_EU" }) },
      ['cluster.name: "Prod_EU" is not a valid name; use lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters'],
    ],
    ["an unknown environment", { "monitoring:cluster": j({ name: "x", environment: "production" }) }, ['cluster.environment: "production" is not allowed; use one of: dev, test, staging, prod']],
    [
      "a misspelled top-level key",
      { "monitoring:featurs": j({}) },
      ['monitoring:featurs: unknown key (did you mean "features"?); allowed: cluster, kubernetes, namespaces, features, operator, exporters, platformPrometheus, teams, tempo, spegel, kueueExporter, kueue, alerting, grafana, networkPolicies, dataSafety, remoteWrite, hub'],
    ],
    [
      "a misspelled nested key",
      { "monitoring:features": j({ platformMonitorin: true }) },
      ['features.platformMonitorin: unknown key (did you mean "platformMonitoring"?); allowed: platformMonitoring, tempo, spegel, kueueExporter, kueueMetrics, grafana'],
    ],
    ["a non-boolean flag", { "monitoring:features": j({ tempo: "yes" }) }, ['features.tempo: "yes" is not a boolean (true or false)']],
    ["a bad retention", { "monitoring:teams": j([team({ retention: "15 days" })]) }, ['teams[0].retention: "15 days" is not a duration; use e.g. "15d" or "12h"']],
    [
      "a bad retentionSize",
      { "monitoring:platformPrometheus": j({ retentionSize: "10Gi" }) },
      ['platformPrometheus.retentionSize: "10Gi" is not a size; use e.g. "50GB" or "500MB" (units B, KB, MB, GB, TB, PB, EB)'],
    ],
    ["zero replicas", { "monitoring:teams": j([team({ replicas: 0 })]) }, ["teams[0].replicas: 0 is out of range; allowed: 1 to 10"]],
    ["fractional replicas", { "monitoring:teams": j([team({ replicas: 1.5 })]) }, ["teams[0].replicas: 1.5 is not an integer"]],
    [
      "a bad memory quantity",
      { "monitoring:operator": j({ resources: { requests: { memory: "200MB" } } }) },
      ['operator.resources.requests.memory: "200MB" is not a Kubernetes quantity; use e.g. "500m", "2", "256Mi" or "10Gi"'],
    ],
    ["a team without namespaces", { "monitoring:teams": j([team({ namespaces: [] })]) }, ["teams[0].namespaces: is empty; a team with a Prometheus (enabled) needs at least one namespace, where its Prometheus runs"]],
    [
      "a namespace listed twice in a team",
      { "monitoring:teams": j([team({ namespaces: ["a", "a"] })]) },
      ['teams[0].namespaces[1]: "a" is a duplicate of teams[0].namespaces[0]; values must be unique'],
    ],
    [
      "two teams with one name",
      { "monitoring:teams": j([team({}), team({ namespaces: ["other"] })]) },
      ['teams[1]: "payments" is a duplicate of teams[0]; values must be unique'],
    ],
    [
      "two teams sharing a namespace",
      { "monitoring:teams": j([team({}), team({ name: "search", namespaces: ["search", "payments"] })]) },
      ['teams[1].namespaces[1]: "payments" already belongs to team "payments"; a namespace can belong to one team only'],
    ],
    [
      "a team owning a platform namespace",
      { "monitoring:teams": j([team({ namespaces: ["monitoring"] })]) },
      ['teams[0].namespaces[0]: "monitoring" is the stack\'s namespaces.monitoring; a team cannot own a platform namespace'],
    ],
    [
      "prod with a single-replica Prometheus",
      {
        "monitoring:cluster": j({ name: "prod", environment: "prod" }),
        "monitoring:platformPrometheus": j({ replicas: 2 }),
        "monitoring:teams": j([team({})]),
        "monitoring:alerting": j({ runbookBaseUrl: "https://example.com/", alertmanager: { replicas: 2 } }),
      },
      ['teams[0].replicas: 1 is not highly available; cluster.environment "prod" requires at least 2 replicas'],
    ],
    [
      "a foreign provider key that would be ignored",
      { "kubernetes:context": "prod" },
      ["kubernetes:context: is not read by this program: the Kubernetes provider is explicit; use monitoring:kubernetes (context, kubeconfig)"],
    ],
    [
      "a cluster name too long for Tempo's Service names",
      { "monitoring:cluster": j({ name: "a-very-long-cluster-name-eu-west-1" }), "monitoring:features": j({ tempo: true }) },
      ['cluster.name: "a-very-long-cluster-name-eu-west-1" is 34 characters; with features.tempo on it can have at most 26 (it prefixes Tempo\'s Service names)'],
    ],
    ["teams given as an object", { "monitoring:teams": j({ name: "payments" }) }, ['teams: {"name":"payments"} is not a list']],
    ["a storage without size", { "monitoring:teams": j([team({ storage: { storageClassName: "gp3" } })]) }, ["teams[0].storage.size: is required"]],
    [
      "a non-string external label",
      { "monitoring:platformPrometheus": j({ externalLabels: { region: 1 } }) },
      ["platformPrometheus.externalLabels.region: 1 is not a string; quote it"],
    ],
  ];
  for (const [what, raw, expected] of cases) {
    it(`rejects ${what} with a message naming the key`, () => {
      assert.deepEqual(problems(raw), expected);
    });
  }

  it("reports every problem at once", () => {
    const got = problems({
      "monitoring:featurs": j({}),
      "monitoring:features": j({ tempo: "yes" }),
      "monitoring:teams": j([team({ retention: "15 days", retension: "1d" })]),
    });
    assert.equal(got.length, 4, got.join("\n"));
  });

  it("names the stack file in the error text", () => {
    assert.throws(() => parseConfig({ ...RUNBOOKS, "monitoring:cluster": j({}) }, [], "staging"), /1 problem in the stack config \(Pulumi\.staging\.yaml\):\n  - cluster\.name: is required/);
  });
});
