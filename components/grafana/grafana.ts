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
import { restrictedPodSecurityContext } from "../podSecurity";
import { HELM_KEEP_ANNOTATION } from "../dataSafety";
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
  /** TLS for the host (the public URL is https), and who creates its Secret. */
  tls?: { secretName: string; certManagerClusterIssuer?: string; existingSecret?: boolean };
}

/** SMTP (grafana.ini [smtp]); user and password go into a Secret of ours (chart `smtp.existingSecret`). */
export interface GrafanaSmtp {
  /** host:port */
  host: string;
  fromAddress: string;
  fromName?: string;
  user?: string;
  password?: pulumi.Input<string>;
  startTlsPolicy?: string;
  skipVerify?: boolean;
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
  /** Keep the database volume when the release is deleted (`helm.sh/resource-policy: keep`). @default false */
  keepData?: boolean;
  /** Container resources. @default requests 100m CPU / 256Mi memory, limit 512Mi */
  resources?: Resources;
  /** The dashboard sidecar's resources (the chart's `sidecar.resources`, one key for every sidecar). @default 10m / 64Mi, limit 256Mi */
  sidecarResources?: Resources;
  /** The chart's Service. @default ClusterIP */
  service?: { type: "ClusterIP" | "NodePort"; nodePort?: number };
  /** Outgoing mail for `email` contact points. @default none */
  smtp?: GrafanaSmtp;
  /**
   * Users get no role in the main organization unless given one (`[users] auto_assign_org_role = None`): with
   * teams in organizations of their own, the main one holds the platform's data. @default false
   */
  noDefaultRole?: boolean;
  /** The admin password to use instead of the generated one (after a rotation). @default generated */
  adminPassword?: pulumi.Input<string>;
  /**
   * The URL the Grafana provider dials, from the machine running `pulumi up` (config `grafana.url`,
   * validated not to be an in-cluster name).
   */
  providerUrl: string;
  /** How long `pulumi up` waits for `providerUrl` to answer before pushing content. @default 600 */
  readinessTimeoutSeconds?: number;
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
  /** The login of `auth` when it is basic auth ("user:password"): organizations and their members need it. */
  basicAuthUser?: string;
  /** What the provider waits for before talking to Grafana (the release). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** How long to wait for `url` to answer /api/health before the first Grafana resource. @default 600 */
  readinessTimeoutSeconds?: number;
  /** Changes when the Grafana behind `url` is re-deployed, so the readiness wait runs again. @default "" */
  trigger?: pulumi.Input<string>;
}

/** The Secret with the SMTP credentials (chart `smtp.existingSecret`, keys `smtp.userKey`/`passwordKey`). */
export const SMTP_SECRET_KEYS = { user: "user", password: "password" } as const;

export const DEFAULT_GRAFANA_RESOURCES: Resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } };
export const DEFAULT_SIDECAR_RESOURCES: Resources = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } };

/** The URL users reach Grafana at through the ingress (links in notifications point there). */
export function ingressUrl(ing: GrafanaIngress): string | undefined {
  return ing.enabled && ing.host ? `${ing.tls ? "https" : "http"}://${ing.host}` : undefined;
}

/** grafana.ini [smtp] (keys Grafana reads: pkg/setting/setting_smtp.go; user/password come from env). */
export function smtpIni(s: GrafanaSmtp): Record<string, unknown> {
  return {
    enabled: true,
    host: s.host,
    from_address: s.fromAddress,
    from_name: s.fromName ?? "Grafana",
    startTLS_policy: s.startTlsPolicy ?? "MandatoryStartTLS",
    skip_verify: s.skipVerify ?? false,
  };
}

/** Chart values (pure). Every key exists in charts/grafana/values.yaml or templates/ @12.11.1. */
export function grafanaValues(a: {
  fullname: string;
  adminSecretName: pulumi.Input<string>;
  ingress: GrafanaIngress;
  persistence: { enabled: boolean; size: string; storageClassName?: string };
  keepData?: boolean;
  resources: Resources;
  sidecarResources: Resources;
  dashboardDelivery: "provider" | "sidecar";
  service?: { type: "ClusterIP" | "NodePort"; nodePort?: number };
  smtp?: GrafanaSmtp;
  noDefaultRole?: boolean;
  /** Name of the Secret holding the SMTP user/password, when the SMTP server needs them. */
  smtpSecretName?: pulumi.Input<string>;
}): Record<string, unknown> {
  const publicUrl = ingressUrl(a.ingress);
  const ini: Record<string, unknown> = {
    // Links in notifications point at the public URL (the chart already derives server.domain from the host).
    ...(publicUrl ? { server: { root_url: `${publicUrl}/` } } : {}),
    ...(a.smtp ? { smtp: smtpIni(a.smtp) } : {}),
    // Grafana adds a new user (SSO sign-in, one the provider creates) to auto_assign_org_id (1) with this
    // role; "None" is a valid value (pkg/setting/setting.go: identity.RoleNone; Grafana >= 10.2).
    ...(a.noDefaultRole ? { users: { auto_assign_org_role: "None" } } : {}),
  };
  const tls = a.ingress.tls;
  return {
    // Fixed object names (Service = <fullname>), independent of the Helm release name.
    fullnameOverride: a.fullname,
    extraLabels: chartLabels(),
    admin: { existingSecret: a.adminSecretName, userKey: ADMIN_SECRET_KEYS.user, passwordKey: ADMIN_SECRET_KEYS.password },
    resources: resourceBlock(a.resources),
    // Pod Security "restricted": the chart's pod context plus a seccomp profile (the map replaces the chart's,
    // so its uid/gid/fsGroup 472 are repeated: values.yaml securityContext, 12.11.1), and no init-chown-data
    // (it runs as root with CHOWN and DAC_OVERRIDE: templates/_pod.tpl, rendered with persistence on);
    // fsGroup 472 gives the data volume to Grafana's group instead.
    securityContext: restrictedPodSecurityContext(472),
    initChownData: { enabled: false },
    persistence: {
      enabled: a.persistence.enabled,
      size: a.persistence.size,
      ...(a.persistence.storageClassName !== undefined ? { storageClassName: a.persistence.storageClassName } : {}),
      // helm.v4.Chart registers an object annotated keep with retainOnDelete (components/dataSafety.ts).
      // templates/pvc.yaml renders persistence.annotations (commented out in values.yaml).
      ...(a.keepData ? { annotations: HELM_KEEP_ANNOTATION } : {}),
    },
    // A ReadWriteOnce volume cannot be attached by the new pod while the old one holds it on another node.
    ...(a.persistence.enabled ? { deploymentStrategy: { type: "Recreate" } } : {}),
    // templates/service.yaml: `nodePort` is rendered only with type NodePort (not in values.yaml).
    service: { type: a.service?.type ?? "ClusterIP", ...(a.service?.nodePort !== undefined ? { nodePort: a.service.nodePort } : {}) },
    ingress: a.ingress.enabled
      ? {
          enabled: true,
          ...(a.ingress.className !== undefined ? { ingressClassName: a.ingress.className } : {}),
          // cert-manager's ingress-shim issues the certificate into tls.secretName for this annotation.
          ...(tls?.certManagerClusterIssuer ? { annotations: { "cert-manager.io/cluster-issuer": tls.certManagerClusterIssuer } } : {}),
          hosts: [a.ingress.host],
          tls: tls ? [{ secretName: tls.secretName, hosts: [a.ingress.host] }] : [],
        }
      : { enabled: false },
    ...(Object.keys(ini).length ? { "grafana.ini": ini } : {}),
    // templates/_pod.tpl: GF_SMTP_USER / GF_SMTP_PASSWORD from this Secret (both keys, only when set).
    ...(a.smtpSecretName !== undefined ? { smtp: { existingSecret: a.smtpSecretName, userKey: SMTP_SECRET_KEYS.user, passwordKey: SMTP_SECRET_KEYS.password } } : {}),
    serviceMonitor: { enabled: true, labels: { ...PLATFORM_SCRAPE_LABEL } },
    // The dashboard sidecar always runs: kube-prometheus-stack's dashboards arrive as ConfigMaps
    // (forceDeployDashboards), and with `dashboardDelivery: sidecar` the repository's too.
    sidecar: {
      resources: resourceBlock(a.sidecarResources),
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
  };
}

/** The RandomPassword inputs that, if changed, would replace it: never changed by a later `up` (ignoreChanges). */
export const ADMIN_PASSWORD_FIELDS = ["length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers"];

export class Grafana extends pulumi.ComponentResource {
  /** In-cluster URL of the Grafana Service. */
  public readonly url: pulumi.Output<string>;
  /** The URL the Grafana provider uses (args.providerUrl). */
  public readonly providerUrl: pulumi.Output<string>;
  /** Name of the Secret holding `admin-user`/`admin-password`. */
  public readonly adminSecretName: string;
  public readonly adminUser: string;
  /** The generated admin password (secret). */
  public readonly adminPassword: pulumi.Output<string>;
  /** The release; content waits for it. */
  public readonly chart: k8s.helm.v4.Chart;
  /** The labels of Grafana's pods (the chart's selector labels: templates/_helpers.tpl grafana.selectorLabels). */
  public readonly podLabels: Record<string, string>;
  /** What GrafanaContent needs to reach this Grafana (basic auth with the generated admin password). */
  public readonly connection: GrafanaConnection;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Grafana", name, {}, opts);
    this.podLabels = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": name };
    if (!DNS_LABEL_RE.test(name) || name.length > 50) {
      throw new pulumi.ResourceError(`Unable to name Grafana objects after ${JSON.stringify(name)}: it must be a DNS label of at most 50 characters (objects are "<name>-admin" etc.)`, this);
    }
    const ingress = args.ingress ?? { enabled: false };
    if (ingress.enabled && !ingress.host) throw new pulumi.ResourceError("Unable to create the Grafana ingress: ingress.host is not set", this);
    const ref = charts.grafana;

    // Grafana applies the admin password only when it creates its database (grafana/grafana: the admin user
    // is created when the user table is empty; FACTS.md), so a new password would lock the provider out.
    // The generated one is therefore never replaced by a later `up`, whatever changes in the code; a
    // rotation sets `adminPassword` after changing it in Grafana (docs/components/grafana.md).
    const password = new random.RandomPassword(
      `${name}-admin-password`,
      // Alphanumeric: the provider's basic auth is "user:password" and the sidecars send it in headers.
      { length: 32, special: false },
      { parent: this, ignoreChanges: ADMIN_PASSWORD_FIELDS },
    );
    this.adminPassword = pulumi.secret(args.adminPassword ?? password.result);
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

    const dependsOn: pulumi.Input<pulumi.Resource>[] = [...(args.dependsOn ?? []), secret];
    let smtpSecretName: pulumi.Output<string> | undefined;
    if (args.smtp?.user !== undefined) {
      const smtp = new k8s.core.v1.Secret(
        `${name}-smtp`,
        {
          metadata: { name: `${name}-smtp`, namespace: args.namespace, labels: standardLabels("grafana", "smtp-secret") },
          type: "Opaque",
          stringData: { [SMTP_SECRET_KEYS.user]: args.smtp.user, [SMTP_SECRET_KEYS.password]: pulumi.secret(args.smtp.password ?? "") },
        },
        { parent: this },
      );
      smtpSecretName = smtp.metadata.name;
      dependsOn.push(smtp);
    }

    const version = args.chartVersion ?? ref.version;
    this.chart = new k8s.helm.v4.Chart(
      name,
      {
        // A fixed release name (helm.v4.Chart defaults it to the resource name; explicit, so it never moves).
        name,
        chart: ref.chart,
        version,
        namespace: args.namespace,
        values: grafanaValues({
          fullname: name,
          adminSecretName: secret.metadata.name,
          ingress,
          persistence: args.persistence ?? { enabled: true, size: "10Gi" },
          keepData: args.keepData,
          resources: args.resources ?? DEFAULT_GRAFANA_RESOURCES,
          sidecarResources: args.sidecarResources ?? DEFAULT_SIDECAR_RESOURCES,
          dashboardDelivery: args.dashboardDelivery ?? "provider",
          service: args.service,
          smtp: args.smtp,
          noDefaultRole: args.noDefaultRole,
          smtpSecretName,
        }),
      },
      { parent: this, dependsOn },
    );

    this.url = pulumi.interpolate`http://${name}.${args.namespace}.svc:${SERVICE_PORT}`;
    this.providerUrl = pulumi.output(args.providerUrl);
    this.connection = {
      url: this.providerUrl,
      auth: pulumi.secret(pulumi.interpolate`${ADMIN_USER}:${this.adminPassword}`),
      basicAuthUser: ADMIN_USER,
      dependsOn: [this.chart],
      readinessTimeoutSeconds: args.readinessTimeoutSeconds,
      trigger: `${ref.chart}@${version}`,
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
