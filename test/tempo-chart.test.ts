/**
 * The Tempo component against the facts of the pinned tempo-distributed chart (2.26.2):
 * test/fixtures/charts/tempo-distributed-2.26.2/services.json (every Service template) and values-keys.json
 * (every key of values.yaml), both derived from grafana-community/helm-charts@3da78851.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { charts } from "../components/versions";
import { unknownValuesKeys } from "./support/chartKeys";
import { tempoValues, TempoArgs } from "../components/tempo";
import { getPath, TEMPO_CHART_SERVICES, TEMPO_SUBCHARTS_KEPT_OFF } from "../components/charts/tempoServices";

const FIXTURE_DIR = path.join(__dirname, "fixtures", "charts", `tempo-distributed-${charts.tempoDistributed.version}`);
const servicesFixture = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "services.json"), "utf8")) as {
  services: { template: string; name: string; annotationsKey: string; annotationsRendering: string; rendersWhen: string; ports: string[] }[];
};
const keysFixture = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "values-keys.json"), "utf8")) as {
  keys: string[];
  openMaps: string[];
  templateOnlyMaps: Record<string, string>;
};

/** Paths not in the pinned values.yaml (nor under one of its open maps, nor a map only its templates read). */
function unknownKeys(values: unknown): string[] {
  return unknownValuesKeys(keysFixture, values, Object.keys(keysFixture.templateOnlyMaps));
}

const ALL_ON: TempoArgs = {
  namespace: "tempo",
  clusterName: "prod-eu1",
  storage: { backend: "s3", bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", prefix: "p", insecure: false, forcePathStyle: true, accessKeyId: "AKIA", secretAccessKey: "s3cr3t" },
  retention: "336h",
  components: {
    distributor: { replicas: 2, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } } },
    ingester: { replicas: 3, resources: { requests: { cpu: "500m", memory: "2Gi" } } },
    querier: { replicas: 2 },
    queryFrontend: { replicas: 2 },
    compactor: { replicas: 1 },
    metricsGenerator: { replicas: 2 },
    memcached: { replicas: 2, resources: { limits: { memory: "512Mi" } } },
  },
  ingesterPersistence: { size: "20Gi", storageClassName: "gp3" },
  serviceAnnotations: { "example.com/owner": "observability" },
  serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/tempo" },
  metricsGenerator: { remoteWriteUrls: ["http://prometheus-platform-0.prometheus-operated.monitoring.svc:9090/api/v1/write"] },
};

describe("Tempo against the pinned tempo-distributed chart", () => {
  it("lists exactly the Services the pinned chart's templates render, with their annotations keys", () => {
    const pick = (s: { template: string; name: string; annotationsKey: string; annotationsRendering: string; rendersWhen: string }) =>
      `${s.template} | ${s.name} | ${s.annotationsKey} | ${s.annotationsRendering} | ${s.rendersWhen}`;
    assert.deepEqual(TEMPO_CHART_SERVICES.map(pick), servicesFixture.services.map(pick));
  });

  it("scrapes each Service on the metrics port its template exposes", () => {
    for (const svc of TEMPO_CHART_SERVICES) {
      const fx = servicesFixture.services.find((s) => s.template === svc.template)!;
      const metricsPorts = fx.ports.filter((p) => /^(http-metrics|http):\d+$/.test(p)).map((p) => Number(p.split(":")[1]));
      // Where the template spells the port as a literal, it must be ours; elsewhere metricsNote says why.
      if (metricsPorts.length) assert.deepEqual([...new Set(metricsPorts)], [svc.metricsPort], svc.template);
      else assert.ok(svc.metricsNote.length > 20, `${svc.template}: explain the metrics port`);
    }
    const gateway = TEMPO_CHART_SERVICES.find((s) => s.name === "<fullname>-gateway")!;
    assert.equal(gateway.metricsPort, null, "the nginx gateway serves no /metrics");
  });

  it("every Service of the pinned chart gets identical annotations, the gossip ring included", () => {
    const values = tempoValues("tempo", ALL_ON);
    const extra = { "example.com/owner": "observability" };
    const expected = (port: number) => ({ ...extra, "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" });
    for (const svc of TEMPO_CHART_SERVICES) {
      const got = getPath(values, svc.annotationsKey);
      if (svc.metricsPort === null) assert.deepEqual(got, { ...extra, "prometheus.io/scrape": "false" }, svc.annotationsKey);
      else assert.deepEqual(got, expected(svc.metricsPort), svc.annotationsKey);
    }
    assert.deepEqual(getPath(values, "tempo.memberlist.service.annotations"), expected(3200));
    // Identical apart from the port: one set of annotations, not one per Service.
    const withoutPort = TEMPO_CHART_SERVICES.filter((s) => s.metricsPort !== null).map((s) => {
      const { ["prometheus.io/port"]: _port, ...rest } = getPath(values, s.annotationsKey) as Record<string, string>;
      return JSON.stringify(rest);
    });
    assert.equal(new Set(withoutPort).size, 1);
  });

  it("annotates the 23 Services of chart 2.26.2, three of them rendered without tpl", () => {
    assert.equal(TEMPO_CHART_SERVICES.length, 23);
    assert.deepEqual(
      TEMPO_CHART_SERVICES.filter((s) => s.annotationsRendering === "toYaml").map((s) => s.annotationsKey),
      ["adminApi.service.annotations", "enterpriseGateway.service.annotations", "tempo.memberlist.service.annotations"],
    );
  });

  it("sets only values keys that exist in the pinned values.yaml", () => {
    assert.deepEqual(unknownKeys(tempoValues("tempo", ALL_ON)), []);
    assert.deepEqual(unknownKeys(tempoValues("tempo", { namespace: "tempo", clusterName: "dev", storage: { backend: "minio", size: "10Gi" } })), []);
    for (const storage of [
      { backend: "gcs", bucket: "b", prefix: "p", serviceAccountKey: "{}" },
      { backend: "azure", container: "c", storageAccountName: "a", endpointSuffix: "blob.core.windows.net", prefix: "p", storageAccountKey: "k" },
      { backend: "azure", container: "c", storageAccountName: "a", useFederatedToken: true },
    ] as const) {
      assert.deepEqual(unknownKeys(tempoValues("tempo", { namespace: "tempo", clusterName: "dev", storage })), [], storage.backend);
    }
  });

  it("the key check catches a key the chart does not have", () => {
    assert.deepEqual(unknownKeys({ distributor: { replicaCount: 2 }, ingester: { resources: { requests: { cpu: "1" } } } }), ["distributor.replicaCount"]);
  });

  it("keeps the subcharts whose Services nobody annotates disabled", () => {
    const values = tempoValues("tempo", ALL_ON);
    for (const key of Object.keys(TEMPO_SUBCHARTS_KEPT_OFF)) {
      assert.ok(keysFixture.keys.includes(key), key);
      assert.equal(getPath(values, key), false, key);
    }
  });
});
