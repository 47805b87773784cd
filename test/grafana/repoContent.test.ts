/**
 * The repository's own dashboards and alert rules, through the real loaders (components/content), pushed
 * by GrafanaContent under mocks: every file converts, lands in its folder, and stays within Grafana's limits.
 */
import * as assert from "node:assert/strict";
import { loadDashboards, loadFolders } from "../../components/content/dashboards";
import { loadAlertGroups } from "../../components/content/alerts";
import { toGrafanaRuleGroups } from "../../components/grafana/alertRules";
import { one, ofType, runWithMocks, assertUniqueUrns } from "../harness/mocks";

describe("the repository's content in Grafana", () => {
  const folders = loadFolders();
  const dashboards = loadDashboards();
  const alertGroups = loadAlertGroups();

  it("converts every alert rule file (intervals on Grafana's 10s tick, durations the provider parses)", () => {
    const groups = toGrafanaRuleGroups(alertGroups, {
      cluster: "dev",
      target: (g) => ({ folderUid: `folder-${g.folder}`, datasourceUid: "prom-dev-platform", externalLabels: { cluster: "dev" } }),
    });
    assert.equal(groups.length, alertGroups.length);
    assert.equal(
      groups.reduce((n, g) => n + g.rules.length, 0),
      alertGroups.reduce((n, g) => n + g.rules.length, 0),
    );
    for (const g of groups) for (const r of g.rules) assert.ok(!/\$value\b/.test(JSON.stringify(r.annotations)), `${g.file} ${r.name}: $value left in annotations`);
  });

  it("pushes every dashboard into its folder and every group into its folder", async () => {
    const { resources } = await runWithMocks(async () => {
      const { GrafanaContent } = await import("../../components/grafana");
      return new GrafanaContent("content", {
        cluster: "dev",
        connection: { url: "http://grafana.monitoring.svc:80", auth: "admin:x" },
        dataSources: { platformPrometheus: { url: "http://prometheus-operated.monitoring.svc:9090" } },
        teams: ["payments"],
        folders,
        dashboards,
        alertGroups,
        runbookBaseUrl: "https://github.com/org/monitoring/blob/main/",
      });
    });
    assertUniqueUrns(resources);
    for (const d of dashboards) {
      const r = one(resources, "grafana:oss/dashboard:Dashboard", `content-dash-${d.uid}`);
      assert.equal(r.inputs.folder, one(resources, "grafana:oss/folder:Folder", `content-folder-${d.folder}`).inputs.uid, d.file);
    }
    const groups = ofType(resources, "grafana:alerting/ruleGroup:RuleGroup");
    assert.equal(groups.length, alertGroups.length);
    for (const g of alertGroups) {
      const r = groups.find((x) => x.inputs.name === `${g.name} (dev)`);
      assert.ok(r, `${g.file}: group ${g.name} not pushed`);
      assert.equal(r.inputs.folderUid, one(resources, "grafana:oss/folder:Folder", `content-folder-${g.folder}`).inputs.uid);
      for (const rule of r.inputs.rules) assert.match(rule.annotations.runbook_url, /^https:\/\/github\.com\/org\/monitoring\/blob\/main\/docs\/runbooks\/.+\.md$/);
    }
  });
});
