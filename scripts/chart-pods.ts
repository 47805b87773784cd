/**
 * Derives the pod templates, Services and ServiceMonitors the pinned charts render for each committed stack,
 * with the values the stack passes them, from real `helm template` output: test/fixtures/chart-pods/<stack>.json.
 * The tests check every pod in it against Pod Security and memory limits (test/deploy/podSecurity.test.ts),
 * every connection the stack needs against its NetworkPolicies (test/deploy/networkPolicies.test.ts), and that
 * it is current: each chart's values hash must equal the one the stack passes now, or the test says to rerun this.
 *
 *   npx tsx scripts/chart-pods.ts --helm <helm binary> --charts <dir> [stack ...]
 *
 * <dir> holds one unpacked chart per pinned chart, named by chart name (kube-prometheus-stack, grafana,
 * tempo-distributed, spegel), e.g. `helm pull prometheus-community/kube-prometheus-stack --version 88.5.3
 * --untar` (packaged charts carry their subcharts). Each chart's Chart.yaml version must be the pinned one.
 * Hook resources are left out (helm.v4.Chart never creates them: components/charts/hooks.ts), and so are
 * charts that render no pods (the CRDs).
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { Recorded } from "../test/harness/mocks";

export const FIXTURE_DIR = path.resolve(__dirname, "../test/fixtures/chart-pods");
const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";
const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"];

export interface FixtureContainer {
  name: string;
  securityContext?: Record<string, unknown>;
  ports?: { name?: string; containerPort: number; protocol?: string; hostPort?: number }[];
  resources?: Record<string, unknown>;
}
export interface FixturePod {
  kind: string;
  name: string;
  namespace: string;
  /** The pod template's labels (what Services, NetworkPolicies and monitors select). */
  labels: Record<string, string>;
  spec: {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: Record<string, unknown>;
    containers: FixtureContainer[];
    initContainers?: FixtureContainer[];
    /** Volumes as {name, <kind>: true}: the kind is what Pod Security reads. */
    volumes?: Record<string, unknown>[];
  };
}
export interface FixtureService {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  ports: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
}
export interface FixtureServiceMonitor {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  selector: Record<string, unknown>;
  namespaceSelector?: Record<string, unknown>;
  endpoints: { port?: string; targetPort?: number | string; path?: string }[];
}
export interface ChartPods {
  resource: string;
  chart: string;
  version: string;
  valuesSha256: string;
  pods: FixturePod[];
  services: FixtureService[];
  serviceMonitors: FixtureServiceMonitor[];
}
export interface ChartPodsFixture {
  source: string;
  stack: string;
  charts: ChartPods[];
}

/** The chart's short name (an OCI reference's last path segment). */
export function chartName(r: Recorded): string {
  return String(r.inputs.chart).split("/").pop() as string;
}

/** A stable hash of the values a chart resource passes (secrets masked, keys sorted). */
export function valuesHash(r: Recorded): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return crypto.createHash("sha256").update(JSON.stringify(sort(r.masked.values ?? {}))).digest("hex");
}

function container(c: any): FixtureContainer {
  const ports = (c.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, ...(p.protocol ? { protocol: p.protocol } : {}), ...(p.hostPort ? { hostPort: p.hostPort } : {}) }));
  return { name: c.name, ...(c.securityContext ? { securityContext: c.securityContext } : {}), ...(ports.length ? { ports } : {}), ...(c.resources ? { resources: c.resources } : {}) };
}

/** The non-hook objects of a rendered manifest stream. */
function objectsOf(manifests: string): any[] {
  return YAML.parseAllDocuments(manifests)
    .map((d) => d.toJSON())
    .filter((o) => o && o.kind && !o.metadata?.annotations?.["helm.sh/hook"]);
}

/** The Services of a rendered manifest stream (selector and ports: what scrapes and data sources reach). */
export function servicesOf(manifests: string, releaseNamespace: string): FixtureService[] {
  return objectsOf(manifests)
    .filter((o) => o.kind === "Service")
    .map((o) => ({
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? releaseNamespace,
      labels: o.metadata.labels ?? {},
      selector: o.spec.selector ?? {},
      ports: (o.spec.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The ServiceMonitors of a rendered manifest stream. */
export function serviceMonitorsOf(manifests: string, releaseNamespace: string): FixtureServiceMonitor[] {
  return objectsOf(manifests)
    .filter((o) => o.kind === "ServiceMonitor")
    .map((o) => ({
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? releaseNamespace,
      labels: o.metadata.labels ?? {},
      selector: o.spec.selector ?? {},
      ...(o.spec.namespaceSelector ? { namespaceSelector: o.spec.namespaceSelector } : {}),
      endpoints: (o.spec.endpoints ?? []).map((e: any) => ({ ...(e.port ? { port: e.port } : {}), ...(e.targetPort !== undefined ? { targetPort: e.targetPort } : {}), ...(e.path ? { path: e.path } : {}) })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The pod templates of a rendered manifest stream, hooks left out. */
export function podsOf(manifests: string, releaseNamespace: string): FixturePod[] {
  const out: FixturePod[] = [];
  for (const o of objectsOf(manifests)) {
    if (!WORKLOADS.includes(o.kind)) continue;
    const spec = o.kind === "Pod" ? o.spec : o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
    const labels = (o.kind === "Pod" ? o.metadata.labels : o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.metadata?.labels : o.spec.template.metadata?.labels) ?? {};
    out.push({
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? releaseNamespace,
      labels,
      spec: {
        ...(spec.hostNetwork ? { hostNetwork: true } : {}),
        ...(spec.hostPID ? { hostPID: true } : {}),
        ...(spec.hostIPC ? { hostIPC: true } : {}),
        ...(spec.securityContext ? { securityContext: spec.securityContext } : {}),
        containers: spec.containers.map(container),
        ...(spec.initContainers?.length ? { initContainers: spec.initContainers.map(container) } : {}),
        ...(spec.volumes?.length ? { volumes: spec.volumes.map((v: any) => ({ name: v.name, ...Object.fromEntries(Object.keys(v).filter((k) => k !== "name").map((k) => [k, true])) })) } : {}),
      },
    });
  }
  return out.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const helm = arg("--helm");
  const chartsDir = arg("--charts");
  if (!helm || !chartsDir) throw new Error("usage: npx tsx scripts/chart-pods.ts --helm <helm binary> --charts <dir> [stack ...]");
  const { runStack } = await import("../test/harness/program");
  const { listStacks } = await import("../components/config/stackFiles");
  const { REPO } = await import("../test/harness/program");
  const named = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !["--helm", "--charts"].includes(all[i - 1]));
  const stacks = named.length ? named : listStacks(REPO);
  const helmVersion = execFileSync(helm, ["version", "--short"], { encoding: "utf8" }).trim();
  fs.mkdirSync(FIXTURE_DIR, { recursive: true });
  for (const stack of stacks) {
    const { resources } = await runStack(stack);
    const charts: ChartPods[] = [];
    for (const r of resources.filter((x) => x.type === CHART_TYPE)) {
      const name = chartName(r);
      const dir = path.join(chartsDir, name);
      const meta = YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
      if (String(meta.version) !== String(r.inputs.version)) throw new Error(`${dir}: chart version ${meta.version}, the stack pins ${r.inputs.version}`);
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "chart-pods-"));
      const valuesFile = path.join(tmp, "values.yaml");
      fs.writeFileSync(valuesFile, YAML.stringify(r.masked.values ?? {}));
      const release = String(r.inputs.name ?? r.name);
      const ns = String(r.inputs.namespace);
      const rendered = execFileSync(helm, ["template", release, dir, "-n", ns, "-f", valuesFile, "--kube-version", "1.33.0", "--api-versions", "monitoring.coreos.com/v1"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      fs.rmSync(tmp, { recursive: true, force: true });
      const pods = podsOf(rendered, ns);
      if (pods.length) charts.push({ resource: r.name, chart: name, version: String(r.inputs.version), valuesSha256: valuesHash(r), pods, services: servicesOf(rendered, ns), serviceMonitors: serviceMonitorsOf(rendered, ns) });
    }
    const fixture: ChartPodsFixture = { source: `scripts/chart-pods.ts with ${helmVersion}, helm template --kube-version 1.33.0`, stack, charts };
    fs.writeFileSync(path.join(FIXTURE_DIR, `${stack}.json`), JSON.stringify(fixture, null, 2) + "\n");
    console.log(`${stack}: ${charts.map((c) => `${c.chart} ${c.pods.length} pod template(s)`).join(", ")}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
