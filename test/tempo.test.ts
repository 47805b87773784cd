/** The Tempo component under mocks, and the pure functions that build its chart values. */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { assertUniqueUrns, one, ofType, runWithMocks, valueOf } from "./harness/mocks";
import { parseConfig } from "../components/config";
import { replicationFactor, Tempo, TempoArgs, tempoArgsFromConfig, tempoEndpoints, tempoValues, validateTempoArgs } from "../components/tempo";
import { PLATFORM_SCRAPE_LABEL } from "../components/labels";
import { minimal } from "./support/config";

const CHART = "kubernetes:helm.sh/v4:Chart";
const SECRET = "kubernetes:core/v1:Secret";

const s3: TempoArgs["storage"] = { backend: "s3", bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com" };
const dev: TempoArgs = { namespace: "tempo", clusterName: "dev", storage: s3 };
const withMinio: TempoArgs = { ...dev, storage: { backend: "minio", size: "10Gi" } };
const REMOTE_WRITE = [
  "http://prometheus-platform-0.prometheus-operated.monitoring.svc:9090/api/v1/write",
  "http://prometheus-platform-1.prometheus-operated.monitoring.svc:9090/api/v1/write",
];

describe("Tempo component", () => {
  it("installs the pinned tempo-distributed chart from its OCI registry into the given namespace", async () => {
    const { resources } = await runWithMocks(() => new Tempo("tempo", dev));
    const chart = one(resources, CHART, "tempo");
    assert.equal(chart.inputs.chart, "oci://ghcr.io/grafana-community/helm-charts/tempo-distributed");
    assert.equal(chart.inputs.version, "2.26.2");
    assert.equal(chart.inputs.repositoryOpts, undefined);
    assert.equal(chart.inputs.namespace, "tempo");
    assert.match(chart.parent, /monitoring:index:Tempo::tempo$/);
    assert.equal(chart.inputs.values.fullnameOverride, "tempo");
    assert.deepEqual(ofType(resources, SECRET), [], "storage through the pods' own identity needs no credentials");
    assert.equal(chart.inputs.name, "tempo", "a fixed release name");
  });

  it("keeps blocks in a MinIO all components share when the cluster has no object storage, and starts Tempo after it", async () => {
    const { resources } = await runWithMocks(() => new Tempo("tempo", withMinio));
    const chart = one(resources, CHART, "tempo");
    const dep = one(resources, "kubernetes:apps/v1:Deployment", "tempo-minio");
    assert.ok(chart.dependsOn.includes(dep.urn), "Tempo waits for MinIO to be ready (every component lists the bucket at start)");
    const container = dep.inputs.spec.template.spec.containers[0];
    assert.match(container.command.join(" "), /mkdir -p \/data\/tempo-traces && exec minio server \/data/);
    assert.equal(container.image, "docker.io/pgsty/minio:RELEASE.2026-04-17T00-00-00Z");
    assert.equal(dep.inputs.spec.template.spec.securityContext.runAsNonRoot, true);
    assert.deepEqual(chart.inputs.values.storage.trace, {
      backend: "s3",
      s3: { bucket: "tempo-traces", endpoint: "tempo-minio.tempo.svc.cluster.local:9000", insecure: true, forcepathstyle: true },
    });
    const creds = one(resources, SECRET, "tempo-storage-credentials");
    assert.equal(creds.inputs.stringData.AWS_ACCESS_KEY_ID, "tempo");
    assert.equal(creds.inputs.stringData.AWS_SECRET_ACCESS_KEY, "mock-password-tempo-minio-password");
    assert.ok(creds.secretPaths.some((p) => p.startsWith("stringData")));
    assert.deepEqual(chart.inputs.values.defaults.extraEnvFrom, [{ secretRef: { name: "tempo-storage-credentials" } }]);
    const svc = one(resources, "kubernetes:core/v1:Service", "tempo-minio");
    assert.equal(svc.inputs.metadata.annotations["prometheus.io/scrape"], "true");
    assert.equal(one(resources, "kubernetes:core/v1:PersistentVolumeClaim", "tempo-minio").inputs.spec.resources.requests.storage, "10Gi");
  });

  it("receives OTLP over gRPC and HTTP and exports the in-cluster endpoints of the release's Services", async () => {
    const { resources, value } = await runWithMocks(() => new Tempo("traces", { ...dev, namespace: "obs" }));
    assert.deepEqual(one(resources, CHART, "traces").inputs.values.traces, { otlp: { grpc: { enabled: true }, http: { enabled: true } } });
    assert.equal(await valueOf(value.queryFrontendUrl), "http://traces-query-frontend.obs.svc.cluster.local:3200");
    assert.equal(await valueOf(value.otlpGrpcEndpoint), "http://traces-distributor.obs.svc.cluster.local:4317");
    assert.equal(await valueOf(value.otlpHttpEndpoint), "http://traces-distributor.obs.svc.cluster.local:4318");
  });

  it("Tempo with backend s3 keeps the secret key secret: only in a Kubernetes Secret the pods read as env", async () => {
    const { resources } = await runWithMocks(
      () =>
        new Tempo("tempo", {
          ...dev,
          storage: { backend: "s3", bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", accessKeyId: "AKIAEXAMPLE", secretAccessKey: pulumi.secret("s3cr3t-key") },
        }),
    );
    const secret = one(resources, SECRET, "tempo-storage-credentials");
    assert.equal(secret.inputs.metadata.name, "tempo-storage-credentials");
    assert.equal(secret.inputs.metadata.namespace, "tempo");
    assert.equal(secret.inputs.stringData.AWS_SECRET_ACCESS_KEY, "s3cr3t-key");
    assert.ok(
      secret.secretPaths.some((p) => p === "stringData" || p === "stringData.AWS_SECRET_ACCESS_KEY"),
      `not registered as a secret: ${JSON.stringify(secret.secretPaths)}`,
    );
    const chart = one(resources, CHART, "tempo");
    assert.ok(!JSON.stringify(chart.inputs).includes("s3cr3t-key"), "the secret key leaked into the chart's inputs");
    assert.ok(!JSON.stringify(chart.inputs).includes("AKIAEXAMPLE"), "the access key id leaked into the chart's inputs");
    assert.deepEqual(chart.inputs.values.storage.trace, {
      backend: "s3",
      s3: { bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", insecure: false, forcepathstyle: false },
    });
    assert.deepEqual(chart.inputs.values.defaults.extraEnvFrom, [{ secretRef: { name: "tempo-storage-credentials" } }]);
    assert.deepEqual(chart.dependsOn, [secret.urn], "the chart waits for the Secret its pods read");
  });

  it("wraps a plain credential as a secret too", async () => {
    const { resources } = await runWithMocks(() => new Tempo("tempo", { ...dev, storage: { backend: "azure", container: "c", storageAccountName: "acct", storageAccountKey: "plain-key" } }));
    const secret = one(resources, SECRET, "tempo-storage-credentials");
    assert.equal(secret.inputs.stringData.AZURE_STORAGE_KEY, "plain-key");
    assert.ok(secret.secretPaths.some((p) => p.startsWith("stringData")), JSON.stringify(secret.secretPaths));
    assert.ok(!JSON.stringify(one(resources, CHART, "tempo").inputs).includes("plain-key"));
  });

  it("mounts a GCS service-account key from the Secret as GOOGLE_APPLICATION_CREDENTIALS", () => {
    const v = tempoValues("tempo", { ...dev, storage: { backend: "gcs", bucket: "traces", serviceAccountKey: "{\"type\":\"service_account\"}" } });
    assert.deepEqual(v.storage.trace, { backend: "gcs", gcs: { bucket_name: "traces" } });
    assert.deepEqual(v.defaults.extraVolumes, [{ name: "tempo-gcs-credentials", secret: { secretName: "tempo-storage-credentials" } }]);
    assert.deepEqual(v.defaults.extraVolumeMounts, [{ name: "tempo-gcs-credentials", mountPath: "/var/secrets/tempo-gcs", readOnly: true }]);
    assert.deepEqual(v.defaults.extraEnv, [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/var/secrets/tempo-gcs/key.json" }]);
    assert.ok(!JSON.stringify(v).includes("service_account"));
  });

  it("without static credentials uses the pods' identity: no Secret, ServiceAccount annotated", async () => {
    const { resources } = await runWithMocks(
      () =>
        new Tempo("tempo", {
          ...dev,
          storage: { backend: "s3", bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com" },
          serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/tempo" },
        }),
    );
    assert.deepEqual(ofType(resources, SECRET), []);
    const values = one(resources, CHART, "tempo").inputs.values;
    assert.deepEqual(values.defaults, {});
    assert.deepEqual(values.serviceAccount.annotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/tempo" });
  });

  it("remote-writes service-graph and span metrics to every platform Prometheus replica, labelled with the cluster", async () => {
    const { resources } = await runWithMocks(() => new Tempo("tempo", { ...dev, clusterName: "prod-eu1", metricsGenerator: { remoteWriteUrls: REMOTE_WRITE } }));
    const v = one(resources, CHART, "tempo").inputs.values;
    assert.equal(v.metricsGenerator.enabled, true);
    assert.deepEqual(v.metricsGenerator.config.storage.remote_write, REMOTE_WRITE.map((url) => ({ url })));
    assert.deepEqual(v.metricsGenerator.config.registry.external_labels, { cluster: "prod-eu1" });
    assert.deepEqual(v.overrides, { defaults: { metrics_generator: { processors: ["service-graphs", "span-metrics", "local-blocks"] } } });
  });

  it("runs local-blocks for TraceQL metrics, flushed to the shared storage, also with nowhere to write metrics", () => {
    const v = tempoValues("tempo", { ...dev, metricsGenerator: {} });
    assert.equal(v.metricsGenerator.enabled, true);
    assert.deepEqual(v.metricsGenerator.config.processor, { local_blocks: { flush_to_storage: true } });
    assert.deepEqual(v.metricsGenerator.config.storage.remote_write, []);
    assert.deepEqual(v.overrides, { defaults: { metrics_generator: { processors: ["local-blocks"] } } });
  });

  it("leaves the metrics-generator off when not asked for", () => {
    const v = tempoValues("tempo", dev);
    assert.equal(v.metricsGenerator.enabled, false);
    assert.equal(v.metricsGenerator.config, undefined);
    assert.equal(v.overrides, undefined);
  });

  it("turns the chart's ServiceMonitors on, labelled for the platform Prometheus, memcached's exporter included", () => {
    const v = tempoValues("tempo", dev);
    assert.deepEqual(v.metaMonitoring.serviceMonitor, { enabled: true, labels: { ...PLATFORM_SCRAPE_LABEL } });
    assert.deepEqual(v.memcachedExporter, { enabled: true, resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } } });
  });

  it("sizes every component from the args; three ingesters get replication factor 3", () => {
    const v = tempoValues("tempo", {
      ...dev,
      components: {
        distributor: { replicas: 2, resources: { requests: { cpu: "200m" } } },
        ingester: { replicas: 3 },
        querier: { replicas: 2 },
        queryFrontend: { replicas: 2 },
        compactor: { replicas: 1 },
        memcached: { replicas: 2 },
      },
      ingesterPersistence: { size: "20Gi", storageClassName: "gp3" },
      retention: "336h",
    });
    assert.equal(v.distributor.replicas, 2);
    assert.deepEqual(v.distributor.resources, { requests: { cpu: "200m" } });
    assert.equal(v.ingester.replicas, 3);
    assert.equal(v.ingester.config.replication_factor, 3);
    assert.deepEqual(v.ingester.persistence, { enabled: true, size: "20Gi", storageClass: "gp3" });
    assert.equal(v.querier.replicas, 2);
    assert.equal(v.queryFrontend.replicas, 2);
    assert.equal(v.memcached.replicas, 2);
    assert.equal(v.compactor.config.compaction.block_retention, "336h");
    assert.deepEqual([1, 2, 3, 5].map(replicationFactor), [1, 1, 3, 3]);
  });

  it("does not hand the chart our part-of label: the gossip ring selects on part-of: memberlist", () => {
    const v = tempoValues("tempo", dev);
    assert.deepEqual(Object.keys(v.global), ["clusterDomain"]);
    assert.ok(!JSON.stringify(v).includes("app.kubernetes.io/part-of"));
  });

  it("refuses bad args with one error that lists every problem", async () => {
    await assert.rejects(
      runWithMocks(
        () =>
          new Tempo("Tempo_1", {
            ...dev,
            components: { ingester: { replicas: 0 } },
            storage: { backend: "s3", bucket: "", endpoint: "s3.amazonaws.com", secretAccessKey: "x" },
          }),
      ),
      (e: Error) => {
        assert.match(e.message, /Unable to create Tempo Tempo_1:/);
        assert.match(e.message, /name: "Tempo_1" cannot prefix the chart's Service names; use a lower-case DNS label starting with a letter, at most 32 characters/);
        assert.match(e.message, /components\.ingester\.replicas: 0 is not a positive integer/);
        assert.match(e.message, /storage\.bucket: is required for backend "s3"/);
        assert.match(e.message, /storage: accessKeyId and secretAccessKey go together/);
        return true;
      },
    );
    assert.deepEqual(validateTempoArgs("tempo", dev), []);
    assert.equal(validateTempoArgs("a".repeat(33), dev).length, 1);
  });

  it("makes the chart wait for what the caller names (the operator's CRDs: it renders ServiceMonitors)", async () => {
    const { resources } = await runWithMocks(async () => {
      const { ConfigMap } = await import("@pulumi/kubernetes/core/v1");
      const crds = new ConfigMap("crds", {});
      new Tempo("tempo", { ...dev, dependsOn: [crds] });
    });
    assert.deepEqual(one(resources, CHART, "tempo").dependsOn, [one(resources, "kubernetes:core/v1:ConfigMap", "crds").urn]);
  });

  it("two instances do not collide", async () => {
    const { resources } = await runWithMocks(() => {
      new Tempo("tempo-a", { ...dev, namespace: "a", storage: { backend: "azure", container: "c", storageAccountName: "s", storageAccountKey: "k" } });
      new Tempo("tempo-b", { ...dev, namespace: "b", storage: { backend: "azure", container: "c", storageAccountName: "s", storageAccountKey: "k" } });
    });
    assertUniqueUrns(resources);
    assert.deepEqual(ofType(resources, SECRET).map((s) => s.inputs.metadata.name).sort(), ["tempo-a-storage-credentials", "tempo-b-storage-credentials"]);
  });

  it("computes endpoints from the release's Service names", () => {
    assert.deepEqual(tempoEndpoints("tempo", "tempo", "example.internal"), {
      queryFrontendUrl: "http://tempo-query-frontend.tempo.svc.example.internal:3200",
      otlpGrpcEndpoint: "http://tempo-distributor.tempo.svc.example.internal:4317",
      otlpHttpEndpoint: "http://tempo-distributor.tempo.svc.example.internal:4318",
    });
  });
});

describe("Tempo args from the stack config", () => {
  const cluster = minimal("prod-eu1", { environment: "staging" });

  it("maps every key, wraps credentials from secret config as secrets, and builds a working component", async () => {
    const cfg = parseConfig(
      {
        ...cluster,
        "monitoring:features": JSON.stringify({ tempo: true }),
        "monitoring:tempo": JSON.stringify({
          storage: { backend: "s3", s3: { bucket: "traces", endpoint: "s3.eu-west-1.amazonaws.com", accessKeyId: "AKIAEXAMPLE", secretAccessKey: "from-secret-config" } },
          retention: "336h",
          distributor: { replicas: 2 },
          ingester: { replicas: 3, persistence: { size: "20Gi" } },
          querier: { replicas: 2 },
          queryFrontend: { replicas: 2, resources: { limits: { memory: "1Gi" } } },
          extraServiceAnnotations: { "example.com/owner": "observability" },
        }),
      },
      ["monitoring:tempo"],
    );
    const args = tempoArgsFromConfig(cfg, { metricsGeneratorRemoteWriteUrls: REMOTE_WRITE });
    assert.equal(args.namespace, "tempo");
    assert.equal(args.clusterName, "prod-eu1");
    assert.equal(args.retention, "336h");
    assert.deepEqual(args.components?.queryFrontend, { replicas: 2, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "1Gi" } } });
    assert.deepEqual(args.ingesterPersistence, { size: "20Gi" });
    assert.deepEqual(args.metricsGenerator, { remoteWriteUrls: REMOTE_WRITE });
    assert.ok(args.storage.backend === "s3" && pulumi.Output.isInstance(args.storage.secretAccessKey));
    assert.equal(await pulumi.isSecret(args.storage.secretAccessKey as pulumi.Output<string>), true);

    const { resources } = await runWithMocks(() => new Tempo("tempo", args));
    const secret = one(resources, SECRET, "tempo-storage-credentials");
    assert.ok(secret.secretPaths.some((p) => p.startsWith("stringData")));
    assert.ok(!JSON.stringify(one(resources, CHART, "tempo").inputs).includes("from-secret-config"));
  });

  it("runs the metrics-generator unless turned off; writes metrics only with platform monitoring", () => {
    const off = parseConfig({ ...cluster, "monitoring:features": JSON.stringify({ tempo: true, platformMonitoring: false }) });
    assert.deepEqual(tempoArgsFromConfig(off, { metricsGeneratorRemoteWriteUrls: REMOTE_WRITE }).metricsGenerator, { remoteWriteUrls: [] });
    const disabled = parseConfig({ ...cluster, "monitoring:tempo": JSON.stringify({ metricsGenerator: { enabled: false } }) });
    assert.equal(tempoArgsFromConfig(disabled, { metricsGeneratorRemoteWriteUrls: REMOTE_WRITE }).metricsGenerator, undefined);
    const on = parseConfig(cluster);
    assert.deepEqual(tempoArgsFromConfig(on, { metricsGeneratorRemoteWriteUrls: REMOTE_WRITE }).metricsGenerator, { remoteWriteUrls: REMOTE_WRITE });
    assert.deepEqual(tempoArgsFromConfig(on).metricsGenerator, { remoteWriteUrls: [] });
    assert.equal(tempoArgsFromConfig(on).storage.backend, "minio", "a shared store by default");
  });
});
