import * as assert from "node:assert/strict";
import * as path from "node:path";
import { assertUniqueUrns, one, ofType, runWithMocks, valueOf, type Recorded } from "../harness/mocks";
import { charts } from "../../components/versions";
import { readKeyFixture, unknownValuesKeys } from "../support/chartKeys";

const CHART = "kubernetes:helm.sh/v4:Chart";
const SECRET = "kubernetes:core/v1:Secret";
const MOCK_PASSWORD = "mock-password-grafana-admin-password";

const keysFixture = readKeyFixture(path.join(__dirname, "fixtures/chart-grafana-12.11.1/values-keys.json"));
/** Values the chart passes through as free-form maps (labels, resources, grafana.ini). */
const FREE_FORM = ["extraLabels", "resources", "serviceMonitor.labels", "grafana.ini", "ingress.annotations", "persistence.annotations" /* templates/pvc.yaml; commented out in values.yaml */];

function unknownKeys(values: object): string[] {
  return unknownValuesKeys(keysFixture, values, FREE_FORM);
}

async function deploy(args: Partial<import("../../components/grafana").GrafanaArgs> = {}) {
  return runWithMocks(async () => {
    const { Grafana } = await import("../../components/grafana");
    const g = new Grafana("grafana", { namespace: "monitoring", providerUrl: "https://grafana.example.com", ...args });
    return { g, connUrl: await valueOf(g.connection.url), url: await valueOf(g.url), isSecret: await (g.adminPassword as any).isSecret };
  });
}

describe("Grafana (deploy mode)", () => {
  let resources: Recorded[];
  let value: Awaited<ReturnType<typeof deploy>>["value"];
  before(async () => {
    ({ resources, value } = await deploy());
  });

  it("installs the pinned grafana chart from its OCI registry", () => {
    const c = one(resources, CHART, "grafana");
    assert.equal(c.inputs.chart, "oci://ghcr.io/grafana-community/helm-charts/grafana");
    assert.equal(c.inputs.version, charts.grafana.version);
    assert.equal(charts.grafana.version, "12.11.1");
    assertUniqueUrns(resources);
  });

  it("keeps the generated admin password secret everywhere and out of the chart values", () => {
    const pw = one(resources, "random:index/randomPassword:RandomPassword", "grafana-admin-password");
    assert.equal(pw.inputs.special, false);
    const s = one(resources, SECRET, "grafana-admin");
    assert.equal(s.inputs.stringData["admin-password"], MOCK_PASSWORD);
    assert.ok(s.secretPaths.some((p) => p === "stringData" || p === "stringData.admin-password"), JSON.stringify(s.secretPaths));
    const c = one(resources, CHART, "grafana");
    assert.ok(!JSON.stringify(c.inputs).includes(MOCK_PASSWORD), "the password is in the chart inputs");
    assert.deepEqual(c.inputs.values.admin, { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    assert.deepEqual(c.dependsOn, [s.urn], "the release waits for its admin Secret");
    assert.equal(value.isSecret, true, "adminPassword is a secret Output");
    for (const r of resources) {
      if (JSON.stringify(r.inputs).includes(MOCK_PASSWORD)) assert.ok(r.secretPaths.length > 0, `${r.type} ${r.name} holds the password in plain text`);
    }
  });

  it("turns the chart's ServiceMonitor on for the platform Prometheus", () => {
    const v = one(resources, CHART, "grafana").inputs.values;
    assert.deepEqual(v.serviceMonitor, { enabled: true, labels: { "monitoring-stack/scrape": "platform" } });
  });

  it("sets only values keys the pinned chart has", async () => {
    assert.deepEqual(unknownKeys(one(resources, CHART, "grafana").inputs.values), []);
    const full = await deploy({
      ingress: { enabled: true, host: "grafana.example.com", className: "nginx", tls: { secretName: "grafana-tls", certManagerClusterIssuer: "letsencrypt" } },
      persistence: { enabled: true, size: "20Gi", storageClassName: "fast" },
      resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      dashboardDelivery: "sidecar",
    });
    assert.deepEqual(unknownKeys(one(full.resources, CHART, "grafana").inputs.values), []);
    assert.deepEqual(unknownKeys({ serviceMonitor: { enable: true } }), ["serviceMonitor.enable"], "the check catches a typo");
    // Kubernetes objects below a chart key (resources, securityContext) are Kubernetes' fields; a typo in the
    // chart key itself is still caught.
    assert.deepEqual(unknownKeys({ sidecar: { resources: { limits: { memory: "1Gi" } } }, securityContext: { seccompProfile: { type: "RuntimeDefault" } } }), []);
    assert.deepEqual(unknownKeys({ sidecar: { resourcez: { limits: { memory: "1Gi" } } }, nosuch: { resources: { x: 1 } } }), ["sidecar.resourcez.limits.memory", "nosuch.resources.x"]);
  });

  it("applies persistence, ingress and resources from the stack", async () => {
    const { resources: r, value: v } = await deploy({
      ingress: { enabled: true, host: "grafana.example.com", className: "nginx", tls: { secretName: "grafana-tls", certManagerClusterIssuer: "letsencrypt" } },
      persistence: { enabled: true, size: "20Gi", storageClassName: "fast" },
      resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: {} },
    });
    const values = one(r, CHART, "grafana").inputs.values;
    assert.deepEqual(values.persistence, { enabled: true, size: "20Gi", storageClassName: "fast" });
    assert.deepEqual(values.deploymentStrategy, { type: "Recreate" });
    assert.deepEqual(values.ingress, {
      enabled: true,
      ingressClassName: "nginx",
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      hosts: ["grafana.example.com"],
      tls: [{ secretName: "grafana-tls", hosts: ["grafana.example.com"] }],
    });
    assert.equal(values["grafana.ini"].server.root_url, "https://grafana.example.com/");
    assert.deepEqual(values.resources, { requests: { cpu: "200m", memory: "512Mi" } });
    assert.equal(v.connUrl, "https://grafana.example.com", "the provider goes through the ingress");
  });

  it("gives the provider the configured URL, never the in-cluster one", () => {
    assert.equal(value.url, "http://grafana.monitoring.svc:80");
    assert.equal(value.connUrl, "https://grafana.example.com");
    assert.equal(value.g.adminSecretName, "grafana-admin");
  });

  it("installs under a fixed release name", () => {
    assert.equal(one(resources, CHART, "grafana").inputs.name, "grafana");
  });

  it("exposes the Service on a node port for a local cluster", async () => {
    const { resources: r } = await deploy({ service: { type: "NodePort", nodePort: 30300 }, providerUrl: "http://127.0.0.1:30300" });
    assert.deepEqual(one(r, CHART, "grafana").inputs.values.service, { type: "NodePort", nodePort: 30300 });
    assert.deepEqual(one(resources, CHART, "grafana").inputs.values.service, { type: "ClusterIP" });
  });

  it("renders SMTP into grafana.ini and the credentials into a Secret the chart reads as env", async () => {
    const { resources: r } = await deploy({ smtp: { host: "smtp.example.com:587", fromAddress: "grafana@example.com", user: "grafana", password: "hunter2" } });
    const v = one(r, CHART, "grafana").inputs.values;
    assert.deepEqual(v["grafana.ini"].smtp, { enabled: true, host: "smtp.example.com:587", from_address: "grafana@example.com", from_name: "Grafana", startTLS_policy: "MandatoryStartTLS", skip_verify: false });
    assert.deepEqual(v.smtp, { existingSecret: "grafana-smtp", userKey: "user", passwordKey: "password" });
    const sec = one(r, SECRET, "grafana-smtp");
    assert.ok(sec.secretPaths.some((p) => p.startsWith("stringData")), "the SMTP password is a secret");
    assert.ok(!JSON.stringify(v).includes("hunter2"), "the password is not in the chart values");
    const relay = await deploy({ smtp: { host: "relay.example.com:25", fromAddress: "grafana@example.com" } });
    assert.equal(one(relay.resources, CHART, "grafana").inputs.values.smtp, undefined, "no Secret without credentials");
    assert.equal(ofType(relay.resources, SECRET).length, 1);
  });

  it("never replaces the generated admin password on a later up, and takes an explicit one after a rotation", async () => {
    const pw = one(resources, "random:index/randomPassword:RandomPassword", "grafana-admin-password");
    for (const f of ["length", "special", "keepers"]) assert.ok(pw.ignoreChanges.includes(f), `ignoreChanges lacks ${f}`);
    const { resources: r } = await deploy({ adminPassword: "rotated-password" });
    assert.equal(one(r, SECRET, "grafana-admin").inputs.stringData["admin-password"], "rotated-password");
  });

  it("configures the dashboard sidecar with the label and folder annotation GrafanaContent writes", async () => {
    const { resources: r } = await deploy({ dashboardDelivery: "sidecar" });
    const v = one(r, CHART, "grafana").inputs.values;
    assert.deepEqual(v.sidecar, {
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", folderAnnotation: "grafana_folder", provider: { foldersFromFilesStructure: true } },
    });
    // Always on: kube-prometheus-stack's dashboards arrive as ConfigMaps even with provider delivery.
    assert.deepEqual(ofType(resources, CHART)[0].inputs.values.sidecar, v.sidecar);
  });

  it("refuses an ingress without host", async () => {
    await assert.rejects(deploy({ ingress: { enabled: true } }), /Unable to create the Grafana ingress: ingress.host is not set/);
  });
});
