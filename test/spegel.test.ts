/** The Spegel component under mocks, its chart values against the pinned chart, and `monitoring:spegel`. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertUniqueUrns, one, ofType, runWithMocks } from "./harness/mocks";
import { ConfigError, parseConfig } from "../components/config";
import { CONTAINERD_PRESETS } from "../components/config/spegel";
import { charts } from "../components/versions";
import { unknownValuesKeys } from "./support/chartKeys";
import { containerdPaths, Spegel, SpegelArgs, spegelArgsFromConfig, spegelValues, validateSpegelArgs, SPEGEL_NAMESPACE_LABELS } from "../components/spegel";
import { PLATFORM_SCRAPE_LABEL } from "../components/labels";
import { minimal } from "./support/config";

const CHART = "kubernetes:helm.sh/v4:Chart";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CLUSTER = minimal("test");

const keysFixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "charts", `spegel-${charts.spegel.version}`, "values-keys.json"), "utf8"),
) as { keys: string[]; openMaps: string[] };

/** Maps whose keys Kubernetes defines (ResourceRequirements), not the chart: any resource name is valid. */
const KUBERNETES_TYPED_MAPS = ["resources.requests", "resources.limits"];

function unknownKeys(values: unknown): string[] {
  return unknownValuesKeys(keysFixture, values, KUBERNETES_TYPED_MAPS);
}

function spegelConfigProblems(spegel: unknown): string[] {
  try {
    parseConfig({ ...CLUSTER, "monitoring:spegel": JSON.stringify(spegel) });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

const args: SpegelArgs = { namespace: "spegel" };

describe("Spegel component", () => {
  it("installs the pinned chart from its OCI registry into its own namespace, labelled Pod Security privileged", async () => {
    const { resources } = await runWithMocks(() => new Spegel("spegel", args));
    const ns = one(resources, NAMESPACE, "spegel-ns");
    assert.equal(ns.inputs.metadata.name, "spegel");
    for (const [k, v] of Object.entries(SPEGEL_NAMESPACE_LABELS)) assert.equal(ns.inputs.metadata.labels[k], v, k);
    assert.equal(SPEGEL_NAMESPACE_LABELS["pod-security.kubernetes.io/enforce"], "privileged");
    const chart = one(resources, CHART, "spegel");
    assert.equal(chart.inputs.chart, "oci://ghcr.io/spegel-org/helm-charts/spegel");
    assert.equal(chart.inputs.version, "0.7.4");
    assert.equal(chart.inputs.repositoryOpts, undefined);
    assert.equal(chart.inputs.namespace, "spegel");
    assert.deepEqual(chart.dependsOn, [ns.urn], "the chart waits for its namespace");
    assert.match(chart.parent, /monitoring:index:Spegel::spegel$/);
  });

  it("can use a namespace the caller created", async () => {
    const { resources } = await runWithMocks(() => new Spegel("spegel", { ...args, createNamespace: false }));
    assert.deepEqual(ofType(resources, NAMESPACE), []);
    assert.equal(one(resources, CHART, "spegel").inputs.namespace, "spegel");
  });

  it("turns its ServiceMonitor on, labelled for the platform Prometheus, and the chart's dashboard ConfigMap off", () => {
    const v = spegelValues("spegel", args);
    assert.deepEqual(v.serviceMonitor, {
      enabled: true,
      labels: { ...PLATFORM_SCRAPE_LABEL },
      relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }],
    });
    assert.deepEqual(v.grafanaDashboard, { enabled: false });
    assert.deepEqual(v.service.metrics.annotations, { "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/metrics" });
  });

  it("defaults to stock containerd's paths, the chart's own defaults", () => {
    const v = spegelValues("spegel", args);
    assert.deepEqual(v.spegel, {
      mirroredRegistries: [],
      additionalMirrorTargets: [],
      containerdSock: "/run/containerd/containerd.sock",
      containerdNamespace: "k8s.io",
      containerdRegistryConfigPath: "/etc/containerd/certs.d",
      containerdContentPath: "/var/lib/containerd/io.containerd.content.v1.content",
    });
  });

  it("Spegel on k3s uses the k3s containerd paths", async () => {
    const cfg = parseConfig({ ...CLUSTER, "monitoring:features": JSON.stringify({ spegel: true }), "monitoring:spegel": JSON.stringify({ containerd: { preset: "k3s" } }) });
    const { resources } = await runWithMocks(() => new Spegel("spegel", spegelArgsFromConfig(cfg)));
    const s = one(resources, CHART, "spegel").inputs.values.spegel;
    assert.equal(s.containerdSock, "/run/k3s/containerd/containerd.sock");
    assert.equal(s.containerdRegistryConfigPath, "/var/lib/rancher/k3s/agent/etc/containerd/certs.d");
    assert.equal(s.containerdContentPath, "/var/lib/rancher/k3s/agent/containerd/io.containerd.content.v1.content");
  });

  it("Spegel on RKE2 shares k3s' socket but keeps its data under /var/lib/rancher/rke2", () => {
    const p = containerdPaths("rke2");
    assert.equal(p.sock, "/run/k3s/containerd/containerd.sock");
    assert.equal(p.registryConfigPath, "/var/lib/rancher/rke2/agent/etc/containerd/certs.d");
    assert.equal(p.contentPath, "/var/lib/rancher/rke2/agent/containerd/io.containerd.content.v1.content");
  });

  it("takes mirrored registries, extra mirror targets, path overrides and resources from config", () => {
    const cfg = parseConfig({
      ...CLUSTER,
      "monitoring:spegel": JSON.stringify({
        containerd: { preset: "k3s", contentPath: "/data/k3s/agent/containerd/io.containerd.content.v1.content" },
        mirroredRegistries: ["https://docker.io", "https://ghcr.io"],
        additionalMirrorTargets: ["https://mirror.example.com"],
        resources: { requests: { cpu: "50m" } },
      }),
    });
    const a = spegelArgsFromConfig(cfg);
    assert.equal(a.namespace, "spegel");
    const v = spegelValues("spegel", a);
    assert.deepEqual(v.spegel.mirroredRegistries, ["https://docker.io", "https://ghcr.io"]);
    assert.deepEqual(v.spegel.additionalMirrorTargets, ["https://mirror.example.com"]);
    assert.equal(v.spegel.containerdContentPath, "/data/k3s/agent/containerd/io.containerd.content.v1.content");
    assert.equal(v.spegel.containerdSock, CONTAINERD_PRESETS.k3s.sock);
    assert.deepEqual(v.resources, { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "128Mi" } });
  });

  it("sets only values keys that exist in the pinned values.yaml", () => {
    const full = spegelValues("spegel", {
      ...args,
      containerd: containerdPaths("rke2"),
      mirroredRegistries: ["https://docker.io"],
      additionalMirrorTargets: ["https://mirror.example.com"],
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    });
    assert.deepEqual(unknownKeys(full), []);
    assert.deepEqual(unknownKeys(spegelValues("spegel", args)), []);
    assert.deepEqual(unknownKeys({ spegel: { registries: ["https://docker.io"] } }), ["spegel.registries"], "the key check catches a removed key");
  });

  it("refuses bad args with one error listing every problem", async () => {
    await assert.rejects(
      runWithMocks(() => new Spegel("Spegel", { ...args, mirroredRegistries: ["docker.io"], containerd: { ...containerdPaths("containerd"), sock: "run/containerd.sock" } })),
      (e: Error) => {
        assert.match(e.message, /Unable to create Spegel Spegel:/);
        assert.match(e.message, /name: "Spegel" cannot prefix the chart's Service names/);
        assert.match(e.message, /mirroredRegistries\[0\]: "docker.io" is not a registry URL; use e.g. "https:\/\/docker.io"/);
        assert.match(e.message, /containerd\.sock: "run\/containerd.sock" is not an absolute host path/);
        return true;
      },
    );
    assert.deepEqual(validateSpegelArgs("spegel", { ...args, mirroredRegistries: ["_default", "http://registry.local:5000"] }), []);
  });

  it("makes the chart wait for what the caller names (the operator's CRDs: it renders a ServiceMonitor)", async () => {
    const { resources } = await runWithMocks(async () => {
      const { ConfigMap } = await import("@pulumi/kubernetes/core/v1");
      const crds = new ConfigMap("crds", {});
      new Spegel("spegel", { ...args, createNamespace: false, dependsOn: [crds] });
    });
    assert.deepEqual(one(resources, CHART, "spegel").dependsOn, [one(resources, "kubernetes:core/v1:ConfigMap", "crds").urn]);
  });

  it("two instances do not collide", async () => {
    const { resources } = await runWithMocks(() => {
      new Spegel("spegel-a", { namespace: "spegel-a" });
      new Spegel("spegel-b", { namespace: "spegel-b" });
    });
    assertUniqueUrns(resources);
  });
});

describe("Spegel config", () => {
  it("defaults: stock containerd, every registry mirrored, the chart's memory", () => {
    const s = parseConfig(CLUSTER).spegel;
    assert.equal(s.containerd.preset, "containerd");
    assert.equal(s.containerd.namespace, "k8s.io");
    assert.deepEqual(s.mirroredRegistries, []);
    assert.deepEqual(s.additionalMirrorTargets, []);
    assert.deepEqual(s.resources, { requests: { memory: "128Mi" }, limits: { memory: "128Mi" } });
  });

  it("registry URLs are scheme and host only, as Spegel requires", () => {
    assert.deepEqual(spegelConfigProblems({ mirroredRegistries: ["docker.io", "https://ghcr.io/", "https://ghcr.io/org", "ftp://x", "_default"] }), [
      'spegel.mirroredRegistries[0]: "docker.io" is not a registry URL; use scheme and host only, e.g. "https://docker.io" (or "_default" for every registry)',
      'spegel.mirroredRegistries[1]: "https://ghcr.io/" is not a registry URL; use scheme and host only, e.g. "https://docker.io" (or "_default" for every registry)',
      'spegel.mirroredRegistries[2]: "https://ghcr.io/org" is not a registry URL; use scheme and host only, e.g. "https://docker.io" (or "_default" for every registry)',
      'spegel.mirroredRegistries[3]: "ftp://x" is not a registry URL; use scheme and host only, e.g. "https://docker.io" (or "_default" for every registry)',
    ]);
    assert.deepEqual(spegelConfigProblems({ additionalMirrorTargets: ["_default"] }), [
      'spegel.additionalMirrorTargets[0]: "_default" is not a registry URL; use scheme and host only, e.g. "https://docker.io"',
    ]);
    assert.deepEqual(spegelConfigProblems({ mirroredRegistries: ["https://docker.io", "https://docker.io"] }), [
      'spegel.mirroredRegistries[1]: "https://docker.io" is a duplicate of spegel.mirroredRegistries[0]; values must be unique',
    ]);
  });

  it("presets are containerd, k3s or rke2; path overrides are absolute", () => {
    assert.deepEqual(spegelConfigProblems({ containerd: { preset: "k0s", sock: "containerd.sock" } }), [
      'spegel.containerd.preset: "k0s" is not allowed; use one of: containerd, k3s, rke2',
      'spegel.containerd.sock: "containerd.sock" is not an absolute host path; use e.g. "/run/containerd/containerd.sock"',
    ]);
  });

  it("names a misspelt key, and rejects the chart's removed `registries`", () => {
    assert.deepEqual(spegelConfigProblems({ mirroredRegistry: ["https://docker.io"], registries: ["https://docker.io"] }), [
      'spegel.mirroredRegistry: unknown key (did you mean "mirroredRegistries"?); allowed: chartVersion, containerd, mirroredRegistries, additionalMirrorTargets, resources',
      "spegel.registries: unknown key; allowed: chartVersion, containerd, mirroredRegistries, additionalMirrorTargets, resources",
    ]);
  });
});
