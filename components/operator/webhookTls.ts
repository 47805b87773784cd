/**
 * The operator's TLS key pair, made by Pulumi instead of the chart's Helm hooks.
 *
 * Why: kube-prometheus-stack 88.5.3 mounts the Secret `<fullname>-admission` into the operator whenever
 * `prometheusOperator.tls.enabled` (default true; templates/prometheus-operator/deployment.yaml), and by
 * default only the `pre-install,pre-upgrade` hook Job admission-webhooks/job-patch/job-createSecret.yaml
 * creates it; the webhooks' caBundle is patched in by the `post-install,post-upgrade` Job
 * job-patchWebhook.yaml. `helm.v4.Chart` applies no hook (FACTS.md "Deploy mechanics"), so the operator
 * pod would wait for that Secret forever. The chart's own alternative (values.yaml: "You can use this to
 * provide your own certs ahead of time"): `admissionWebhooks.patch.enabled: false` (no hook renders) plus
 * `admissionWebhooks.caBundle` (rendered into both webhook configurations when patch and certManager are
 * off: validatingWebhookConfiguration.yaml / mutatingWebhookConfiguration.yaml) and a Secret of ours with
 * the keys the operator and its ServiceMonitor read: `cert` and `key` (deployment.yaml `--web.cert-file=
 * /cert/cert`, `--web.key-file=/cert/key`) and `ca` (servicemonitor.yaml tlsConfig.ca.secret.key).
 *
 * Chosen over the alternatives (docs/components/operator.md): a `helm.v3.Release` would run the hooks but
 * hide every chart object from the plan and from Pulumi's diff, and its hook Job pulls another image;
 * cert-manager is a cluster prerequisite many clusters lack; TLS and webhooks off would lose the
 * PrometheusRule validation that keeps a broken rule out of every Prometheus.
 *
 * Certificates: a self-signed CA (10 years) signs the serving certificate (10 years, re-issued by the
 * `up` that runs within 30 days of its expiry: @pulumi/tls `earlyRenewalHours`); names as the chart's
 * `kube-prometheus-stack.operator.admission-webhook.dnsNames` helper (templates/_helpers.tpl).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import { createHash } from "node:crypto";
import { standardLabels } from "../labels";

/** The Secret the chart mounts: `<fullname>-admission` (kube-prometheus-stack.fullname = fullnameOverride). */
export const WEBHOOK_SECRET = (fullname: string) => `${fullname}-admission`;
/** Keys written by the chart's certgen Job (and read by the operator and its ServiceMonitor). */
export const WEBHOOK_SECRET_KEYS = { ca: "ca", cert: "cert", key: "key" } as const;

/** `<service>` and `<service>.<namespace>.svc` (the API server dials the latter; Prometheus uses the former as serverName). */
export function webhookDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}.svc`];
}

const TEN_YEARS_HOURS = 10 * 365 * 24;
const RENEW_BEFORE_HOURS = 30 * 24;

export interface WebhookTls {
  secret: k8s.core.v1.Secret;
  /** Base64 PEM of the CA, for `admissionWebhooks.caBundle`. */
  caBundle: pulumi.Output<string>;
  /** SHA-256 of the serving certificate: a pod annotation, so a re-issued certificate rolls the operator. */
  certSha256: pulumi.Output<string>;
}

export function declareWebhookTls(
  parent: pulumi.Resource,
  name: string,
  a: { namespace: string; fullname: string; service: string; dependsOn: pulumi.Input<pulumi.Resource>[] },
): WebhookTls {
  const o = { parent };
  const caKey = new tls.PrivateKey(`${name}-webhook-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, o);
  const ca = new tls.SelfSignedCert(
    `${name}-webhook-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: TEN_YEARS_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      subject: { commonName: `${a.fullname}-admission-ca` },
    },
    o,
  );
  const key = new tls.PrivateKey(`${name}-webhook-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, o);
  const csr = new tls.CertRequest(`${name}-webhook-csr`, { privateKeyPem: key.privateKeyPem, dnsNames: webhookDnsNames(a.service, a.namespace), subject: { commonName: a.service } }, o);
  const cert = new tls.LocallySignedCert(
    `${name}-webhook-cert`,
    {
      certRequestPem: csr.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: TEN_YEARS_HOURS,
      earlyRenewalHours: RENEW_BEFORE_HOURS,
      allowedUses: ["server_auth", "digital_signature", "key_encipherment"],
    },
    o,
  );
  const secret = new k8s.core.v1.Secret(
    `${name}-webhook-tls`,
    {
      metadata: { name: WEBHOOK_SECRET(a.fullname), namespace: a.namespace, labels: standardLabels("prometheus-operator", "webhook-tls") },
      type: "Opaque",
      stringData: { [WEBHOOK_SECRET_KEYS.ca]: ca.certPem, [WEBHOOK_SECRET_KEYS.cert]: cert.certPem, [WEBHOOK_SECRET_KEYS.key]: pulumi.secret(key.privateKeyPem) },
    },
    { parent, dependsOn: a.dependsOn },
  );
  return {
    secret,
    caBundle: ca.certPem.apply((pem) => Buffer.from(pem).toString("base64")),
    certSha256: cert.certPem.apply((pem) => createHash("sha256").update(pem).digest("hex")),
  };
}
