/** Checks that every key path a component sets exists in a pinned chart's values (fixture from scripts/chart-keys.ts). */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

export function flattenPaths(v: unknown, prefix = ""): string[] {
  if (!v || typeof v !== "object" || Array.isArray(v)) return prefix ? [prefix] : [];
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [prefix] : [];
  return entries.flatMap(([k, x]) => flattenPaths(x, prefix ? `${prefix}.${k}` : k));
}

export function assertKeysExist(fixtureDir: string, values: unknown): void {
  const file = path.join(__dirname, "..", "fixtures", "charts", fixtureDir, "values-keys.json");
  const fx = JSON.parse(fs.readFileSync(file, "utf8")) as { keys: string[]; openMaps: string[] };
  const keys = new Set(fx.keys);
  const missing = flattenPaths(values).filter((p) => {
    if (keys.has(p)) return false;
    // A key under an open map ({} by default: labels, annotations, resources…) is the user's to choose.
    const parts = p.split(".");
    for (let i = parts.length - 1; i > 0; i--) if (fx.openMaps.includes(parts.slice(0, i).join("."))) return false;
    return true;
  });
  assert.deepEqual(missing, [], `values keys not in ${fixtureDir}/values.yaml: ${missing.join(", ")}`);
}
