/**
 * Deploy mechanics, checked over what a stack declares (the resources `npm run plan` and the tests record),
 * for what mocks cannot see: what the engines then do with it (FACTS.md "Deploy mechanics"). `plan`
 * refuses a stack with any of these problems, because the real `pulumi up` would not converge:
 *
 * - a Helm hook a `helm.v4.Chart` would need but never applies (components/charts/hooks.ts);
 * - a Helm release without a fixed name or namespace: `helm.v3.Release` makes one up
 *   (`<resource name>-<random>`, pulumi-kubernetes helm_release.go), so a re-created resource is another
 *   release that conflicts with the objects of the old one;
 * - a Grafana provider URL that resolves only inside the cluster, while the provider dials it from the
 *   machine running `pulumi up`;
 * - a Kubernetes provider without `clusterIdentifier`, which a renamed kubeconfig context would replace,
 *   and with it every resource;
 * - an `email` contact point in a Grafana that this stack deploys without SMTP;
 * - a pod template of the program (or one the operator makes from its CRs) that the Pod Security level its
 *   namespace enforces would refuse: the workload would be created and its pods never admitted, so the
 *   `up` would wait for readiness until it times out (components/podSecurity.ts).
 */
import { hookProblems, type V4ChartUse } from "./charts/hooks";
import { inClusterHost } from "./config/grafana";
import { enforcedLevel, operatorPodSpec, podSecurityProblems, reloaderResourcesOf } from "./podSecurity";

/** What the checks read of a declared resource (the plan's and the tests' records have it). */
export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

const HELM_V3 = "kubernetes:helm.sh/v3:Release";
const HELM_V4 = "kubernetes:helm.sh/v4:Chart";

/** The helm.v4.Chart uses of a stack, as the hook check takes them. */
export function v4ChartUses(rs: Declared[]): V4ChartUse[] {
  return rs
    .filter((r) => r.type === HELM_V4)
    .map((r) => ({ resource: r.name, chart: String(r.inputs.chart), version: String(r.inputs.version), releaseName: r.inputs.name ?? r.name, namespace: r.inputs.namespace ?? "default", values: r.inputs.values ?? {} }));
}

/** Every deploy-mechanics problem of the declared resources (empty: nothing the engines would refuse). */
export function deployProblems(rs: Declared[]): string[] {
  const problems: string[] = [];
  for (const use of v4ChartUses(rs)) problems.push(...hookProblems(use));

  for (const r of rs.filter((x) => x.type === HELM_V3 || x.type === HELM_V4)) {
    if (typeof r.inputs.name !== "string" || r.inputs.name === "") {
      problems.push(`${r.name}: the Helm release has no fixed name${r.type === HELM_V3 ? "; helm.v3.Release would make up <resource name>-<random>, so a re-created resource would be another release" : ""}`);
    }
    if (typeof r.inputs.namespace !== "string" || r.inputs.namespace === "") problems.push(`${r.name}: the Helm release has no fixed namespace`);
  }

  for (const p of rs.filter((x) => x.type === "pulumi:providers:grafana")) {
    const host = typeof p.inputs.url === "string" ? inClusterHost(p.inputs.url) : undefined;
    if (host) problems.push(`${p.name}: the Grafana provider would dial ${p.inputs.url}, but ${host} resolves only inside the cluster, not on the machine running pulumi up`);
  }

  for (const p of rs.filter((x) => x.type === "pulumi:providers:kubernetes")) {
    if (!p.inputs.clusterIdentifier) problems.push(`${p.name}: the Kubernetes provider has no clusterIdentifier; renaming the kubeconfig context would replace it and every resource`);
  }

  const grafanaCharts = rs.filter((x) => x.type === HELM_V4 && String(x.inputs.chart).endsWith("/grafana"));
  const smtp = grafanaCharts.some((c) => c.inputs.values?.["grafana.ini"]?.smtp?.enabled === true);
  if (grafanaCharts.length > 0 && !smtp) {
    for (const cp of rs.filter((x) => x.type === "grafana:alerting/contactPoint:ContactPoint" && (x.inputs.emails ?? []).length > 0)) {
      problems.push(`${cp.name}: an email contact point, but the Grafana this stack deploys has no [smtp]: every send would fail with "SMTP not configured"`);
    }
  }
  problems.push(...podSecurityDeployProblems(rs));
  return problems;
}

const POD_TEMPLATES: Record<string, (inputs: any) => any> = {
  "kubernetes:apps/v1:Deployment": (i) => i.spec?.template?.spec,
  "kubernetes:apps/v1:StatefulSet": (i) => i.spec?.template?.spec,
  "kubernetes:apps/v1:DaemonSet": (i) => i.spec?.template?.spec,
  "kubernetes:batch/v1:Job": (i) => i.spec?.template?.spec,
};

/** Pods the enforced level of their (declared) namespace would refuse. */
function podSecurityDeployProblems(rs: Declared[]): string[] {
  const levels = new Map(rs.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((n) => [n.inputs.metadata?.name, enforcedLevel(n.inputs.metadata?.labels)]));
  const operator = rs.find((r) => r.type === HELM_V4 && String(r.inputs.chart).endsWith("kube-prometheus-stack"));
  const reloader = reloaderResourcesOf(operator?.inputs.values);
  const out: string[] = [];
  for (const r of rs) {
    const ns = r.inputs.metadata?.namespace;
    const level = levels.get(ns);
    if (!level || level === "privileged") continue;
    const kind = r.type.split(":").pop() as string;
    const spec = POD_TEMPLATES[r.type]?.(r.inputs) ?? (kind === "Prometheus" || kind === "Alertmanager" ? operatorPodSpec(kind, r.inputs.spec ?? {}, reloader) : undefined);
    if (!spec) continue;
    const why = podSecurityProblems(spec, level);
    if (why.length) out.push(`${r.name}: namespace ${ns} enforces Pod Security "${level}", which would refuse its pods: ${why.join("; ")}`);
  }
  return out;
}
