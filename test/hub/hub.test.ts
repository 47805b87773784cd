/**
 * The hub role, over the declared resources of the committed hub stack (Pulumi.hub.yaml) and of the cluster
 * stacks that write to it: the store (Thanos chart values), the write gateway (one credential per cluster
 * stack, matching that stack's remoteWrite, and only its tenants), the hub's own Prometheus writing in-cluster,
 * Grafana reading every tenant with its header, and the NetworkPolicies of the hub's namespace.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ofType, Recorded } from "../harness/mocks";
import { REPO, runStack, stackConfig } from "../harness/program";
import { listStacks } from "../../components/config/stackFiles";
import type { StackConfig } from "../../components/config";
import { decryptValue, EXAMPLE_PASSPHRASE, keyFromSalt } from "../../scripts/stack-secret";
import { charts } from "../../components/versions";
import { gatewayConfig, sshaEntry } from "../../components/hub/gateway";

const CHART = "kubernetes:helm.sh/v4:Chart";
const PROM = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const SECRET = "kubernetes:core/v1:Secret";
const DS = "grafana:oss/dataSource:DataSource";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const parsed = stackConfig;

/** The plaintext of a `secure:` value at `at` (a path of keys) in a committed stack file (the example passphrase). */
function plaintext(stack: string, at: (string | number)[]): string {
  const doc = YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8"));
  const v = at.reduce<any>((o, k) => o?.[k], doc.config);
  assert.ok(typeof v?.secure === "string", `Pulumi.${stack}.yaml ${at.join(".")} is not a secure value`);
  return decryptValue(keyFromSalt(EXAMPLE_PASSPHRASE, doc.encryptionsalt), v.secure);
}

describe("hub stack (Pulumi.hub.yaml)", () => {
  let rs: Recorded[];
  let outputs: Record<string, unknown>;
  let cfg: StackConfig;
  const chart = () => ofType(rs, CHART).find((c) => c.inputs.chart === charts.thanos.chart)!;
  before(async () => {
    ({ resources: rs, value: outputs } = await runStack("hub"));
    cfg = parsed("hub");
  });

  it("installs the pinned Thanos chart into its own namespace: Receive replicated 3 ways in prod, Query enforcing tenancy, nothing of the chart's own monitoring left unselected", () => {
    const c = chart();
    assert.ok(c, "no Thanos chart");
    assert.equal(c.inputs.version, charts.thanos.version);
    assert.equal(c.inputs.namespace, cfg.hub!.namespace);
    assert.equal(c.inputs.name, "thanos");
    const v = c.inputs.values;
    assert.equal(v.receive.mode, "standalone");
    assert.equal(v.receive.replicaCount, 3);
    assert.ok(v.receive.extraArgs.includes("--receive.replication-factor=3"));
    assert.ok(v.query.extraArgs.includes("--query.enforce-tenancy"));
    assert.ok(v.query.extraArgs.includes("--query.tenant-header=THANOS-TENANT"));
    // The chart's ServiceMonitors and rules are picked up by the hub's platform Prometheus.
    assert.deepEqual(v.global.serviceMonitor.labels, { "monitoring-stack/scrape": "platform" });
    assert.deepEqual(v.global.thanosRules.labels, { "monitoring-stack/scrape": "platform" });
    assert.equal(v.ruler.enabled, false);
    assert.equal(v["kube-prometheus-stack"].enabled, false);
  });

  it("keeps the bucket config in a Secret, IRSA and no static keys", () => {
    const s = ofType(rs, SECRET).find((x) => x.inputs.metadata.name === "thanos-objstore")!;
    assert.ok(s.secretPaths.some((p) => p.startsWith("stringData")), `objstore config not secret: ${s.secretPaths}`);
    const doc = YAML.parse(s.inputs.stringData["objstore.yml"]);
    assert.deepEqual(doc, { type: "S3", config: { bucket: "hub-eu1-metrics", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", insecure: false, bucket_lookup_type: "auto", aws_sdk_auth: true } });
    assert.ok(chart().dependsOn.includes(s.urn), "the chart's pods mount it: it exists first");
    assert.equal(chart().inputs.values.global.serviceAccount.annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::444455556666:role/hub-eu1-thanos");
  });

  it("its own Prometheus writes into the platform tenant straight to Receive, inside the cluster, without credentials", () => {
    const [p] = ofType(rs, PROM);
    const [rw, ...more] = p.inputs.spec.remoteWrite;
    assert.deepEqual(more, []);
    assert.equal(rw.url, "http://thanos-receive.metrics.svc:10908/api/v1/receive");
    assert.deepEqual(rw.headers, { "THANOS-TENANT": "platform" });
    assert.equal(rw.basicAuth, undefined);
  });

  it("tells the cluster stacks where to write: the URL their remoteWrite names", () => {
    assert.equal(outputs.hubRemoteWriteUrl, "https://metrics.hub.example.com/api/v1/receive");
    for (const s of ["staging", "prod"]) assert.equal(parsed(s).remoteWrite!.url, outputs.hubRemoteWriteUrl, `${s} writes elsewhere`);
  });

  it("gives Grafana a data source per tenant, with the tenant's header: the platform's the main organization's default, a team's in its organization", () => {
    const ds = ofType(rs, DS).filter((d) => d.inputs.uid.startsWith("hub-"));
    const byTenant = Object.fromEntries(ds.map((d) => [d.inputs.httpHeaders["THANOS-TENANT"], d]));
    assert.deepEqual(Object.keys(byTenant).sort(), ["ml-platform", "payments", "platform", "search"]);
    for (const d of ds) assert.equal(d.inputs.url, "http://thanos-query.metrics.svc:9090");
    assert.equal(byTenant.platform.inputs.isDefault, true);
    assert.equal(byTenant.platform.inputs.orgId, undefined, "the platform's is in the main organization");
    for (const t of ["payments", "search", "ml-platform"]) {
      assert.equal(byTenant[t].inputs.isDefault, true, `${t}: its organization's default`);
      // The organization the hub stack creates for the team (its mock id).
      assert.equal(byTenant[t].inputs.orgId, `hub-eu1-grafana-content-org-${t}-id`, `${t}: not in its organization`);
    }
    // One default per organization: the local Prometheus is not the main organization's any more.
    const mainDefaults = ofType(rs, DS).filter((d) => d.inputs.orgId === undefined && d.inputs.isDefault);
    assert.deepEqual(mainDefaults.map((d) => d.inputs.uid), [byTenant.platform.inputs.uid]);
  });

  it("admits the ingress controller to the gateway and the hub's Grafana and Prometheus to Thanos, nothing else from outside", () => {
    const nps = ofType(rs, NP).filter((n) => n.inputs.metadata.namespace === "metrics");
    const gw = nps.find((n) => n.inputs.metadata.name === "hub-gateway")!;
    assert.deepEqual(gw.inputs.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: 8080, protocol: "TCP" }] }]);
    const th = nps.find((n) => n.inputs.metadata.name === "thanos")!;
    const ports = th.inputs.spec.ingress.map((r: any) => (r.ports ?? []).map((p: any) => p.port).join("+") || "any");
    assert.deepEqual(ports, ["any", "10902+9090", "10908", "9090"]);
    assert.deepEqual(th.inputs.spec.ingress[0].from, [{ podSelector: {} }], "any port only from the hub's own pods");
  });

  it("shows the Kubernetes dashboards' cluster variable on the hub only", async () => {
    const mc = (r: Recorded[]) => ofType(r, CHART).find((c) => c.inputs.chart === "kube-prometheus-stack")!.inputs.values.grafana.sidecar.dashboards.multicluster;
    assert.deepEqual(mc(rs), { global: { enabled: true } });
    assert.equal(mc((await runStack("prod")).resources), undefined);
  });
});

describe("hub writers and the cluster stacks that write", () => {
  const hub = parsed("hub").hub!;
  const clusters = listStacks(REPO).filter((s) => parsed(s).remoteWrite?.url.startsWith(`https://${hub.ingress.host}/`));

  it("every committed cluster stack pointing at the hub has its credential there, with the same password and every tenant it writes", () => {
    assert.deepEqual(clusters.sort(), ["prod", "staging"]);
    for (const s of clusters) {
      const c = parsed(s);
      const i = hub.writers.findIndex((w) => w.username === c.remoteWrite!.username);
      assert.ok(i >= 0, `${s}: user ${c.remoteWrite!.username} is not a hub writer`);
      assert.equal(plaintext("hub", ["monitoring:hub", "writers", i, "password"]), plaintext(s, ["monitoring:remoteWrite", "password"]), `${s}: the hub has another password`);
      const writes = [c.remoteWrite!.platformTenant, ...c.teams.filter((t) => t.enabled).map((t) => t.name)];
      for (const t of writes) assert.ok(hub.writers[i].tenants.includes(t), `${s} writes tenant ${t}, which the hub refuses it`);
      for (const t of writes.filter((x) => x !== hub.platformTenant)) assert.ok(hub.tenants.includes(t), `${s}: tenant ${t} has no data source on the hub`);
    }
  });

  it("the gateway's htpasswd verifies each writer's password (nginx {SSHA}: base64(sha1(password + salt) + salt))", () => {
    for (const [user, pw] of [["prod-eu1", "example-remote-write-password-prod"], ["a", ""]]) {
      const line = sshaEntry(user, pw);
      const [u, hash] = line.split(":{SSHA}");
      assert.equal(u, user);
      const raw = Buffer.from(hash, "base64");
      const digest = raw.subarray(0, 20);
      const salt = raw.subarray(20);
      assert.ok(salt.length >= 4);
      assert.deepEqual(crypto.createHash("sha1").update(pw).update(salt).digest(), digest);
      assert.notDeepEqual(crypto.createHash("sha1").update(`${pw}x`).update(salt).digest(), digest);
    }
    const conf = gatewayConfig(hub.writers, "http://thanos-receive.metrics.svc:10908");
    for (const w of hub.writers) for (const t of w.tenants) assert.ok(conf.includes(`"${w.username}:${t}" 1;`));
    assert.ok(!conf.includes('"staging-eu1:ml-platform"'), "staging may not write ml-platform");
  });
});
