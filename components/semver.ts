/**
 * Semantic versions (semver.org 2.0.0), as Helm resolves chart versions (Masterminds/semver: an exact
 * version is MAJOR.MINOR.PATCH with optional -prerelease and +build; a leading "v" is accepted by Helm but
 * chart versions here are written without it).
 */
export const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(v: string): boolean {
  return SEMVER_RE.test(v);
}

/** -1, 0 or 1 (semver precedence; build metadata ignored). Throws on a malformed version. */
export function compareSemver(a: string, b: string): number {
  const pa = SEMVER_RE.exec(a);
  const pb = SEMVER_RE.exec(b);
  if (!pa || !pb) throw new Error(`not a semantic version: ${JSON.stringify(pa ? b : a)}`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d) return Math.sign(d);
  }
  const [xa, xb] = [pa[4], pb[4]];
  if (xa === undefined || xb === undefined) return xa === xb ? 0 : xa === undefined ? 1 : -1;
  const ia = xa.split(".");
  const ib = xb.split(".");
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    if (ia[i] === undefined) return -1;
    if (ib[i] === undefined) return 1;
    const na = /^\d+$/.test(ia[i]);
    const nb = /^\d+$/.test(ib[i]);
    if (na && nb && Number(ia[i]) !== Number(ib[i])) return Math.sign(Number(ia[i]) - Number(ib[i]));
    if (na !== nb) return na ? -1 : 1;
    if (ia[i] !== ib[i]) return ia[i] < ib[i] ? -1 : 1;
  }
  return 0;
}

/** Whether `v` lies in [from, to]. */
export function inRange(v: string, from: string, to: string): boolean {
  return compareSemver(v, from) >= 0 && compareSemver(v, to) <= 0;
}
