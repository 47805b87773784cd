/**
 * A single-pod MinIO that Tempo's components share as their object store, for clusters without S3, GCS or
 * Azure (dev): tempo-distributed with `storage.trace.backend: local` keeps blocks on each pod's own disk,
 * so queriers and the compactor never see what the ingesters flushed (grafana/tempo#1223) and traces
 * vanish from queries after a flush.
 *
 * Why not the chart's `minio` subchart (minio/minio helm/minio 4.1.0): its bucket and user are made by
 * `post-install,post-upgrade` hook Jobs (post-install-create-bucket-job.yaml, …), which `helm.v4.Chart`
 * never applies, and Tempo does not create a missing bucket (grafana/tempo v2.10 tempodb/backend/s3/s3.go:
 * New lists the bucket and fails). Instead, as the chart's own CI does (ci/integration/it-prerequisites.yaml:
 * "A directory under the data root is served as a bucket"), the container creates the bucket's directory
 * before `minio server` starts; Pulumi waits for the Deployment to be ready before it installs Tempo.
 *
 * Credentials: a generated root password in a Secret; Tempo reads the same pair as its S3 keys
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY through the storage-credentials Secret). Metrics: MinIO serves
 * /minio/v2/metrics/cluster, public with MINIO_PROMETHEUS_AUTH_TYPE=public (MinIO docs "Monitoring").
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { selectorLabels, standardLabels } from "../labels";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../podSecurity";
import { dataOptions, type DataSafety } from "../dataSafety";
import { images } from "../versions";

export const MINIO_PORT = 9000;
/** The bucket name tempo-distributed's own minio values use (values.yaml `minio.buckets[0].name`). */
export const MINIO_BUCKET = "tempo-traces";
export const MINIO_ROOT_USER = "tempo";
export const MINIO_METRICS_PATH = "/minio/v2/metrics/cluster";
const DATA = "/data";

export const minioServiceName = (fullname: string) => `${fullname}-minio`;

export interface MinioSettings {
  /** Volume size. */
  size: string;
  storageClassName?: string;
  resources?: k8s.types.input.core.v1.ResourceRequirements;
  /** @default images.minio */
  image?: string;
}

export interface Minio {
  /** host:port of the S3 API inside the cluster. */
  endpoint: pulumi.Output<string>;
  accessKeyId: string;
  secretAccessKey: pulumi.Output<string>;
  /** Ready (Pulumi waits for the Deployment's pods): Tempo goes after it. */
  deployment: k8s.apps.v1.Deployment;
}

export function declareMinio(
  parent: pulumi.Resource,
  name: string,
  a: { fullname: string; namespace: pulumi.Input<string>; settings: MinioSettings; clusterDomain: string; dataSafety?: DataSafety },
): Minio {
  const o = { parent };
  const labels = standardLabels("minio", "tempo-storage");
  const selector = selectorLabels("minio", "tempo-storage");
  const svcName = minioServiceName(a.fullname);
  const meta = (n: string) => ({ name: n, namespace: a.namespace, labels });

  const password = new random.RandomPassword(`${name}-minio-password`, { length: 32, special: false }, { parent, ignoreChanges: ["length", "special"] });
  const secret = new k8s.core.v1.Secret(
    `${name}-minio`,
    { metadata: meta(`${svcName}-root`), type: "Opaque", stringData: { MINIO_ROOT_USER: MINIO_ROOT_USER, MINIO_ROOT_PASSWORD: pulumi.secret(password.result) } },
    o,
  );
  const pvc = new k8s.core.v1.PersistentVolumeClaim(
    `${name}-minio`,
    {
      metadata: meta(`${svcName}-data`),
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: a.settings.size } },
        ...(a.settings.storageClassName ? { storageClassName: a.settings.storageClassName } : {}),
      },
    },
    // With a WaitForFirstConsumer StorageClass (kind's, most clouds') the claim stays Pending until the pod
    // exists; pulumi-kubernetes' PVC await accepts Pending then (provider/pkg/await/awaiters.go
    // untilCoreV1PersistentVolumeClaimReady), so this does not deadlock the Deployment.
    { ...o, ...dataOptions(a.dataSafety) },
  );
  const probe = (path: string) => ({ httpGet: { path, port: "s3" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 });
  const deployment = new k8s.apps.v1.Deployment(
    `${name}-minio`,
    {
      metadata: { ...meta(svcName) },
      spec: {
        replicas: 1,
        // One ReadWriteOnce volume: the old pod must stop before the new one mounts it.
        strategy: { type: "Recreate" },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(1000),
            containers: [
              {
                name: "minio",
                image: a.settings.image ?? images.minio,
                command: ["sh", "-ec", `mkdir -p ${DATA}/${MINIO_BUCKET} && exec minio server ${DATA} --address :${MINIO_PORT} --certs-dir /tmp/certs`],
                envFrom: [{ secretRef: { name: secret.metadata.name } }],
                env: [
                  { name: "MINIO_PROMETHEUS_AUTH_TYPE", value: "public" },
                  { name: "HOME", value: "/tmp" },
                ],
                ports: [{ name: "s3", containerPort: MINIO_PORT }],
                readinessProbe: probe("/minio/health/ready"),
                livenessProbe: { ...probe("/minio/health/live"), initialDelaySeconds: 10 },
                resources: a.settings.resources ?? { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                volumeMounts: [
                  { name: "data", mountPath: DATA },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "data", persistentVolumeClaim: { claimName: pvc.metadata.name } },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    },
    o,
  );
  new k8s.core.v1.Service(
    `${name}-minio`,
    {
      metadata: {
        ...meta(svcName),
        annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(MINIO_PORT), "prometheus.io/path": MINIO_METRICS_PATH },
      },
      spec: { selector, ports: [{ name: "s3", port: MINIO_PORT, targetPort: "s3" }] },
    },
    o,
  );
  return {
    endpoint: pulumi.interpolate`${svcName}.${a.namespace}.svc.${a.clusterDomain}:${MINIO_PORT}`,
    accessKeyId: MINIO_ROOT_USER,
    secretAccessKey: pulumi.secret(password.result),
    deployment,
  };
}
