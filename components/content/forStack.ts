/**
 * The repository content one stack uses (pure, from its validated config): the dashboards and alert groups of
 * the components it runs (alerts/features.json, dashboards/features.json), the recording rules, and who
 * evaluates each alert group: Grafana (`alerting.evaluator: grafana`), or the Prometheus of its folder
 * (a team's folder → that team's Prometheus; a shared folder → the platform Prometheus).
 */
import type { StackConfig } from "../config";
import { productionNamespaces } from "../config/alerting";
import { imagePolicyGroup } from "../alerting/imagePolicy";
import { prometheusRuleGroups, type PrometheusRuleGroupSpec } from "../alerting/prometheusRules";
import { AlertGroup, loadAlertGroups, loadRecordingGroups, RecordingGroup } from "./alerts";
import { Dashboard, Folder, loadDashboards, loadFolders } from "./dashboards";
import { dashboardsForFeatures, groupsForFeatures, loadDashboardFeatures, loadGroupFeatures } from "./features";

export interface StackContent {
  folders: Folder[];
  dashboards: Dashboard[];
  recordingGroups: RecordingGroup[];
  /** Alert groups for Grafana to evaluate (evaluator grafana), else []. */
  grafanaAlertGroups: AlertGroup[];
  /** PrometheusRule groups for the platform Prometheus (evaluator prometheus). */
  platformAlertGroups: PrometheusRuleGroupSpec[];
  /** PrometheusRule groups per team (evaluator prometheus), for the team's own folder. */
  teamAlertGroups: Record<string, PrometheusRuleGroupSpec[]>;
}

export function stackContent(cfg: StackConfig): StackContent {
  const flags = Object.keys(cfg.features);
  const all = loadAlertGroups();
  const recording = loadRecordingGroups();
  const groupFeatures = loadGroupFeatures([...all, ...recording].map((g) => g.name), flags);
  const groups = groupsForFeatures(all, cfg.features, groupFeatures);
  const allDashboards = loadDashboards();
  // A hub's Grafana shows every cluster's data (their recorded series included, evaluated where they were
  // scraped and written to the hub): every dashboard, whatever runs in the hub's own cluster.
  const dashboards = cfg.hub ? allDashboards : dashboardsForFeatures(allDashboards, cfg.features, loadDashboardFeatures(allDashboards.map((d) => d.uid), flags));
  const byPrometheus = cfg.alerting.evaluator === "prometheus";
  const teams = new Set(cfg.teams.filter((t) => t.enabled).map((t) => t.name));
  const teamAlertGroups: Record<string, PrometheusRuleGroupSpec[]> = {};
  for (const t of teams) {
    const own = groups.filter((g) => g.folder === t);
    if (byPrometheus && own.length) teamAlertGroups[t] = prometheusRuleGroups(own, cfg.alerting.runbookBaseUrl);
  }
  const shared = groups.filter((g) => !cfg.teams.some((t) => t.name === g.folder));
  return {
    folders: loadFolders(),
    dashboards,
    recordingGroups: [...groupsForFeatures(recording, cfg.features, groupFeatures), ...policyGroups(cfg)],
    grafanaAlertGroups: byPrometheus ? [] : groups,
    platformAlertGroups: byPrometheus && cfg.features.platformMonitoring ? prometheusRuleGroups(shared, cfg.alerting.runbookBaseUrl) : [],
    teamAlertGroups,
  };
}

/** The image policy's series (alerting.imagePolicy), recorded next to the repository's recording rules. */
function policyGroups(cfg: StackConfig): RecordingGroup[] {
  const g = imagePolicyGroup(cfg.alerting.imagePolicy.allowedRegistries, productionNamespaces(cfg));
  return g ? [{ ...g, folder: "platform", file: "alerting.imagePolicy (stack config)" }] : [];
}
