import * as assert from "node:assert/strict";
import { runWithMocks, one, ofType, Recorded } from "../harness/mocks";
import { PlatformPrometheus, TeamPrometheus, PrometheusSettings } from "../../components/prometheus";
import { PLATFORM_SCRAPE_LABEL } from "../../components/labels";
import { loadRecordingGroups } from "../../components/content/alerts";

const settings = (s: Partial<PrometheusSettings> = {}): PrometheusSettings => ({
  retention: "7d",
  replicas: 1,
  scrapeInterval: "30s",
  resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: {} },
  externalLabels: {},
  ...s,
});

const PROM = "kubernetes:monitoring.coreos.com/v1:Prometheus";

describe("TeamPrometheus", () => {
  let rs: Recorded[];
  before(async () => {
    ({ resources: rs } = await runWithMocks(
      () => new TeamPrometheus("t", { team: "payments", namespaces: ["payments", "payments-jobs"], clusterName: "prod", settings: settings({ replicas: 2, retentionSize: "9GB", storage: { size: "10Gi", storageClassName: "gp3" } }), dependsOn: [] }),
    ));
  });

  it("only selects its own namespaces, never all of them", () => {
    const spec = one(rs, PROM, "t").inputs.spec;
    for (const kind of ["serviceMonitor", "podMonitor", "probe", "rule"]) {
      assert.deepEqual(spec[`${kind}NamespaceSelector`], { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["payments", "payments-jobs"] }] }, kind);
    }
    assert.equal(spec.ignoreNamespaceSelectors, true);
  });

  it("runs in the team's first namespace with its own ServiceAccount", () => {
    const cr = one(rs, PROM, "t");
    assert.equal(cr.inputs.metadata.namespace, "payments");
    const sa = one(rs, "kubernetes:core/v1:ServiceAccount", "t-sa");
    assert.equal(cr.inputs.spec.serviceAccountName, sa.inputs.metadata.name);
  });

  it("gets a Role and RoleBinding in each of its namespaces and no cluster-wide read", () => {
    const roles = ofType(rs, "kubernetes:rbac.authorization.k8s.io/v1:Role").map((r) => r.inputs.metadata.namespace).sort();
    const bindings = ofType(rs, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
    assert.deepEqual(roles, ["payments", "payments-jobs"]);
    assert.deepEqual(bindings.map((b) => b.inputs.subjects[0]), [
      { kind: "ServiceAccount", name: "prometheus-payments", namespace: "payments" },
      { kind: "ServiceAccount", name: "prometheus-payments", namespace: "payments" },
    ]);
    assert.equal(ofType(rs, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
    assert.equal(ofType(rs, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length, 0);
  });

  it("carries cluster and team external labels and the configured retention, size, replicas and storage", () => {
    const spec = one(rs, PROM, "t").inputs.spec;
    assert.deepEqual(spec.externalLabels, { cluster: "prod", team: "payments" });
    assert.equal(spec.retention, "7d");
    assert.equal(spec.retentionSize, "9GB");
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.storage.volumeClaimTemplate.spec, { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "gp3" });
  });

  it("gets a PodDisruptionBudget over its own pods when replicated", () => {
    const pdb = one(rs, "kubernetes:policy/v1:PodDisruptionBudget", "t-pdb");
    assert.deepEqual(pdb.inputs.spec, { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "payments" } } });
  });

  it("has no PodDisruptionBudget with a single replica", async () => {
    const { resources } = await runWithMocks(() => new TeamPrometheus("s", { team: "a", namespaces: ["a"], clusterName: "dev", settings: settings(), dependsOn: [] }));
    assert.equal(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget").length, 0);
  });
});

describe("PlatformPrometheus", () => {
  let rs: Recorded[];
  before(async () => {
    ({ resources: rs } = await runWithMocks(() =>
      new PlatformPrometheus("p", {
        namespace: "monitoring",
        clusterName: "dev",
        settings: settings(),
        enableRemoteWriteReceiver: true,
        recordingGroups: loadRecordingGroups(),
        dependsOn: [],
      }),
    ));
  });

  it("evaluates the repo's recording rules, delivered as a PrometheusRule it selects", () => {
    const rule = one(rs, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "p-recording-rules");
    assert.equal(rule.inputs.metadata.labels["monitoring-stack/scrape"], "platform");
    const records = rule.inputs.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.record));
    const expected = loadRecordingGroups().flatMap((g) => g.rules.map((r) => r.record));
    assert.ok(expected.length > 0);
    assert.deepEqual(records, expected);
  });

  it("selects labelled monitors in every namespace", () => {
    const spec = one(rs, PROM, "p").inputs.spec;
    assert.deepEqual(spec.serviceMonitorSelector, { matchLabels: PLATFORM_SCRAPE_LABEL });
    assert.deepEqual(spec.serviceMonitorNamespaceSelector, {});
    assert.deepEqual(spec.externalLabels, { cluster: "dev" });
    assert.equal(spec.enableRemoteWriteReceiver, true);
  });

  it("reads nodes and kubelet metrics through a ClusterRole without wildcards", () => {
    const role = one(rs, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "p-read");
    assert.ok(role.inputs.rules.some((r: any) => r.resources?.includes("nodes/metrics")));
    assert.ok(!JSON.stringify(role.inputs.rules).includes('"*"'));
  });
});
