/**
 * Team isolation in Grafana OSS (teamIsolation "orgs"), over the declared resources: each team's data
 * source, folder, dashboards and rule groups live in an organization of its own; only the team's members
 * (from the stack config) and the platform are members of it; the main organization holds the shared
 * content and the platform's data sources, and only the platform has a role there. From these, for every
 * user, what they can reach is computed, and no team member reaches another team's objects.
 */
import * as assert from "node:assert/strict";
import { readStackConfig } from "../../components/config/stackFiles";
import { MAIN_ORG_ID, teamOrgName } from "../../components/grafana/content";
import { ofType, one, Recorded, runWithMocks } from "../harness/mocks";
import { REPO, runStack } from "../harness/program";
import { ALERT_GROUPS, DASHBOARDS, FOLDERS, TEAMS } from "./fixtures/content";
import type { GrafanaContentArgs } from "../../components/grafana";

const T = {
  org: "grafana:oss/organization:Organization",
  members: "pulumi-nodejs:dynamic/monitoring:GrafanaOrgMembers",
  ds: "grafana:oss/dataSource:DataSource",
  folder: "grafana:oss/folder:Folder",
  perm: "grafana:oss/folderPermission:FolderPermission",
  dash: "grafana:oss/dashboard:Dashboard",
  rules: "grafana:alerting/ruleGroup:RuleGroup",
  cp: "grafana:alerting/contactPoint:ContactPoint",
  policy: "grafana:alerting/notificationPolicy:NotificationPolicy",
  team: "grafana:oss/team:Team",
};

/** The organization an object lives in: its orgId input, or the main one. */
const orgOf = (r: Recorded) => String(r.inputs.orgId ?? MAIN_ORG_ID);

/** For every user (by e-mail), the organizations where they have a role other than None. */
function membership(rs: Recorded[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (email: string, org: string) => out.set(email.toLowerCase(), (out.get(email.toLowerCase()) ?? new Set()).add(org));
  for (const o of ofType(rs, T.org)) for (const k of ["admins", "editors", "viewers"]) for (const e of o.inputs[k] ?? []) add(e, `${o.name}-id`);
  for (const m of ofType(rs, T.members)) for (const x of m.inputs.members) if (x.role !== "None") add(x.email, String(m.inputs.orgId));
  return out;
}

function reachable(rs: Recorded[], orgs: Set<string>, type: string): string[] {
  return ofType(rs, type)
    .filter((r) => orgs.has(orgOf(r)))
    .map((r) => r.inputs.uid ?? r.inputs.name ?? r.name)
    .sort();
}

for (const stack of ["dev", "staging", "prod"]) {
  describe(`Grafana team isolation, stack ${stack}`, () => {
    let rs: Recorded[];
    let teams: { name: string; enabled: boolean; members: { email: string; role: string }[] }[];
    let platform: { email: string; role: string }[];
    before(async () => {
      ({ resources: rs } = await runStack(stack));
      const raw = readStackConfig(REPO, stack);
      teams = JSON.parse(raw.config["monitoring:teams"]).map((t: any) => ({ enabled: true, members: [], ...t }));
      platform = JSON.parse(raw.config["monitoring:grafana"]).platformMembers ?? [];
    });

    it("gives each team an organization whose members are its own (by role) and the platform's (Admin)", () => {
      for (const t of teams) {
        const org = ofType(rs, T.org).find((o) => o.inputs.name === teamOrgName(t.name));
        assert.ok(org, `no organization for team ${t.name}`);
        assert.deepEqual(org.inputs.editors.sort(), t.members.filter((m) => m.role === "Editor").map((m) => m.email).sort());
        assert.deepEqual(org.inputs.viewers.sort(), t.members.filter((m) => (m.role ?? "Viewer") === "Viewer").map((m) => m.email).sort());
        assert.deepEqual(org.inputs.admins.sort(), platform.map((m) => m.email).sort());
        assert.equal(org.inputs.createUsers, true);
      }
      // The main organization: only the platform, each with its role.
      const [main] = ofType(rs, T.members);
      assert.equal(main.inputs.orgId, MAIN_ORG_ID);
      assert.deepEqual(main.inputs.members.map((m: any) => `${m.email}:${m.role}`).sort(), platform.map((m) => `${m.email}:${m.role}`).sort());
    });

    it("lets no team member reach another team's data source, folder, dashboards or rule groups, nor the platform's", () => {
      const users = membership(rs);
      const teamDs = (team: string) => ofType(rs, T.ds).filter((d) => d.inputs.uid.endsWith(`-team-${team}`));
      for (const t of teams) {
        const orgId = `${ofType(rs, T.org).find((o) => o.inputs.name === teamOrgName(t.name))!.name}-id`;
        for (const m of t.members) {
          const orgs = users.get(m.email.toLowerCase())!;
          assert.deepEqual([...orgs], [orgId], `${m.email} belongs to ${[...orgs].join(", ")}`);
          const ds = reachable(rs, orgs, T.ds);
          if (t.enabled) assert.deepEqual(ds, teamDs(t.name).map((d) => d.inputs.uid), `${m.email} reaches data sources ${ds.join(", ")}`);
          for (const other of teams.filter((o) => o.name !== t.name)) {
            for (const d of teamDs(other.name)) assert.notEqual(orgOf(d), orgId, `${other.name}'s data source is in ${t.name}'s organization`);
          }
          const folders = reachable(rs, orgs, T.folder);
          assert.ok(folders.every((f) => f === `team-${t.name}`), `${m.email} reaches folders ${folders.join(", ")}`);
          for (const type of [T.dash, T.rules]) {
            for (const r of ofType(rs, type).filter((x) => orgs.has(orgOf(x)))) {
              const folder = r.inputs.folder ?? r.inputs.folderUid;
              assert.equal(folder, `team-${t.name}`, `${m.email} reaches ${r.name}`);
            }
          }
        }
      }
    });

    it("lets the platform reach everything: the main organization and every team's", () => {
      const users = membership(rs);
      const all = new Set(ofType(rs, T.ds).map(orgOf));
      for (const m of platform) {
        const orgs = users.get(m.email.toLowerCase())!;
        for (const o of all) assert.ok(orgs.has(o), `${m.email} cannot reach organization ${o}`);
      }
    });

    it("keeps the main organization for the platform: no team data source there, and Grafana gives new users no role in it", () => {
      for (const d of ofType(rs, T.ds).filter((x) => /-team-/.test(x.inputs.uid))) assert.notEqual(orgOf(d), MAIN_ORG_ID, d.name);
      const grafanaChart = rs.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && String(r.inputs.chart).endsWith("/grafana"))!;
      assert.deepEqual(grafanaChart.inputs.values["grafana.ini"].users, { auto_assign_org_role: "None" });
    });
  });
}

describe("GrafanaContent with teamIsolation orgs", () => {
  const base: GrafanaContentArgs = {
    cluster: "prod",
    connection: { url: "https://grafana.example.com", auth: "admin:pw", basicAuthUser: "admin" },
    dataSources: {
      platformPrometheus: { url: "http://prometheus-operated.monitoring.svc:9090" },
      teamPrometheus: { payments: { url: "http://prometheus-operated.payments.svc:9090" } },
      tempo: { url: "http://tempo-query-frontend.tempo.svc:3200" },
    },
    teams: TEAMS,
    folders: FOLDERS,
    dashboards: DASHBOARDS,
    alertGroups: ALERT_GROUPS,
    teamMembers: { payments: [{ email: "pay@example.com", role: "Editor" }] },
    platformMembers: [{ email: "ops@example.com", role: "Admin" }],
    contactPoints: [{ name: "am", type: "alertmanager", settings: { url: "http://alertmanager-operated.monitoring.svc:9093" } }],
    notificationPolicy: { contactPoint: "am", groupBy: ["alertname"], routes: [] },
  };
  const push = (over: Partial<GrafanaContentArgs> = {}) =>
    runWithMocks(async () => {
      const { GrafanaContent } = await import("../../components/grafana");
      return new GrafanaContent("content", { ...base, ...over });
    });

  it("puts the team's data source (its default), folder, dashboards and rule groups in its organization; the rest in the main one", async () => {
    const { resources: rs } = await push();
    const org = one(rs, T.org, "content-org-payments");
    const ds = one(rs, T.ds, "content-ds-prom-team-payments");
    assert.equal(ds.inputs.orgId, "content-org-payments-id");
    assert.equal(ds.inputs.isDefault, true);
    assert.ok(ds.dependsOn.includes(org.urn), "created after its organization");
    assert.equal(orgOf(one(rs, T.ds, "content-ds-prom-platform")), MAIN_ORG_ID);
    assert.equal(orgOf(one(rs, T.ds, "content-ds-tempo")), MAIN_ORG_ID, "traces are of every team: the platform's");
    assert.equal(one(rs, T.folder, "content-folder-payments").inputs.orgId, "content-org-payments-id");
    for (const d of ofType(rs, T.dash)) assert.equal(orgOf(d), d.inputs.folder === "team-payments" ? "content-org-payments-id" : MAIN_ORG_ID, d.name);
    for (const g of ofType(rs, T.rules)) assert.equal(orgOf(g), g.inputs.folderUid === "team-payments" ? "content-org-payments-id" : MAIN_ORG_ID, g.name);
    // Its members' roles, exactly: Viewers view, Editors edit (FolderPermission replaces the folder's list).
    assert.deepEqual(one(rs, T.perm, "content-folder-payments-permissions").inputs.permissions, [
      { role: "Viewer", permission: "View" },
      { role: "Editor", permission: "Edit" },
    ]);
    // No Grafana team objects: the organization is the team.
    assert.deepEqual(ofType(rs, T.team), []);
    // The organization of a team with rule groups gets its own contact point and policy (each organization
    // has its own Alertmanager); the team without rule groups none.
    assert.deepEqual(ofType(rs, T.policy).map((p) => orgOf(p)).sort(), [MAIN_ORG_ID, "content-org-payments-id"].sort());
  });

  it("a stack that does not own the shared content finds the organizations by name and creates none", async () => {
    const { resources: rs, invokes } = await push({ ownsSharedContent: false });
    assert.deepEqual(ofType(rs, T.org), []);
    assert.deepEqual(ofType(rs, T.members), []);
    assert.deepEqual(invokes.map((i) => i.inputs.name).sort(), TEAMS.map(teamOrgName).sort());
    assert.equal(one(rs, T.ds, "content-ds-prom-team-payments").inputs.orgId, `${teamOrgName("payments")}-org-id`);
  });

  it("without isolation keeps one organization: a Grafana team per team with its members, Edit on its folder", async () => {
    const { resources: rs, invokes } = await push({ teamIsolation: "none" });
    assert.deepEqual(ofType(rs, T.org), []);
    assert.deepEqual(invokes, []);
    assert.ok(ofType(rs, T.ds).every((d) => orgOf(d) === MAIN_ORG_ID));
    assert.deepEqual(one(rs, T.team, "content-team-payments").inputs.members, ["pay@example.com"]);
    const main = one(rs, T.members, "content-main-org-members");
    assert.deepEqual(main.inputs.members, [
      { email: "ops@example.com", role: "Admin" },
      { email: "pay@example.com", role: "Editor" },
    ]);
  });
});
