/**
 * KueueExporter: runs exporter/ (the Kueue pending-workloads exporter) in the cluster without an image
 * registry of ours: the program bundles it with esbuild into one file, ships it in a ConfigMap (< 1 MiB)
 * and runs it with a stock Node.js image. The bundle's SHA-256 is a pod annotation, so a code change rolls
 * the pods. RBAC is the least the exporter needs: read ClusterQueues and their pending workloads.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { buildExporterBundle, CONFIGMAP_LIMIT_BYTES, ExporterBundle } from "../exporter/bundle";
import { PLATFORM_SCRAPE_LABEL, selectorLabels, standardLabels } from "./labels";
import { resourceBlock } from "./resources";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "./podSecurity";
import { images } from "./versions";
import type { Resources } from "./config/schema";

export interface KueueExporterArgs {
  namespace: pulumi.Input<string>;
  /** Image with Node.js ≥ 20. @default images.kueueExporterRuntime */
  image?: string;
  /** @default 30 */
  pollIntervalSeconds?: number;
  /** Per-workload series per ClusterQueue. @default 20 */
  topN?: number;
  /** @default 500 */
  pageSize?: number;
  /** @default 4 */
  concurrency?: number;
  /** @default 10 */
  requestTimeoutSeconds?: number;
  /** Scrape interval of its ServiceMonitor. @default "30s" */
  scrapeInterval?: string;
  resources?: Resources;
  /** The bundle to ship. @default buildExporterBundle() (the same build the tests run) */
  bundle?: ExporterBundle;
  /** What the ServiceMonitor needs first: the operator's CRDs. @default [] */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The Service is named so, hence Prometheus' `job="kueue-exporter"` (dashboards and alerts rely on it). */
export const EXPORTER_SERVICE = "kueue-exporter";
export const EXPORTER_PORT = 8080;
/** The exporter pods' labels (its Deployment's selector). */
export const KUEUE_EXPORTER_POD_LABELS = selectorLabels("kueue-exporter", "exporter");
const BUNDLE_FILE = "kueue-exporter.js";

/**
 * What the exporter reads, verified upstream (kubernetes-sigs/kueue): ClusterQueues in kueue.x-k8s.io, and
 * the pending-workloads subresource of the visibility API (apis/visibility v1beta1/v1beta2, served by
 * Kueue's visibility server). Group discovery (/apis/...) is open to every authenticated user
 * (system:discovery), so it needs no rule here.
 */
export const EXPORTER_RULES = [
  { apiGroups: ["kueue.x-k8s.io"], resources: ["clusterqueues"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["visibility.kueue.x-k8s.io"], resources: ["clusterqueues/pendingworkloads"], verbs: ["get", "list", "watch"] },
];

export class KueueExporter extends pulumi.ComponentResource {
  /** In-cluster metrics URL. */
  public readonly metricsUrl: pulumi.Output<string>;
  public readonly bundleSha256: string;

  constructor(name: string, args: KueueExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:KueueExporter", name, {}, opts);
    const bundle = args.bundle ?? buildExporterBundle();
    if (bundle.bytes >= CONFIGMAP_LIMIT_BYTES) {
      throw new pulumi.ResourceError(`Unable to ship the Kueue exporter: its bundle is ${bundle.bytes} bytes, over a ConfigMap's ${CONFIGMAP_LIMIT_BYTES}. Either trim its dependencies or set kueueExporter.image to an image that contains it.`, this);
    }
    const labels = standardLabels("kueue-exporter", "exporter");
    const selector = selectorLabels("kueue-exporter", "exporter");
    const ns = args.namespace;
    const meta = (n: string) => ({ name: n, namespace: ns, labels });

    const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: meta(EXPORTER_SERVICE) }, { parent: this });
    const role = new k8s.rbac.v1.ClusterRole(`${name}-read`, { metadata: { name: pulumi.interpolate`${ns}-kueue-exporter`, labels }, rules: EXPORTER_RULES }, { parent: this });
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-read`,
      {
        metadata: { name: pulumi.interpolate`${ns}-kueue-exporter`, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
      },
      { parent: this },
    );
    const code = new k8s.core.v1.ConfigMap(`${name}-code`, { metadata: meta("kueue-exporter-code"), data: { [BUNDLE_FILE]: bundle.code } }, { parent: this });

    const env = {
      KUEUEX_PORT: String(EXPORTER_PORT),
      KUEUEX_POLL_INTERVAL_SECONDS: String(args.pollIntervalSeconds ?? 30),
      KUEUEX_TOP_N: String(args.topN ?? 20),
      KUEUEX_PAGE_SIZE: String(args.pageSize ?? 500),
      KUEUEX_CONCURRENCY: String(args.concurrency ?? 4),
      KUEUEX_REQUEST_TIMEOUT_SECONDS: String(args.requestTimeoutSeconds ?? 10),
    };
    const probe = (path: string) => ({ httpGet: { path, port: "http-metrics" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    new k8s.apps.v1.Deployment(
      `${name}`,
      {
        metadata: meta(EXPORTER_SERVICE),
        spec: {
          // One replica: it only reads; two would double the API load and the series.
          replicas: 1,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels, annotations: { "monitoring-stack/bundle-sha256": bundle.sha256 } },
            spec: {
              serviceAccountName: sa.metadata.name,
              automountServiceAccountToken: true,
              // No KUBERNETES-style service env vars: the exporter rejects unknown KUEUEX_* variables as typos.
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(1000) /* the node image's `node` user */,
              containers: [
                {
                  name: "exporter",
                  image: args.image ?? images.kueueExporterRuntime,
                  command: ["node", `/app/${BUNDLE_FILE}`],
                  env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
                  ports: [{ name: "http-metrics", containerPort: EXPORTER_PORT }],
                  livenessProbe: probe("/healthz"),
                  readinessProbe: probe("/readyz"),
                  resources: resourceBlock(args.resources ?? { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "512Mi" } }),
                  securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                  volumeMounts: [{ name: "code", mountPath: "/app", readOnly: true }],
                },
              ],
              volumes: [{ name: "code", configMap: { name: code.metadata.name } }],
            },
          },
        },
      },
      { parent: this },
    );
    const svc = new k8s.core.v1.Service(
      `${name}`,
      { metadata: meta(EXPORTER_SERVICE), spec: { selector, ports: [{ name: "http-metrics", port: EXPORTER_PORT, targetPort: "http-metrics" }] } },
      { parent: this },
    );
    new k8s.apiextensions.CustomResource(
      `${name}`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { ...meta(EXPORTER_SERVICE), labels: { ...labels, ...PLATFORM_SCRAPE_LABEL } },
        spec: {
          selector: { matchLabels: selector },
          // honorLabels: the per-queue series carry the *queue's* namespace label; without it Prometheus would
          // rename it exported_namespace and put the exporter's namespace in its place.
          endpoints: [{ port: "http-metrics", path: "/metrics", interval: args.scrapeInterval ?? "30s", honorLabels: true }],
        },
      },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    this.bundleSha256 = bundle.sha256;
    this.metricsUrl = pulumi.interpolate`http://${svc.metadata.name}.${ns}.svc:${EXPORTER_PORT}/metrics`;
    this.registerOutputs({ metricsUrl: this.metricsUrl, bundleSha256: this.bundleSha256 });
  }
}
