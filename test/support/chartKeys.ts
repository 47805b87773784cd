/**
 * Checks that every values key a component sets exists in its pinned chart. The fixtures are key lists
 * derived from the pinned values.yaml (scripts/chart-keys.ts): `keys` every path, `openMaps` the paths
 * that are `{}` by default, under which any sub-key is the user's to choose (labels, annotations…).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

export interface KeyFixture {
  keys: string[];
  openMaps?: string[];
}

export function readKeyFixture(file: string): KeyFixture {
  return JSON.parse(fs.readFileSync(file, "utf8")) as KeyFixture;
}

/** Leaf key paths of a values object (arrays and empty objects are leaves). */
export function leafPaths(v: unknown, prefix = ""): string[] {
  if (!v || typeof v !== "object" || Array.isArray(v) || Object.keys(v).length === 0) return prefix ? [prefix] : [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${k}` : k));
}

/**
 * Chart keys whose value is a Kubernetes object the chart passes through as is (`toYaml`): below a known key
 * of these names, the fields are Kubernetes' (ResourceRequirements, PodSecurityContext, SecurityContext),
 * not the chart's, so values.yaml need not list them (their content is checked against Pod Security and
 * memory limits in test/deploy/podSecurity.test.ts, on the rendered pods).
 */
export const KUBERNETES_TYPED_KEYS = ["resources", "securityContext", "podSecurityContext", "containerSecurityContext"];

/** Paths of `values` that are neither chart keys nor under an open map (the fixture's, or `extraOpen`). */
export function unknownValuesKeys(fx: KeyFixture, values: unknown, extraOpen: string[] = []): string[] {
  const keys = new Set(fx.keys);
  const open = new Set([...(fx.openMaps ?? []), ...extraOpen]);
  return leafPaths(values).filter((p) => {
    if (keys.has(p)) return false;
    const parts = p.split(".");
    for (let i = parts.length - 1; i > 0; i--) {
      const prefix = parts.slice(0, i).join(".");
      if (open.has(prefix)) return false;
      if (KUBERNETES_TYPED_KEYS.includes(parts[i - 1]) && keys.has(prefix)) return false;
    }
    return true;
  });
}

/** Fails naming every path of `values` missing from test/fixtures/charts/<fixtureDir>/values-keys.json. */
export function assertKeysExist(fixtureDir: string, values: unknown): void {
  const fx = readKeyFixture(path.join(__dirname, "..", "fixtures", "charts", fixtureDir, "values-keys.json"));
  const missing = unknownValuesKeys(fx, values);
  assert.deepEqual(missing, [], `values keys not in ${fixtureDir}/values.yaml: ${missing.join(", ")}`);
}
