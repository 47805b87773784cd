import * as assert from "node:assert/strict";
import { routingTree } from "../../components/alerting/routing";
import { grafanaPolicy } from "../../components/grafana/notifications";
import * as pulumi from "@pulumi/pulumi";
import { assertUniqueUrns, one, ofType, runWithMocks, type Recorded } from "../harness/mocks";
import type { GrafanaContentArgs } from "../../components/grafana";
import type { ContactPointSpec } from "../../components/grafana/notifications";
import { ALERT_GROUPS, DASHBOARDS, FOLDERS, TEAMS } from "./fixtures/content";

const T = {
  provider: "pulumi:providers:grafana",
  ds: "grafana:oss/dataSource:DataSource",
  folder: "grafana:oss/folder:Folder",
  team: "grafana:oss/team:Team",
  perm: "grafana:oss/folderPermission:FolderPermission",
  dash: "grafana:oss/dashboard:Dashboard",
  rules: "grafana:alerting/ruleGroup:RuleGroup",
  cp: "grafana:alerting/contactPoint:ContactPoint",
  policy: "grafana:alerting/notificationPolicy:NotificationPolicy",
  chart: "kubernetes:helm.sh/v4:Chart",
  cm: "kubernetes:core/v1:ConfigMap",
};
const SHARED = [T.folder, T.team, T.perm, T.dash, T.cp, T.policy];

const CONTACT_POINTS: ContactPointSpec[] = [
  { name: "platform-slack", type: "slack", settings: { url: "https://hooks.slack.com/services/SECRET1" } },
  { name: "payments-hook", type: "webhook", settings: { url: "https://hooks.example.com/SECRET2", username: "u", password: "SECRET3" } },
  { name: "payments-mail", type: "email", settings: { addresses: ["payments@example.com"] } },
];

/** The single-organization layout (teamIsolation "none"); the per-team organizations have their own suite (isolation.test.ts). */
function args(over: Partial<GrafanaContentArgs> = {}): GrafanaContentArgs {
  return {
    teamIsolation: "none",
    cluster: "prod",
    connection: { url: "https://grafana.example.com", auth: "glsa_TOKEN" },
    dataSources: {
      platformPrometheus: { url: "http://prometheus-operated.monitoring.svc:9090", scrapeInterval: "30s" },
      teamPrometheus: { payments: { url: "http://prometheus-operated.payments.svc:9090" } },
      tempo: { url: "http://tempo-query-frontend.tempo.svc:3200" },
    },
    teams: TEAMS,
    folders: FOLDERS,
    dashboards: DASHBOARDS,
    alertGroups: ALERT_GROUPS,
    runbookBaseUrl: "https://github.com/org/monitoring/blob/main/",
    contactPoints: CONTACT_POINTS,
    notificationPolicy: grafanaPolicy(
      routingTree({
        contactPoints: CONTACT_POINTS,
        defaultContactPoint: "platform-slack",
        groupBy: ["grafana_folder", "alertname", "cluster"],
        routes: [{ team: "payments", contactPoint: "payments-mail", bySeverity: { critical: "payments-hook" }, continue: false }],
        teams: [{ name: "payments", namespaces: ["payments"] }],
      }),
    ),
    ...over,
  };
}

async function push(over: Partial<GrafanaContentArgs> = {}) {
  return runWithMocks(async () => {
    const { GrafanaContent } = await import("../../components/grafana");
    return new GrafanaContent("content", args(over));
  });
}

const isGrafana = (r: Recorded) => r.type.startsWith("grafana:");

describe("GrafanaContent", () => {
  let resources: Recorded[];
  before(async () => {
    ({ resources } = await push());
    assertUniqueUrns(resources);
  });

  it("pushes every Grafana resource through the one explicit provider, whose auth is secret", () => {
    const [p] = ofType(resources, T.provider);
    assert.equal(ofType(resources, T.provider).length, 1);
    assert.ok(p.secretPaths.includes("auth"), JSON.stringify(p.secretPaths));
    assert.equal(p.inputs.url, "https://grafana.example.com");
    const grafanaResources = resources.filter(isGrafana);
    assert.ok(grafanaResources.length > 10);
    for (const r of grafanaResources) assert.ok(r.provider.startsWith(`${p.urn}::`), `${r.type} ${r.name} uses ${r.provider || "the default provider"}`);
  });

  it("creates data sources with stable, cluster-carrying UIDs; Tempo links traces to the platform Prometheus", () => {
    const uids = ofType(resources, T.ds).map((d) => d.inputs.uid).sort();
    assert.deepEqual(uids, ["prom-prod-platform", "prom-prod-team-payments", "tempo-prod"]);
    const tempo = one(resources, T.ds, "content-ds-tempo");
    assert.equal(tempo.inputs.type, "tempo");
    const json = JSON.parse(tempo.inputs.jsonDataEncoded);
    assert.equal(json.tracesToMetrics.datasourceUid, "prom-prod-platform");
    assert.deepEqual(json.serviceMap, { datasourceUid: "prom-prod-platform" });
    assert.deepEqual(json.nodeGraph, { enabled: true });
    assert.equal(JSON.parse(one(resources, T.ds, "content-ds-prom-platform").inputs.jsonDataEncoded).timeInterval, "30s");
  });

  it("keeps UIDs unique, valid and the same on every run", async () => {
    const uidsOf = (rs: Recorded[]) => [
      ...rs.filter((r) => r.type === T.ds || r.type === T.folder).map((r) => r.inputs.uid),
      ...ofType(rs, T.rules).flatMap((g) => g.inputs.rules.map((x: { uid: string }) => x.uid)),
      ...ofType(rs, T.dash).map((d) => JSON.parse(d.inputs.configJson).uid),
    ];
    const first = uidsOf(resources);
    assert.equal(new Set(first).size, first.length, "unique");
    for (const u of first) assert.match(u, /^[a-zA-Z0-9_-]{1,40}$/);
    const again = await push();
    assert.deepEqual(uidsOf(again.resources), first, "stable");
  });

  it("files each dashboard in the folder its loader named, with its own uid and no id", () => {
    const folderUid = (key: string) => one(resources, T.folder, `content-folder-${key}`).inputs.uid;
    for (const d of DASHBOARDS) {
      const r = one(resources, T.dash, `content-dash-${d.uid}`);
      assert.equal(r.inputs.folder, folderUid(d.folder), d.file);
      const model = JSON.parse(r.inputs.configJson);
      assert.equal(model.uid, d.uid);
      assert.equal(model.id, undefined);
      assert.equal(model.version, undefined);
    }
  });

  it("creates a team and a folder per team; only that team may edit its folder", () => {
    assert.deepEqual(ofType(resources, T.team).map((t) => t.inputs.name), TEAMS);
    for (const team of TEAMS) {
      const perm = one(resources, T.perm, `content-folder-${team}-permissions`);
      assert.equal(perm.inputs.folderUid, one(resources, T.folder, `content-folder-${team}`).inputs.uid);
      const editors = perm.inputs.permissions.filter((p: { permission: string }) => p.permission !== "View");
      assert.deepEqual(editors, [{ teamId: `content-team-${team}-id`, permission: "Edit" }]);
    }
    const platform = one(resources, T.perm, "content-folder-platform-permissions");
    assert.ok(platform.inputs.permissions.every((p: { permission: string }) => p.permission === "View"), "repository folders are view-only");
  });

  it("puts each rule group in its folder, querying the folder's Prometheus, with cluster (and team) labels", () => {
    const groups = ofType(resources, T.rules);
    assert.deepEqual(groups.map((g) => g.inputs.name).sort(), ["kueue (prod)", "payments-api (prod)", "targets (prod)"]);
    for (const src of ALERT_GROUPS) {
      const g = groups.find((x) => x.inputs.name === `${src.name} (prod)`)!;
      assert.equal(g.inputs.folderUid, one(resources, T.folder, `content-folder-${src.folder}`).inputs.uid, src.file);
      assert.ok(g.dependsOn.includes(one(resources, T.folder, `content-folder-${src.folder}`).urn), "waits for its folder");
    }
    const payments = groups.find((g) => g.inputs.name === "payments-api (prod)")!;
    assert.equal(payments.inputs.rules[0].datas[0].datasourceUid, "prom-prod-team-payments");
    assert.deepEqual(payments.inputs.rules[0].labels, { cluster: "prod", team: "payments", severity: "critical" });
    const targets = groups.find((g) => g.inputs.name === "targets (prod)")!;
    assert.equal(targets.inputs.rules[0].datas[0].datasourceUid, "prom-prod-platform");
    assert.equal(targets.inputs.intervalSeconds, 30);
    assert.equal(targets.inputs.rules[0].annotations.runbook_url, "https://github.com/org/monitoring/blob/main/docs/runbooks/target-down.md");
  });

  it("keeps contact point URLs, tokens and passwords secret", () => {
    // The SDK marks the whole top-level input secret when a nested value is (here: the receiver list).
    const covered = (r: Recorded, path: string) => r.secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
    const hook = one(resources, T.cp, "content-cp-payments-hook");
    assert.ok(covered(hook, "webhooks[0].url") && covered(hook, "webhooks[0].basicAuthPassword"), JSON.stringify(hook.secretPaths));
    const slack = one(resources, T.cp, "content-cp-platform-slack");
    assert.ok(covered(slack, "slacks[0].url"), JSON.stringify(slack.secretPaths));
    for (const r of resources) {
      for (const s of ["SECRET1", "SECRET2", "SECRET3", "glsa_TOKEN"]) {
        if (JSON.stringify(r.inputs).includes(s)) assert.ok(r.secretPaths.length > 0, `${r.type} ${r.name} holds ${s} in plain text`);
      }
    }
  });

  it("routes each team's alerts to its contact point by `team` and `severity`, the rest to the platform default", () => {
    const p = one(resources, T.policy, "content-policy");
    assert.equal(p.inputs.contactPoint, "platform-slack");
    assert.deepEqual(p.inputs.groupBies, ["grafana_folder", "alertname", "cluster"]);
    const child = { matchers: [{ label: "severity", match: "=", value: "critical" }], contactPoint: "payments-hook", continue: false };
    assert.deepEqual(p.inputs.policies, [
      { matchers: [{ label: "team", match: "=", value: "payments" }], contactPoint: "payments-mail", continue: false, policies: [child] },
      // The team's namespaces, for alerts without a team label (the Alertmanager's tree has the same route).
      {
        matchers: [
          { label: "team", match: "=", value: "" },
          { label: "namespace", match: "=~", value: "payments" },
        ],
        contactPoint: "payments-mail",
        continue: false,
        policies: [child],
      },
    ]);
    assert.equal(p.dependsOn.length, CONTACT_POINTS.length + 1, "waits for the ownership claim and the contact points it names");
  });

  it("claims the shared content before touching it: a second owner fails at its claim (a folder UID Grafana refuses twice, 409)", () => {
    const claim = ofType(resources, T.folder).find((f) => f.inputs.uid === "monitoring-stack-owner")!;
    assert.ok(claim, "no ownership folder");
    assert.equal(claim.inputs.title, "Shared content managed by monitoring-stack prod");
    assert.equal(claim.inputs.preventDestroyIfNotEmpty, true);
    const perm = ofType(resources, T.perm).find((p) => p.name === "content-ownership-permissions")!;
    assert.deepEqual(perm.inputs.permissions, [], "only admins see it");
    const direct = [...ofType(resources, T.folder).filter((f) => f !== claim), ...ofType(resources, T.team), ...ofType(resources, T.cp), ...ofType(resources, T.policy)];
    assert.ok(direct.length >= 8);
    for (const r of direct) assert.ok(r.dependsOn.includes(claim.urn), `${r.name} does not wait for the claim`);
  });

  it("folders refuse to be destroyed while another stack's rule groups are in them", () => {
    const folders = ofType(resources, T.folder);
    assert.ok(folders.length > 3);
    for (const f of folders) assert.equal(f.inputs.preventDestroyIfNotEmpty, true, f.name);
  });

  it("marks one default data source per organization, the hub's where there is one; a non-owner marks none", async () => {
    const { defaultDataSources } = await import("../../components/grafana/content");
    const { dataSourceSpecs } = await import("../../components/grafana/dataSources");
    const specs = dataSourceSpecs({
      cluster: "hub",
      platformPrometheus: { url: "http://p:9090" },
      teamPrometheus: { payments: { url: "http://t:9090" } },
      platformIsDefault: true,
      hub: { url: "http://q:9090", tenantHeader: "THANOS-TENANT", platformTenant: "platform", teamTenants: ["payments"] },
    });
    assert.deepEqual([...defaultDataSources(specs, true)].sort(), ["hub-payments", "hub-platform"]);
    assert.deepEqual([...defaultDataSources(specs, false)], ["hub-platform"], "one organization: one default");
    const noHub = dataSourceSpecs({ cluster: "c", platformPrometheus: { url: "http://p:9090" }, teamPrometheus: { payments: { url: "http://t:9090" } }, platformIsDefault: true });
    assert.deepEqual([...defaultDataSources(noHub, true)].sort(), ["prom-c-platform", "prom-c-team-payments"]);
    const { resources: r } = await push({ ownsSharedContent: false, dataSources: { ...args().dataSources, platformIsDefault: true } });
    assert.deepEqual(ofType(r, T.ds).filter((d) => d.inputs.isDefault).map((d) => d.name), [], "a non-owner takes no organization's default");
  });

  it("external stack without ownsSharedContent: its data sources and rule groups only", async () => {
    const { resources: r } = await push({ ownsSharedContent: false });
    for (const t of SHARED) assert.equal(ofType(r, t).length, 0, `${t} created by a non-owner`);
    assert.equal(ofType(r, T.ds).length, 3);
    assert.equal(ofType(r, T.rules).length, 3, "each cluster evaluates the rules against its own Prometheus");
    const g = ofType(r, T.rules).find((x) => x.inputs.name === "targets (prod)")!;
    assert.equal(g.inputs.folderUid, "folder-platform", "the owner's folder, by its stable UID");
  });

  it("skips a team's rule groups (with a warning) when that team has no Prometheus in the cluster", async () => {
    const { resources: r } = await push({ dataSources: { platformPrometheus: { url: "http://p:9090" } } });
    assert.deepEqual(ofType(r, T.rules).map((g) => g.inputs.name).sort(), ["kueue (prod)", "targets (prod)"]);
  });

  it("in deploy mode waits for the release, then for Grafana to answer at the provider's URL, and logs in with the generated admin password", async () => {
    const { resources: r } = await runWithMocks(async () => {
      const { Grafana, GrafanaContent } = await import("../../components/grafana");
      const g = new Grafana("grafana", { namespace: "monitoring", providerUrl: "http://127.0.0.1:30300", readinessTimeoutSeconds: 300 });
      new GrafanaContent("content", args({ connection: g.connection, contactPoints: [], notificationPolicy: undefined }));
    });
    const ready = r.find((x) => x.name === "content-ready")!;
    assert.equal(ready.type, "pulumi-nodejs:dynamic/monitoring:GrafanaReady");
    assert.ok(ready.dependsOn.includes(one(r, T.chart, "grafana").urn), "the readiness wait comes after the release");
    assert.equal(ready.inputs.url, "http://127.0.0.1:30300");
    assert.equal(ready.inputs.timeoutSeconds, 300);
    assert.equal(ready.inputs.trigger, "oci://ghcr.io/grafana-community/helm-charts/grafana@12.11.1");
    const p = one(r, T.provider, "content-provider");
    assert.ok(p.dependsOn.includes(ready.urn), "the provider waits for Grafana to answer");
    assert.equal(p.inputs.auth, "admin:mock-password-grafana-admin-password");
    assert.ok(p.secretPaths.includes("auth"));
    assert.equal(p.inputs.url, "http://127.0.0.1:30300");
    assert.ok(Number(p.inputs.retries) >= 10, `retries ${p.inputs.retries}`);
  });

  it("declares every rule group after the data sources it queries", async () => {
    const { resources: r } = await push();
    const ds = new Map(ofType(r, T.ds).map((d) => [d.inputs.uid, d.urn]));
    const groups = ofType(r, T.rules);
    assert.ok(groups.length > 0);
    for (const g of groups) {
      const uids = new Set<string>(g.inputs.rules.flatMap((rule: any) => rule.datas.map((d: any) => d.datasourceUid)).filter((u: string) => u !== "__expr__"));
      assert.ok(uids.size > 0);
      for (const u of uids) assert.ok(g.dependsOn.includes(ds.get(u)!), `${g.name} does not wait for data source ${u}`);
    }
  });

  it("delivers dashboards as sidecar ConfigMaps labelled and annotated for the chart's sidecar", async () => {
    const { resources: r } = await push({ dashboardDelivery: "sidecar", sidecarNamespace: "monitoring" });
    assert.equal(ofType(r, T.dash).length, 0);
    const cms = ofType(r, T.cm);
    assert.equal(cms.length, DASHBOARDS.length);
    for (const d of DASHBOARDS) {
      const cm = one(r, T.cm, `content-dash-${d.uid}`);
      assert.equal(cm.inputs.metadata.namespace, "monitoring");
      assert.equal(cm.inputs.metadata.labels.grafana_dashboard, "1");
      const folder = one(r, T.folder, `content-folder-${d.folder}`);
      assert.equal(cm.inputs.metadata.annotations.grafana_folder, folder.inputs.title);
      assert.equal(JSON.parse(cm.inputs.data[`${d.uid}.json`]).uid, d.uid);
      assert.ok(cm.dependsOn.includes(folder.urn));
      assert.equal(cm.provider, "", "the Kubernetes provider comes from the parent, not the Grafana provider");
    }
  });

  it("fails before registering anything, naming the file, on an unknown folder or a duplicate uid", async () => {
    const bad = [
      { ...DASHBOARDS[0], folder: "nope", file: "dashboards/nope/x.json" },
      { ...DASHBOARDS[1], uid: DASHBOARDS[0].uid },
    ];
    await assert.rejects(
      push({ dashboards: bad }),
      (e: Error) => {
        assert.match(e.message, /dashboards\/nope\/x\.json: folder "nope" is not a known folder; known: batch, platform, payments, search/);
        assert.match(e.message, /dashboards\/batch\/queues\.json: uid "k8s-cluster" is already used by dashboards\/nope\/x\.json/);
        return true;
      },
    );
  });

  it("treats a folders.json key that is a team name as that team's folder", async () => {
    const { resources: r } = await push({ folders: [...FOLDERS, { key: "payments", title: "Payments" }] });
    const f = one(r, T.folder, "content-folder-payments");
    assert.equal(f.inputs.title, "Payments");
    const perm = one(r, T.perm, "content-folder-payments-permissions");
    assert.ok(perm.inputs.permissions.some((p: { teamId?: string }) => p.teamId === "content-team-payments-id"));
  });
});

// Keep the import used when only types are referenced.
void pulumi;
