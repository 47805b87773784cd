/**
 * What `pulumi destroy` keeps (config dataSafety; components/dataSafety.ts), over the declared resources:
 * in prod every volume survives (the namespaces holding them retained, StatefulSet PVCs Retain, Grafana's
 * chart PVC annotated keep, MinIO's PVC retained); elsewhere nothing is left behind (PVCs deleted with their
 * StatefulSets, also in namespaces the stack does not own).
 */
import * as assert from "node:assert/strict";
import { ofType, Recorded } from "../harness/mocks";
import { runStack } from "../harness/program";

const NS = "kubernetes:core/v1:Namespace";
const PROM = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const AM = "kubernetes:monitoring.coreos.com/v1:Alertmanager";
const CHART = "kubernetes:helm.sh/v4:Chart";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

const chart = (rs: Recorded[], name: string) => ofType(rs, CHART).find((c) => String(c.inputs.chart).endsWith(name));

/** The namespaces where some declared thing keeps a volume. */
function namespacesWithVolumes(rs: Recorded[]): Set<string> {
  const out = new Set<string>();
  for (const r of [...ofType(rs, PROM), ...ofType(rs, AM)]) if (r.inputs.spec.storage) out.add(r.inputs.metadata.namespace);
  for (const r of ofType(rs, PVC)) out.add(r.inputs.metadata.namespace);
  const tempo = chart(rs, "tempo-distributed");
  if (tempo?.inputs.values.ingester?.persistence?.enabled) out.add(tempo.inputs.namespace);
  const grafana = chart(rs, "/grafana");
  if (grafana?.inputs.values.persistence?.enabled) out.add(grafana.inputs.namespace);
  return out;
}

describe("data safety: what destroy keeps", () => {
  it("prod keeps every volume: the namespaces holding them, StatefulSet PVCs, Grafana's database", async () => {
    const { resources: rs } = await runStack("prod");
    const declared = new Map(ofType(rs, NS).map((n) => [n.inputs.metadata.name, n]));
    const withData = namespacesWithVolumes(rs);
    assert.ok(withData.size >= 3, `only ${[...withData].join(", ")}`);
    for (const ns of withData) {
      const n = declared.get(ns);
      if (n) assert.equal(n.retainOnDelete, true, `namespace ${ns} holds volumes and would be deleted with them`);
    }
    for (const r of [...ofType(rs, PROM), ...ofType(rs, AM)].filter((x) => x.inputs.spec.storage)) {
      assert.deepEqual(r.inputs.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" }, `${r.inputs.metadata.name}`);
    }
    assert.deepEqual(chart(rs, "tempo-distributed")!.inputs.values.ingester.persistentVolumeClaimRetentionPolicy, { enabled: true, whenDeleted: "Retain", whenScaled: "Retain" });
    assert.deepEqual(chart(rs, "/grafana")!.inputs.values.persistence.annotations, { "helm.sh/resource-policy": "keep" });
    // Namespaces without data (node-exporter, spegel) go as usual.
    assert.equal(declared.get("node-exporter")?.retainOnDelete, false);
  });

  it("elsewhere (dev) leaves nothing behind: PVCs go with their StatefulSets, namespaces and volumes are deleted", async () => {
    const { resources: rs } = await runStack("dev");
    assert.deepEqual(ofType(rs, NS).filter((n) => n.retainOnDelete).map((n) => n.inputs.metadata.name), []);
    assert.deepEqual(ofType(rs, PVC).filter((n) => n.retainOnDelete).map((n) => n.name), []);
    const withStorage = [...ofType(rs, PROM), ...ofType(rs, AM)].filter((x) => x.inputs.spec.storage);
    for (const r of withStorage) assert.equal(r.inputs.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Delete");
    assert.equal(chart(rs, "/grafana")!.inputs.values.persistence.annotations, undefined);
  });

  it("keeps data in any environment when asked, protects it when asked, and adopts what an earlier destroy kept", async () => {
    const { resources: kept } = await runStack("dev", { "monitoring:dataSafety": JSON.stringify({ keepOnDestroy: true, protect: true }) });
    const monitoring = ofType(kept, NS).find((n) => n.inputs.metadata.name === "monitoring")!;
    assert.equal(monitoring.retainOnDelete, true);
    assert.equal(monitoring.protect, true);
    const minio = ofType(kept, PVC);
    for (const p of minio) assert.ok(p.retainOnDelete && p.protect, `${p.name}`);
    const { resources: prodOff } = await runStack("prod", { "monitoring:dataSafety": JSON.stringify({ keepOnDestroy: false }) });
    assert.deepEqual(ofType(prodOff, NS).filter((n) => n.retainOnDelete).map((n) => n.inputs.metadata.name), [], "an explicit false wins over prod's default");
    const provider = (rs: Recorded[]) => rs.find((r) => r.type === "pulumi:providers:kubernetes")!;
    assert.equal(provider(kept).inputs.upsertExistingObjects, undefined);
    const { resources: adopt } = await runStack("dev", { "monitoring:dataSafety": JSON.stringify({ adoptKept: true }) });
    // Provider inputs reach the engine as strings.
    assert.equal(String(provider(adopt).inputs.upsertExistingObjects), "true");
  });
});
