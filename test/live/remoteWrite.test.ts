/**
 * The translation from declared Prometheus CRs to the configuration the multi-cluster live test runs
 * (test/support/remoteWrite.ts): fixtures for each rule, then every Prometheus of `staging` and `prod`,
 * checked by promtool as the real Prometheus would read it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseConfig } from "../../components/config";
import { readStackConfig } from "../../components/config/stackFiles";
import { REPO, runStack } from "../harness/program";
import { promtool, tempDir } from "../support/prometheus";
import {
  DeclaredResource,
  PLACEHOLDER_PASSWORD,
  PROMETHEUS_RULE_TYPE,
  PROMETHEUS_TYPE,
  externalLabelsOf,
  matchesSelector,
  queueConfigOf,
  remoteWriteOf,
  ruleFileText,
  scrapeNamespacesOf,
  selectedRuleGroups,
  senderConfig,
  teamOf,
} from "../support/remoteWrite";

const RECEIVER = "http://127.0.0.1:9/api/v1/write";

function prometheus(name: string, namespace: string, spec: Record<string, unknown>): DeclaredResource {
  return { type: PROMETHEUS_TYPE, name: `test-${name}`, inputs: { metadata: { name, namespace }, spec } };
}

function secret(name: string, namespace: string, stringData: Record<string, string>): DeclaredResource {
  return { type: "kubernetes:core/v1:Secret", name: `test-${name}`, inputs: { metadata: { name, namespace }, stringData } };
}

function rule(name: string, namespace: string, labels: Record<string, string>, group: string): DeclaredResource {
  return { type: PROMETHEUS_RULE_TYPE, name: `test-${name}`, inputs: { metadata: { name, namespace, labels }, spec: { groups: [{ name: group, interval: "30s", rules: [{ record: `${group}:x`, expr: "vector(1)" }] }] } } };
}

const HUB = {
  name: "hub",
  url: "https://hub.example.com/api/v1/receive",
  headers: { "THANOS-TENANT": "payments" },
  basicAuth: { username: { name: "rw", key: "username" }, password: { name: "rw", key: "password" } },
  queueConfig: { capacity: 2500, minShards: 1, maxShards: 10, maxSamplesPerSend: 2000, batchSendDeadline: "5s" },
};

describe("remote-write translation (declared Prometheus CR → Prometheus config)", () => {
  describe("external labels", () => {
    it("are the CR's plus the operator's prometheus and prometheus_replica, which win on a clash", () => {
      const cr = prometheus("payments", "payments", { externalLabels: { cluster: "c1", team: "payments", prometheus: "mine" } });
      assert.deepStrictEqual(externalLabelsOf(cr), { cluster: "c1", team: "payments", prometheus: "payments/payments", prometheus_replica: "prometheus-payments-0" });
      assert.strictEqual(externalLabelsOf(cr, 1).prometheus_replica, "prometheus-payments-1");
    });

    it("follow prometheusExternalLabelName / replicaExternalLabelName (\"\" drops the label)", () => {
      const cr = prometheus("p", "monitoring", { externalLabels: { cluster: "c1" }, prometheusExternalLabelName: "", replicaExternalLabelName: "replica" });
      assert.deepStrictEqual(externalLabelsOf(cr), { cluster: "c1", replica: "prometheus-p-0" });
    });
  });

  describe("remote_write", () => {
    const resources = [secret("rw", "payments", { username: "cluster-a", password: "s3cret" })];

    it("keeps name and headers, replaces the url, snake-cases queueConfig and resolves the username from the Secret", () => {
      const cr = prometheus("payments", "payments", { remoteWrite: [HUB] });
      assert.deepStrictEqual(remoteWriteOf(cr, resources, RECEIVER), [
        {
          name: "hub",
          url: RECEIVER,
          headers: { "THANOS-TENANT": "payments" },
          basic_auth: { username: "cluster-a", password: PLACEHOLDER_PASSWORD },
          queue_config: { capacity: 2500, min_shards: 1, max_shards: 10, max_samples_per_send: 2000, batch_send_deadline: "5s" },
        },
      ]);
    });

    it("is empty without spec.remoteWrite", () => {
      assert.deepStrictEqual(remoteWriteOf(prometheus("p", "monitoring", {}), [], RECEIVER), []);
    });

    it("fails on a field it does not translate, rather than dropping it", () => {
      const cr = prometheus("payments", "payments", { remoteWrite: [{ ...HUB, writeRelabelConfigs: [{ action: "drop" }] }] });
      assert.throws(() => remoteWriteOf(cr, resources, RECEIVER), /spec\.remoteWrite\[0\]: writeRelabelConfigs not translated/);
      assert.throws(() => queueConfigOf({ capacity: 1, shardsPerCore: 2 }), /queueConfig\.shardsPerCore: not translated/);
      assert.deepStrictEqual(queueConfigOf({ retryOnRateLimit: true, minBackoff: "30ms" }), { retry_on_http_429: true, min_backoff: "30ms" });
    });

    it("fails when basicAuth points at a Secret not declared in the Prometheus' namespace, or at a missing key", () => {
      const cr = prometheus("payments", "payments", { remoteWrite: [HUB] });
      assert.throws(() => remoteWriteOf(cr, [secret("rw", "other", { username: "x" })], RECEIVER), /Secret payments\/rw is not declared/);
      assert.throws(() => remoteWriteOf(cr, [secret("rw", "payments", { user: "x" })], RECEIVER), /has no key "username"/);
    });
  });

  describe("rules", () => {
    const resources = [
      rule("platform-rules", "monitoring", { "monitoring-stack/scrape": "platform" }, "platform"),
      rule("unlabelled", "monitoring", {}, "unlabelled"),
      rule("payments-rules", "payments", {}, "payments"),
      rule("search-rules", "search", {}, "search"),
    ];
    const groupsOf = (cr: DeclaredResource): string[] => selectedRuleGroups(cr, resources).flatMap((r) => r.groups.map((g) => g.name));

    it("are the groups of the PrometheusRules matched by ruleSelector in ruleNamespaceSelector's namespaces", () => {
      assert.deepStrictEqual(groupsOf(prometheus("platform", "monitoring", { ruleSelector: { matchLabels: { "monitoring-stack/scrape": "platform" } }, ruleNamespaceSelector: {} })), ["platform"]);
      const team = prometheus("payments", "payments", { ruleSelector: {}, ruleNamespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["payments", "payments-jobs"] }] } });
      assert.deepStrictEqual(groupsOf(team), ["payments"]);
    });

    it("follow the operator's defaults: no ruleSelector selects nothing, no namespace selector means the own namespace", () => {
      assert.deepStrictEqual(groupsOf(prometheus("p", "monitoring", {})), []);
      assert.deepStrictEqual(groupsOf(prometheus("p", "monitoring", { ruleSelector: {} })), ["platform", "unlabelled"]);
    });

    it("are written without their intervals (the caller's evaluation interval applies)", () => {
      const text = ruleFileText(selectedRuleGroups(prometheus("p", "monitoring", { ruleSelector: {} }), resources).flatMap((r) => r.groups));
      assert.deepStrictEqual(YAML.parse(text), { groups: [{ name: "platform", rules: [{ record: "platform:x", expr: "vector(1)" }] }, { name: "unlabelled", rules: [{ record: "unlabelled:x", expr: "vector(1)" }] }] });
    });

    it("label selectors: matchLabels and the four operators", () => {
      const labels = { a: "1", b: "2" };
      assert.ok(matchesSelector({}, labels));
      assert.ok(matchesSelector({ matchLabels: { a: "1" }, matchExpressions: [{ key: "b", operator: "In", values: ["2", "3"] }, { key: "c", operator: "DoesNotExist" }] }, labels));
      assert.ok(!matchesSelector({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, labels));
      assert.ok(!matchesSelector({ matchExpressions: [{ key: "c", operator: "Exists" }] }, labels));
      assert.throws(() => matchesSelector({ matchExpressions: [{ key: "a", operator: "Gt" }] }, labels), /not supported/);
    });
  });

  describe("every Prometheus of staging and prod", function () {
    this.timeout(60_000);
    let work: string;
    before(() => {
      work = tempDir("rw-config");
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    for (const stack of ["staging", "prod"]) {
      it(`${stack}: tenant header, credentials and queue as declared, in a config promtool accepts`, async () => {
        const { resources } = await runStack(stack);
        const raw = readStackConfig(REPO, stack);
        const hub = parseConfig(raw.config, raw.secretKeys, stack).remoteWrite;
        assert.ok(hub, `${stack}: no remoteWrite in its config`);
        const crs = resources.filter((r) => r.type === PROMETHEUS_TYPE);
        assert.ok(crs.length >= 2, `${stack}: ${crs.length} Prometheus CRs`);
        for (const cr of crs) {
          const id = `${stack} ${cr.inputs.metadata.namespace}/${cr.inputs.metadata.name}`;
          const dir = path.join(work, stack, cr.inputs.metadata.name);
          fs.mkdirSync(dir, { recursive: true });
          const groups = selectedRuleGroups(cr, resources).flatMap((r) => r.groups);
          const ruleFile = path.join(dir, "rules.yaml");
          fs.writeFileSync(ruleFile, ruleFileText(groups));
          const team = teamOf(cr);
          const c = senderConfig(cr, resources, {
            receiverUrl: RECEIVER,
            scrapeInterval: "1s",
            evaluationInterval: "1s",
            ruleFiles: [ruleFile],
            scrapeConfigs: [{ job_name: "synthetic", honor_labels: true, static_configs: [{ targets: ["127.0.0.1:9"] }] }],
          });
          const declared = cr.inputs.spec.remoteWrite[0];
          const rw = c.remoteWrite[0] as Record<string, any>;
          assert.strictEqual(c.remoteWrite.length, 1, id);
          assert.strictEqual(rw.url, RECEIVER, id);
          assert.deepStrictEqual(rw.headers, declared.headers, id);
          assert.strictEqual(rw.headers[hub.tenantHeader], team ?? hub.platformTenant, `${id}: the tenant is the team's name, or remoteWrite.platformTenant`);
          if (declared.basicAuth) assert.deepStrictEqual(rw.basic_auth, { username: hub.username, password: PLACEHOLDER_PASSWORD }, `${id}: username (from the declared Secret) is remoteWrite.username`);
          else assert.ok(!("basic_auth" in rw), `${id}: basic_auth without a declared basicAuth`);
          assert.deepStrictEqual(Object.keys(rw.queue_config).sort(), ["batch_send_deadline", "capacity", "max_samples_per_send", "max_shards", "min_shards"], id);
          assert.strictEqual(rw.queue_config.max_shards, declared.queueConfig.maxShards, id);
          assert.deepStrictEqual(c.externalLabels, { ...cr.inputs.spec.externalLabels, prometheus: `${cr.inputs.metadata.namespace}/${cr.inputs.metadata.name}`, prometheus_replica: `prometheus-${cr.inputs.metadata.name}-0` }, id);
          if (team) {
            assert.strictEqual(c.externalLabels.team, team, id);
            assert.ok(scrapeNamespacesOf(cr).length > 0, `${id}: no team namespaces`);
          } else {
            assert.ok(!("team" in c.externalLabels), id);
            assert.ok(groups.some((g) => g.rules.some((r) => r.record)), `${id}: selects no recording rules`);
          }
          const file = path.join(dir, "prometheus.yml");
          fs.writeFileSync(file, c.yaml);
          const check = promtool(["check", "config", file]);
          assert.strictEqual(check.status, 0, `${id}: promtool check config:\n${check.stdout}${check.stderr}`);
        }
      });
    }
  });
});
