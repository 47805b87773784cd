/**
 * The shapes of the repository content Grafana receives, as the content loaders produce them
 * (components/content/dashboards.ts `loadDashboards()`/`loadFolders()`, components/content/alerts.ts
 * `loadAlertGroups()`). Declared here structurally so the Grafana components and their tests do not depend
 * on the loaders' module: any object of the same shape fits.
 */

/** One dashboard file: `dashboards/<folder>/<file>.json`. */
export interface DashboardFile {
  /** The dashboard's own `uid` (unique across the repository; the loader checks it). */
  uid: string;
  title: string;
  /** Folder key: a key of dashboards/folders.json or a team name. */
  folder: string;
  /** Repository-relative path, for error messages. */
  file: string;
  /** The parsed dashboard model. */
  json: Record<string, unknown>;
}

/** A shared (non-team) folder from dashboards/folders.json. */
export interface SharedFolder {
  /** The folders.json key (e.g. "platform"), the `folder` of dashboards and alert groups. */
  key: string;
  /** The folder title shown in Grafana. */
  title: string;
}

/** One Prometheus alerting rule (Prometheus rule-file format). */
export interface PromAlertRule {
  alert: string;
  expr: string;
  /** Prometheus duration, e.g. "5m". */
  for?: string;
  /** Prometheus duration. */
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One rule group from `alerts/<folder>/<file>.rules.yaml`. */
export interface PromAlertGroup {
  /** Folder key: a key of dashboards/folders.json or a team name. */
  folder: string;
  /** Repository-relative path, for error messages. */
  file: string;
  name: string;
  /** Prometheus duration; Grafana's default evaluation interval when unset. */
  interval?: string;
  /** Prometheus duration (rule group `query_offset`). */
  query_offset?: string;
  /** Group labels (Prometheus ≥ 3.0), merged under each rule's labels. */
  labels?: Record<string, string>;
  rules: PromAlertRule[];
}
