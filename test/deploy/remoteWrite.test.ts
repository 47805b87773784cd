/**
 * Remote write to the hub (config remoteWrite), over the declared resources of the committed stacks: every
 * Prometheus writes, authenticated, as its tenant (the platform's "platform", a team's its name), with the
 * external labels the hub groups by; queues sized per environment; the local retention can shrink.
 */
import * as assert from "node:assert/strict";
import { ofType, Recorded } from "../harness/mocks";
import { REPO, runStack } from "../harness/program";
import { readStackConfig } from "../../components/config/stackFiles";
import { remoteWriteQueueDefaults } from "../../components/remoteWrite";
import { decryptValue, deriveKey, EXAMPLE_PASSPHRASE, keyFromSalt } from "../../scripts/stack-secret";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const PROM = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const SECRET = "kubernetes:core/v1:Secret";

for (const stack of ["staging", "prod"]) {
  describe(`remote write to the hub, stack ${stack}`, () => {
    let rs: Recorded[];
    let hub: { url: string; tenantHeader?: string; username: string };
    before(async () => {
      ({ resources: rs } = await runStack(stack));
      hub = JSON.parse(readStackConfig(REPO, stack).config["monitoring:remoteWrite"]);
    });

    it("writes from every Prometheus, as its tenant, with basic auth from a Secret in its namespace", () => {
      const proms = ofType(rs, PROM);
      assert.ok(proms.length >= 2);
      for (const p of proms) {
        const name = p.inputs.metadata.name;
        const [rw, ...more] = p.inputs.spec.remoteWrite;
        assert.deepEqual(more, []);
        assert.equal(rw.url, hub.url);
        assert.deepEqual(rw.headers, { "THANOS-TENANT": name === "platform" ? "platform" : name });
        const ref = rw.basicAuth;
        assert.equal(ref.username.name, ref.password.name);
        const secret = ofType(rs, SECRET).find((s) => s.inputs.metadata.name === ref.username.name && s.inputs.metadata.namespace === p.inputs.metadata.namespace);
        assert.ok(secret, `${name}: no Secret ${ref.username.name} in ${p.inputs.metadata.namespace}`);
        assert.equal(secret.inputs.stringData.username, hub.username);
        assert.ok(secret.secretPaths.includes("stringData.password") || secret.secretPaths.includes("stringData"), `${name}: the password is not a secret (${secret.secretPaths})`);
        assert.ok(p.dependsOn.includes(secret.urn), "the Secret exists before the Prometheus reads it");
      }
    });

    it("labels every series with cluster and environment (and team) for the hub, and sizes the queue for the environment", () => {
      const env = JSON.parse(readStackConfig(REPO, stack).config["monitoring:cluster"]).environment;
      for (const p of ofType(rs, PROM)) {
        const labels = p.inputs.spec.externalLabels;
        assert.equal(labels.environment, env);
        assert.ok(labels.cluster);
        if (p.inputs.metadata.name !== "platform") assert.equal(labels.team, p.inputs.metadata.name);
        const q = p.inputs.spec.remoteWrite[0].queueConfig;
        const d = remoteWriteQueueDefaults(env);
        assert.deepEqual(q, { capacity: d.capacity, minShards: 1, maxShards: d.maxShards, maxSamplesPerSend: d.maxSamplesPerSend, batchSendDeadline: d.batchSendDeadline });
      }
    });
  });
}

describe("remote write settings", () => {
  it("dev writes nowhere; a local retention replaces every Prometheus' once the hub holds the history", async () => {
    const { resources: dev } = await runStack("dev");
    assert.ok(ofType(dev, PROM).every((p) => p.inputs.spec.remoteWrite === undefined));
    const hub = JSON.parse(readStackConfig(REPO, "staging").config["monitoring:remoteWrite"]);
    const { resources: rs } = await runStack("staging", { "monitoring:remoteWrite": JSON.stringify({ ...hub, password: "x", localRetention: "2d", queue: { maxShards: 7 } }) });
    for (const p of ofType(rs, PROM)) {
      assert.equal(p.inputs.spec.retention, "2d");
      assert.equal(p.inputs.spec.remoteWrite[0].queueConfig.maxShards, 7);
      assert.equal(p.inputs.spec.remoteWrite[0].queueConfig.capacity, 10000, "the rest stays the environment's");
    }
  });

  it("shards the platform Prometheus only with a hub to meet in, each shard's samples labelled with their shard", async () => {
    const pp = JSON.parse(readStackConfig(REPO, "staging").config["monitoring:platformPrometheus"] ?? "{}");
    const { resources: rs } = await runStack("staging", { "monitoring:platformPrometheus": JSON.stringify({ ...pp, shards: 3 }) });
    const platform = ofType(rs, PROM).find((p) => p.inputs.metadata.name === "platform")!;
    assert.equal(platform.inputs.spec.shards, 3);
    // Expanded per shard by the config-reloader (SHARD env), like the operator's own $(POD_NAME).
    assert.equal(platform.inputs.spec.externalLabels.shard, "$(SHARD)");
    for (const t of ofType(rs, PROM).filter((p) => p !== platform)) assert.equal(t.inputs.spec.shards, undefined, "team instances are not sharded");
    const { resources: plain } = await runStack("staging");
    assert.equal(ofType(plain, PROM).find((p) => p.inputs.metadata.name === "platform")!.inputs.spec.externalLabels.shard, undefined);
    await assert.rejects(
      runStack("dev", { "monitoring:platformPrometheus": JSON.stringify({ shards: 2 }) }),
      /platformPrometheus\.shards: 2 splits the targets over 2 Prometheus instances, each holding only its share of the series.*set remoteWrite \(a hub\), or make this stack the hub/s,
    );
  });

  it("small clusters get small queues; staging and prod Prometheus' own defaults", () => {
    assert.deepEqual(remoteWriteQueueDefaults("dev"), { capacity: 2500, maxShards: 10, maxSamplesPerSend: 2000, batchSendDeadline: "5s" });
    assert.deepEqual(remoteWriteQueueDefaults("prod"), { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000, batchSendDeadline: "5s" });
  });
});

describe("example secrets in the committed stack files (scripts/stack-secret.ts)", function () {
  this.timeout(60_000);

  it("decrypts Pulumi's own passphrase test vector (pkg/secrets/passphrase/manager_test.go)", () => {
    const key = deriveKey("password", Buffer.from("fozI5u6B030=", "base64"));
    assert.equal(decryptValue(key, "v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="), "pulumi");
    assert.throws(() => keyFromSalt("wrong", "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="), /incorrect passphrase/);
  });

  it("every secure value of a committed stack decrypts with the example passphrase, as `pulumi up` would need", () => {
    for (const f of fs.readdirSync(REPO).filter((x) => /^Pulumi\.[^.]+\.yaml$/.test(x))) {
      const doc = YAML.parse(fs.readFileSync(path.join(REPO, f), "utf8"));
      const secure: string[] = [];
      const walk = (v: unknown): void => {
        if (v && typeof v === "object") {
          if (typeof (v as any).secure === "string" && Object.keys(v as object).length === 1) secure.push((v as any).secure);
          else for (const x of Object.values(v as object)) walk(x);
        }
      };
      walk(doc.config);
      if (!secure.length) continue;
      assert.ok(doc.encryptionsalt, `${f} has secure values but no encryptionsalt`);
      const key = keyFromSalt(EXAMPLE_PASSPHRASE, doc.encryptionsalt);
      for (const s of secure) assert.ok(decryptValue(key, s).length > 0, `${f}: ${s}`);
    }
  });
});
