import * as assert from "node:assert/strict";
import { one, ofType, Recorded, runWithMocks, valueOf } from "../harness/mocks";
import { CRDS_RELEASE, DEFAULT_OPERATOR_RESOURCES, OPERATOR_RELEASE, OPERATOR_SERVICE, operatorValues, PrometheusOperator, WEBHOOK_SECRET_KEYS } from "../../components/operator";
import { charts } from "../../components/versions";
import { PLATFORM_SCRAPE_LABEL } from "../../components/labels";
import { assertKeysExist } from "../support/chartKeys";
import { hookProblems } from "../../components/charts/hooks";

const webhook = { caBundle: "Q0E=", certSha256: "0".repeat(64) };
const RELOADER = { requests: { cpu: "10m", memory: "50Mi" }, limits: { memory: "50Mi" } };
const KSM = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } };
const NODE = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };
const values = (clusterExporters: boolean) =>
  operatorValues({
    clusterExporters,
    resources: DEFAULT_OPERATOR_RESOURCES,
    configReloaderResources: RELOADER,
    kubeStateMetricsResources: KSM,
    nodeExporterResources: NODE,
    webhook,
    nodeExporterNamespace: "node-exporter",
  }) as any;
const SECRET = "kubernetes:core/v1:Secret";

describe("PrometheusOperator", () => {
  let rs: Recorded[];
  before(async () => {
    ({ resources: rs } = await runWithMocks(() => new PrometheusOperator("op", { namespace: "monitoring", clusterExporters: true })));
  });

  it("installs the CRDs as their own Helm release, named, retained on delete and not imported by default", () => {
    const crds = one(rs, "kubernetes:helm.sh/v3:Release", "op-crds");
    assert.equal(crds.retainOnDelete, true);
    assert.equal(crds.inputs.name, CRDS_RELEASE);
    assert.equal(crds.inputs.namespace, "monitoring");
    assert.equal(crds.inputs.chart, "prometheus-operator-crds");
    assert.equal(crds.inputs.version, charts.prometheusOperatorCrds.version);
    assert.deepEqual(crds.inputs.values, { crds: { annotations: { "helm.sh/resource-policy": "keep" } } });
    assert.equal(crds.importId, "");
  });

  it("adopts a CRDs release left in the cluster by importing <namespace>/<release>", async () => {
    const { resources } = await runWithMocks(() => new PrometheusOperator("op", { namespace: "mon", adoptExistingCrds: true }));
    assert.equal(one(resources, "kubernetes:helm.sh/v3:Release", "op-crds").importId, `mon/${CRDS_RELEASE}`);
  });

  it("installs the operator chart pinned, named, after the CRDs and its TLS Secret, without its own CRDs", () => {
    const chart = one(rs, "kubernetes:helm.sh/v4:Chart", "op");
    assert.equal(chart.inputs.name, OPERATOR_RELEASE);
    assert.equal(chart.inputs.chart, "kube-prometheus-stack");
    assert.equal(chart.inputs.version, charts.kubePrometheusStack.version);
    assert.equal(chart.inputs.repositoryOpts.repo, charts.kubePrometheusStack.repo);
    const tlsSecret = one(rs, SECRET, "op-webhook-tls");
    for (const dep of [one(rs, "kubernetes:helm.sh/v3:Release", "op-crds").urn, tlsSecret.urn]) assert.ok(chart.dependsOn.includes(dep), dep);
    assert.equal(chart.inputs.values.crds.enabled, false);
  });

  it("makes the webhook TLS Secret the operator mounts, with the keys the chart reads and the key as a secret", () => {
    const s = one(rs, SECRET, "op-webhook-tls");
    assert.equal(s.inputs.metadata.name, "kube-prometheus-admission");
    assert.deepEqual(Object.keys(s.inputs.stringData).sort(), Object.values(WEBHOOK_SECRET_KEYS).sort());
    assert.ok(s.secretPaths.some((p) => p.startsWith("stringData")), `secret paths: ${s.secretPaths}`);
    const csr = one(rs, "tls:index/certRequest:CertRequest", "op-webhook-csr");
    assert.deepEqual(csr.inputs.dnsNames, [OPERATOR_SERVICE, `${OPERATOR_SERVICE}.monitoring.svc`]);
    const cert = one(rs, "tls:index/locallySignedCert:LocallySignedCert", "op-webhook-cert");
    assert.ok(cert.inputs.allowedUses.includes("server_auth"));
    assert.ok(cert.inputs.earlyRenewalHours > 0, "the serving certificate is re-issued before it expires");
    assert.equal(one(rs, "tls:index/selfSignedCert:SelfSignedCert", "op-webhook-ca").inputs.isCaCertificate, true);
  });

  it("hands the chart the CA bundle instead of its patch hooks, and rolls the operator when the certificate changes", async () => {
    const v = one(rs, "kubernetes:helm.sh/v4:Chart", "op").inputs.values.prometheusOperator;
    assert.equal(v.admissionWebhooks.patch.enabled, false);
    assert.equal(v.admissionWebhooks.certManager.enabled, false);
    const caPem = one(rs, "tls:index/selfSignedCert:SelfSignedCert", "op-webhook-ca").inputs;
    assert.ok(caPem, "CA declared");
    assert.equal(Buffer.from(v.admissionWebhooks.caBundle, "base64").toString(), "-----BEGIN CERTIFICATE-----\nmock-op-webhook-ca\n-----END CERTIFICATE-----\n");
    assert.match(v.podAnnotations["monitoring-stack/webhook-cert-sha256"], /^[0-9a-f]{64}$/);
    assert.equal(v.admissionWebhooks.failurePolicy, "Ignore");
  });

  it("runs node-exporter in its own namespace labelled Pod Security privileged, created before the chart", () => {
    const ns = one(rs, "kubernetes:core/v1:Namespace", "op-ns-node-exporter");
    assert.equal(ns.inputs.metadata.name, "node-exporter");
    assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
    const chart = one(rs, "kubernetes:helm.sh/v4:Chart", "op");
    assert.ok(chart.dependsOn.includes(ns.urn));
    assert.equal(chart.inputs.values["prometheus-node-exporter"].namespaceOverride, "node-exporter");
  });

  it("declares no node-exporter namespace when the cluster exporters are off", async () => {
    const { resources } = await runWithMocks(() => new PrometheusOperator("op", { namespace: "monitoring" }));
    assert.equal(ofType(resources, "kubernetes:core/v1:Namespace").length, 0);
  });

  it("reserves 200m CPU / 200Mi memory for the operator by default, limited to 512Mi", () => {
    assert.deepEqual(one(rs, "kubernetes:helm.sh/v4:Chart", "op").inputs.values.prometheusOperator.resources, { requests: { cpu: "200m", memory: "200Mi" }, limits: { memory: "512Mi" } });
  });

  it("sizes every config-reloader, kube-state-metrics and node-exporter (the chart's defaults are none)", () => {
    const v = values(true);
    assert.deepEqual(v.prometheusOperator.prometheusConfigReloader.resources, RELOADER);
    assert.deepEqual(v["kube-state-metrics"].resources, KSM);
    assert.deepEqual(v["prometheus-node-exporter"].resources, NODE);
  });

  it("runs operator-only when cluster exporters are off", () => {
    const v = values(false);
    for (const k of ["prometheus", "alertmanager", "grafana", "kubeStateMetrics", "nodeExporter", "kubernetesServiceMonitors"]) assert.equal(v[k].enabled, false, k);
    assert.equal(v.defaultRules.create, false);
  });

  it("labels the cluster exporters' ServiceMonitors for the platform Prometheus when on", () => {
    const v = values(true);
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

  it("sets only values keys that exist in the pinned charts", async () => {
    for (const on of [true, false]) assertKeysExist(`kube-prometheus-stack-${charts.kubePrometheusStack.version}`, values(on));
    assertKeysExist(`prometheus-operator-crds-${charts.prometheusOperatorCrds.version}`, one(rs, "kubernetes:helm.sh/v3:Release", "op-crds").inputs.values);
  });

  it("renders no install or upgrade hook with its values, which the chart's defaults would", async () => {
    const use = (v: Record<string, unknown>) => ({ resource: "op", chart: "kube-prometheus-stack", version: charts.kubePrometheusStack.version, releaseName: OPERATOR_RELEASE, namespace: "monitoring", values: v });
    for (const on of [true, false]) assert.deepEqual(hookProblems(use(values(on))), []);
    // The chart's own defaults (patch Jobs on) are exactly what helm.v4.Chart would drop.
    const defaults = hookProblems(use({}));
    assert.ok(defaults.some((p) => p.includes("job-patch/job-createSecret.yaml (Job) is a pre-install,pre-upgrade hook that renders")), defaults.join("\n"));
    assert.ok(defaults.some((p) => p.includes("job-patch/job-patchWebhook.yaml (Job) is a post-install,post-upgrade hook that renders")));
    await valueOf(1);
  });
});
