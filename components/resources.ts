/** Container resources from the config DSL's shape to a Kubernetes ResourceRequirements block. */
import type { Resources } from "./config/schema";

/** Drops empty cpu/memory entries and empty requests/limits, so charts and pods get a clean block. */
export function resourceBlock(r: Resources): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const kind of ["requests", "limits"] as const) {
    const entries = Object.entries(r[kind] ?? {}).filter(([, v]) => v !== undefined && v !== "");
    if (entries.length) out[kind] = Object.fromEntries(entries) as Record<string, string>;
  }
  return out;
}
