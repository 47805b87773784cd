/**
 * Derives a values-key fixture from a chart's values.yaml: every key path, and which paths are open maps
 * (`{}` by default: any sub-key is accepted, e.g. labels, annotations, resources).
 *
 *   npx tsx scripts/chart-keys.ts <values.yaml> [<prefix>=<subchart values.yaml> ...] > values-keys.json
 *
 * The fixture, not the upstream file, is committed: tests check that every key the components set exists
 * in the pinned chart. Regenerate it from the pinned version's values.yaml when a version is bumped.
 */
import * as fs from "node:fs";
import * as YAML from "yaml";

export interface KeyFixture {
  source: string[];
  keys: string[];
  openMaps: string[];
}

export function collectKeys(v: unknown, prefix: string, keys: Set<string>, open: Set<string>): void {
  if (!v || typeof v !== "object" || Array.isArray(v)) return;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0 && prefix) open.add(prefix);
  for (const [k, x] of entries) {
    const p = prefix ? `${prefix}.${k}` : k;
    keys.add(p);
    collectKeys(x, p, keys, open);
  }
}

if (require.main === module) {
  const [main, ...subs] = process.argv.slice(2);
  const keys = new Set<string>();
  const open = new Set<string>();
  collectKeys(YAML.parse(fs.readFileSync(main, "utf8")), "", keys, open);
  for (const s of subs) {
    const [prefix, file] = s.split("=");
    keys.add(prefix);
    collectKeys(YAML.parse(fs.readFileSync(file, "utf8")), prefix, keys, open);
  }
  const out: KeyFixture = { source: [], keys: [...keys].sort(), openMaps: [...open].sort() };
  process.stdout.write(JSON.stringify(out, null, 1) + "\n");
}
