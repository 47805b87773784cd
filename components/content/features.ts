/**
 * Which repository content needs which component, as data next to the content (not code branches):
 * `alerts/features.json` maps alert group names, `dashboards/features.json` dashboard uids, each to the
 * feature flag (`features.<flag>`) or list of flags (all needed) without which its metrics do not exist.
 * Listed content is pushed only when its flags are on; content not listed is always pushed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_ALERTS_DIR } from "./alerts";
import { DEFAULT_DASHBOARDS_DIR } from "./dashboards";

export interface FeatureMap {
  /** name (group name or dashboard uid) → the flags it needs */
  needs: Record<string, string[]>;
}

/** Back-compatible name: the alert groups' map. */
export type GroupFeatures = FeatureMap;

function loadFeatureMap(file: string, section: "groups" | "dashboards", what: string, known: string[], knownFlags: string[]): FeatureMap {
  const rel = path.relative(process.cwd(), file) || file;
  let parsed: any;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${rel}: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const entries = parsed?.[section];
  if (!entries || typeof entries !== "object" || Array.isArray(entries)) problems.push(`${rel}: "${section}" must be an object of ${what} → feature flag (or list of flags)`);
  const needs: Record<string, string[]> = {};
  for (const [name, flag] of Object.entries<unknown>(entries ?? {})) {
    if (!known.includes(name)) problems.push(`${rel}: ${section}.${name}: no ${what} has this name; ${section}: ${known.join(", ")}`);
    const flags = Array.isArray(flag) ? flag : [flag];
    if (flags.length === 0 || flags.some((f) => typeof f !== "string" || !knownFlags.includes(f))) {
      problems.push(`${rel}: ${section}.${name}: ${JSON.stringify(flag)} is not a feature flag (or list of them); flags: ${knownFlags.join(", ")}`);
    } else needs[name] = flags as string[];
  }
  if (problems.length) throw new Error(problems.join("\n"));
  return { needs };
}

/** Reads and checks alerts/features.json against the known groups and flags; every problem at once. */
export function loadGroupFeatures(knownGroups: string[], knownFlags: string[], dir: string = DEFAULT_ALERTS_DIR): FeatureMap {
  return loadFeatureMap(path.join(dir, "features.json"), "groups", "alert group", knownGroups, knownFlags);
}

/** Reads and checks dashboards/features.json against the known dashboard uids and flags. */
export function loadDashboardFeatures(knownUids: string[], knownFlags: string[], dir: string = DEFAULT_DASHBOARDS_DIR): FeatureMap {
  return loadFeatureMap(path.join(dir, "features.json"), "dashboards", "dashboard uid", knownUids, knownFlags);
}

/** The items whose flags are all on. */
export function forFeatures<T>(items: T[], nameOf: (t: T) => string, features: Record<string, boolean>, map: FeatureMap): T[] {
  return items.filter((t) => (map.needs[nameOf(t)] ?? []).every((f) => features[f] === true));
}

/** The alert groups to push given the flags. */
export function groupsForFeatures<G extends { name: string }>(groups: G[], features: Record<string, boolean>, map: FeatureMap): G[] {
  return forFeatures(groups, (g) => g.name, features, map);
}

/** The dashboards to push given the flags. */
export function dashboardsForFeatures<D extends { uid: string }>(dashboards: D[], features: Record<string, boolean>, map: FeatureMap): D[] {
  return forFeatures(dashboards, (d) => d.uid, features, map);
}
