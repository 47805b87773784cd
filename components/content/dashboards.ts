/**
 * Loads the Grafana dashboards of this repository: `dashboards/<folder>/<name>.json`, with folder titles in
 * `dashboards/folders.json` (folders are data: adding a folder is adding a directory and one line).
 *
 * Pure and synchronous, no Pulumi imports: the Grafana component turns the result into
 * `grafana.oss.Folder`/`grafana.oss.Dashboard` resources, and the tests lint and run the same objects.
 * Every problem is reported at once, each line naming the file (STYLE.md habits 6 and 13).
 */
import * as fs from "fs";
import * as path from "path";

/** The repository root (this file is `components/content/dashboards.ts`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** Where dashboards live unless a caller says otherwise. */
export const DEFAULT_DASHBOARDS_DIR = path.join(REPO_ROOT, "dashboards");
/** The folder titles file, inside the dashboards directory. */
export const FOLDERS_FILE_NAME = "folders.json";

/** A Grafana folder declared in `dashboards/folders.json`. */
export interface Folder {
  /** Directory name under `dashboards/` and `alerts/`, e.g. "platform". Stable: use it to derive folder uids. */
  key: string;
  /** Title shown in Grafana, e.g. "Batch (Kueue)". */
  title: string;
}

/** Grafana's data source reference. Dashboards here always use `{type: "prometheus", uid: "${datasource}"}`. */
export interface DataSourceRef {
  type?: string;
  uid?: string;
}

/** One query of a panel (the Prometheus data source's target model). */
export interface PanelTarget {
  refId?: string;
  datasource?: DataSourceRef;
  expr?: string;
  legendFormat?: string;
  format?: "time_series" | "table" | "heatmap";
  instant?: boolean;
  range?: boolean;
  hide?: boolean;
  [key: string]: unknown;
}

/** A panel of the dashboard model; rows (`type: "row"`) may nest panels when collapsed. */
export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  datasource?: DataSourceRef;
  targets?: PanelTarget[];
  fieldConfig?: { defaults?: { unit?: string; [key: string]: unknown }; overrides?: unknown[] };
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
  [key: string]: unknown;
}

/** A dashboard variable (`templating.list[]`). */
export interface TemplateVariable {
  name?: string;
  type?: string;
  /** For query variables a string, or `{query, qryType, refId}` as saved by Grafana ≥ 10. */
  query?: string | { query?: string; [key: string]: unknown };
  definition?: string;
  datasource?: DataSourceRef | string | null;
  includeAll?: boolean;
  allValue?: string | null;
  multi?: boolean;
  [key: string]: unknown;
}

/** An annotation query (`annotations.list[]`). Prometheus ones keep their PromQL in `target.expr`. */
export interface AnnotationQuery {
  name?: string;
  builtIn?: number;
  datasource?: DataSourceRef;
  enable?: boolean;
  expr?: string;
  target?: { expr?: string; interval?: string; refId?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The parts of the Grafana dashboard JSON model this repository relies on; everything else passes through. */
export interface DashboardModel {
  uid: string;
  title: string;
  id?: number | null;
  tags?: string[];
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list?: TemplateVariable[] };
  annotations?: { list?: AnnotationQuery[] };
  [key: string]: unknown;
}

/** A dashboard file, parsed and checked. */
export interface Dashboard {
  /** Grafana uid (unique across all folders, stable: links and alerts point at it). */
  uid: string;
  title: string;
  /** Folder key (the directory name), declared in `dashboards/folders.json`. */
  folder: string;
  /** Path of the JSON file, repository-relative (e.g. "dashboards/platform/spegel.json"); absolute if outside the repository. */
  file: string;
  /** The parsed dashboard model, exactly as in the file. */
  json: DashboardModel;
}

/** Thrown with every problem found; `problems` has one line per problem, each naming its file. */
export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ContentError";
  }
}

/** `file` relative to the repository root when inside it (stable in messages), else as given. */
export function displayPath(file: string): string {
  const rel = path.relative(REPO_ROOT, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

const FOLDER_KEY = /^[a-z0-9][a-z0-9-]*$/;
// Grafana's uid limit: at most 40 characters of letters, digits, '-' and '_'.
const UID = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Reads `file` as strict JSON. Returns the value, or pushes the problems (syntax error or every duplicate
 * key) onto `problems` and returns undefined.
 */
export function readStrictJsonFile(file: string, problems: string[]): unknown {
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    problems.push(`${shown}: cannot be read: ${(e as Error).message}`);
    return undefined;
  }
  try {
    const { value, duplicates } = parseStrictJson(text);
    if (duplicates.length === 0) return value;
    for (const d of duplicates) {
      problems.push(`${shown}: duplicate key ${JSON.stringify(d.key)} at line ${d.line} column ${d.column} (in ${d.path})`);
    }
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      problems.push(`${shown}: invalid JSON at line ${e.line} column ${e.column}: ${e.reason}`);
      return undefined;
    }
    throw e;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readFolders(dir: string, problems: string[]): Folder[] {
  const file = path.join(dir, FOLDERS_FILE_NAME);
  const shown = displayPath(file);
  if (!fs.existsSync(file)) {
    problems.push(`${shown}: not found; declare each folder as {"<key>": {"title": "<Title>"}}`);
    return [];
  }
  const value = readStrictJsonFile(file, problems);
  if (value === undefined) return [];
  if (!isPlainObject(value)) {
    problems.push(`${shown}: must be an object of {"<key>": {"title": "<Title>"}}`);
    return [];
  }
  const folders: Folder[] = [];
  for (const [key, entry] of Object.entries(value)) {
    if (!FOLDER_KEY.test(key)) {
      problems.push(`${shown}: folder key ${JSON.stringify(key)} must match ${FOLDER_KEY.source}`);
      continue;
    }
    if (!isPlainObject(entry)) {
      problems.push(`${shown}: folder ${JSON.stringify(key)} must be an object such as {"title": "Platform"}`);
      continue;
    }
    for (const field of Object.keys(entry)) {
      if (field !== "title") problems.push(`${shown}: folder ${JSON.stringify(key)}: unknown field ${JSON.stringify(field)}; allowed: title`);
    }
    if (typeof entry.title !== "string" || entry.title.trim() === "") {
      problems.push(`${shown}: folder ${JSON.stringify(key)}: title must be a non-empty string`);
      continue;
    }
    folders.push({ key, title: entry.title });
  }
  return folders.sort((a, b) => a.key.localeCompare(b.key));
}

/** The folders declared in `<dir>/folders.json`, sorted by key. Throws {@link ContentError}. */
export function loadFolders(dir: string = DEFAULT_DASHBOARDS_DIR): Folder[] {
  const problems: string[] = [];
  const folders = readFolders(dir, problems);
  if (problems.length > 0) throw new ContentError(problems);
  return folders;
}

/** A file found in a folder directory of `<dir>/<folder>/`. */
export interface FolderFile {
  folder: string;
  name: string;
  file: string;
}

/**
 * The files of every declared folder directory under `dir` (dashboards/ and alerts/ share this layout),
 * sorted by folder then name. Records a problem for a content file lying outside a folder (`isStray`) and
 * for a folder directory not declared in `foldersFile`.
 */
export function folderFiles(dir: string, declared: Set<string>, foldersFile: string, problems: string[], f: { what: string; isStray: (name: string) => boolean }): FolderFile[] {
  const out: FolderFile[] = [];
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isFile()) {
      if (f.isStray(entry.name)) problems.push(`${displayPath(full)}: ${f.what} must live in a folder directory: move it to ${displayPath(dir)}/<folder>/${entry.name}`);
      continue;
    }
    if (!entry.isDirectory()) continue;
    const folder = entry.name;
    if (!declared.has(folder)) {
      const known = [...declared].sort().join(", ") || "none";
      problems.push(`${displayPath(full)}: folder ${JSON.stringify(folder)} is not declared in ${displayPath(foldersFile)} (declared: ${known})`);
      continue;
    }
    const names = fs
      .readdirSync(full, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    for (const name of names) out.push({ folder, name, file: path.join(full, name) });
  }
  return out;
}

/**
 * Every dashboard under `<dir>/<folder>/*.json`, sorted by folder then file name. Fails (one
 * {@link ContentError} listing every problem) on invalid JSON, a duplicate key, a missing or invalid uid or
 * title, a uid used twice, a folder directory not declared in `folders.json`, or a JSON file outside a folder.
 */
export function loadDashboards(dir: string = DEFAULT_DASHBOARDS_DIR): Dashboard[] {
  const problems: string[] = [];
  const folders = readFolders(dir, problems);
  const declared = new Set(folders.map((f) => f.key));
  const dashboards: Dashboard[] = [];
  const uidOwner = new Map<string, string>();
  if (!fs.existsSync(dir)) problems.push(`${displayPath(dir)}: dashboards directory not found`);

  const inFolders = folderFiles(dir, declared, path.join(dir, FOLDERS_FILE_NAME), problems, {
    what: "a dashboard",
    // folders.json and features.json (which dashboards need which component, content/features.ts) are not dashboards.
    isStray: (name) => name.endsWith(".json") && name !== FOLDERS_FILE_NAME && name !== "features.json",
  });
  for (const { folder, name, file } of inFolders.filter((f) => f.name.endsWith(".json"))) {
    const shown = displayPath(file);
    const value = readStrictJsonFile(file, problems);
    if (value === undefined) continue;
    if (!isPlainObject(value)) {
      problems.push(`${shown}: a dashboard must be a JSON object`);
      continue;
    }
    const { uid, title } = value;
    let ok = true;
    if (uid === undefined || uid === null || uid === "") {
      problems.push(`${shown}: missing "uid"; every dashboard needs a unique, stable uid such as "ms-${name.replace(/\.json$/, "")}"`);
      ok = false;
    } else if (typeof uid !== "string" || !UID.test(uid)) {
      problems.push(`${shown}: uid ${JSON.stringify(uid)} must match ${UID.source} (Grafana's limit)`);
      ok = false;
    } else if (uidOwner.has(uid)) {
      problems.push(`${shown}: uid ${JSON.stringify(uid)} is already used by ${uidOwner.get(uid)}`);
      ok = false;
    } else {
      uidOwner.set(uid, shown);
    }
    if (typeof title !== "string" || title.trim() === "") {
      problems.push(`${shown}: missing "title" (a non-empty string)`);
      ok = false;
    }
    if (!ok) continue;
    dashboards.push({ uid: uid as string, title: title as string, folder, file: shown, json: value as DashboardModel });
  }
  if (problems.length > 0) throw new ContentError(problems);
  return dashboards;
}

// ---------------------------------------------------------------------------------------------------------
// Strict JSON
// ---------------------------------------------------------------------------------------------------------
/**
 * A strict JSON parser for hand-edited content files.
 *
 * `JSON.parse` silently keeps the last of two equal keys (`{"uid": "a", "uid": "b"}` is `{uid: "b"}`), so a
 * dashboard edited by hand or merged by git can lose a panel or a uid without any error. This parser accepts
 * exactly RFC 8259 JSON, returns the same value as `JSON.parse`, and reports every duplicate key with its
 * line, column and JSON path. Pure and synchronous.
 */

/** A key that appears twice in the same object. */
export interface DuplicateKey {
  key: string;
  /** JSONPath of the object holding the key, e.g. `$.panels[3]`. */
  path: string;
  line: number;
  column: number;
}

export interface StrictJsonResult {
  value: unknown;
  duplicates: DuplicateKey[];
}

/** Thrown for text that is not JSON; the message names line and column. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line} column ${column}: ${reason}`);
    this.name = "JsonSyntaxError";
  }
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Parses `text`; throws {@link JsonSyntaxError} on invalid JSON. Duplicate keys are returned, not thrown. */
export function parseStrictJson(text: string): StrictJsonResult {
  let pos = 0;
  const duplicates: DuplicateKey[] = [];

  const lineCol = (at: number): [number, number] => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
    return [line, at - lineStart + 1];
  };
  const fail = (reason: string, at = pos): never => {
    const [line, column] = lineCol(at);
    throw new JsonSyntaxError(reason, line, column);
  };
  const describe = (at: number): string => (at >= text.length ? "end of input" : JSON.stringify(text[at]));
  const skipWs = (): void => {
    while (pos < text.length && (text[pos] === " " || text[pos] === "\t" || text[pos] === "\n" || text[pos] === "\r")) pos++;
  };
  const expect = (ch: string): void => {
    if (text[pos] !== ch) fail(`expected ${JSON.stringify(ch)} but found ${describe(pos)}`);
    pos++;
  };

  const parseString = (): string => {
    expect('"');
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const ch = text[pos];
      if (ch === '"') {
        pos++;
        return out;
      }
      if (ch === "\\") {
        const esc = text[pos + 1];
        if (esc === "u") {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (esc !== undefined && ESCAPES[esc] !== undefined) {
          out += ESCAPES[esc];
          pos += 2;
        } else {
          fail(`invalid escape ${describe(pos + 1)}`, pos + 1);
        }
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail("control character in string");
      out += ch;
      pos++;
    }
  };

  const parseNumber = (): number => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos));
    if (!m) return fail(`unexpected ${describe(pos)}`);
    pos += m[0].length;
    return Number(m[0]);
  };

  const parseValue = (path: string): unknown => {
    skipWs();
    const ch = text[pos];
    if (ch === "{") return parseObject(path);
    if (ch === "[") return parseArray(path);
    if (ch === '"') return parseString();
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return parseNumber();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    return fail(`unexpected ${describe(pos)}`);
  };

  const parseObject = (path: string): Record<string, unknown> => {
    expect("{");
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    skipWs();
    if (text[pos] === "}") {
      pos++;
      return out;
    }
    for (;;) {
      skipWs();
      const keyAt = pos;
      if (text[pos] !== '"') fail(`expected a string key but found ${describe(pos)}`);
      const key = parseString();
      if (seen.has(key)) {
        const [line, column] = lineCol(keyAt);
        duplicates.push({ key, path, line, column });
      }
      seen.add(key);
      skipWs();
      expect(":");
      const value = parseValue(`${path}.${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}`);
      // defineProperty, not assignment: a "__proto__" key must stay plain data, as with JSON.parse.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      skipWs();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "}") {
        pos++;
        break;
      }
      fail(`expected "," or "}" but found ${describe(pos)}`);
    }
    return out;
  };

  const parseArray = (path: string): unknown[] => {
    expect("[");
    const out: unknown[] = [];
    skipWs();
    if (text[pos] === "]") {
      pos++;
      return out;
    }
    for (;;) {
      out.push(parseValue(`${path}[${out.length}]`));
      skipWs();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return out;
      }
      fail(`expected "," or "]" but found ${describe(pos)}`);
    }
  };

  // A UTF-8 byte order mark is not JSON; editors add it silently, so name it.
  if (text.charCodeAt(0) === 0xfeff) fail("byte order mark (save the file as UTF-8 without BOM)", 0);
  const value = parseValue("$");
  skipWs();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the end of the JSON value`);
  return { value, duplicates };
}
