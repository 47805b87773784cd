/**
 * Loads the alerting and recording rules of this repository: `alerts/<folder>/<name>.rules.yaml`, each a
 * Prometheus rule file (`groups: [{name, interval?, rules: [...]}]`), one file per component. Unit tests for
 * promtool sit beside them as `<name>.test.yaml` and are not read here.
 *
 * One source of truth: the Grafana component converts {@link loadAlertGroups} into Grafana-managed rule
 * groups, and `npm test` writes the very same objects back out with {@link toPrometheusRuleFile} and runs
 * `promtool check rules` / `promtool test rules` on them. Recording rules come separately
 * ({@link loadRecordingGroups}): they belong in a Prometheus (PrometheusRule), not in Grafana.
 *
 * Pure and synchronous, no Pulumi imports. Every problem is reported at once, each naming file, group,
 * alert and the bad value (STYLE.md habit 6).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ContentError, DEFAULT_DASHBOARDS_DIR, FOLDERS_FILE_NAME, REPO_ROOT, displayPath, folderFiles, loadFolders } from "./dashboards";

export { ContentError } from "./dashboards";

/** Where rule files live unless a caller says otherwise. */
export const DEFAULT_ALERTS_DIR = path.join(REPO_ROOT, "alerts");
/** Rule files end with this; `<name>.test.yaml` beside them are promtool unit tests. */
export const RULES_SUFFIX = ".rules.yaml";
export const TEST_SUFFIX = ".test.yaml";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An alerting rule, as in a Prometheus rule file. */
export interface AlertRule {
  /** Alert name, UpperCamelCase (its runbook is `docs/runbooks/<kebab-case>.md`). */
  alert: string;
  /** PromQL; every returned series is a firing (or pending) alert. */
  expr: string;
  /** How long the condition must hold before firing, e.g. "15m"; absent = fire at once. */
  for?: string;
  /** Always `severity` and `team`, maybe more. */
  labels: { severity: Severity; team: string; [name: string]: string };
  /** Always `summary`, `description` and `runbook_url` (repo-relative; Grafana prefixes its base URL). */
  annotations: { summary: string; description: string; runbook_url: string; [name: string]: string };
}

/** A group of alerting rules; its folder is the directory the file is in. */
export interface AlertGroup {
  /** Folder key (directory under `alerts/`), declared in `dashboards/folders.json`. */
  folder: string;
  /** Path of the rule file, repository-relative (e.g. "alerts/platform/spegel.rules.yaml"); absolute if outside the repository. */
  file: string;
  /** Group name, unique across all rule files. */
  name: string;
  /** Evaluation interval, e.g. "1m"; absent = the evaluator's default. */
  interval?: string;
  rules: AlertRule[];
}

/** A recording rule, as in a Prometheus rule file. */
export interface RecordingRule {
  /** Name of the recorded series, `level:metric:operations`. */
  record: string;
  expr: string;
  labels: Record<string, string>;
}

/** A group of recording rules (a group never mixes alerting and recording rules here). */
export interface RecordingGroup {
  folder: string;
  /** Repository-relative path of the rule file (absolute if outside the repository). */
  file: string;
  name: string;
  interval?: string;
  rules: RecordingRule[];
}

interface RuleFiles {
  alertGroups: AlertGroup[];
  recordingGroups: RecordingGroup[];
}

/** `base` + a repository-relative path (the rules' runbook_url); absolute URLs unchanged. */
export function runbookUrl(value: string, base?: string): string {
  if (base === undefined || /^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  return `${base.replace(/\/+$/, "")}/${value.replace(/^(\.\/|\/)+/, "")}`;
}

/** `SpegelMirrorFailuresHigh` → `spegel-mirror-failures-high`; `KueueAPIErrors` → `kueue-api-errors`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/[_\s]+/g, "-")
    .toLowerCase();
}

/** The runbook an alert must point at: `docs/runbooks/<alert-name-in-kebab-case>.md` (repo-relative). */
export function runbookPath(alert: string): string {
  return `docs/runbooks/${kebabCase(alert)}.md`;
}

// A Prometheus duration (model.ParseDuration), e.g. "90s", "1h30m".
const DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const GROUP_FIELDS = ["name", "interval", "rules"];
const ALERT_FIELDS = ["alert", "expr", "for", "labels", "annotations"];
const RECORD_FIELDS = ["record", "expr", "labels"];
const REQUIRED_ANNOTATIONS = ["summary", "description", "runbook_url"] as const;

function isDuration(v: unknown): v is string {
  return typeof v === "string" && v !== "" && DURATION.test(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readRuleFiles(dir: string, foldersDir: string): RuleFiles {
  const problems: string[] = [];
  const declared = new Set(loadFolders(foldersDir).map((f) => f.key));
  const out: RuleFiles = { alertGroups: [], recordingGroups: [] };
  const groupOwner = new Map<string, string>();
  if (!fs.existsSync(dir)) throw new ContentError([`${displayPath(dir)}: alerts directory not found`]);

  const inFolders = folderFiles(dir, declared, path.join(foldersDir, FOLDERS_FILE_NAME), problems, { what: "a rule file", isStray: (name) => /\.ya?ml$/.test(name) });
  for (const { folder, name, file } of inFolders) {
    if (name.endsWith(".rules.yml")) {
      problems.push(`${displayPath(file)}: rename to ${name.replace(/\.yml$/, ".yaml")} (rule files end with ${RULES_SUFFIX})`);
      continue;
    }
    if (!name.endsWith(RULES_SUFFIX)) continue;
    readRuleFile(file, folder, problems, groupOwner, out);
  }
  if (problems.length > 0) throw new ContentError(problems);
  return out;
}

function readRuleFile(file: string, folder: string, problems: string[], groupOwner: Map<string, string>, out: RuleFiles): void {
  const shown = displayPath(file);
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const at = err.linePos?.[0];
      const where = at ? ` at line ${at.line} column ${at.col}` : "";
      // prettyErrors appends " at line L, column C:" and a code excerpt to the message; keep the reason.
      const reason = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      problems.push(`${shown}: invalid YAML${where}: ${reason}`);
    }
    return;
  }
  const top: unknown = doc.toJS();
  if (!isPlainObject(top) || !Array.isArray(top.groups)) {
    problems.push(`${shown}: must be a Prometheus rule file: {groups: [{name, rules: [...]}]}`);
    return;
  }
  for (const key of Object.keys(top)) {
    if (key !== "groups") problems.push(`${shown}: unknown top-level field ${JSON.stringify(key)}; allowed: groups`);
  }
  if (top.groups.length === 0) problems.push(`${shown}: groups is empty`);

  top.groups.forEach((g: unknown, gi: number) => {
    if (!isPlainObject(g)) {
      problems.push(`${shown}: groups[${gi}] must be a mapping {name, interval?, rules}`);
      return;
    }
    if (typeof g.name !== "string" || g.name.trim() === "") {
      problems.push(`${shown}: groups[${gi}]: name must be a non-empty string`);
      return;
    }
    const gname = g.name;
    const where = `${shown}: group ${JSON.stringify(gname)}`;
    if (groupOwner.has(gname)) {
      problems.push(`${where}: the group name is already used by ${groupOwner.get(gname)} (group names must be unique across all rule files)`);
    } else {
      groupOwner.set(gname, shown);
    }
    for (const key of Object.keys(g)) {
      if (!GROUP_FIELDS.includes(key)) problems.push(`${where}: unknown field ${JSON.stringify(key)}; allowed: ${GROUP_FIELDS.join(", ")}`);
    }
    if (g.interval !== undefined && !isDuration(g.interval)) {
      problems.push(`${where}: interval ${JSON.stringify(g.interval)} is not a duration; use e.g. "1m"`);
    }
    if (!Array.isArray(g.rules) || g.rules.length === 0) {
      problems.push(`${where}: rules must be a non-empty list`);
      return;
    }
    const alerts: AlertRule[] = [];
    const records: RecordingRule[] = [];
    g.rules.forEach((r: unknown, ri: number) => {
      if (!isPlainObject(r)) {
        problems.push(`${where}, rule ${ri}: must be a mapping`);
        return;
      }
      if (r.alert !== undefined && r.record !== undefined) {
        problems.push(`${where}, rule ${ri}: has both alert and record; a rule is one or the other`);
        return;
      }
      if (r.record !== undefined) {
        const rec = checkRecordingRule(r, `${where}, record ${JSON.stringify(r.record)}`, problems);
        if (rec) records.push(rec);
        return;
      }
      if (r.alert === undefined) {
        problems.push(`${where}, rule ${ri}: needs "alert" (or "record")`);
        return;
      }
      const alert = checkAlertRule(r, `${where}, alert ${JSON.stringify(r.alert)}`, problems);
      if (alert) alerts.push(alert);
    });
    if (alerts.length > 0 && records.length > 0) {
      problems.push(`${where}: mixes alerting and recording rules; put recording rules in their own group`);
      return;
    }
    const base = { folder, file: shown, name: gname, ...(typeof g.interval === "string" ? { interval: g.interval } : {}) };
    if (alerts.length > 0 && alerts.length === g.rules.length) out.alertGroups.push({ ...base, rules: alerts });
    if (records.length > 0 && records.length === g.rules.length) out.recordingGroups.push({ ...base, rules: records });
  });
}

function checkStringMap(value: unknown, field: string, where: string, problems: string[]): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    problems.push(`${where}: ${field} must be a mapping of strings`);
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_NAME.test(k)) {
      problems.push(`${where}: ${field} name ${JSON.stringify(k)} is not a valid label name`);
      ok = false;
    } else if (typeof v !== "string") {
      problems.push(`${where}: ${field}.${k} ${JSON.stringify(v)} must be a string (quote it)`);
      ok = false;
    } else {
      out[k] = v;
    }
  }
  return ok ? out : undefined;
}

function checkExpr(r: Record<string, unknown>, where: string, problems: string[]): boolean {
  if (typeof r.expr !== "string" || r.expr.trim() === "") {
    problems.push(`${where}: expr must be a non-empty PromQL string`);
    return false;
  }
  return true;
}

function checkAlertRule(r: Record<string, unknown>, where: string, problems: string[]): AlertRule | undefined {
  const before = problems.length;
  for (const key of Object.keys(r)) {
    if (!ALERT_FIELDS.includes(key)) problems.push(`${where}: unknown field ${JSON.stringify(key)}; allowed: ${ALERT_FIELDS.join(", ")}`);
  }
  if (typeof r.alert !== "string" || !ALERT_NAME.test(r.alert)) {
    problems.push(`${where}: alert name must be UpperCamelCase (${ALERT_NAME.source})`);
  }
  checkExpr(r, where, problems);
  if (r.for !== undefined && !isDuration(r.for)) problems.push(`${where}: for ${JSON.stringify(r.for)} is not a duration; use e.g. "15m"`);

  const labels = checkStringMap(r.labels, "labels", where, problems);
  if (labels) {
    if (labels.severity === undefined) {
      problems.push(`${where}: labels.severity is missing; use one of ${SEVERITIES.join(", ")}`);
    } else if (!(SEVERITIES as readonly string[]).includes(labels.severity)) {
      problems.push(`${where}: labels.severity ${JSON.stringify(labels.severity)} is not one of ${SEVERITIES.join(", ")}`);
    }
    if (labels.team === undefined || labels.team === "") problems.push(`${where}: labels.team is missing; use e.g. "platform"`);
  }
  const annotations = checkStringMap(r.annotations, "annotations", where, problems);
  if (annotations && typeof r.alert === "string") {
    for (const a of REQUIRED_ANNOTATIONS) {
      if (annotations[a] === undefined || annotations[a].trim() === "") {
        const hint = a === "runbook_url" ? `; use ${JSON.stringify(runbookPath(r.alert))}` : "";
        problems.push(`${where}: annotations.${a} is missing${hint}`);
      }
    }
    const want = runbookPath(r.alert);
    if (annotations.runbook_url !== undefined && annotations.runbook_url.trim() !== "" && annotations.runbook_url !== want) {
      problems.push(`${where}: annotations.runbook_url ${JSON.stringify(annotations.runbook_url)} must be ${JSON.stringify(want)}`);
    }
  }
  if (problems.length > before) return undefined;
  return {
    alert: r.alert as string,
    expr: r.expr as string,
    ...(r.for !== undefined ? { for: r.for as string } : {}),
    labels: labels as AlertRule["labels"],
    annotations: annotations as AlertRule["annotations"],
  };
}

function checkRecordingRule(r: Record<string, unknown>, where: string, problems: string[]): RecordingRule | undefined {
  const before = problems.length;
  for (const key of Object.keys(r)) {
    if (!RECORD_FIELDS.includes(key)) problems.push(`${where}: unknown field ${JSON.stringify(key)}; allowed: ${RECORD_FIELDS.join(", ")}`);
  }
  if (typeof r.record !== "string" || !METRIC_NAME.test(r.record)) {
    problems.push(`${where}: record must be a metric name (${METRIC_NAME.source})`);
  }
  checkExpr(r, where, problems);
  const labels = checkStringMap(r.labels, "labels", where, problems);
  if (problems.length > before) return undefined;
  return { record: r.record as string, expr: r.expr as string, labels: labels ?? {} };
}

/**
 * Every alerting rule group under `<dir>/<folder>/*.rules.yaml`, sorted by folder, file, then file order.
 * Throws one {@link ContentError} listing every problem of every rule file (recording rules included).
 * `foldersDir` is the directory holding `folders.json` (the dashboards directory).
 */
export function loadAlertGroups(dir: string = DEFAULT_ALERTS_DIR, foldersDir: string = DEFAULT_DASHBOARDS_DIR): AlertGroup[] {
  return readRuleFiles(dir, foldersDir).alertGroups;
}

/** Every recording rule group, for a Prometheus (not Grafana). Validates all rule files like {@link loadAlertGroups}. */
export function loadRecordingGroups(dir: string = DEFAULT_ALERTS_DIR, foldersDir: string = DEFAULT_DASHBOARDS_DIR): RecordingGroup[] {
  return readRuleFiles(dir, foldersDir).recordingGroups;
}

/** Renders groups as one Prometheus rule file (YAML), e.g. for promtool or a PrometheusRule's `spec`. */
export function toPrometheusRuleFile(groups: ReadonlyArray<AlertGroup | RecordingGroup>): string {
  const doc = {
    groups: groups.map((g) => ({
      name: g.name,
      ...(g.interval !== undefined ? { interval: g.interval } : {}),
      rules: g.rules.map((r) => ({ ...r })),
    })),
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}
