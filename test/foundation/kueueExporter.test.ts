import * as assert from "node:assert/strict";
import { runWithMocks, one, Recorded } from "../harness/mocks";
import { KueueExporter, EXPORTER_RULES } from "../../components/kueueExporter";
import { buildExporterBundle, CONFIGMAP_LIMIT_BYTES } from "../../exporter/bundle";
import { PLATFORM_SCRAPE_LABEL } from "../../components/labels";
import { images } from "../../components/versions";

describe("KueueExporter component", () => {
  let rs: Recorded[];
  const bundle = buildExporterBundle();
  before(async () => {
    ({ resources: rs } = await runWithMocks(() => new KueueExporter("kx", { namespace: "monitoring", topN: 7, pollIntervalSeconds: 15 })));
  });

  it("ships exactly the bundle the exporter tests run, under a ConfigMap's 1 MiB", () => {
    const cm = one(rs, "kubernetes:core/v1:ConfigMap", "kx-code");
    assert.equal(cm.inputs.data["kueue-exporter.js"], bundle.code);
    assert.ok(bundle.bytes < CONFIGMAP_LIMIT_BYTES, `${bundle.bytes} bytes`);
  });

  it("rolls the pods when the bundle changes (its hash is a pod annotation)", () => {
    const d = one(rs, "kubernetes:apps/v1:Deployment", "kx");
    assert.equal(d.inputs.spec.template.metadata.annotations["monitoring-stack/bundle-sha256"], bundle.sha256);
    assert.match(bundle.sha256, /^[0-9a-f]{64}$/);
  });

  it("runs the bundle with a stock pinned Node image, hardened", () => {
    const pod = one(rs, "kubernetes:apps/v1:Deployment", "kx").inputs.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.image, images.kueueExporterRuntime);
    assert.deepEqual(c.command, ["node", "/app/kueue-exporter.js"]);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    assert.equal(c.livenessProbe.httpGet.path, "/healthz");
    assert.equal(c.readinessProbe.httpGet.path, "/readyz");
    assert.ok(c.resources.requests.memory && c.resources.limits.memory);
  });

  it("passes its settings as the exporter's environment", () => {
    const env = one(rs, "kubernetes:apps/v1:Deployment", "kx").inputs.spec.template.spec.containers[0].env;
    const byName = Object.fromEntries(env.map((e: any) => [e.name, e.value]));
    assert.equal(byName.KUEUEX_TOP_N, "7");
    assert.equal(byName.KUEUEX_POLL_INTERVAL_SECONDS, "15");
    assert.equal(byName.KUEUEX_PORT, "8080");
  });

  it("may only read ClusterQueues and their pending workloads", () => {
    const role = one(rs, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kx-read");
    assert.deepEqual(role.inputs.rules, EXPORTER_RULES);
    const verbs = new Set(EXPORTER_RULES.flatMap((r) => r.verbs));
    assert.deepEqual([...verbs].sort(), ["get", "list", "watch"]);
  });

  it("is scraped by the platform Prometheus as job kueue-exporter, keeping the queues' namespace label", () => {
    const sm = one(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "kx");
    assert.equal(sm.inputs.metadata.labels["monitoring-stack/scrape"], PLATFORM_SCRAPE_LABEL["monitoring-stack/scrape"]);
    assert.equal(one(rs, "kubernetes:core/v1:Service", "kx").inputs.metadata.name, "kueue-exporter");
    assert.equal(sm.inputs.spec.endpoints[0].honorLabels, true);
  });

  it("refuses a bundle too large for a ConfigMap, naming the fix", async () => {
    const big = { code: "x", sha256: "0".repeat(64), bytes: CONFIGMAP_LIMIT_BYTES + 1 };
    await assert.rejects(runWithMocks(() => new KueueExporter("big", { namespace: "m", bundle: big })), /bundle is 1048577 bytes, over a ConfigMap's 1048576\. Either trim its dependencies or set kueueExporter\.image/);
  });
});
