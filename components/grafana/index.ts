/** Grafana: the deployment (deploy mode) and the content pushed into it (both modes). */

export { Grafana, GrafanaArgs, GrafanaConnection, GrafanaIngress, grafanaValues, ingressUrl, SIDECAR, ADMIN_SECRET_KEYS } from "./grafana";
export { GrafanaContent, GrafanaContentArgs, FolderPlan, planFolders, dashboardConfigJson } from "./content";
export { toGrafanaRuleGroups, ConvertOptions, GrafanaRuleGroup, GrafanaRule, RuleConversionError } from "./alertRules";
export { dataSourceSpecs, DataSourceEndpoints, PrometheusEndpoint } from "./dataSources";
export { contactPointArgs, notificationPolicyArgs, grafanaPolicy, GrafanaPolicy, ContactPointSpec, ForwardingContactPoint } from "./notifications";
export { dataSourceUids, folderUid, stableUid, hashedUid, MAX_UID_LENGTH } from "./uid";
export { grafanaArgsFromConfig, grafanaContentArgsFromConfig, InClusterEndpoints } from "./fromConfig";
export type { DashboardFile, SharedFolder, PromAlertGroup, PromAlertRule } from "./types";
