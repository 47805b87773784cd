/**
 * A dashboard's variables resolved in order as Grafana does (the live tests): `label_values(selector,
 * label)` queries against a real Prometheus, the datasource variable as "prometheus", a chosen value where
 * the first found would not exercise the interesting data, Grafana's All without allValue as an
 * alternation of every value, else the first value. `$cluster` is the caller's: its values say whether the
 * series carry the external label (one Prometheus: none; a hub: every cluster).
 */
import * as assert from "assert";
import type { Dashboard } from "../../components/content/dashboards";
import { parseVariableQuery, substituteVariables, variableQueryText } from "../../components/content/promql";

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `{ resultType, result }` of a query, as its samples (none for a scalar or a string). */
export function samplesOf<S>(r: { resultType: string; result: unknown }): S[] {
  return r.resultType === "vector" || r.resultType === "matrix" ? (r.result as S[]) : [];
}

export interface VariableResolution {
  /** Values already set (Grafana's interval variables). */
  initial: Record<string, string>;
  /** label_values over the dashboard's time range. */
  labelValues: (label: string, match: string | undefined) => Promise<string[]>;
  /** Per variable name, the value to pick among those found. */
  chosen?: Record<string, string>;
  /** `$cluster`'s value from the values found (asserting what the caller expects of them). */
  cluster: (found: string[], variable: { allValue?: unknown }, query: string) => string;
  /** Appended to assertion messages, e.g. " (cluster prod-eu1)". */
  scope?: string;
}

export async function resolveVariables(d: Dashboard, o: VariableResolution): Promise<Record<string, string>> {
  const resolved: Record<string, string> = { ...o.initial };
  const at = (name: string) => `${d.uid} › variable $${name}${o.scope ?? ""}`;
  for (const v of d.json.templating?.list ?? []) {
    if (!v.name) continue;
    if (v.type === "datasource") {
      resolved[v.name] = "prometheus";
      continue;
    }
    const text = variableQueryText(v) ?? "";
    const { expr, label } = parseVariableQuery(text);
    assert.ok(label, `${at(v.name)}: only label_values(selector, label) is supported here, found ${JSON.stringify(text)}`);
    const found = await o.labelValues(label, expr ? substituteVariables(expr, resolved) : undefined);
    if (v.name === "cluster") {
      resolved.cluster = o.cluster(found, v, text);
      continue;
    }
    assert.ok(found.length > 0, `${at(v.name)}: ${text} returned no values`);
    const chosen = o.chosen?.[v.name];
    if (chosen !== undefined) {
      assert.ok(found.includes(chosen), `${at(v.name)}: ${JSON.stringify(chosen)} not among ${JSON.stringify(found)}`);
      resolved[v.name] = chosen;
    } else if (v.includeAll && (v.allValue === undefined || v.allValue === null)) {
      // Grafana's All without allValue: an alternation of every value.
      resolved[v.name] = found.map(escapeRegex).join("|");
    } else {
      resolved[v.name] = found[0];
    }
  }
  return resolved;
}
