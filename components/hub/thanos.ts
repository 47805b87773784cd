/**
 * The hub's store: Thanos from the thanos-community chart (versions.ts charts.thanos, 0.38.0 = Thanos
 * v0.42.4), in standalone Receive mode: Receive takes the clusters' remote writes (behind the gateway,
 * gateway.ts), each request into the tenant its THANOS-TENANT header names (stamped on the series as
 * `tenant_id`); Query answers the Prometheus API with `--query.enforce-tenancy`, so a request sees only the
 * tenant its header names; Store Gateway serves the bucket; Compactor compacts, downsamples and applies
 * retention. Facts, from the chart at tag thanos-0.38.0 and Thanos v0.42.4 (/work notes thanos.md):
 *
 * - names `<fullname>-<component>`, fullname = fullnameOverride: thanos-receive (http 10902, remote write
 *   10908), thanos-query (http 9090), thanos-storegateway, thanos-compactor;
 * - standalone Receive passes no --receive.replication-factor (Thanos' default 1): set in extraArgs;
 * - the tenant: --receive.tenant-header (chart receive.tenancyHeader), else THANOS-TENANT, else
 *   default-tenant (pkg/tenancy/tenancy.go GetTenantFromHTTP); the label: --receive.tenant-label-name tenant_id;
 * - Query enforces tenancy by injecting tenant_id="<tenant>" into every selector (pkg/tenancy
 *   EnforceQueryTenancy via prom-label-proxy); a request without the header is tenant default-tenant, not all;
 * - settings resolve component → global, first non-empty wins whole (templates/_helpers.tpl): the
 *   restricted container context goes into global.containerSecurityContext, which no component overrides;
 * - the objstore config is a Secret the chart mounts (global.objstore.secretName/secretKey, createSecret
 *   false); its checksum annotation hashes the values, not the Secret, so ours is a pod annotation;
 * - VPA renders for receive and compactor when the cluster has its API: off, the sizes are config's;
 * - ServiceMonitors and the PrometheusRule (upstream Thanos mixin alerts) render with global.serviceMonitor
 *   and global.thanosRules: labelled for the platform Prometheus.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as YAML from "yaml";
import { chartLabels, PLATFORM_SCRAPE_LABEL, standardLabels } from "../labels";
import { resourceBlock } from "../resources";
import { charts } from "../versions";
import type { Resources } from "../config/schema";

export const THANOS_FULLNAME = "thanos";
export const THANOS_RELEASE = "thanos";
export const RECEIVE_SERVICE = `${THANOS_FULLNAME}-receive`;
export const RECEIVE_REMOTE_WRITE_PORT = 10908;
export const QUERY_SERVICE = `${THANOS_FULLNAME}-query`;
export const QUERY_HTTP_PORT = 9090;
/** The header Receive and Query read the tenant from (Thanos' default, set explicitly). */
export const TENANT_HEADER = "THANOS-TENANT";
export const TENANT_LABEL = "tenant_id";
const OBJSTORE_SECRET = "thanos-objstore";
const OBJSTORE_KEY = "objstore.yml";

export type HubStorage =
  | { backend: "s3"; s3: { bucket: string; endpoint: string; region?: string; prefix?: string; insecure: boolean; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: pulumi.Input<string> } }
  | { backend: "gcs"; gcs: { bucket: string; prefix?: string; serviceAccountKey?: pulumi.Input<string> } }
  | { backend: "azure"; azure: { container: string; storageAccountName: string; endpointSuffix?: string; prefix?: string; useFederatedToken: boolean; storageAccountKey?: pulumi.Input<string> } };

/**
 * Thanos' objstore YAML (thanos-io/thanos docs/storage.md at v0.42.4): type S3 | GCS | AZURE with the
 * bucket's config. Without static S3 keys the AWS SDK chain (aws_sdk_auth: IRSA, instance role) is used.
 */
export function objstoreConfig(s: HubStorage): pulumi.Output<string> {
  const doc = (type: string, config: Record<string, unknown>, prefix?: string) =>
    pulumi.all(config).apply((c) => YAML.stringify({ type, config: Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)), ...(prefix ? { prefix } : {}) }));
  switch (s.backend) {
    case "s3": {
      const x = s.s3;
      const keys = x.accessKeyId !== undefined ? { access_key: x.accessKeyId, secret_key: x.secretAccessKey } : { aws_sdk_auth: true };
      return doc("S3", { bucket: x.bucket, endpoint: x.endpoint, region: x.region, insecure: x.insecure, bucket_lookup_type: x.forcePathStyle ? "path" : "auto", ...keys }, x.prefix);
    }
    case "gcs":
      return doc("GCS", { bucket: s.gcs.bucket, service_account: s.gcs.serviceAccountKey }, s.gcs.prefix);
    case "azure":
      return doc("AZURE", { storage_account: s.azure.storageAccountName, storage_account_key: s.azure.storageAccountKey, container: s.azure.container, endpoint: s.azure.endpointSuffix }, s.azure.prefix);
  }
}

/** Receive's remote-write endpoint (without the path) inside the hub's cluster. */
export function receiveUrl(namespace: string): string {
  return `http://${RECEIVE_SERVICE}.${namespace}.svc:${RECEIVE_REMOTE_WRITE_PORT}`;
}

/** Thanos Query's URL inside the hub's cluster (Grafana's hub data sources). */
export function queryUrl(namespace: string): string {
  return `http://${QUERY_SERVICE}.${namespace}.svc:${QUERY_HTTP_PORT}`;
}

export interface ThanosArgs {
  namespace: string;
  storage: HubStorage;
  serviceAccountAnnotations: Record<string, string>;
  receive: { replicas: number; replicationFactor: number; retention: string; storage: string; storageClassName?: string; resources: Resources };
  query: { replicas: number; resources: Resources };
  storeGateway: { replicas: number; storage: string; storageClassName?: string; resources: Resources };
  compactor: { storage: string; storageClassName?: string; retention: { raw: string; fiveMinutes: string; oneHour: string }; resources: Resources };
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * Container context every Thanos container gets (Pod Security restricted). The image's USER is 1001
 * (thanos-io/thanos v0.42.4 Dockerfile `USER 1001`): said explicitly, so runAsNonRoot is checked on a number.
 */
export const THANOS_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1001,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Azure workload identity: its webhook gives a pod the federated token only when the pod carries this label
 * (Azure Workload Identity docs, "Quick start": pod label azure.workload.identity/use: "true"); the objstore
 * then authenticates through the SDK chain, WorkloadIdentityCredential second (thanos docs/storage.md, Azure).
 * The chart resolves podLabels component → parent, not global (templates/_helpers.tpl thanos.podLabels).
 */
const AZURE_WORKLOAD_IDENTITY_LABEL = { "azure.workload.identity/use": "true" };

/** Chart values (pure, given the objstore checksum). */
export function thanosValues(a: Omit<ThanosArgs, "namespace" | "dependsOn">, objstoreSha256: pulumi.Input<string>): Record<string, unknown> {
  const persistence = (size: string, storageClassName?: string) => ({ enabled: true, size, ...(storageClassName ? { storageClass: storageClassName } : {}) });
  // The components that read the bucket.
  const bucketPods = a.storage.backend === "azure" && a.storage.azure.useFederatedToken ? { podLabels: AZURE_WORKLOAD_IDENTITY_LABEL } : {};
  return {
    fullnameOverride: THANOS_FULLNAME,
    global: {
      commonLabels: chartLabels(),
      podAnnotations: { "monitoring-stack/objstore-sha256": objstoreSha256 },
      containerSecurityContext: THANOS_CONTAINER_SECURITY_CONTEXT,
      objstore: { createSecret: false, secretName: OBJSTORE_SECRET, secretKey: OBJSTORE_KEY },
      serviceAccount: { annotations: a.serviceAccountAnnotations },
      serviceMonitor: { enabled: true, labels: { ...PLATFORM_SCRAPE_LABEL }, interval: "30s" },
      thanosRules: { enabled: true, labels: { ...PLATFORM_SCRAPE_LABEL }, additionalRuleGroupLabels: { team: "platform" } },
      pdb: { enabled: true, maxUnavailable: 1 },
    },
    receive: {
      enabled: true,
      mode: "standalone",
      replicaCount: a.receive.replicas,
      tenancyHeader: TENANT_HEADER,
      extraArgs: [`--receive.replication-factor=${a.receive.replicationFactor}`, `--receive.tenant-label-name=${TENANT_LABEL}`],
      tsdb: { retention: a.receive.retention },
      persistence: persistence(a.receive.storage, a.receive.storageClassName),
      resources: resourceBlock(a.receive.resources),
      vpa: { enabled: false },
      ...bucketPods,
    },
    query: {
      enabled: true,
      replicaCount: a.query.replicas,
      // Replaces the chart's default list ([--log.level=info]): kept, plus the tenancy enforcement.
      extraArgs: ["--log.level=info", "--query.enforce-tenancy", `--query.tenant-header=${TENANT_HEADER}`, `--query.tenant-label-name=${TENANT_LABEL}`],
      resources: resourceBlock(a.query.resources),
    },
    queryFrontend: { enabled: false },
    storegateway: {
      enabled: true,
      replicaCount: a.storeGateway.replicas,
      persistence: persistence(a.storeGateway.storage, a.storeGateway.storageClassName),
      resources: resourceBlock(a.storeGateway.resources),
      ...bucketPods,
    },
    compactor: {
      enabled: true,
      persistence: persistence(a.compactor.storage, a.compactor.storageClassName),
      retention: { resolutionRaw: a.compactor.retention.raw, resolution5m: a.compactor.retention.fiveMinutes, resolution1h: a.compactor.retention.oneHour },
      resources: resourceBlock(a.compactor.resources),
      vpa: { enabled: false },
      ...bucketPods,
    },
    ruler: { enabled: false },
    bucket: { bucketweb: { enabled: false } },
    // The packaged chart vendors these subcharts (Chart.yaml dependencies); both default off, kept off.
    "kube-prometheus-stack": { enabled: false },
    rustfs: { enabled: false },
  };
}

export class Thanos extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: ThanosArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Thanos", name, {}, opts);
    const config = objstoreConfig(args.storage);
    const secret = new k8s.core.v1.Secret(
      `${name}-objstore`,
      { metadata: { name: OBJSTORE_SECRET, namespace: args.namespace, labels: standardLabels("thanos", "objstore") }, stringData: { [OBJSTORE_KEY]: pulumi.secret(config) } },
      { parent: this },
    );
    const sha = pulumi.secret(config).apply((c) => crypto.createHash("sha256").update(c).digest("hex"));
    const { namespace, dependsOn, ...rest } = args;
    this.chart = new k8s.helm.v4.Chart(
      name,
      {
        // A fixed release name: object names and pod labels derive from it.
        name: THANOS_RELEASE,
        chart: charts.thanos.chart,
        version: charts.thanos.version,
        namespace,
        values: thanosValues(rest, pulumi.unsecret(sha)),
      },
      { parent: this, dependsOn: [...dependsOn, secret] },
    );
    this.registerOutputs({});
  }
}
