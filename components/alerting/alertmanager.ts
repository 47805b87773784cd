/**
 * Alertmanager: one prometheus-operator Alertmanager (monitoring.coreos.com/v1, operator v0.93) that every
 * Prometheus of the stack sends to, and that a deployed Grafana forwards its alerts to, configured from the
 * stack's one routing tree (routing.ts → alertmanagerConfig.ts).
 *
 * Facts (prometheus-operator v0.93.0, /work notes cite pkg/alertmanager/operator.go and amcfg.go):
 * - `configSecret` names the Secret whose `alertmanager.yaml` is the configuration. With neither
 *   `alertmanagerConfigSelector` nor `alertmanagerConfiguration` set, the operator uses it as is (no
 *   AlertmanagerConfig CR is merged in); a missing Secret or key silently becomes a config that drops every
 *   notification, so the Secret is created first (dependsOn).
 * - The governing Service is `alertmanager-operated` (web 9093, mesh 9094); replicas gossip through it and
 *   deduplicate, so a Prometheus sends to every replica (the operator discovers them by endpoints).
 * - Pods are labelled `app.kubernetes.io/name: alertmanager` and `alertmanager: <name>`; the operator gives the
 *   pod no securityContext of its own (Pod Security `restricted` needs ours).
 * - The operator's default image is Alertmanager v0.33.1; the configuration uses only keys v0.25 already had
 *   (the tests run Debian's 0.25 with it).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as YAML from "yaml";
import { PLATFORM_SCRAPE_LABEL, standardLabels } from "../labels";
import { resourceBlock } from "../resources";
import { ALERTMANAGER_POD_SECURITY_CONTEXT } from "../podSecurity";
import { type DataSafety, pvcRetentionPolicy } from "../dataSafety";
import type { Resources, Storage } from "../config/schema";

export const ALERTMANAGER_NAME = "platform";
export const ALERTMANAGER_SERVICE = "alertmanager-operated";
export const ALERTMANAGER_PORT = 9093;
/** The job label kube-prometheus-stack's alertmanager.rules select (`<fullname>-alertmanager`, fullnameOverride kube-prometheus). */
export const ALERTMANAGER_JOB = "kube-prometheus-alertmanager";

export function alertmanagerUrl(namespace: string): string {
  return `http://${ALERTMANAGER_SERVICE}.${namespace}.svc:${ALERTMANAGER_PORT}`;
}

export interface AlertmanagerArgs {
  namespace: string;
  /** alertmanager.yaml as an object (alertmanagerConfig.ts); it holds receivers' credentials. */
  config: Record<string, unknown>;
  replicas: number;
  retention: string;
  resources: Resources;
  storage?: Storage;
  /** What happens to its volumes on delete. @default they go with it */
  dataSafety?: DataSafety;
  /** The operator's CRDs and the operator itself. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class Alertmanager extends pulumi.ComponentResource {
  /** In-cluster URL of the Alertmanager API (all replicas behind the governing Service). */
  public readonly url: string;
  /** What a Prometheus CR's `spec.alerting` needs to send here. */
  public readonly alertingEndpoint: { namespace: string; name: string; port: string; apiVersion: string };

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Alertmanager", name, {}, opts);
    const labels = standardLabels("alertmanager", "platform");
    const secretName = `alertmanager-${ALERTMANAGER_NAME}-config`;
    const secret = new k8s.core.v1.Secret(
      `${name}-config`,
      {
        metadata: { name: secretName, namespace: args.namespace, labels },
        type: "Opaque",
        stringData: { "alertmanager.yaml": pulumi.secret(YAML.stringify(args.config)) },
      },
      { parent: this },
    );
    const am = new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Alertmanager",
        metadata: { name: ALERTMANAGER_NAME, namespace: args.namespace, labels },
        spec: {
          replicas: args.replicas,
          retention: args.retention,
          configSecret: secretName,
          resources: resourceBlock(args.resources),
          securityContext: ALERTMANAGER_POD_SECURITY_CONTEXT,
          ...(args.storage
            ? {
                storage: {
                  volumeClaimTemplate: {
                    spec: {
                      accessModes: ["ReadWriteOnce"],
                      resources: { requests: { storage: args.storage.size } },
                      ...(args.storage.storageClassName ? { storageClassName: args.storage.storageClassName } : {}),
                    },
                  },
                },
                persistentVolumeClaimRetentionPolicy: pvcRetentionPolicy(args.dataSafety),
              }
            : {}),
        },
      },
      { parent: this, dependsOn: [...args.dependsOn, secret] },
    );
    // Its own health, scraped by the platform Prometheus under the job kube-prometheus-stack's rules expect.
    new k8s.apiextensions.CustomResource(
      `${name}-self`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: `alertmanager-${ALERTMANAGER_NAME}`, namespace: args.namespace, labels: { ...labels, ...PLATFORM_SCRAPE_LABEL } },
        spec: {
          // The governing Service carries `operated-alertmanager: "true"` (operator v0.93 pkg/alertmanager/statefulset.go).
          selector: { matchLabels: { "operated-alertmanager": "true" } },
          endpoints: [{ port: "web", path: "/metrics", relabelings: [{ action: "replace", targetLabel: "job", replacement: ALERTMANAGER_JOB }] }],
        },
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    if (args.replicas >= 2) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
          metadata: { name: `alertmanager-${ALERTMANAGER_NAME}`, namespace: args.namespace, labels },
          spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "alertmanager", alertmanager: ALERTMANAGER_NAME } } },
        },
        { parent: this, dependsOn: [am] },
      );
    }
    this.url = alertmanagerUrl(args.namespace);
    this.alertingEndpoint = { namespace: args.namespace, name: ALERTMANAGER_SERVICE, port: "web", apiVersion: "v2" };
    this.registerOutputs({ url: this.url });
  }
}
