/**
 * The real program, evaluated once per Pulumi.<stack>.yaml in the repo, and stack-wide invariants over
 * every recorded resource.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { assertUniqueUrns, isUnder, ofType, Recorded } from "../harness/mocks";
import { REPO, runStack } from "../harness/program";
import { listStacks, readStackConfig } from "../../components/config/stackFiles";
import { parseConfig, rootSchema } from "../../components/config";
import { renderConfigReference, CONFIG_DOC } from "../../scripts/config-docs";

const STACKS = listStacks(REPO);

/** Kubernetes objects (not charts, not providers, not components). */
function k8sObjects(rs: Recorded[]): Recorded[] {
  return rs.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"));
}

describe("stack files", () => {
  it("the repo has dev, staging and prod", () => {
    for (const s of ["dev", "staging", "prod"]) assert.ok(STACKS.includes(s), `missing Pulumi.${s}.yaml`);
  });

  it("Pulumi.yaml declares exactly the config keys the program reads", () => {
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
    assert.equal(project.name, "monitoring");
    assert.deepEqual(Object.keys(project.config).sort(), Object.keys(rootSchema.shape).sort());
    for (const [k, d] of Object.entries<any>(project.config)) assert.ok(d.description, `Pulumi.yaml config.${k} has no description`);
  });

  it("docs/CONFIG.md is generated from the current config declarations", () => {
    assert.equal(fs.readFileSync(CONFIG_DOC, "utf8"), renderConfigReference(), "docs/CONFIG.md is stale: run npx tsx scripts/config-docs.ts");
  });
});

for (const stack of STACKS) {
  describe(`stack ${stack}`, () => {
    let rs: Recorded[];
    let outputs: Record<string, unknown>;
    const cfg = () => {
      const raw = readStackConfig(REPO, stack);
      return parseConfig(raw.config, raw.secretKeys, stack);
    };
    before(async () => {
      ({ resources: rs, value: outputs } = await runStack(stack));
    });

    it("evaluates, registering resources with unique URNs", () => {
      assert.ok(rs.length > 10, `only ${rs.length} resources`);
      assertUniqueUrns(rs);
    });

    it("parents every resource under the MonitoringStack, except the explicit provider", () => {
      const [root] = ofType(rs, "monitoring:index:MonitoringStack");
      assert.ok(root, "no MonitoringStack");
      const stray = rs.filter((r) => r !== root && !r.type.startsWith("pulumi:providers:") && !isUnder(rs, r, root.urn));
      assert.deepEqual(stray.map((r) => `${r.type} ${r.name}`), []);
    });

    it("uses the explicit Kubernetes provider for every Kubernetes resource", () => {
      const [provider] = ofType(rs, "pulumi:providers:kubernetes");
      const wrong = rs.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.provider.startsWith(provider.urn));
      assert.deepEqual(wrong.map((r) => r.name), []);
    });

    it("labels every Kubernetes object part-of monitoring-stack and managed-by pulumi", () => {
      const bad = k8sObjects(rs).filter((r) => {
        const l = r.inputs.metadata?.labels ?? {};
        return l["app.kubernetes.io/part-of"] !== "monitoring-stack" || l["app.kubernetes.io/managed-by"] !== "pulumi";
      });
      assert.deepEqual(bad.map((r) => `${r.type} ${r.name}`), []);
    });

    it("has no RBAC rule with a wildcard", () => {
      const rbac = rs.filter((r) => /:(Cluster)?Role$/.test(r.type));
      for (const r of rbac)
        for (const rule of r.inputs.rules ?? [])
          for (const field of ["apiGroups", "resources", "verbs", "nonResourceURLs"])
            assert.ok(!(rule[field] ?? []).includes("*"), `${r.name}: ${field} contains "*"`);
    });

    it("gives every Kubernetes object of a kind a unique namespace/name", () => {
      const seen = new Set<string>();
      for (const r of k8sObjects(rs)) {
        const key = `${r.type} ${r.inputs.metadata?.namespace ?? ""}/${r.inputs.metadata?.name ?? r.name}`;
        assert.ok(!seen.has(key), `duplicate ${key}`);
        seen.add(key);
      }
    });

    it("declares custom resources only after the operator's CRDs", () => {
      const crds = rs.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "prometheus-operator-crds")!;
      for (const cr of rs.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/"))) assert.ok(cr.dependsOn.includes(crds.urn), `${cr.name} does not depend on the CRDs`);
    });

    it("always installs the operator and retains its CRDs on delete", () => {
      const crds = rs.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "prometheus-operator-crds");
      assert.equal(crds.length, 1);
      assert.equal(crds[0].retainOnDelete, true);
      assert.equal(rs.filter((r) => r.inputs?.chart === "kube-prometheus-stack").length, 1);
    });

    it("declares one team Prometheus per enabled team, labelled with cluster and team", () => {
      const c = cfg();
      const proms = ofType(rs, "kubernetes:monitoring.coreos.com/v1:Prometheus").filter((p) => p.inputs.spec.externalLabels.team);
      assert.deepEqual(proms.map((p) => p.inputs.spec.externalLabels.team).sort(), c.teams.filter((t) => t.enabled).map((t) => t.name).sort());
      for (const p of proms) assert.equal(p.inputs.spec.externalLabels.cluster, c.cluster.name);
    });

    const env = parseConfig(readStackConfig(REPO, stack).config, readStackConfig(REPO, stack).secretKeys, stack).cluster.environment;
    if (env === "prod")
    it("runs every Prometheus highly available with a PodDisruptionBudget (prod)", () => {
      const proms = ofType(rs, "kubernetes:monitoring.coreos.com/v1:Prometheus");
      const pdbs = ofType(rs, "kubernetes:policy/v1:PodDisruptionBudget");
      for (const p of proms) {
        assert.ok(p.inputs.spec.replicas >= 2, `${p.name} has ${p.inputs.spec.replicas} replica(s)`);
        assert.ok(pdbs.some((d) => d.inputs.metadata.namespace === p.inputs.metadata.namespace && d.inputs.spec.selector.matchLabels["operator.prometheus.io/name"] === p.inputs.metadata.name), `${p.name} has no PDB`);
      }
    });

    it("exports the Prometheus endpoints", () => {
      assert.equal(outputs.cluster, cfg().cluster.name);
      if (cfg().features.platformMonitoring) assert.match(String(outputs.platformPrometheusUrl), /^http:\/\/prometheus-operated\.[a-z-]+\.svc:9090$/);
    });
  });
}

describe("feature flags", () => {
  it("turning one team's flag off removes that team's Prometheus and nothing else", async () => {
    const raw = readStackConfig(REPO, "prod");
    const teams = JSON.parse(raw.config["monitoring:teams"]);
    const before = await runStack("prod");
    teams[0].enabled = false;
    const after = await runStack("prod", { "monitoring:teams": JSON.stringify(teams) });
    const urns = (rs: Recorded[]) => new Set(rs.map((r) => r.urn));
    const removed = [...urns(before.resources)].filter((u) => !urns(after.resources).has(u));
    const added = [...urns(after.resources)].filter((u) => !urns(before.resources).has(u));
    assert.deepEqual(added, []);
    const team = before.resources.find((r) => r.type === "monitoring:index:TeamPrometheus" && r.name.endsWith(`team-${teams[0].name}`))!;
    // The team's Prometheus with everything under it, the Grafana data source that pointed at it, and its NetworkPolicy.
    // The team's Grafana team and folder stay: the team still exists, only its monitoring is off.
    const expected = before.resources
      .filter(
        (r) =>
          isUnder(before.resources, r, team.urn) ||
          (r.type === "grafana:oss/dataSource:DataSource" && r.name.endsWith(`-ds-prom-team-${teams[0].name}`)) ||
          (r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.inputs.metadata.name === `prometheus-${teams[0].name}`),
      )
      .map((r) => r.urn);
    assert.deepEqual(removed.sort(), expected.sort());
    assert.ok(expected.length >= 5);
  });

  it("a team switched off keeps the namespaces the program creates for it (they hold its workloads)", async () => {
    const raw = readStackConfig(REPO, "dev");
    const teams = JSON.parse(raw.config["monitoring:teams"]);
    const owner = teams.find((t: { createNamespaces?: boolean }) => t.createNamespaces);
    assert.ok(owner, "the dev stack has a team whose namespaces the program creates");
    const names = (rs: Recorded[]) => ofType(rs, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name).sort();
    const before = await runStack("dev");
    owner.enabled = false;
    const after = await runStack("dev", { "monitoring:teams": JSON.stringify(teams) });
    for (const ns of owner.namespaces) assert.ok(names(after.resources).includes(ns), `namespace ${ns} was dropped`);
    assert.deepEqual(names(after.resources), names(before.resources));
    assert.equal(ofType(after.resources, "monitoring:index:TeamPrometheus").filter((r) => r.name.endsWith(`team-${owner.name}`)).length, 0);
  });

  it("platform monitoring off keeps the operator but drops the platform Prometheus and cluster exporters", async () => {
    const { resources } = await runStack("dev", { "monitoring:features": JSON.stringify({ platformMonitoring: false }) });
    assert.equal(ofType(resources, "monitoring:index:PlatformPrometheus").length, 0);
    const op = resources.find((r) => r.inputs?.chart === "kube-prometheus-stack")!;
    assert.equal(op.inputs.values.kubeStateMetrics.enabled, false);
    assert.equal(ofType(resources, "monitoring:index:TeamPrometheus").length, 1);
  });

  it("Tempo and Spegel are switched per stack: off removes the component and what points at it", async () => {
    const raw = readStackConfig(REPO, "staging");
    const features = JSON.parse(raw.config["monitoring:features"]);
    const on = await runStack("staging");
    assert.equal(ofType(on.resources, "monitoring:index:Tempo").length, 1);
    assert.equal(ofType(on.resources, "monitoring:index:Spegel").length, 1);
    const off = await runStack("staging", { "monitoring:features": JSON.stringify({ ...features, tempo: false, spegel: false }) });
    assert.equal(ofType(off.resources, "monitoring:index:Tempo").length, 0);
    assert.equal(ofType(off.resources, "monitoring:index:Spegel").length, 0);
    const dsTypes = (rs: Recorded[]) => ofType(rs, "grafana:oss/dataSource:DataSource").map((d) => d.inputs.type).sort();
    assert.ok(dsTypes(on.resources).includes("tempo"));
    assert.ok(!dsTypes(off.resources).includes("tempo"));
    const platform = (rs: Recorded[]) => ofType(rs, "kubernetes:monitoring.coreos.com/v1:Prometheus").find((p) => p.inputs.metadata.name === "platform")!;
    assert.equal(platform(on.resources).inputs.spec.enableRemoteWriteReceiver, true);
    assert.equal(platform(off.resources).inputs.spec.enableRemoteWriteReceiver, undefined);
  });

  it("Grafana off declares no Grafana resource and no Grafana provider", async () => {
    const raw = readStackConfig(REPO, "dev");
    const features = JSON.parse(raw.config["monitoring:features"]);
    const { resources } = await runStack("dev", { "monitoring:features": JSON.stringify({ ...features, grafana: false }) });
    assert.deepEqual(resources.filter((r) => r.type.startsWith("grafana:") || r.type === "pulumi:providers:grafana" || r.type.startsWith("monitoring:index:Grafana")).map((r) => r.name), []);
  });
});
