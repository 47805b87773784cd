/**
 * Pod Security and memory limits of every pod the committed stacks run: the program's own pod templates
 * (Deployments, StatefulSets, …), the pods prometheus-operator generates for the Prometheus and Alertmanager
 * CRs (modelled from its source: components/podSecurity.ts operatorPodSpec), and the pods the charts render
 * with the stack's values (test/fixtures/chart-pods/<stack>.json, from real `helm template` output by
 * scripts/chart-pods.ts; checked here to be current).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { enforcedLevel, memoryProblems, operatorPodSpec, PodSecurityLevel, podSecurityProblems, PodSpecLike, POD_SECURITY_LEVELS, reloaderResourcesOf } from "../../components/podSecurity";
import { listStacks } from "../../components/config/stackFiles";
import { chartName, ChartPodsFixture, FIXTURE_DIR, valuesHash } from "../../scripts/chart-pods";
import { ofType, Recorded } from "../harness/mocks";
import { REPO, runStack } from "../harness/program";

const CHART = "kubernetes:helm.sh/v4:Chart";
const WORKLOAD_TYPES: Record<string, (inputs: any) => any> = {
  "kubernetes:apps/v1:Deployment": (i) => i.spec.template.spec,
  "kubernetes:apps/v1:StatefulSet": (i) => i.spec.template.spec,
  "kubernetes:apps/v1:DaemonSet": (i) => i.spec.template.spec,
  "kubernetes:batch/v1:Job": (i) => i.spec.template.spec,
  "kubernetes:batch/v1:CronJob": (i) => i.spec.jobTemplate.spec.template.spec,
  "kubernetes:core/v1:Pod": (i) => i.spec,
};

interface Pod {
  what: string;
  namespace: string;
  spec: PodSpecLike;
}

/** Every pod of a stack: the program's, the operator's for its CRs, and the charts' from the fixture. */
export function stackPods(rs: Recorded[], fixture: ChartPodsFixture): Pod[] {
  const pods: Pod[] = [];
  for (const r of rs) {
    const spec = WORKLOAD_TYPES[r.type]?.(r.inputs);
    if (spec) pods.push({ what: `${r.type.split(":").pop()} ${r.inputs.metadata.name}`, namespace: r.inputs.metadata.namespace, spec });
  }
  const operatorValues = ofType(rs, CHART).find((c) => chartName(c) === "kube-prometheus-stack")?.inputs.values;
  const reloader = reloaderResourcesOf(operatorValues);
  for (const kind of ["Prometheus", "Alertmanager"] as const) {
    for (const r of ofType(rs, `kubernetes:monitoring.coreos.com/v1:${kind}`)) {
      pods.push({ what: `${kind} ${r.inputs.metadata.name} (operator-generated)`, namespace: r.inputs.metadata.namespace, spec: operatorPodSpec(kind, r.inputs.spec, reloader) });
    }
  }
  for (const c of fixture.charts) for (const p of c.pods) pods.push({ what: `${c.chart} ${p.kind} ${p.name}`, namespace: p.namespace, spec: p.spec as PodSpecLike });
  return pods;
}

function readFixture(stack: string): ChartPodsFixture {
  const file = path.join(FIXTURE_DIR, `${stack}.json`);
  assert.ok(fs.existsSync(file), `${path.relative(REPO, file)} is missing: run scripts/chart-pods.ts (see its header)`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The strictest level every pod passes. */
function strictest(pods: Pod[]): PodSecurityLevel {
  return [...POD_SECURITY_LEVELS].reverse().find((l) => pods.every((p) => podSecurityProblems(p.spec, l).length === 0)) ?? "privileged";
}

for (const stack of listStacks(REPO)) {
  describe(`Pod Security and memory limits, stack ${stack}`, () => {
    let rs: Recorded[];
    let pods: Pod[];
    let namespaces: Map<string, Record<string, string>>;
    let fixture: ChartPodsFixture;
    before(async () => {
      ({ resources: rs } = await runStack(stack));
      fixture = readFixture(stack);
      pods = stackPods(rs, fixture);
      namespaces = new Map(ofType(rs, "kubernetes:core/v1:Namespace").map((n) => [n.inputs.metadata.name, n.inputs.metadata.labels ?? {}]));
    });

    it("has a chart-pods fixture rendered from the values the stack passes now", () => {
      const stale: string[] = [];
      for (const r of ofType(rs, CHART)) {
        const f = fixture.charts.find((c) => c.resource === r.name);
        if (chartName(r) === "prometheus-operator-crds") continue;
        if (!f) stale.push(`${r.name}: not in the fixture`);
        else if (f.valuesSha256 !== valuesHash(r) || f.version !== String(r.inputs.version)) stale.push(`${r.name}: values or version changed since the fixture was rendered`);
      }
      assert.deepEqual(stale, [], `regenerate test/fixtures/chart-pods/${stack}.json: npx tsx scripts/chart-pods.ts --helm <helm> --charts <dir> ${stack}`);
      assert.ok(pods.length >= 8, `only ${pods.length} pods`);
    });

    it("runs every pod at Pod Security restricted, or in a namespace labelled for what it needs", () => {
      const problems: string[] = [];
      for (const p of pods) {
        if (podSecurityProblems(p.spec, "restricted").length === 0) continue;
        const level = namespaces.has(p.namespace) ? enforcedLevel(namespaces.get(p.namespace)) : "restricted";
        const why = podSecurityProblems(p.spec, level);
        if (why.length) problems.push(`${p.what} in ${p.namespace} (enforces ${level}): ${why.join("; ")}`);
      }
      assert.deepEqual(problems, []);
    });

    it("labels each namespace it owns with the strictest level its pods pass (teams' namespaces: audit and warn only)", () => {
      const wrong: string[] = [];
      for (const [ns, labels] of namespaces) {
        const inNs = pods.filter((p) => p.namespace === ns);
        if (labels["monitoring-stack/team"]) {
          if (labels["pod-security.kubernetes.io/enforce"] !== undefined || labels["pod-security.kubernetes.io/warn"] !== "restricted") wrong.push(`${ns}: a team's namespace should warn restricted and enforce nothing`);
          continue;
        }
        const want = inNs.length ? strictest(inNs) : "restricted";
        if (labels["pod-security.kubernetes.io/enforce"] !== want) wrong.push(`${ns}: enforces ${labels["pod-security.kubernetes.io/enforce"] ?? "nothing"}, its pods pass ${want}`);
      }
      assert.deepEqual(wrong, []);
    });

    it("gives every container a memory request and a memory limit", () => {
      const missing = pods.flatMap((p) => memoryProblems(p.spec).map((m) => `${p.what}: ${m}`));
      assert.deepEqual(missing, []);
    });
  });
}

describe("the Pod Security checker (components/podSecurity.ts)", () => {
  const ok: PodSpecLike = {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    volumes: [{ name: "data", persistentVolumeClaim: {} }],
  };

  it("passes a restricted pod", () => {
    assert.deepEqual(podSecurityProblems(ok, "restricted"), []);
  });

  it("names each restricted violation: root init container, added capability, missing seccomp, no numeric user", () => {
    const pod: PodSpecLike = {
      securityContext: { runAsNonRoot: true },
      initContainers: [{ name: "init-chown-data", securityContext: { runAsNonRoot: false, runAsUser: 0, capabilities: { add: ["CHOWN"], drop: ["ALL"] } } }],
      containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    };
    assert.deepEqual(podSecurityProblems(pod, "restricted"), [
      "container init-chown-data: runAsNonRoot is not true",
      "container init-chown-data: runAsUser 0",
      "container init-chown-data: allowPrivilegeEscalation is not false",
      "container init-chown-data: adds capabilities CHOWN",
      "container init-chown-data: seccompProfile is not RuntimeDefault or Localhost",
      "container app: no numeric runAsUser (an image with a named USER does not start under runAsNonRoot)",
      "container app: seccompProfile is not RuntimeDefault or Localhost",
    ]);
    assert.deepEqual(podSecurityProblems(pod, "baseline"), [], "CHOWN is in baseline's default set");
  });

  it("refuses host access at baseline (node-exporter's shape) and admits it at privileged", () => {
    const host: PodSpecLike = { ...ok, hostNetwork: true, hostPID: true, volumes: [{ name: "proc", hostPath: {} }], containers: [{ name: "x", ports: [{ hostPort: 30020 }] }] };
    assert.deepEqual(podSecurityProblems(host, "baseline"), ["hostNetwork: true", "hostPID: true", "volume proc: hostPath", "container x: hostPort 30020"]);
    assert.deepEqual(podSecurityProblems(host, "privileged"), []);
  });

  it("models the operator's pods: a CR without securityContext fails restricted, with the program's passes", () => {
    const bare = operatorPodSpec("Prometheus", { resources: { requests: { memory: "1Gi" }, limits: { memory: "2Gi" } } }, { requests: { memory: "50Mi" }, limits: { memory: "50Mi" } });
    assert.ok(podSecurityProblems(bare, "restricted").includes("container prometheus: runAsNonRoot is not true"));
    const secured = operatorPodSpec("Prometheus", { securityContext: ok.securityContext, resources: { requests: { memory: "1Gi" }, limits: { memory: "2Gi" } } }, { requests: { memory: "50Mi" }, limits: { memory: "50Mi" } });
    assert.deepEqual(podSecurityProblems(secured, "restricted"), []);
    assert.deepEqual(memoryProblems(operatorPodSpec("Alertmanager", {}, reloaderResourcesOf({ prometheusOperator: { prometheusConfigReloader: { resources: {} } } }))), [
      "container init-config-reloader: no memory request",
      "container init-config-reloader: no memory limit",
      "container alertmanager: no memory request",
      "container alertmanager: no memory limit",
      "container config-reloader: no memory request",
      "container config-reloader: no memory limit",
    ]);
  });
});
