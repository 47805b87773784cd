/**
 * Helm hooks that `helm.v4.Chart` would silently drop.
 *
 * Fact (pulumi-kubernetes provider/pkg/helm/chart.go, FACTS.md "Deploy mechanics"): a `helm.v4.Chart`
 * renders the chart with hooks disabled and applies only the release manifest. Every template annotated
 * `helm.sh/hook: pre-install|post-install|pre-upgrade|post-upgrade|…` is never applied, whatever it
 * creates (the operator's TLS Secret, a bucket, a migration). Test hooks (`test`) only run on `helm test`,
 * and delete hooks (`pre-delete`, `post-delete`) only on `helm uninstall`: neither is needed by an install.
 *
 * For each chart a component installs with `helm.v4.Chart`, components/charts/hooks/<chart>-<version>.json
 * is derived from the pinned chart by scripts/helm-hooks.ts. `hookProblems` evaluates every hook's
 * enclosing conditions against the chart defaults coalesced with the values the stack passes, and returns
 * a problem for each install/upgrade hook that renders or cannot be decided offline. `npm run plan` refuses
 * such a stack, and test/deploy/hooks.test.ts holds it for every committed stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { allHold, Condition, evaluate, UNKNOWN } from "./gotemplate";

export interface HookEntry {
  /** Template path within the chart ("templates/…", or "charts/<alias>/templates/…" for a subchart). */
  template: string;
  /** The manifest's kind, when the scanner saw it. */
  kind?: string;
  /** Hook kinds as written (e.g. ["pre-install", "pre-upgrade"]); empty when templated (hookExpr). */
  hooks: string[];
  /** The hook value when it is a template expression (e.g. `.Values.testFramework.hookType | default "test"`). */
  hookExpr?: string;
  /** The define the hook comes from, when the template includes it. */
  via?: string;
  /** Enclosing conditions, outermost first (a subchart's dependency condition first). */
  conditions: Condition[];
}

export interface HookInventory {
  chart: string;
  version: string;
  /** Upstream sources the inventory was derived from (repository, commit, path). */
  source: string[];
  derivation: string;
  /** Subcharts whose templates were not scanned, with their dependency condition (must stay off). */
  subchartsNotScanned: { alias: string; condition: string | null }[];
  hooks: HookEntry[];
  /** Chart defaults of every `.Values` path the conditions read (null when unset in values.yaml). */
  defaults: Record<string, unknown>;
}

/** Hook kinds that `helm install`/`helm upgrade` would run and `helm.v4.Chart` drops. */
export const INSTALL_HOOKS = ["pre-install", "post-install", "pre-upgrade", "post-upgrade"] as const;
/** Hook kinds only `helm uninstall` runs: what `pulumi destroy` does not do must be documented. */
export const DELETE_HOOKS = ["pre-delete", "post-delete"] as const;

export const HOOKS_DIR = path.join(__dirname, "hooks");

/** Chart reference (as components pass it: a name or an oci:// URL) → inventory file name. */
export function inventoryName(chart: string, version: string): string {
  return `${chart.split("/").pop()}-${version}`;
}

export function loadInventory(chart: string, version: string, dir = HOOKS_DIR): HookInventory | undefined {
  const file = path.join(dir, `${inventoryName(chart, version)}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as HookInventory) : undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Helm's coalescing of user values over chart defaults: maps merge deeply, a user `null` deletes the key. */
export function coalesceValues(defaults: Record<string, unknown>, user: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else if (isObj(v) && isObj(out[k])) out[k] = coalesceValues(out[k] as Record<string, unknown>, v);
    else out[k] = v;
  }
  return out;
}

/** The defaults (dotted paths) as a nested values object. */
export function defaultsTree(defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Shorter paths first, so a map default is set before a nested path refines it.
  for (const [p, v] of Object.entries(defaults).sort(([a], [b]) => a.split(".").length - b.split(".").length)) {
    const parts = p.split(".");
    let cur = out;
    for (const k of parts.slice(0, -1)) {
      if (!isObj(cur[k])) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    if (!(isObj(cur[last]) && isObj(v))) cur[last] = v === null ? undefined : structuredClone(v);
  }
  return out;
}

export interface HookVerdict {
  entry: HookEntry;
  /** The hook kinds, with a templated value evaluated (UNKNOWN kinds stay as "?"). */
  kinds: string[];
  renders: boolean | typeof UNKNOWN;
}

/** Every hook of the inventory with whether it renders under `values` (the values the component passes). */
export function evaluateHooks(inv: HookInventory, values: Record<string, unknown>, release: { name: string; namespace: string }): HookVerdict[] {
  const scope = {
    values: coalesceValues(defaultsTree(inv.defaults), values),
    // helm.v4.Chart renders as an install (pulumi-kubernetes: the template action), so IsInstall holds.
    release: { Name: release.name, Namespace: release.namespace, IsInstall: true, IsUpgrade: false, Service: "Helm" },
    chart: { Name: inv.chart, Version: inv.version },
  };
  return inv.hooks.map((entry) => {
    let kinds = entry.hooks;
    if (entry.hookExpr) {
      const v = evaluate(entry.hookExpr, scope);
      kinds = typeof v === "string" ? v.split(",").map((x) => x.trim()) : ["?"];
    }
    return { entry, kinds, renders: allHold(entry.conditions, scope) };
  });
}

/** A chart installed with helm.v4.Chart, as the stack declares it. */
export interface V4ChartUse {
  /** Pulumi resource name (for messages). */
  resource: string;
  chart: string;
  version: string;
  releaseName: string;
  namespace: string;
  values: Record<string, unknown>;
}

/**
 * Problems for a chart use: an install/upgrade hook that renders (or cannot be decided), a subchart the
 * inventory did not scan that is switched on, or a chart version with no inventory.
 */
export function hookProblems(use: V4ChartUse, dir = HOOKS_DIR): string[] {
  const inv = loadInventory(use.chart, use.version, dir);
  const where = `${use.resource} (${inventoryName(use.chart, use.version)})`;
  if (!inv) {
    return [
      `${where}: no Helm hook inventory for this chart version, so nothing shows that helm.v4.Chart (which drops hooks) can install it; derive components/charts/hooks/${inventoryName(use.chart, use.version)}.json with scripts/helm-hooks.ts from that chart version, or keep the pinned version`,
    ];
  }
  const problems: string[] = [];
  const verdicts = evaluateHooks(inv, use.values, { name: use.releaseName, namespace: use.namespace });
  for (const v of verdicts) {
    const install = v.kinds.filter((k) => k === "?" || (INSTALL_HOOKS as readonly string[]).includes(k));
    if (!install.length || v.renders === false) continue;
    const what = `${v.entry.template}${v.entry.kind ? ` (${v.entry.kind})` : ""}${v.entry.via ? ` via ${v.entry.via}` : ""}`;
    problems.push(
      v.renders === true
        ? `${where}: ${what} is a ${install.join(",")} hook that renders with these values; helm.v4.Chart never applies it`
        : `${where}: ${what} is a ${install.join(",")} hook whose conditions cannot be decided offline (${v.entry.conditions.map((c) => `${c.kind} ${c.expr}`).join("; ")}); helm.v4.Chart would never apply it`,
    );
  }
  const scope = { values: coalesceValues(defaultsTree(inv.defaults), use.values) };
  for (const s of inv.subchartsNotScanned) {
    const on = s.condition === null ? true : evaluate(`.Values.${s.condition}`, scope);
    if (on !== false && on !== undefined && on !== null) problems.push(`${where}: subchart ${s.alias} is on (${s.condition ?? "no condition"}) but its templates are not in the hook inventory`);
  }
  return problems;
}

/** The delete hooks that would render: what `pulumi destroy` leaves undone (each documented by its component). */
export function deleteHooks(use: V4ChartUse, dir = HOOKS_DIR): HookVerdict[] {
  const inv = loadInventory(use.chart, use.version, dir);
  if (!inv) return [];
  return evaluateHooks(inv, use.values, { name: use.releaseName, namespace: use.namespace }).filter(
    (v) => v.renders !== false && v.kinds.some((k) => (DELETE_HOOKS as readonly string[]).includes(k)),
  );
}
