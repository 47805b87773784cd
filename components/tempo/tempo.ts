/**
 * Tempo: the tempo-distributed chart (2.26.2, Tempo 2.10; components/versions.ts).
 *
 * - OTLP gRPC (4317) and HTTP (4318) receivers on the distributor (`traces.otlp.*.enabled`).
 * - Storage every component shares: s3/gcs/azure, or `minio` (a one-pod MinIO of this component, for
 *   clusters without object storage; minio.ts). Never `local`: with it each pod keeps blocks on its own
 *   disk, so queriers and the compactor never see the ingesters' blocks (grafana/tempo#1223). Credentials
 *   go into a Kubernetes Secret handed to the Tempo pods as environment (`defaults.extraEnvFrom`) or a
 *   mounted file, never into values: the chart writes `storage.trace.<backend>` into a plain ConfigMap.
 * - The chart's ServiceMonitors on, labelled for the platform Prometheus; every Service the chart can
 *   render carries the same scrape annotations (components/charts/tempoServices.ts).
 * - The metrics-generator with the `local-blocks` processor, which TraceQL metrics queries need ("localblocks
 *   processor not found" otherwise: grafana/tempo v2.10 modules/generator/instance.go, #3995), flushing its
 *   blocks to the shared storage so ranges older than `query_backend_after` (30 m) answer too
 *   (localblocks/processor.go; the query-frontend reads only those RF1 blocks from the backend); plus
 *   service-graph and span metrics remote-written to the platform Prometheus when there is one (it needs
 *   `enableRemoteWriteReceiver: true`).
 */
import { keepsData } from "../config/core";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { charts } from "../versions";
import { PLATFORM_SCRAPE_LABEL, standardLabels } from "../labels";
import type { StackConfig } from "../config";
import type { Resources } from "../config/schema";
import { resourceBlock } from "../resources";
import { type DataSafety, pvcRetentionPolicy } from "../dataSafety";
import { LONGEST_SERVICE_SUFFIX, serviceAnnotationValues, TEMPO_HTTP_PORT, TEMPO_SUBCHARTS_KEPT_OFF, setPath } from "../charts/tempoServices";
import { declareMinio, MINIO_BUCKET, MinioSettings } from "./minio";

/** OTLP ports of the distributor Service (templates/distributor/service-distributor.yaml). */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;

/** The Tempo components whose replicas and resources the args set (values sections of the same name). */
export const TEMPO_COMPONENTS = ["distributor", "ingester", "querier", "queryFrontend", "compactor", "metricsGenerator", "memcached"] as const;
export type TempoComponent = (typeof TEMPO_COMPONENTS)[number];

export interface TempoComponentSettings {
  /** Replicas. @default 1 */
  replicas?: number;
  /** Container resources. @default the chart's (none) */
  resources?: k8s.types.input.core.v1.ResourceRequirements;
}

export type TempoStorage =
  | ({ backend: "minio" } & MinioSettings)
  | {
      backend: "s3";
      bucket: string;
      /** host[:port], e.g. "s3.eu-west-1.amazonaws.com". */
      endpoint: string;
      region?: string;
      prefix?: string;
      /** Plain HTTP. @default false */
      insecure?: boolean;
      /** Path-style requests. @default false */
      forcePathStyle?: boolean;
      /** With secretAccessKey; both unset = the pods' AWS credential chain (IRSA, instance role). */
      accessKeyId?: pulumi.Input<string>;
      /** A secret; ends up only in a Kubernetes Secret. */
      secretAccessKey?: pulumi.Input<string>;
    }
  | {
      backend: "gcs";
      bucket: string;
      prefix?: string;
      /** Service-account key JSON (a secret); unset = workload identity. */
      serviceAccountKey?: pulumi.Input<string>;
    }
  | {
      backend: "azure";
      container: string;
      storageAccountName: string;
      endpointSuffix?: string;
      prefix?: string;
      /** Azure workload identity instead of a key. @default false */
      useFederatedToken?: boolean;
      /** Account key (a secret); required unless useFederatedToken. */
      storageAccountKey?: pulumi.Input<string>;
    };

export interface TempoArgs {
  /** Namespace of the release (created by the caller). */
  namespace: pulumi.Input<string>;
  /** The cluster's name: external label `cluster` on the metrics-generator's series. */
  clusterName: string;
  /** Kubernetes cluster DNS domain, for the in-cluster URLs. @default "cluster.local" */
  clusterDomain?: string;
  /** Chart version. @default charts.tempoDistributed.version */
  chartVersion?: string;
  /** Trace storage. */
  storage: TempoStorage;
  /** Block retention (Go duration). @default "48h" (the chart's) */
  retention?: string;
  /** Replicas/resources per component. @default 1 replica each, no resources */
  components?: Partial<Record<TempoComponent, TempoComponentSettings>>;
  /** The memcached exporter sidecar's resources. @default 10m / 16Mi, limit 64Mi */
  memcachedExporterResources?: k8s.types.input.core.v1.ResourceRequirements;
  /** Ingester PersistentVolumeClaims. @default none (emptyDir) */
  ingesterPersistence?: { size: string; storageClassName?: string };
  /** What happens to the ingesters' and MinIO's volumes on delete. @default they go with them */
  dataSafety?: DataSafety;
  /** Annotations added to every Service of the chart besides the scrape annotations. @default {} */
  serviceAnnotations?: Record<string, string>;
  /** Annotations of Tempo's ServiceAccount (IRSA, workload identity). @default {} */
  serviceAccountAnnotations?: Record<string, string>;
  /**
   * Run the metrics-generator (local-blocks for TraceQL metrics), and remote-write service-graph and span
   * metrics to `remoteWriteUrls` when given (one per Prometheus replica: a write reaches one replica only).
   * @default off
   */
  metricsGenerator?: { remoteWriteUrls?: pulumi.Input<string>[] };
  /** Resources the chart waits for, e.g. the Prometheus Operator CRDs (it renders ServiceMonitors). @default [] */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** In-cluster endpoints of a release (Service names: `<fullname>-<component>`, fullname = the component name). */
export function tempoEndpoints(fullname: string, namespace: string, clusterDomain = "cluster.local") {
  const host = (c: string) => `${fullname}-${c}.${namespace}.svc.${clusterDomain}`;
  return {
    queryFrontendUrl: `http://${host("query-frontend")}:${TEMPO_HTTP_PORT}`,
    otlpGrpcEndpoint: `http://${host("distributor")}:${OTLP_GRPC_PORT}`,
    otlpHttpEndpoint: `http://${host("distributor")}:${OTLP_HTTP_PORT}`,
  };
}

/** Name of the Secret holding the storage credentials. */
export function storageSecretName(fullname: string): string {
  return `${fullname}-storage-credentials`;
}

const GCS_KEY_FILE = "key.json";
const GCS_MOUNT = "/var/secrets/tempo-gcs";

/** The Secret data a backend needs (env names Tempo reads), or undefined when none. */
export function storageSecretData(storage: TempoStorage): Record<string, pulumi.Input<string>> | undefined {
  switch (storage.backend) {
    case "s3":
      // minio-go's EnvAWS provider, second in Tempo's credential chain (tempodb/backend/s3/s3.go fetchCreds).
      return storage.accessKeyId !== undefined && storage.secretAccessKey !== undefined
        ? { AWS_ACCESS_KEY_ID: storage.accessKeyId, AWS_SECRET_ACCESS_KEY: storage.secretAccessKey }
        : undefined;
    case "gcs":
      return storage.serviceAccountKey !== undefined ? { [GCS_KEY_FILE]: storage.serviceAccountKey } : undefined;
    case "azure":
      // Tempo reads AZURE_STORAGE_KEY when storage_account_key is empty (tempodb/backend/azure/azure_helpers.go).
      return storage.storageAccountKey !== undefined ? { AZURE_STORAGE_KEY: storage.storageAccountKey } : undefined;
    default:
      return undefined;
  }
}

/** `storage.trace` values (no credential ever goes here: the chart renders it into a ConfigMap). */
function storageTraceValues(s: TempoStorage, minioEndpoint: pulumi.Input<string>): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (s.backend) {
    case "minio":
      // Tempo's S3 client against the component's MinIO (endpoint filled in by the component).
      return { backend: "s3", s3: { bucket: MINIO_BUCKET, endpoint: minioEndpoint, insecure: true, forcepathstyle: true } };
    case "s3":
      // Keys of Tempo's s3 config (tempodb/backend/s3/config.go yaml tags).
      return { backend: "s3", s3: defined({ bucket: s.bucket, endpoint: s.endpoint, region: s.region, prefix: s.prefix, insecure: s.insecure ?? false, forcepathstyle: s.forcePathStyle ?? false }) };
    case "gcs":
      return { backend: "gcs", gcs: defined({ bucket_name: s.bucket, prefix: s.prefix }) };
    case "azure":
      return {
        backend: "azure",
        azure: defined({ container_name: s.container, storage_account_name: s.storageAccountName, endpoint_suffix: s.endpointSuffix, prefix: s.prefix, use_federated_token: s.useFederatedToken ? true : undefined }),
      };
  }
}

/** How the Tempo pods get the credentials Secret (`defaults.*` reach every Tempo binary, not memcached: templates/_pod.tpl). */
function credentialValues(s: TempoStorage, secretName: string): Record<string, unknown> {
  // MinIO's keys are generated by the component (minio.ts) and written into the same Secret.
  if (s.backend !== "minio" && !storageSecretData(s)) return {};
  if (s.backend === "gcs") {
    return {
      extraVolumes: [{ name: "tempo-gcs-credentials", secret: { secretName } }],
      extraVolumeMounts: [{ name: "tempo-gcs-credentials", mountPath: GCS_MOUNT, readOnly: true }],
      extraEnv: [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: `${GCS_MOUNT}/${GCS_KEY_FILE}` }],
    };
  }
  return { extraEnvFrom: [{ secretRef: { name: secretName } }] };
}

/** Container resources from the config DSL's shape (empty parts dropped). */
export function toResourceRequirements(r: Resources | undefined): k8s.types.input.core.v1.ResourceRequirements | undefined {
  return r ? resourceBlock(r) : undefined;
}

/** The metrics-generator processors: local-blocks always (TraceQL metrics); the metric ones when written somewhere. */
export function metricsGeneratorProcessors(mg: { remoteWriteUrls?: pulumi.Input<string>[] }): string[] {
  return [...((mg.remoteWriteUrls ?? []).length ? ["service-graphs", "span-metrics"] : []), "local-blocks"];
}

/** host:port of the component's MinIO (backend "minio"). */
function minioEndpointOf(fullname: string, args: TempoArgs): pulumi.Input<string> {
  const domain = args.clusterDomain ?? "cluster.local";
  return typeof args.namespace === "string"
    ? `${fullname}-minio.${args.namespace}.svc.${domain}:9000`
    : pulumi.interpolate`${fullname}-minio.${args.namespace}.svc.${domain}:9000`;
}

/** Ingester replication factor: 3 needs 3 live ingesters, so fewer run with 1 (no redundancy, dev). */
export function replicationFactor(ingesters: number): number {
  return ingesters >= 3 ? 3 : 1;
}

/** The chart values for `args`, release fullname `fullname`. Pure: tested directly. */
export function tempoValues(fullname: string, args: TempoArgs): Record<string, any> {
  const c = (k: TempoComponent) => ({ replicas: args.components?.[k]?.replicas ?? 1, ...(args.components?.[k]?.resources ? { resources: args.components[k]!.resources } : {}) });
  const ingesters = args.components?.ingester?.replicas ?? 1;
  const mg = args.metricsGenerator;
  const values: Record<string, any> = {
    // Service names = `<fullname>-<component>` whatever the release name (templates/_helpers.tpl tempo.fullname).
    fullnameOverride: fullname,
    // No global.commonLabels: the chart's pod labels put them after `app.kubernetes.io/part-of: memberlist`,
    // which the gossip ring selects on; our part-of label would override it and empty the ring.
    global: { clusterDomain: args.clusterDomain ?? "cluster.local" },
    reportingEnabled: false,
    // Pod Security "restricted": the chart's containers are already non-root with no privilege escalation
    // and drop ALL (tempo.securityContext), its pods lack only a seccomp profile. The pod context of every
    // component and of memcached is the first non-empty of <component>.podSecurityContext,
    // tempo.podSecurityContext, defaults.podSecurityContext (templates/_pod.tpl, statefulset-memcached.yaml,
    // 2.26.2): set here, with the chart's own fsGroup 1000 kept.
    tempo: { podSecurityContext: { fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } } },
    traces: { otlp: { grpc: { enabled: true }, http: { enabled: true } } },
    storage: { trace: storageTraceValues(args.storage, minioEndpointOf(fullname, args)) },
    defaults: credentialValues(args.storage, storageSecretName(fullname)),
    serviceAccount: { annotations: args.serviceAccountAnnotations ?? {} },
    distributor: c("distributor"),
    ingester: {
      ...c("ingester"),
      config: { replication_factor: replicationFactor(ingesters) },
      persistence: args.ingesterPersistence
        ? { enabled: true, size: args.ingesterPersistence.size, ...(args.ingesterPersistence.storageClassName ? { storageClass: args.ingesterPersistence.storageClassName } : {}) }
        : { enabled: false },
      // The StatefulSet's PVC retention (templates/ingester/statefulset-ingester.yaml, values ingester.persistentVolumeClaimRetentionPolicy).
      ...(args.ingesterPersistence ? { persistentVolumeClaimRetentionPolicy: { enabled: true, ...pvcRetentionPolicy(args.dataSafety) } } : {}),
    },
    querier: c("querier"),
    queryFrontend: c("queryFrontend"),
    compactor: { ...c("compactor"), config: { compaction: { block_retention: args.retention ?? "48h" } } },
    memcached: c("memcached"),
    // The exporter sidecar serves memcached metrics on the memcached Services' http-metrics port (9150)
    // and makes the chart render the memcached ServiceMonitor.
    memcachedExporter: { enabled: true, resources: args.memcachedExporterResources ?? { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } } },
    metricsGenerator: mg
      ? {
          enabled: true,
          ...c("metricsGenerator"),
          config: {
            registry: { external_labels: { cluster: args.clusterName } },
            // The chart renders `processor` from this map as is (values.yaml `config` template); the
            // storage and traces_storage paths keep the chart's defaults (/var/tempo/wal, /var/tempo/traces).
            processor: { local_blocks: { flush_to_storage: true } },
            storage: { remote_write: (mg.remoteWriteUrls ?? []).map((url) => ({ url })) },
          },
        }
      : { enabled: false },
    metaMonitoring: { serviceMonitor: { enabled: true, labels: { ...PLATFORM_SCRAPE_LABEL } } },
  };
  if (mg) {
    // Processors are per-tenant overrides (Tempo modules/overrides/config.go: defaults.metrics_generator.processors),
    // rendered by the chart as `overrides:` verbatim. Span metrics and service graphs only where they go somewhere.
    values.overrides = { defaults: { metrics_generator: { processors: metricsGeneratorProcessors(mg) } } };
  }
  // Subcharts render Services no values key of ours annotates: keep them off, explicitly.
  for (const key of Object.keys(TEMPO_SUBCHARTS_KEPT_OFF)) setPath(values, key, false);
  return mergeDeep(values, serviceAnnotationValues(args.serviceAnnotations ?? {}));
}

function mergeDeep(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" && !Array.isArray(out[k]) ? mergeDeep(out[k], v) : v;
  }
  return out;
}

const SERVICE_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/; // DNS-1035 label: Service names

/** Every problem with the args, or [] (messages name the arg path, the bad value and what is allowed). */
export function validateTempoArgs(name: string, args: TempoArgs): string[] {
  const problems: string[] = [];
  const maxName = 63 - LONGEST_SERVICE_SUFFIX;
  if (!SERVICE_NAME_RE.test(name) || name.length > maxName) {
    problems.push(`name: ${JSON.stringify(name)} cannot prefix the chart's Service names; use a lower-case DNS label starting with a letter, at most ${maxName} characters`);
  }
  for (const k of TEMPO_COMPONENTS) {
    const r = args.components?.[k]?.replicas;
    if (r !== undefined && (!Number.isInteger(r) || r < 1)) problems.push(`components.${k}.replicas: ${r} is not a positive integer`);
  }
  const s = args.storage;
  if (s.backend === "s3") {
    if (!s.bucket) problems.push(`storage.bucket: is required for backend "s3"`);
    if (!s.endpoint) problems.push(`storage.endpoint: is required for backend "s3"`);
    if ((s.accessKeyId === undefined) !== (s.secretAccessKey === undefined)) problems.push(`storage: accessKeyId and secretAccessKey go together; set both, or neither for the pods' AWS credential chain`);
  }
  if (s.backend === "gcs" && !s.bucket) problems.push(`storage.bucket: is required for backend "gcs"`);
  if (s.backend === "azure") {
    if (!s.container || !s.storageAccountName) problems.push(`storage: container and storageAccountName are required for backend "azure"`);
    if (!s.useFederatedToken && s.storageAccountKey === undefined) problems.push(`storage.storageAccountKey: is required unless useFederatedToken is true`);
  }

  return problems;
}

export class Tempo extends pulumi.ComponentResource {
  /** Tempo's query API (Grafana's Tempo data source URL). */
  public readonly queryFrontendUrl: pulumi.Output<string>;
  /** The labels every Tempo pod carries (the chart's selector labels: name tempo, instance = the release). */
  public readonly podLabels: Record<string, string>;
  /** OTLP/gRPC endpoint for trace exporters (OTEL_EXPORTER_OTLP_ENDPOINT with protocol grpc). */
  public readonly otlpGrpcEndpoint: pulumi.Output<string>;
  /** OTLP/HTTP base URL (exporters append /v1/traces). */
  public readonly otlpHttpEndpoint: pulumi.Output<string>;

  constructor(name: string, args: TempoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Tempo", name, {}, opts);
    this.podLabels = { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": name };
    const problems = validateTempoArgs(name, args);
    if (problems.length) throw new pulumi.ResourceError(`Unable to create Tempo ${name}:\n  - ${problems.join("\n  - ")}`, this);

    const fullname = name;
    const dependsOn: pulumi.Input<pulumi.Resource>[] = [...(args.dependsOn ?? [])];
    let secretData = storageSecretData(args.storage);
    if (args.storage.backend === "minio") {
      const minio = declareMinio(this, name, { fullname, namespace: args.namespace, settings: args.storage, clusterDomain: args.clusterDomain ?? "cluster.local", dataSafety: args.dataSafety });
      // Ready before Tempo starts: every Tempo component lists the bucket at start and fails without it.
      dependsOn.push(minio.deployment);
      secretData = { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey };
    }
    if (secretData) {
      dependsOn.push(
        new k8s.core.v1.Secret(
          `${name}-storage-credentials`,
          {
            // A fixed name: the chart's values refer to it (defaults.extraEnvFrom / extraVolumes).
            metadata: { name: storageSecretName(fullname), namespace: args.namespace, labels: standardLabels("tempo", "storage-credentials") },
            type: "Opaque",
            stringData: Object.fromEntries(Object.entries(secretData).map(([k, v]) => [k, pulumi.secret(v)])),
          },
          { parent: this },
        ),
      );
    }

    new k8s.helm.v4.Chart(
      name,
      {
        // A fixed release name (helm.v4.Chart defaults it to the resource name; explicit, so it never moves).
        name,
        chart: charts.tempoDistributed.chart,
        version: args.chartVersion ?? charts.tempoDistributed.version,
        namespace: args.namespace,
        values: tempoValues(fullname, args),
      },
      { parent: this, dependsOn },
    );

    const endpoints = pulumi.output(args.namespace).apply((ns) => tempoEndpoints(fullname, ns, args.clusterDomain));
    this.queryFrontendUrl = endpoints.queryFrontendUrl;
    this.otlpGrpcEndpoint = endpoints.otlpGrpcEndpoint;
    this.otlpHttpEndpoint = endpoints.otlpHttpEndpoint;
    this.registerOutputs({ queryFrontendUrl: this.queryFrontendUrl, otlpGrpcEndpoint: this.otlpGrpcEndpoint, otlpHttpEndpoint: this.otlpHttpEndpoint });
  }
}

/**
 * TempoArgs from the validated stack config. Credentials are wrapped as secrets here.
 * `namespace`: the namespace resource's name output when the caller creates it (for the dependency);
 * `namespaces.tempo` otherwise. `metricsGeneratorRemoteWriteUrls`: the platform Prometheus' remote-write
 * URL(s), one per replica. The metrics-generator runs with `tempo.metricsGenerator.enabled` (local-blocks,
 * for TraceQL metrics) and writes span metrics and service graphs there when `features.platformMonitoring`.
 */
export function tempoArgsFromConfig(
  cfg: StackConfig,
  ctx: { namespace?: pulumi.Input<string>; metricsGeneratorRemoteWriteUrls?: pulumi.Input<string>[] } = {},
): TempoArgs {
  const t = cfg.tempo;
  const s = t.storage;
  const sec = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));
  const storage: TempoStorage =
    s.backend === "s3" && s.s3
      ? { backend: "s3", bucket: s.s3.bucket, endpoint: s.s3.endpoint, region: s.s3.region, prefix: s.s3.prefix, insecure: s.s3.insecure, forcePathStyle: s.s3.forcePathStyle, accessKeyId: s.s3.accessKeyId, secretAccessKey: sec(s.s3.secretAccessKey) }
      : s.backend === "gcs" && s.gcs
        ? { backend: "gcs", bucket: s.gcs.bucket, prefix: s.gcs.prefix, serviceAccountKey: sec(s.gcs.serviceAccountKey) }
        : s.backend === "azure" && s.azure
          ? { backend: "azure", container: s.azure.container, storageAccountName: s.azure.storageAccountName, endpointSuffix: s.azure.endpointSuffix, prefix: s.azure.prefix, useFederatedToken: s.azure.useFederatedToken, storageAccountKey: sec(s.azure.storageAccountKey) }
          : { backend: "minio", size: s.minio.size, storageClassName: s.minio.storageClassName, resources: toResourceRequirements(s.minio.resources) };
  const comp = (x: { replicas: number; resources: Resources }): TempoComponentSettings => ({ replicas: x.replicas, resources: toResourceRequirements(x.resources) });
  // Span metrics and service graphs go to the platform Prometheus when there is one; local-blocks (TraceQL
  // metrics) runs whenever the generator does.
  const urls = cfg.features.platformMonitoring ? ctx.metricsGeneratorRemoteWriteUrls ?? [] : [];
  return {
    namespace: ctx.namespace ?? cfg.namespaces.tempo,
    clusterName: cfg.cluster.name,
    chartVersion: t.chartVersion,
    storage,
    retention: t.retention,
    components: {
      distributor: comp(t.distributor),
      ingester: comp(t.ingester),
      querier: comp(t.querier),
      queryFrontend: comp(t.queryFrontend),
      compactor: comp(t.compactor),
      metricsGenerator: comp(t.metricsGenerator),
      memcached: comp(t.memcached),
    },
    memcachedExporterResources: resourceBlock(t.memcached.exporterResources),
    ingesterPersistence: t.ingester.persistence,
    dataSafety: { keep: keepsData(cfg), protect: cfg.dataSafety.protect },
    serviceAnnotations: t.extraServiceAnnotations,
    serviceAccountAnnotations: t.serviceAccountAnnotations,
    metricsGenerator: t.metricsGenerator.enabled ? { remoteWriteUrls: urls } : undefined,
  };
}
