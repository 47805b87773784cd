import * as assert from "node:assert/strict";
import { runWithMocks, one, ofType, Recorded } from "../harness/mocks";
import { PrometheusOperator, operatorValues, DEFAULT_OPERATOR_RESOURCES } from "../../components/operator";
import { PlatformPrometheus, TeamPrometheus, PrometheusSettings } from "../../components/prometheus";
import { charts } from "../../components/versions";
import { PLATFORM_SCRAPE_LABEL } from "../../components/labels";
import { assertKeysExist } from "../support/chartKeys";
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

describe("PrometheusOperator", () => {
  let rs: Recorded[];
  before(async () => {
    ({ resources: rs } = await runWithMocks(() => new PrometheusOperator("op", { namespace: "monitoring" })));
  });

  it("installs the CRDs as their own Helm release that is retained on delete", () => {
    const crds = one(rs, "kubernetes:helm.sh/v3:Release", "op-crds");
    assert.equal(crds.retainOnDelete, true);
    assert.equal(crds.inputs.chart, "prometheus-operator-crds");
    assert.equal(crds.inputs.version, charts.prometheusOperatorCrds.version);
    assert.deepEqual(crds.inputs.values, { crds: { annotations: { "helm.sh/resource-policy": "keep" } } });
  });

  it("installs the operator chart pinned, after the CRDs, without its own CRDs", () => {
    const chart = one(rs, "kubernetes:helm.sh/v4:Chart", "op");
    assert.equal(chart.inputs.chart, "kube-prometheus-stack");
    assert.equal(chart.inputs.version, charts.kubePrometheusStack.version);
    assert.equal(chart.inputs.repositoryOpts.repo, charts.kubePrometheusStack.repo);
    assert.deepEqual(chart.dependsOn, [one(rs, "kubernetes:helm.sh/v3:Release", "op-crds").urn]);
    assert.equal(chart.inputs.values.crds.enabled, false);
  });

  it("reserves 200m CPU / 200Mi memory for the operator by default", () => {
    const chart = one(rs, "kubernetes:helm.sh/v4:Chart", "op");
    assert.deepEqual(chart.inputs.values.prometheusOperator.resources, { requests: { cpu: "200m", memory: "200Mi" } });
  });

  it("runs operator-only when cluster exporters are off", () => {
    const v = operatorValues({ clusterExporters: false, resources: DEFAULT_OPERATOR_RESOURCES }) as any;
    for (const k of ["prometheus", "alertmanager", "grafana", "kubeStateMetrics", "nodeExporter", "kubernetesServiceMonitors"]) assert.equal(v[k].enabled, false, k);
    assert.equal(v.defaultRules.create, false);
  });

  it("labels the cluster exporters' ServiceMonitors for the platform Prometheus when on", () => {
    const v = operatorValues({ clusterExporters: true, resources: DEFAULT_OPERATOR_RESOURCES }) as any;
    assert.equal(v.kubeStateMetrics.enabled, true);
    assert.equal(v.nodeExporter.enabled, true);
    assert.equal(v.kubelet.serviceMonitor.cAdvisor, true);
    for (const labels of [
      v.kubelet.serviceMonitor.additionalLabels,
      v["kube-state-metrics"].prometheus.monitor.additionalLabels,
      v["prometheus-node-exporter"].prometheus.monitor.additionalLabels,
      v.prometheusOperator.serviceMonitor.additionalLabels,
    ])
      assert.deepEqual(labels, PLATFORM_SCRAPE_LABEL);
  });

  it("sets only values keys that exist in the pinned charts", () => {
    for (const on of [true, false]) {
      assertKeysExist(`kube-prometheus-stack-${charts.kubePrometheusStack.version}`, operatorValues({ clusterExporters: on, resources: DEFAULT_OPERATOR_RESOURCES }));
    }
    assertKeysExist(`prometheus-operator-crds-${charts.prometheusOperatorCrds.version}`, one(rs, "kubernetes:helm.sh/v3:Release", "op-crds").inputs.values);
  });
});

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
