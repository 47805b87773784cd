/**
 * Grafana (deploy mode): the grafana chart with a generated admin password.
 *
 * The password comes from `@pulumi/random` RandomPassword → a Kubernetes Secret we own (keys
 * `admin-user`/`admin-password`) → the chart's `admin.existingSecret` + `admin.userKey`/`admin.passwordKey`
 * (charts/grafana/values.yaml @12.11.1; templates/_pod.tpl reads them for GF_SECURITY_ADMIN_* and the
 * sidecars' REQ_USERNAME/REQ_PASSWORD, templates/secret.yaml then renders no password Secret of its own).
 * The password is never in chart values and only leaves as a secret Output, for the Grafana provider.
 *
 * Values keys are checked against the pinned chart's keys (test/grafana/fixtures/chart-grafana-12.11.1).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { charts } from "../versions";
import { resourceBlock } from "../resources";
import { chartLabels, PLATFORM_SCRAPE_LABEL, standardLabels } from "../labels";
import { DNS_LABEL_RE, type Resources } from "../config/schema";

/** The sidecar contract (chart values `sidecar.dashboards.*` ↔ the ConfigMaps GrafanaContent writes). */
export const SIDECAR = {
  /** `sidecar.dashboards.label` (chart default "grafana_dashboard"). */
  label: "grafana_dashboard",
  /** `sidecar.dashboards.labelValue` (chart default "": any value). */
  labelValue: "1",
  /** `sidecar.dashboards.folderAnnotation` (chart default null): the Grafana folder *title* to file into. */
  folderAnnotation: "grafana_folder",
} as const;

export const ADMIN_USER = "admin";
export const ADMIN_SECRET_KEYS = { user: "admin-user", password: "admin-password" } as const;
/** The chart's Service port (`service.port`, default 80). */
export const SERVICE_PORT = 80;

export interface GrafanaIngress {
  enabled: boolean;
  host?: string;
  className?: string;
  /** TLS Secret; the public URL is https when set. */
  tlsSecretName?: string;
}

export interface GrafanaArgs {
  /** Namespace of the release (the monitoring namespace). */
  namespace: pulumi.Input<string>;
  /** grafana chart version. @default versions.ts charts.grafana */
  chartVersion?: string;
  /** @default disabled */
  ingress?: GrafanaIngress;
  /** Grafana's database volume; without it a pod restart loses everything the provider pushed. @default enabled, 10Gi */
  persistence?: { enabled: boolean; size: string; storageClassName?: string };
  /** Container resources. @default requests 100m CPU / 256Mi memory */
  resources?: Resources;
  /** The URL the Grafana provider uses. @default ingress URL when the ingress is on, else the in-cluster URL */
  providerUrl?: string;
  /** `sidecar` turns on the chart's dashboard sidecar (GrafanaContent then writes ConfigMaps). @default "provider" */
  dashboardDelivery?: "provider" | "sidecar";
  /** Resources the release waits for (the Prometheus Operator CRDs: the chart renders a ServiceMonitor). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** How GrafanaContent's provider reaches a Grafana: URL + auth (basic "user:password" or a token). */
export interface GrafanaConnection {
  url: pulumi.Input<string>;
  /** Always treated as a secret. */
  auth: pulumi.Input<string>;
  /** What the provider waits for before talking to Grafana (the release). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export const DEFAULT_GRAFANA_RESOURCES: Resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: {} };

/** The URL users (and, by default, the provider) reach Grafana at through the ingress. */
export function ingressUrl(ing: GrafanaIngress): string | undefined {
  return ing.enabled && ing.host ? `${ing.tlsSecretName ? "https" : "http"}://${ing.host}` : undefined;
}

/** Chart values (pure). Every key exists in charts/grafana/values.yaml or templates/ @12.11.1. */
export function grafanaValues(a: {
  fullname: string;
  adminSecretName: pulumi.Input<string>;
  ingress: GrafanaIngress;
  persistence: { enabled: boolean; size: string; storageClassName?: string };
  resources: Resources;
  dashboardDelivery: "provider" | "sidecar";
}): Record<string, unknown> {
  const publicUrl = ingressUrl(a.ingress);
  return {
    // Fixed object names (Service = <fullname>), independent of the Helm release name.
    fullnameOverride: a.fullname,
    extraLabels: chartLabels(),
    admin: { existingSecret: a.adminSecretName, userKey: ADMIN_SECRET_KEYS.user, passwordKey: ADMIN_SECRET_KEYS.password },
    resources: resourceBlock(a.resources),
    persistence: {
      enabled: a.persistence.enabled,
      size: a.persistence.size,
      ...(a.persistence.storageClassName !== undefined ? { storageClassName: a.persistence.storageClassName } : {}),
    },
    // A ReadWriteOnce volume cannot be attached by the new pod while the old one holds it on another node.
    ...(a.persistence.enabled ? { deploymentStrategy: { type: "Recreate" } } : {}),
    ingress: a.ingress.enabled
      ? {
          enabled: true,
          ...(a.ingress.className !== undefined ? { ingressClassName: a.ingress.className } : {}),
          hosts: [a.ingress.host],
          tls: a.ingress.tlsSecretName ? [{ secretName: a.ingress.tlsSecretName, hosts: [a.ingress.host] }] : [],
        }
      : { enabled: false },
    // Links in notifications point at the public URL (the chart already derives server.domain from the host).
    ...(publicUrl ? { "grafana.ini": { server: { root_url: `${publicUrl}/` } } } : {}),
    serviceMonitor: { enabled: true, labels: { ...PLATFORM_SCRAPE_LABEL } },
    ...(a.dashboardDelivery === "sidecar"
      ? {
          sidecar: {
            dashboards: {
              enabled: true,
              label: SIDECAR.label,
              labelValue: SIDECAR.labelValue,
              folderAnnotation: SIDECAR.folderAnnotation,
              // Folder = directory = the annotation's value; Grafana files it into the folder of that title
              // (pkg/services/provisioning/dashboards/file_reader.go getOrCreateFolder looks titles up), so
              // dashboards land in the folders GrafanaContent created, with their permissions.
              provider: { foldersFromFilesStructure: true },
            },
          },
        }
      : {}),
  };
}

export class Grafana extends pulumi.ComponentResource {
  /** In-cluster URL of the Grafana Service. */
  public readonly url: pulumi.Output<string>;
  /** The URL the Grafana provider uses (args.providerUrl, else the ingress URL, else `url`). */
  public readonly providerUrl: pulumi.Output<string>;
  /** Name of the Secret holding `admin-user`/`admin-password`. */
  public readonly adminSecretName: string;
  public readonly adminUser: string;
  /** The generated admin password (secret). */
  public readonly adminPassword: pulumi.Output<string>;
  /** The release; content waits for it. */
  public readonly chart: k8s.helm.v4.Chart;
  /** What GrafanaContent needs to reach this Grafana (basic auth with the generated admin password). */
  public readonly connection: GrafanaConnection;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Grafana", name, {}, opts);
    if (!DNS_LABEL_RE.test(name) || name.length > 50) {
      throw new pulumi.ResourceError(`Unable to name Grafana objects after ${JSON.stringify(name)}: it must be a DNS label of at most 50 characters (objects are "<name>-admin" etc.)`, this);
    }
    const ingress = args.ingress ?? { enabled: false };
    if (ingress.enabled && !ingress.host) throw new pulumi.ResourceError("Unable to create the Grafana ingress: ingress.host is not set", this);
    const ref = charts.grafana;

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      // Alphanumeric: the provider's basic auth is "user:password" and the sidecars send it in headers.
      { length: 32, special: false },
      { parent: this },
    );
    this.adminPassword = pulumi.secret(password.result);
    this.adminUser = ADMIN_USER;
    this.adminSecretName = `${name}-admin`;

    const secret = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { name: this.adminSecretName, namespace: args.namespace, labels: standardLabels("grafana", "admin-secret") },
        type: "Opaque",
        stringData: { [ADMIN_SECRET_KEYS.user]: ADMIN_USER, [ADMIN_SECRET_KEYS.password]: this.adminPassword },
      },
      { parent: this },
    );

    this.chart = new k8s.helm.v4.Chart(
      name,
      {
        chart: ref.chart,
        version: args.chartVersion ?? ref.version,
        namespace: args.namespace,
        values: grafanaValues({
          fullname: name,
          adminSecretName: secret.metadata.name,
          ingress,
          persistence: args.persistence ?? { enabled: true, size: "10Gi" },
          resources: args.resources ?? DEFAULT_GRAFANA_RESOURCES,
          dashboardDelivery: args.dashboardDelivery ?? "provider",
        }),
      },
      { parent: this, dependsOn: [...(args.dependsOn ?? []), secret] },
    );

    this.url = pulumi.interpolate`http://${name}.${args.namespace}.svc:${SERVICE_PORT}`;
    this.providerUrl = args.providerUrl !== undefined ? pulumi.output(args.providerUrl) : pulumi.output(ingressUrl(ingress) ?? this.url);
    this.connection = {
      url: this.providerUrl,
      auth: pulumi.secret(pulumi.interpolate`${ADMIN_USER}:${this.adminPassword}`),
      dependsOn: [this.chart],
    };

    this.registerOutputs({
      url: this.url,
      providerUrl: this.providerUrl,
      adminSecretName: this.adminSecretName,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
      chart: this.chart,
    });
  }
}
