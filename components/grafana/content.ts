/**
 * GrafanaContent: everything this stack pushes into a Grafana, through one explicit `grafana.Provider`
 * built from args (deploy mode: the in-stack Grafana with its generated admin password, waiting for the
 * release; external mode: a central Grafana's URL + service-account token). Every Grafana resource below
 * uses that provider; none falls back to GRAFANA_URL/GRAFANA_AUTH.
 *
 * - Per cluster (every stack): data sources with stable, cluster-carrying UIDs; the alert rule groups,
 *   converted from the Prometheus rule files (components/grafana/alertRules.ts) and querying this cluster's
 *   Prometheus, named "<group> (<cluster>)" so several clusters' copies coexist in one Grafana.
 * - Shared (deploy mode, or the one external stack with `ownsSharedContent`): a Grafana team + folder per
 *   team (the team alone may edit it), the folders of dashboards/folders.json (view-only, managed from the
 *   repository), the dashboards (via the API, or as sidecar ConfigMaps), contact points and the org's
 *   notification policy tree.
 * Folders are data: a dashboard or rule group lands in the folder its loader `folder` key names.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as grafana from "@pulumiverse/grafana";
import { standardLabels } from "../labels";
import { ExecErrState, GrafanaRuleGroup, GroupTarget, RuleConversionError, toGrafanaRuleGroups } from "./alertRules";
import { DataSourceEndpoints, dataSourceSpecs } from "./dataSources";
import { GrafanaConnection, SIDECAR } from "./grafana";
import { ContactPointSpec, contactPointArgs, ForwardingContactPoint, GrafanaPolicy, notificationPolicyArgs } from "./notifications";
import type { DashboardFile, PromAlertGroup, SharedFolder } from "./types";
import { dataSourceUids, folderUid, hashedUid, slug, UID_RE } from "./uid";
import { GrafanaReady } from "./ready";

/** Matches `grafana.readinessTimeoutSeconds`' default (config/grafana.ts). */
export const DEFAULT_READINESS_TIMEOUT_SECONDS = 600;

/**
 * The provider's retries once Grafana has answered (terraform-provider-grafana v4.45.1 defaults: 3 retries
 * with 2/4/8 s backoff, on transport errors and 429/5xx/401/412): a fixed 5 s wait, 12 times, rides out a
 * Grafana restart or a brief ingress hiccup during a long `up`.
 */
export const PROVIDER_RETRIES = { retries: 12, retryWait: 5 } as const;

/** A Grafana folder this stack knows: a shared folder of folders.json or a team's folder. */
export interface FolderPlan {
  /** The `folder` key of dashboards and rule groups. */
  key: string;
  uid: string;
  title: string;
  /** Set for a team's folder: only this team may edit it, its rule groups query the team's Prometheus. */
  team?: string;
}

/**
 * The folders (pure): each folders.json entry, a team's folder when its key is a team name (then it gets
 * the team's permissions and the folders.json title), plus a folder titled after each other team.
 */
export function planFolders(shared: SharedFolder[], teams: string[]): { folders: FolderPlan[]; problems: string[] } {
  const problems: string[] = [];
  const folders: FolderPlan[] = shared.map((f) =>
    teams.includes(f.key) ? { key: f.key, uid: folderUid.team(f.key), title: f.title, team: f.key } : { key: f.key, uid: folderUid.shared(f.key), title: f.title },
  );
  for (const t of teams) if (!shared.some((f) => f.key === t)) folders.push({ key: t, uid: folderUid.team(t), title: t, team: t });
  const byTitle = new Map<string, string>();
  for (const f of folders) {
    // Grafana files sidecar dashboards by folder title, and two root folders of one title confuse users.
    const other = byTitle.get(f.title.toLowerCase());
    if (other !== undefined) problems.push(`folder ${JSON.stringify(f.key)}: title ${JSON.stringify(f.title)} is already the title of folder ${JSON.stringify(other)}; titles must be unique`);
    else byTitle.set(f.title.toLowerCase(), f.key);
  }
  return { folders, problems };
}

/** Dashboard model for the API: the stable uid, and no `id`/`version` (Grafana assigns those). */
export function dashboardConfigJson(d: DashboardFile): string {
  const model: Record<string, unknown> = { ...d.json, uid: d.uid };
  delete model.id;
  delete model.version;
  return JSON.stringify(model);
}

/** ConfigMaps hold at most 1 MiB (Kubernetes); leave room for metadata. */
export const SIDECAR_MAX_BYTES = 1_000_000;

export interface GrafanaContentArgs {
  /** Cluster name (`cluster.name`): part of data source UIDs and names, rule group names and rule UIDs. */
  cluster: string;
  /** How the provider reaches Grafana: `Grafana.connection` (deploy) or {url, auth: token} (external). */
  connection: GrafanaConnection;
  /** Endpoints of this cluster's data sources. @default none */
  dataSources?: Omit<DataSourceEndpoints, "cluster">;
  /** Every configured team name (`teams[].name`): a Grafana team and a folder each. @default [] */
  teams?: string[];
  /** Folders of dashboards/folders.json (`loadFolders()`). @default [] */
  folders?: SharedFolder[];
  /** Dashboards (`loadDashboards()`). @default [] */
  dashboards?: DashboardFile[];
  /** Alerting rule groups (`loadAlertGroups()`). @default [] */
  alertGroups?: PromAlertGroup[];
  /** Push the shared content (folders, teams, dashboards, contact points, policy). @default true */
  ownsSharedContent?: boolean;
  /** `sidecar`: dashboards as labelled ConfigMaps in `sidecarNamespace` (the Kubernetes provider flows through opts). @default "provider" */
  dashboardDelivery?: "provider" | "sidecar";
  /** Namespace of the Grafana whose sidecar collects the dashboard ConfigMaps. Required for `sidecar`. */
  sidecarNamespace?: pulumi.Input<string>;
  /** Prefix of repository-relative `runbook_url` annotations. @default unchanged */
  runbookBaseUrl?: string;
  /** Contact points. @default [] */
  contactPoints?: (ContactPointSpec | ForwardingContactPoint)[];
  /** The org's notification policy tree; unmanaged when unset. @default unset */
  notificationPolicy?: GrafanaPolicy;
  /** Rule state on query errors. @default "Error" */
  alertExecErrState?: ExecErrState;
}

export class GrafanaContent extends pulumi.ComponentResource {
  /** The explicit provider every Grafana resource of this component uses. */
  public readonly provider: grafana.Provider;
  /** Data source key ("prom-platform", "prom-team-<team>", "tempo") → UID. */
  public readonly dataSourceUids: Record<string, string>;
  /** Folder key → UID (every folder, whether or not this stack creates it). */
  public readonly folderUids: Record<string, string>;
  /** Names of the rule groups this stack pushes. */
  public readonly ruleGroupNames: string[];

  constructor(name: string, args: GrafanaContentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:GrafanaContent", name, {}, opts);
    const cluster = args.cluster;
    const owns = args.ownsSharedContent ?? true;
    const delivery = args.dashboardDelivery ?? "provider";
    const teams = args.teams ?? [];
    const dashboards = args.dashboards ?? [];
    const ds = args.dataSources ?? {};

    // ---- Plan and validate everything before registering anything ----
    const problems: string[] = [];
    const { folders, problems: folderProblems } = planFolders(args.folders ?? [], teams);
    problems.push(...folderProblems);
    const folderByKey = new Map(folders.map((f) => [f.key, f]));
    const folderKeyByUid = new Map(folders.map((f) => [f.uid, f.key]));
    const known = folders.map((f) => f.key).join(", ") || "none";

    const specs = dataSourceSpecs({ cluster, ...ds });
    for (const t of Object.keys(ds.teamPrometheus ?? {})) {
      if (!teams.includes(t)) problems.push(`data source of team ${JSON.stringify(t)}: not in teams (${teams.join(", ") || "none"})`);
    }

    const dashUids = new Map<string, string>();
    for (const d of dashboards) {
      if (!folderByKey.has(d.folder)) problems.push(`${d.file}: folder ${JSON.stringify(d.folder)} is not a known folder; known: ${known}`);
      if (!UID_RE.test(d.uid)) problems.push(`${d.file}: uid ${JSON.stringify(d.uid)} is not a Grafana UID (at most 40 of a-z A-Z 0-9 - _)`);
      if (dashUids.has(d.uid)) problems.push(`${d.file}: uid ${JSON.stringify(d.uid)} is already used by ${dashUids.get(d.uid)}`);
      dashUids.set(d.uid, d.file);
      if (delivery === "sidecar" && Buffer.byteLength(JSON.stringify(d.json)) > SIDECAR_MAX_BYTES) {
        problems.push(`${d.file}: too large for a ConfigMap (over ${SIDECAR_MAX_BYTES} bytes); use dashboardDelivery "provider"`);
      }
    }
    if (owns && delivery === "sidecar" && dashboards.length && args.sidecarNamespace === undefined) {
      problems.push(`dashboardDelivery "sidecar" needs sidecarNamespace (the deployed Grafana's namespace)`);
    }

    // Rule groups: the folder decides where a group lives and which Prometheus it queries.
    const warnings: string[] = [];
    const convertible: PromAlertGroup[] = [];
    for (const g of args.alertGroups ?? []) {
      const f = folderByKey.get(g.folder);
      if (!f) problems.push(`${g.file}: group ${JSON.stringify(g.name)}: folder ${JSON.stringify(g.folder)} is not a known folder; known: ${known}`);
      else if (f.team !== undefined && !(f.team in (ds.teamPrometheus ?? {}))) warnings.push(`${g.file}: group ${JSON.stringify(g.name)} not pushed: team ${f.team} has no Prometheus in this cluster`);
      else if (f.team === undefined && !ds.platformPrometheus) warnings.push(`${g.file}: group ${JSON.stringify(g.name)} not pushed: no platform Prometheus in this cluster`);
      else convertible.push(g);
    }
    let ruleGroups: GrafanaRuleGroup[] = [];
    try {
      ruleGroups = toGrafanaRuleGroups(convertible, {
        cluster,
        runbookBaseUrl: args.runbookBaseUrl,
        execErrState: args.alertExecErrState,
        target: (g): GroupTarget => {
          const f = folderByKey.get(g.folder)!;
          const team = f.team;
          return team !== undefined
            ? { folderUid: f.uid, datasourceUid: dataSourceUids.teamPrometheus(cluster, team), externalLabels: { cluster, team } }
            : { folderUid: f.uid, datasourceUid: dataSourceUids.platformPrometheus(cluster), externalLabels: { cluster } };
        },
      });
    } catch (e) {
      if (!(e instanceof RuleConversionError)) throw e;
      problems.push(...e.problems);
    }

    // UIDs are Grafana's identity: unique per kind and valid, or the second object would overwrite the first.
    const allUids: [string, string][] = [
      ...specs.map((s) => [`data source ${s.name}`, s.uid] as [string, string]),
      ...folders.map((f) => [`folder ${f.key}`, f.uid] as [string, string]),
      ...ruleGroups.flatMap((g) => g.rules.map((r) => [`rule ${r.name} (${g.file})`, r.uid] as [string, string])),
    ];
    const owner = new Map<string, string>();
    for (const [what, uid] of allUids) {
      if (!UID_RE.test(uid)) problems.push(`${what}: UID ${JSON.stringify(uid)} is not a valid Grafana UID`);
      if (owner.has(uid)) problems.push(`${what}: UID ${JSON.stringify(uid)} is already used by ${owner.get(uid)}`);
      owner.set(uid, what);
    }
    if (problems.length) {
      throw new pulumi.ResourceError(`Unable to push content to Grafana: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, this);
    }
    for (const w of warnings) pulumi.log.warn(w, this);

    // ---- The provider, once Grafana answers where it will dial (ready.ts) ----
    const ready = new GrafanaReady(
      `${name}-ready`,
      { url: args.connection.url, timeoutSeconds: args.connection.readinessTimeoutSeconds ?? DEFAULT_READINESS_TIMEOUT_SECONDS, trigger: args.connection.trigger ?? "" },
      { parent: this, dependsOn: args.connection.dependsOn },
    );
    this.provider = new grafana.Provider(
      `${name}-provider`,
      { url: args.connection.url, auth: pulumi.secret(args.connection.auth), ...PROVIDER_RETRIES },
      { parent: this, dependsOn: [ready] },
    );
    const o = { parent: this, provider: this.provider };

    // ---- Per cluster: data sources ----
    this.dataSourceUids = {};
    const dsByUid = new Map<string, grafana.oss.DataSource>();
    for (const s of specs) {
      const d = new grafana.oss.DataSource(
        `${name}-ds-${s.key}`,
        { uid: s.uid, name: s.name, type: s.type, url: s.url, accessMode: "proxy", isDefault: s.isDefault, jsonDataEncoded: JSON.stringify(s.jsonData) },
        o,
      );
      this.dataSourceUids[s.key] = s.uid;
      dsByUid.set(s.uid, d);
    }
    this.folderUids = Object.fromEntries(folders.map((f) => [f.key, f.uid]));

    // ---- Shared: teams, folders, permissions ----
    const folderRes = new Map<string, grafana.oss.Folder>();
    if (owns) {
      const teamRes = new Map<string, grafana.oss.Team>();
      for (const t of teams) teamRes.set(t, new grafana.oss.Team(`${name}-team-${t}`, { name: t }, o));
      for (const f of folders) {
        const folder = new grafana.oss.Folder(`${name}-folder-${f.key}`, { uid: f.uid, title: f.title, preventDestroyIfNotEmpty: false }, o);
        folderRes.set(f.key, folder);
        // FolderPermission owns the folder's whole permission list: the roles' default Edit is removed, so
        // a team's folder is editable by that team (and admins) only; repository folders by admins only.
        const view = [
          { role: "Viewer", permission: "View" },
          { role: "Editor", permission: "View" },
        ];
        new grafana.oss.FolderPermission(
          `${name}-folder-${f.key}-permissions`,
          { folderUid: folder.uid, permissions: f.team !== undefined ? [...view, { teamId: teamRes.get(f.team)!.id, permission: "Edit" }] : view },
          o,
        );
      }

      // ---- Shared: dashboards ----
      for (const d of dashboards) {
        const f = folderByKey.get(d.folder)!;
        if (delivery === "provider") {
          new grafana.oss.Dashboard(`${name}-dash-${d.uid}`, { folder: folderRes.get(f.key)!.uid, configJson: dashboardConfigJson(d), overwrite: true }, o);
        } else {
          // Picked up by the chart's sidecar (values sidecar.dashboards.* set by Grafana): label selects,
          // the annotation names the folder by title. The Kubernetes provider comes through opts/parent.
          new k8s.core.v1.ConfigMap(
            `${name}-dash-${d.uid}`,
            {
              metadata: {
                name: `dashboard-${slug(d.uid)}-${hashedUid("", d.uid).slice(0, 6)}`,
                namespace: args.sidecarNamespace,
                labels: { ...standardLabels("grafana", "dashboard"), [SIDECAR.label]: SIDECAR.labelValue },
                annotations: { [SIDECAR.folderAnnotation]: f.title },
              },
              data: { [`${d.uid}.json`]: dashboardConfigJson(d) },
            },
            { parent: this, dependsOn: [folderRes.get(f.key)!] },
          );
        }
      }
    }

    // ---- Per cluster: alert rule groups (in folders the owning stack creates) ----
    this.ruleGroupNames = [];
    for (const g of ruleGroups) {
      const folder = folderRes.get(folderKeyByUid.get(g.folderUid)!);
      // A rule group queries data sources by UID: Grafana refuses a rule whose data source does not exist yet.
      const queried = [...new Set(g.rules.flatMap((r) => r.datas.map((d) => d.datasourceUid)))].map((uid) => dsByUid.get(uid)).filter((d): d is grafana.oss.DataSource => !!d);
      new grafana.alerting.RuleGroup(
        `${name}-rules-${g.key}`,
        { folderUid: g.folderUid, name: g.name, intervalSeconds: g.intervalSeconds, rules: g.rules },
        { ...o, dependsOn: [...(folder ? [folder] : []), ...queried] },
      );
      this.ruleGroupNames.push(g.name);
    }

    // ---- Shared: contact points and the notification policy ----
    if (owns) {
      const cps = (args.contactPoints ?? []).map((c) => new grafana.alerting.ContactPoint(`${name}-cp-${c.name}`, contactPointArgs(c), o));
      if (args.notificationPolicy) {
        // The policy owns the org's whole routing tree (one per org).
        new grafana.alerting.NotificationPolicy(`${name}-policy`, notificationPolicyArgs(args.notificationPolicy), { ...o, dependsOn: cps });
      }
    }

    this.registerOutputs({ provider: this.provider, dataSourceUids: this.dataSourceUids, folderUids: this.folderUids, ruleGroupNames: this.ruleGroupNames });
  }
}
