/** Deploy mechanics over the declared resources (components/mechanics.ts), per committed stack and per failure mode. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { deployProblems, v4ChartUses, type Declared } from "../../components/mechanics";
import { deleteHooks } from "../../components/charts/hooks";
import { REPO, runStack } from "../harness/program";
import { listStacks } from "../../components/config/stackFiles";
import { charts } from "../../components/versions";
import { ofType, type Recorded } from "../harness/mocks";

describe("deploy mechanics of every committed stack", () => {
  for (const stack of listStacks(REPO)) {
    it(`${stack}: no hook dropped, every release named, providers reachable and identified, mail deliverable`, async () => {
      const { resources } = await runStack(stack);
      assert.deepEqual(deployProblems(resources), []);
      const releases = resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/"));
      assert.ok(releases.length >= 3);
      for (const r of releases) assert.ok(r.inputs.name && r.inputs.namespace, `${r.name}: ${r.inputs.name}/${r.inputs.namespace}`);
    });
  }

  it("gives every release the same name and namespace on every evaluation (a re-create finds its own objects)", async () => {
    const names = (rs: Recorded[]) => rs.filter((r) => r.type.startsWith("kubernetes:helm.sh/")).map((r) => `${r.type} ${r.inputs.namespace}/${r.inputs.name}`).sort();
    const a = await runStack("prod");
    const b = await runStack("prod");
    assert.deepEqual(names(a.resources), names(b.resources));
    assert.ok(names(a.resources).includes("kubernetes:helm.sh/v3:Release monitoring/prometheus-operator-crds"));
  });

  it("names in docs/DEPLOY.md every delete hook that pulumi destroy will not run", async () => {
    const deploy = fs.readFileSync(path.join(REPO, "docs", "DEPLOY.md"), "utf8");
    const seen = new Set<string>();
    for (const stack of listStacks(REPO)) {
      const { resources } = await runStack(stack);
      for (const use of v4ChartUses(resources)) for (const h of deleteHooks(use)) seen.add(h.entry.template);
    }
    assert.ok(seen.has("templates/post-delete-hook.yaml"), [...seen].join(", "));
    for (const t of seen) assert.ok(deploy.includes(t), `docs/DEPLOY.md does not say what ${t} leaves undone`);
  });

  it("gives the Kubernetes provider the cluster's name as clusterIdentifier", async () => {
    const { resources } = await runStack("staging");
    assert.equal(ofType(resources, "pulumi:providers:kubernetes")[0].inputs.clusterIdentifier, "staging-eu1");
  });
});

describe("deploy mechanics: each failure mode is found", () => {
  const provider: Declared = { type: "pulumi:providers:kubernetes", name: "k8s", inputs: { clusterIdentifier: "dev" } };
  const kps = (values: Record<string, unknown>, name: string | undefined = "kube-prometheus-stack"): Declared => ({
    type: "kubernetes:helm.sh/v4:Chart",
    name: "dev-operator",
    inputs: { chart: "kube-prometheus-stack", version: charts.kubePrometheusStack.version, name, namespace: "monitoring", values },
  });

  it("an install hook the chart's defaults render (the first landing's operator)", () => {
    const p = deployProblems([provider, kps({ crds: { enabled: false } })]);
    assert.ok(p.some((x) => /job-patch\/job-createSecret\.yaml \(Job\) is a pre-install,pre-upgrade hook that renders with these values; helm\.v4\.Chart never applies it/.test(x)), p.join("\n"));
  });

  it("a release without a fixed name", () => {
    const crds: Declared = { type: "kubernetes:helm.sh/v3:Release", name: "dev-operator-crds", inputs: { chart: "prometheus-operator-crds", namespace: "monitoring" } };
    assert.deepEqual(deployProblems([provider, crds]), [
      "dev-operator-crds: the Helm release has no fixed name; helm.v3.Release would make up <resource name>-<random>, so a re-created resource would be another release",
    ]);
  });

  it("a Grafana provider dialling an in-cluster name, and a Kubernetes provider without clusterIdentifier", () => {
    const g: Declared = { type: "pulumi:providers:grafana", name: "dev-grafana-content-provider", inputs: { url: "http://dev-grafana.monitoring.svc:80" } };
    assert.deepEqual(deployProblems([{ ...provider, inputs: {} }, g]), [
      "dev-grafana-content-provider: the Grafana provider would dial http://dev-grafana.monitoring.svc:80, but dev-grafana.monitoring.svc resolves only inside the cluster, not on the machine running pulumi up",
      "k8s: the Kubernetes provider has no clusterIdentifier; renaming the kubeconfig context would replace it and every resource",
    ]);
  });

  it("an email contact point in a deployed Grafana without SMTP", () => {
    const grafana: Declared = { type: "kubernetes:helm.sh/v4:Chart", name: "dev-grafana", inputs: { chart: `oci://x/grafana`, version: charts.grafana.version, name: "dev-grafana", namespace: "monitoring", values: {} } };
    const cp: Declared = { type: "grafana:alerting/contactPoint:ContactPoint", name: "cp-mail", inputs: { emails: [{ addresses: ["a@example.com"] }] } };
    assert.deepEqual(deployProblems([provider, grafana, cp]), ['cp-mail: an email contact point, but the Grafana this stack deploys has no [smtp]: every send would fail with "SMTP not configured"']);
  });

  it("a pod its namespace's Pod Security level would refuse: a root Deployment, a Prometheus CR without securityContext", () => {
    const ns: Declared = { type: "kubernetes:core/v1:Namespace", name: "ns", inputs: { metadata: { name: "monitoring", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } } };
    const root: Declared = {
      type: "kubernetes:apps/v1:Deployment",
      name: "dev-root",
      inputs: { metadata: { name: "root", namespace: "monitoring" }, spec: { template: { spec: { containers: [{ name: "app", securityContext: { runAsUser: 0 } }] } } } },
    };
    const prom: Declared = { type: "kubernetes:monitoring.coreos.com/v1:Prometheus", name: "dev-platform", inputs: { metadata: { name: "platform", namespace: "monitoring" }, spec: {} } };
    const p = deployProblems([provider, ns, root, prom]);
    assert.equal(p.length, 2, p.join("\n"));
    assert.match(p[0], /^dev-root: namespace monitoring enforces Pod Security "restricted", which would refuse its pods: container app: runAsNonRoot is not true; container app: runAsUser 0; /);
    assert.match(p[1], /^dev-platform: namespace monitoring enforces Pod Security "restricted", which would refuse its pods: container init-config-reloader: runAsNonRoot is not true;.* container prometheus: runAsNonRoot is not true/);
    // The same pods in a namespace that enforces nothing: admitted.
    assert.deepEqual(deployProblems([provider, { ...ns, inputs: { metadata: { name: "monitoring" } } }, root, prom]), []);
  });
});
