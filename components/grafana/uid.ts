/**
 * Stable Grafana UIDs. Grafana accepts at most 40 characters of [a-zA-Z0-9-_] (grafana/grafana
 * pkg/util/shortid_generator.go `MaxUIDLength = 40`, `validUIDPattern`), for data sources, folders,
 * dashboards and alert rules alike. UIDs here are readable when they fit and shortened with a hash suffix
 * when they do not, so the same inputs always give the same UID and two inputs never share one.
 */
import { createHash } from "node:crypto";

export const MAX_UID_LENGTH = 40;
export const UID_RE = /^[a-zA-Z0-9_-]{1,40}$/;

/** Lower-case, [a-z0-9-] only, no leading/trailing/double dashes. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function hash(s: string, n: number): string {
  return createHash("sha256").update(s).digest("hex").slice(0, n);
}

/**
 * A UID built from `parts` joined with "-": returned as is when valid and ≤ 40 characters, else the
 * first 31 characters + "-" + 8 hex characters of the full string's SHA-256.
 */
export function stableUid(...parts: string[]): string {
  const full = parts.map(slug).filter((p) => p !== "").join("-");
  if (full !== "" && full.length <= MAX_UID_LENGTH) return full;
  const head = full.slice(0, MAX_UID_LENGTH - 9).replace(/-+$/, "");
  return `${head}-${hash(parts.join("\u0000"), 8)}`;
}

/**
 * A UID that is always unique per `parts` (never a readable-form coincidence): a readable prefix from
 * `label` (≤ 27 characters) + "-" + 12 hex characters of SHA-256 over `parts`.
 */
export function hashedUid(label: string, ...parts: string[]): string {
  const head = slug(label).slice(0, MAX_UID_LENGTH - 13).replace(/-+$/, "");
  const h = hash(parts.join("\u0000"), 12);
  return head ? `${head}-${h}` : h;
}

/** Data source UIDs carry the cluster: several cluster stacks push into one external Grafana. */
export const dataSourceUids = {
  platformPrometheus: (cluster: string) => stableUid("prom", cluster, "platform"),
  teamPrometheus: (cluster: string, team: string) => stableUid("prom", cluster, "team", team),
  tempo: (cluster: string) => stableUid("tempo", cluster),
  alertmanager: (cluster: string) => stableUid("alertmanager", cluster),
  /** The hub's per-tenant data sources: one hub per Grafana, all clusters in each (no "prom-" prefix: a cluster named "hub" would collide). */
  hub: (tenant: string) => stableUid("hub", tenant),
};

/** Folder UIDs do not carry the cluster: folders are shared by every cluster pushing into one Grafana. */
export const folderUid = {
  shared: (key: string) => stableUid("folder", key),
  team: (team: string) => stableUid("team", team),
  /**
   * The owner's claim on the shared content: created first, every shared object after it. A second stack
   * that claims ownership fails to create it (Grafana answers 409 to a folder UID that exists) before it
   * has touched anything shared.
   */
  ownership: () => "monitoring-stack-owner",
};
