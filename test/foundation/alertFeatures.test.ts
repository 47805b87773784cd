import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAlertGroups, loadRecordingGroups } from "../../components/content/alerts";
import { dashboardsForFeatures, groupsForFeatures, loadDashboardFeatures, loadGroupFeatures } from "../../components/content/features";
import { loadDashboards } from "../../components/content/dashboards";
import { featuresSection } from "../../components/config/core";
import { ofType } from "../harness/mocks";
import { REPO, runStack } from "../harness/program";
import { readStackConfig } from "../../components/config/stackFiles";

const FLAGS = Object.keys(featuresSection.shape);

describe("alert groups and dashboards per feature (alerts/features.json, dashboards/features.json)", () => {
  const groups = loadAlertGroups();
  const recording = loadRecordingGroups();
  const map = loadGroupFeatures([...groups, ...recording].map((g) => g.name), FLAGS);

  it("maps only existing groups to existing feature flags", () => {
    assert.ok(Object.keys(map.needs).length >= 4);
  });

  it("leaves out a component's groups when its flag is off, keeps the others", () => {
    const off = groupsForFeatures(groups, { kueueExporter: false, kueueMetrics: true, spegel: false, tempo: true }, map).map((g) => g.name);
    assert.ok(!off.includes("kueue-exporter") && !off.includes("spegel"));
    assert.ok(off.includes("tempo") && off.includes("prometheus") && off.includes("kueue"));
    assert.ok(!groupsForFeatures(groups, { kueueMetrics: false }, map).some((g) => g.name === "kueue"), "Kueue's controller alerts need its metrics scraped");
    assert.equal(groupsForFeatures(groups, { kueueExporter: true, kueueMetrics: true, spegel: true, tempo: true }, map).length, groups.length);
  });

  it("records a component's series only when its flag is on (Spegel's dashboard rates)", () => {
    const names = (f: Record<string, boolean>) => groupsForFeatures(recording, f, map).map((g) => g.name);
    assert.ok(names({ spegel: true }).includes("spegel-recording"));
    assert.ok(!names({ spegel: false }).includes("spegel-recording"));
    assert.ok(names({ spegel: false }).includes("kubernetes-images"));
  });

  it("pushes a dashboard only when every flag it needs is on", () => {
    const dashboards = loadDashboards();
    const dmap = loadDashboardFeatures(dashboards.map((d) => d.uid), FLAGS);
    const all = Object.fromEntries(FLAGS.map((f) => [f, true]));
    assert.equal(dashboardsForFeatures(dashboards, all, dmap).length, dashboards.length);
    const uids = (f: Record<string, boolean>) => dashboardsForFeatures(dashboards, f, dmap).map((d) => d.uid);
    assert.ok(!uids({ ...all, spegel: false }).includes("ms-spegel"));
    assert.ok(!uids({ ...all, kueueMetrics: false }).includes("ms-kueue-pending-workloads"));
    assert.ok(uids({ ...all, spegel: false }).includes("ms-monitoring-health"));
  });

  it("rejects a mapping to an unknown group or flag, naming the file and both", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alerts-"));
    fs.writeFileSync(path.join(dir, "features.json"), JSON.stringify({ groups: { spegl: "spegel", tempo: "tempoo" } }));
    assert.throws(
      () => loadGroupFeatures(["spegel", "tempo"], FLAGS, dir),
      (e: Error) =>
        /features\.json: groups\.spegl: no alert group has this name; groups: spegel, tempo/.test(e.message) &&
        /features\.json: groups\.tempo: "tempoo" is not a feature flag \(or list of them\); flags: platformMonitoring, tempo, spegel, kueueExporter, kueueMetrics, grafana/.test(e.message),
    );
  });

  it("a stack without the exporter evaluates no exporter alerts (KueueExporterAbsent would fire forever)", async () => {
    const features = JSON.parse(readStackConfig(REPO, "dev").config["monitoring:features"]);
    const { resources } = await runStack("dev", { "monitoring:features": JSON.stringify({ ...features, kueueExporter: false }) });
    const names = ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => r.inputs.spec.groups.map((g: { name: string }) => g.name));
    const dashboards = ofType(resources, "grafana:oss/dashboard:Dashboard").map((r) => JSON.parse(r.inputs.configJson).uid);
    assert.ok(!dashboards.includes("ms-kueue-pending-workloads") && !dashboards.includes("ms-spegel"), dashboards.join(", "));
    assert.ok(names.includes("kueue"), names.join(", "));
    assert.ok(!names.includes("kueue-exporter"), names.join(", "));
  });
});
