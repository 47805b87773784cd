import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAlertGroups } from "../../components/content/alerts";
import { groupsForFeatures, loadGroupFeatures } from "../../components/content/features";
import { ofType } from "../harness/mocks";
import { REPO, runStack } from "../harness/program";
import { readStackConfig } from "../../components/config/stackFiles";

const FLAGS = ["platformMonitoring", "tempo", "spegel", "kueueExporter", "grafana"];

describe("alert groups per feature (alerts/features.json)", () => {
  const groups = loadAlertGroups();
  const map = loadGroupFeatures(groups.map((g) => g.name), FLAGS);

  it("maps only existing groups to existing feature flags", () => {
    assert.ok(Object.keys(map.groups).length >= 3);
  });

  it("leaves out a component's groups when its flag is off, keeps the others", () => {
    const off = groupsForFeatures(groups, { kueueExporter: false, spegel: false, tempo: true }, map).map((g) => g.name);
    assert.ok(!off.includes("kueue-exporter") && !off.includes("spegel"));
    assert.ok(off.includes("tempo") && off.includes("prometheus") && off.includes("kueue"));
    assert.equal(groupsForFeatures(groups, { kueueExporter: true, spegel: true, tempo: true }, map).length, groups.length);
  });

  it("rejects a mapping to an unknown group or flag, naming the file and both", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alerts-"));
    fs.writeFileSync(path.join(dir, "features.json"), JSON.stringify({ groups: { spegl: "spegel", tempo: "tempoo" } }));
    assert.throws(
      () => loadGroupFeatures(["spegel", "tempo"], FLAGS, dir),
      (e: Error) =>
        /features\.json: groups\.spegl: no alert group has this name; groups: spegel, tempo/.test(e.message) &&
        /features\.json: groups\.tempo: "tempoo" is not a feature flag; flags: platformMonitoring, tempo, spegel, kueueExporter, grafana/.test(e.message),
    );
  });

  it("a stack without the exporter pushes no exporter alerts (KueueExporterAbsent would fire forever)", async () => {
    const features = JSON.parse(readStackConfig(REPO, "dev").config["monitoring:features"]);
    const { resources } = await runStack("dev", { "monitoring:features": JSON.stringify({ ...features, kueueExporter: false }) });
    const names = ofType(resources, "grafana:alerting/ruleGroup:RuleGroup").map((r) => r.inputs.name);
    assert.ok(names.some((n: string) => n.startsWith("kueue ")), names.join(", "));
    assert.ok(!names.some((n: string) => n.startsWith("kueue-exporter")), names.join(", "));
  });
});
