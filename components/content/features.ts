/**
 * Which alert groups need which component: `alerts/features.json` (data in the repo, not code branches).
 * A group listed there is pushed only when its feature flag is on; a group not listed is always pushed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_ALERTS_DIR } from "./alerts";

export interface GroupFeatures {
  /** group name → name of a boolean feature flag (`features.<flag>`) */
  groups: Record<string, string>;
}

/** Reads and checks alerts/features.json against the known groups and flags; every problem at once. */
export function loadGroupFeatures(knownGroups: string[], knownFlags: string[], dir: string = DEFAULT_ALERTS_DIR): GroupFeatures {
  const file = path.join(dir, "features.json");
  const rel = path.relative(process.cwd(), file) || file;
  let parsed: any;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${rel}: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  if (!parsed || typeof parsed.groups !== "object" || Array.isArray(parsed.groups)) problems.push(`${rel}: "groups" must be an object of group name → feature flag`);
  for (const [group, flag] of Object.entries<unknown>(parsed?.groups ?? {})) {
    if (!knownGroups.includes(group)) problems.push(`${rel}: groups.${group}: no alert group has this name; groups: ${knownGroups.join(", ")}`);
    if (typeof flag !== "string" || !knownFlags.includes(flag)) problems.push(`${rel}: groups.${group}: ${JSON.stringify(flag)} is not a feature flag; flags: ${knownFlags.join(", ")}`);
  }
  if (problems.length) throw new Error(problems.join("\n"));
  return { groups: parsed.groups };
}

/** The groups to push given the flags. */
export function groupsForFeatures<G extends { name: string }>(groups: G[], features: Record<string, boolean>, map: GroupFeatures): G[] {
  return groups.filter((g) => {
    const flag = map.groups[g.name];
    return flag === undefined || features[flag] === true;
  });
}
