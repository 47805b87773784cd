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
import { DataSourceEndpoints, type DataSourceSpec, dataSourceSpecs } from "./dataSources";
import { GrafanaConnection, SIDECAR } from "./grafana";
import { ContactPointSpec, contactPointArgs, ForwardingContactPoint, GrafanaPolicy, notificationPolicyArgs } from "./notifications";
import type { DashboardFile, PromAlertGroup, SharedFolder } from "./types";
import { dataSourceUids, folderUid, hashedUid, slug, UID_RE } from "./uid";
import { GrafanaReady } from "./ready";
import { GrafanaOrgMembers, type OrgMember } from "./orgMembers";

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
  /**
   * `orgs`: each team's data source, folder, dashboards and rule groups in a Grafana organization of its own,
   * of which only its members and the platform are members; `none`: one organization for everything.
   * @default "orgs"
   */
  teamIsolation?: "orgs" | "none";
  /** Each team's Grafana users (its organization's Viewers and Editors). @default none */
  teamMembers?: Record<string, TeamMember[]>;
  /** The platform's Grafana users: the main organization with their role, Admin of every team's organization. @default none */
  platformMembers?: PlatformMember[];
}

export interface TeamMember {
  email: string;
  role: "Viewer" | "Editor";
}
export interface PlatformMember {
  email: string;
  role: "Admin" | "Editor" | "Viewer";
}

/** The organization of a team (teamIsolation "orgs"): named after the team, one per Grafana. */
export function teamOrgName(team: string): string {
  return `team-${team}`;
}

/** Grafana's main organization: the shared content and the platform's data sources. */
export const MAIN_ORG_ID = "1";

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
    const isolated = (args.teamIsolation ?? "orgs") === "orgs";

    // ---- The owner's claim, before anything shared: a second owner fails here (folderUid.ownership) ----
    const claim = owns
      ? new grafana.oss.Folder(`${name}-ownership`, { uid: folderUid.ownership(), title: ownershipTitle(cluster), preventDestroyIfNotEmpty: true }, o)
      : undefined;
    if (claim) new grafana.oss.FolderPermission(`${name}-ownership-permissions`, { folderUid: claim.uid, permissions: [] }, o);
    const shared = { ...o, dependsOn: claim ? [claim] : [] };

    // ---- Organizations (teamIsolation "orgs"): one per team, of which only its members and the platform are
    // members; the owner of the shared content makes them, the other stacks find them by name ----
    const orgIds = new Map<string, pulumi.Output<string>>();
    const orgRes = new Map<string, grafana.oss.Organization>();
    const platformMembers = args.platformMembers ?? [];
    if (isolated) {
      for (const t of teams) {
        if (owns) {
          const members = args.teamMembers?.[t] ?? [];
          const org = new grafana.oss.Organization(
            `${name}-org-${t}`,
            {
              name: teamOrgName(t),
              // The provider's own login is Admin of the organizations it creates; the resource leaves it alone.
              adminUser: args.connection.basicAuthUser ?? "admin",
              admins: platformMembers.map((m) => m.email),
              editors: members.filter((m) => m.role === "Editor").map((m) => m.email),
              viewers: members.filter((m) => m.role === "Viewer").map((m) => m.email),
              createUsers: true,
            },
            shared,
          );
          orgRes.set(t, org);
          orgIds.set(t, org.id);
        } else {
          orgIds.set(t, grafana.oss.getOrganizationOutput({ name: teamOrgName(t) }, { parent: this, provider: this.provider }).id);
        }
      }
    }
    /** Where a team's objects go: its organization (isolated), else the main one. */
    const inOrg = (team: string | undefined): { orgId?: pulumi.Input<string> } => (isolated && team !== undefined ? { orgId: orgIds.get(team)! } : {});
    const orgDeps = (team: string | undefined): pulumi.Resource[] => (isolated && team !== undefined && orgRes.has(team) ? [orgRes.get(team)!] : []);

    // ---- Per cluster: data sources (a team's in its organization) ----
    this.dataSourceUids = {};
    const dsByUid = new Map<string, grafana.oss.DataSource>();
    const defaults = owns ? defaultDataSources(specs, isolated) : new Set<string>();
    for (const s of specs) {
      const d = new grafana.oss.DataSource(
        `${name}-ds-${s.key}`,
        {
          uid: s.uid,
          name: s.name,
          type: s.type,
          url: s.url,
          accessMode: "proxy",
          isDefault: defaults.has(s.uid),
          jsonDataEncoded: JSON.stringify(s.jsonData),
          // The provider sends them as jsonData httpHeaderName<n> / secureJsonData httpHeaderValue<n>
          // (terraform-provider-grafana v4.45.1 resource_data_source.go jsonDataWithHeaders).
          ...(s.httpHeaders ? { httpHeaders: s.httpHeaders } : {}),
          ...inOrg(s.team),
        },
        { ...o, dependsOn: orgDeps(s.team) },
      );
      this.dataSourceUids[s.key] = s.uid;
      dsByUid.set(s.uid, d);
    }
    this.folderUids = Object.fromEntries(folders.map((f) => [f.key, f.uid]));

    // ---- Shared: main-organization members, teams, folders, permissions ----
    const folderRes = new Map<string, grafana.oss.Folder>();
    if (owns) {
      // The main organization holds the platform's data sources: only the platform (and, without isolation,
      // the teams' members) get a role there; Grafana gives everyone else none (grafana.ini
      // users.auto_assign_org_role None, grafana.ts).
      const mainMembers: OrgMember[] = [
        ...platformMembers.map((m) => ({ email: m.email, role: m.role })),
        ...(isolated ? [] : teams.flatMap((t) => (args.teamMembers?.[t] ?? []).map((m) => ({ email: m.email, role: m.role })))),
      ];
      if (mainMembers.length) {
        new GrafanaOrgMembers(`${name}-main-org-members`, { url: args.connection.url, auth: args.connection.auth, orgId: MAIN_ORG_ID, members: dedupe(mainMembers) }, { parent: this, dependsOn: [ready, ...orgRes.values(), ...shared.dependsOn] });
      }
      const teamRes = new Map<string, grafana.oss.Team>();
      if (!isolated) for (const t of teams) teamRes.set(t, new grafana.oss.Team(`${name}-team-${t}`, { name: t, members: (args.teamMembers?.[t] ?? []).map((m) => m.email) }, shared));
      for (const f of folders) {
        // Other stacks' rule groups live in these folders too: destroying this stack must fail rather than
        // delete them (the provider deletes a non-empty folder's alert rules unless this is set; its own
        // dashboards and rule groups are deleted first, they depend on the folder).
        const folder = new grafana.oss.Folder(`${name}-folder-${f.key}`, { uid: f.uid, title: f.title, preventDestroyIfNotEmpty: true, ...inOrg(f.team) }, { ...shared, dependsOn: [...shared.dependsOn, ...orgDeps(f.team)] });
        folderRes.set(f.key, folder);
        // FolderPermission owns the folder's whole permission list (terraform-provider-grafana
        // common_resource_permission.go): exactly these entries, admins always keep theirs.
        new grafana.oss.FolderPermission(`${name}-folder-${f.key}-permissions`, { folderUid: folder.uid, permissions: folderPermissions(f, isolated, teamRes), ...inOrg(f.team) }, o);
      }

      // ---- Shared: dashboards (a team's in its organization, through the API: the sidecar feeds one organization) ----
      for (const d of dashboards) {
        const f = folderByKey.get(d.folder)!;
        if (delivery === "provider" || (isolated && f.team !== undefined)) {
          new grafana.oss.Dashboard(`${name}-dash-${d.uid}`, { folder: folderRes.get(f.key)!.uid, configJson: dashboardConfigJson(d), overwrite: true, ...inOrg(f.team) }, o);
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

    // ---- Per cluster: alert rule groups (in folders the owning stack creates; a team's in its organization) ----
    this.ruleGroupNames = [];
    const orgsWithRules = new Set<string | undefined>();
    for (const g of ruleGroups) {
      const key = folderKeyByUid.get(g.folderUid)!;
      const team = folderByKey.get(key)!.team;
      const folder = folderRes.get(key);
      // A rule group queries data sources by UID: Grafana refuses a rule whose data source does not exist yet.
      const queried = [...new Set(g.rules.flatMap((r) => r.datas.map((d) => d.datasourceUid)))].map((uid) => dsByUid.get(uid)).filter((d): d is grafana.oss.DataSource => !!d);
      new grafana.alerting.RuleGroup(
        `${name}-rules-${g.key}`,
        { folderUid: g.folderUid, name: g.name, intervalSeconds: g.intervalSeconds, rules: g.rules, ...inOrg(team) },
        { ...o, dependsOn: [...(folder ? [folder] : []), ...queried] },
      );
      this.ruleGroupNames.push(g.name);
      orgsWithRules.add(isolated ? team : undefined);
    }

    // ---- Shared: contact points and the notification policy, per organization that evaluates rules ----
    if (owns) {
      // Each organization has its own Alertmanager (contact points, policy): the main one always, a team's
      // when it has rule groups.
      for (const team of [undefined, ...teams.filter((t) => isolated && orgsWithRules.has(t))]) {
        const suffix = team === undefined ? "" : `-${team}`;
        const cps = (args.contactPoints ?? []).map((c) => new grafana.alerting.ContactPoint(`${name}-cp-${c.name}${suffix}`, { ...contactPointArgs(c), ...inOrg(team) }, { ...shared, dependsOn: [...shared.dependsOn, ...orgDeps(team)] }));
        if (args.notificationPolicy) {
          // The policy owns the organization's whole routing tree (one per organization).
          new grafana.alerting.NotificationPolicy(`${name}-policy${suffix}`, { ...notificationPolicyArgs(args.notificationPolicy), ...inOrg(team) }, { ...o, dependsOn: [...shared.dependsOn, ...cps] });
        }
      }
    }

    this.registerOutputs({ provider: this.provider, dataSourceUids: this.dataSourceUids, folderUids: this.folderUids, ruleGroupNames: this.ruleGroupNames });
  }
}

/** The ownership folder's title: who owns the shared content, for whoever finds it in the folder list. */
export function ownershipTitle(cluster: string): string {
  return `Shared content managed by monitoring-stack ${cluster}`;
}

/**
 * The default data source of each organization (UIDs): a hub's data source where there is one (every
 * cluster's data), else the team's own Prometheus in a team's organization, else the one marked isDefault
 * (the deployed Grafana's platform Prometheus). At most one per organization, so a dashboard's
 * `$datasource` opens on it. Only the owner of the shared content calls it: a non-owner stack marks none,
 * or each cluster pushing into one Grafana would take the default from the others in turn.
 */
export function defaultDataSources(specs: DataSourceSpec[], isolated: boolean): Set<string> {
  const byOrg = new Map<string, DataSourceSpec[]>();
  for (const s of specs.filter((x) => x.type === "prometheus")) {
    const org = isolated && s.team !== undefined ? `team:${s.team}` : "main";
    byOrg.set(org, [...(byOrg.get(org) ?? []), s]);
  }
  const out = new Set<string>();
  for (const [org, list] of byOrg) {
    const pick = list.find((s) => s.preferredDefault) ?? (org === "main" ? list.find((s) => s.isDefault) : list[0]);
    if (pick) out.add(pick.uid);
  }
  return out;
}

/** One entry per e-mail (the first role listed wins). */
function dedupe(members: OrgMember[]): OrgMember[] {
  const seen = new Set<string>();
  return members.filter((m) => !seen.has(m.email.toLowerCase()) && seen.add(m.email.toLowerCase()));
}

/**
 * A folder's permissions: a repository folder is read-only for everyone (edited through the repository);
 * a team's folder, in its own organization (isolated), is Viewer View and Editor Edit there — its members'
 * roles — and, without isolation, View for every user and Edit for the team's Grafana team.
 */
export function folderPermissions(f: FolderPlan, isolated: boolean, teamRes: Map<string, grafana.oss.Team>): grafana.types.input.oss.FolderPermissionPermission[] {
  const view = [
    { role: "Viewer", permission: "View" },
    { role: "Editor", permission: "View" },
  ];
  if (f.team === undefined) return view;
  if (isolated) {
    return [
      { role: "Viewer", permission: "View" },
      { role: "Editor", permission: "Edit" },
    ];
  }
  return [...view, { teamId: teamRes.get(f.team)!.id, permission: "Edit" }];
}
