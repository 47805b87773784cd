/** `monitoring:tempo` validation: exact messages for bad config, defaults for none. */
import * as assert from "node:assert/strict";
import { ConfigError, parseConfig, StackConfig } from "../components/config";
import { tempoEnvironmentProblems } from "../components/config/tempo";
import { minimal } from "./support/config";

const CLUSTER = minimal("test");

function problems(tempo: unknown, secret = false): string[] {
  try {
    parseConfig({ ...CLUSTER, "monitoring:tempo": JSON.stringify(tempo) }, secret ? ["monitoring:tempo"] : []);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

const S3 = { bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com" };

describe("Tempo config", () => {
  it("defaults to a shared MinIO, one replica each, the chart's 48h retention and the metrics-generator on", () => {
    const t = parseConfig(CLUSTER).tempo;
    assert.equal(t.storage.backend, "minio");
    assert.equal(t.storage.minio.size, "10Gi");
    assert.equal(t.retention, "48h");
    for (const c of ["distributor", "ingester", "querier", "queryFrontend", "compactor", "metricsGenerator", "memcached"] as const) assert.equal(t[c].replicas, 1, c);
    assert.equal(t.metricsGenerator.enabled, true);
    assert.deepEqual(t.ingester.resources.requests, { cpu: "100m", memory: "512Mi" });
    assert.deepEqual(t.extraServiceAnnotations, {});
  });

  it("backend s3 requires its bucket settings", () => {
    assert.deepEqual(problems({ storage: { backend: "s3" } }), ['tempo.storage.s3: is required when tempo.storage.backend is "s3"']);
    assert.deepEqual(problems({ storage: { backend: "s3", s3: { bucket: "traces" } } }), ["tempo.storage.s3.endpoint: is required"]);
  });

  it("settings of a backend that is not selected are a mistake, not silently ignored", () => {
    assert.deepEqual(problems({ storage: { gcs: { bucket: "traces" } } }), [
      'tempo.storage.gcs: is set but tempo.storage.backend is "minio"; remove it or set the backend to "gcs"',
    ]);
  });

  it("refuses a storage credential in plain config", () => {
    assert.deepEqual(problems({ storage: { backend: "s3", s3: { ...S3, accessKeyId: "AKIA", secretAccessKey: "plain" } } }), [
      "tempo.storage.s3.secretAccessKey: is a credential and must be secret config; set it with: pulumi config set --secret --path 'tempo.storage.s3.secretAccessKey' <value>",
    ]);
    assert.deepEqual(problems({ storage: { backend: "s3", s3: { ...S3, accessKeyId: "AKIA", secretAccessKey: "secret" } } }, true), []);
  });

  it("S3 keys go together", () => {
    assert.deepEqual(problems({ storage: { backend: "s3", s3: { ...S3, accessKeyId: "AKIA" } } }), [
      "tempo.storage.s3.secretAccessKey: is required with tempo.storage.s3.accessKeyId; set both, or neither to use the pods' AWS credential chain",
    ]);
    assert.deepEqual(problems({ storage: { backend: "s3", s3: { ...S3, secretAccessKey: "x" } } }, true), [
      "tempo.storage.s3.accessKeyId: is required with tempo.storage.s3.secretAccessKey; set both, or neither to use the pods' AWS credential chain",
    ]);
  });

  it("Azure needs an account key or workload identity, not both", () => {
    const azure = { container: "traces", storageAccountName: "acct" };
    assert.deepEqual(problems({ storage: { backend: "azure", azure } }), [
      "tempo.storage.azure.storageAccountKey: is required unless tempo.storage.azure.useFederatedToken is true",
    ]);
    assert.deepEqual(problems({ storage: { backend: "azure", azure: { ...azure, useFederatedToken: true } } }), []);
    assert.deepEqual(problems({ storage: { backend: "azure", azure: { ...azure, useFederatedToken: true, storageAccountKey: "k" } } }, true), [
      "tempo.storage.azure.storageAccountKey: is set but tempo.storage.azure.useFederatedToken is true; use one of them",
    ]);
  });

  it("retention is a Go duration (no days)", () => {
    assert.deepEqual(problems({ retention: "14d" }), ['tempo.retention: "14d" is not a Go duration; use e.g. "48h" or "336h" (units h, m, s; no "d")']);
    assert.deepEqual(problems({ retention: "1h30m" }), []);
  });

  it("extra Service annotations: valid keys, never prometheus.io/*, never templates", () => {
    assert.deepEqual(problems({ extraServiceAnnotations: { "prometheus.io/port": "9000", "bad key": "x", "example.com/ok": "{{ .Release.Name }}" } }), [
      'tempo.extraServiceAnnotations.prometheus.io/port: key "prometheus.io/port" is not allowed; use a Kubernetes annotation key such as "example.com/owner"; prometheus.io/* keys are set by the component',
      'tempo.extraServiceAnnotations.bad key: key "bad key" is not allowed; use a Kubernetes annotation key such as "example.com/owner"; prometheus.io/* keys are set by the component',
    ]);
    assert.deepEqual(problems({ extraServiceAnnotations: { "example.com/ok": "{{ .Release.Name }}" } }), [
      'tempo.extraServiceAnnotations.example.com/ok: "{{ .Release.Name }}" contains "{{"; the chart renders most Service annotations through tpl (not the gossip ring\'s), so templates are not allowed',
    ]);
  });

  it("names a misspelt key and reports every problem at once", () => {
    assert.deepEqual(problems({ storag: {}, distributor: { replicas: 0 }, backend: "s3" }), [
      'tempo.storag: unknown key (did you mean "storage"?); allowed: chartVersion, storage, retention, distributor, ingester, querier, queryFrontend, compactor, metricsGenerator, memcached, serviceAccountAnnotations, extraServiceAnnotations',
      "tempo.backend: unknown key; allowed: chartVersion, storage, retention, distributor, ingester, querier, queryFrontend, compactor, metricsGenerator, memcached, serviceAccountAnnotations, extraServiceAnnotations",
      "tempo.distributor.replicas: 0 is out of range; allowed: 1 to 100",
    ]);
  });

  it("prod rules: object storage and replicated request path when Tempo is on", () => {
    const prod = (tempo: unknown, features = { tempo: true }): string[] => {
      // Parsed as staging, then judged as prod: the rules are tested on their own, wherever they are called from.
      const cfg = parseConfig({
        ...minimal("prod", { environment: "staging" }),
        "monitoring:features": JSON.stringify(features),
        "monitoring:tempo": JSON.stringify(tempo),
      });
      cfg.cluster.environment = "prod";
      const out: string[] = [];
      tempoEnvironmentProblems(cfg as StackConfig, (p, m) => out.push(`${p}: ${m}`));
      return out;
    };
    assert.deepEqual(prod({}), [
      'tempo.storage.backend: "minio" runs one MinIO pod, a single point of failure for every trace; cluster.environment "prod" requires "s3", "gcs" or "azure"',
      'tempo.distributor.replicas: 1 is not highly available; cluster.environment "prod" requires at least 2 replicas',
      'tempo.ingester.replicas: 1 is not highly available; cluster.environment "prod" requires at least 3 replicas',
      'tempo.querier.replicas: 1 is not highly available; cluster.environment "prod" requires at least 2 replicas',
      'tempo.queryFrontend.replicas: 1 is not highly available; cluster.environment "prod" requires at least 2 replicas',
    ]);
    const ha = { storage: { backend: "s3", s3: S3 }, distributor: { replicas: 2 }, ingester: { replicas: 3 }, querier: { replicas: 2 }, queryFrontend: { replicas: 2 } };
    assert.deepEqual(prod(ha), []);
    assert.deepEqual(prod({}, { tempo: false }), [], "no rule for a Tempo that is not deployed");
  });
});
