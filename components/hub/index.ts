/**
 * The hub role (config `hub`): the store every cluster's Prometheus writes to and the central Grafana reads.
 * Thanos (thanos.ts) behind a write gateway (gateway.ts) that checks each writer's credential and tenant.
 * `hubArgsFromConfig` turns the validated config into the component's args (pure).
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { hubReplicas, type HubConfig } from "../config/hub";
import { HubGateway, GATEWAY_POD_LABELS, GATEWAY_PORT, RECEIVE_PATH, type GatewayArgs } from "./gateway";
import { HubStorage, queryUrl, receiveUrl, TENANT_HEADER, Thanos, THANOS_RELEASE, type ThanosArgs } from "./thanos";

export { GATEWAY_POD_LABELS, GATEWAY_PORT, RECEIVE_PATH, TENANT_HEADER, queryUrl };
export const THANOS_POD_LABELS = { "app.kubernetes.io/instance": THANOS_RELEASE };

/** Receive's remote-write URL inside the hub's cluster (the hub's own Prometheus instances write there). */
export function receiveWriteUrl(namespace: string): string {
  return `${receiveUrl(namespace)}${RECEIVE_PATH}`;
}

export interface HubArgs {
  namespace: string;
  thanos: Omit<ThanosArgs, "namespace" | "dependsOn">;
  gateway: Omit<GatewayArgs, "namespace" | "receiveUrl" | "dependsOn">;
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class Hub extends pulumi.ComponentResource {
  public readonly thanos: Thanos;
  public readonly gateway: HubGateway;
  /** What the cluster stacks' remoteWrite.url is. */
  public readonly remoteWriteUrl: string;
  /** Thanos Query inside the hub's cluster. */
  public readonly queryUrl: string;

  constructor(name: string, args: HubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Hub", name, {}, opts);
    this.thanos = new Thanos(`${name}-thanos`, { ...args.thanos, namespace: args.namespace, dependsOn: args.dependsOn }, { parent: this });
    // The gateway once Receive's Service exists (the chart's objects): a write that arrives first gets a 502.
    this.gateway = new HubGateway(
      `${name}-gateway`,
      { ...args.gateway, namespace: args.namespace, receiveUrl: receiveUrl(args.namespace), dependsOn: [...args.dependsOn, this.thanos.chart] },
      { parent: this },
    );
    this.remoteWriteUrl = this.gateway.remoteWriteUrl;
    this.queryUrl = queryUrl(args.namespace);
    this.registerOutputs({ remoteWriteUrl: this.remoteWriteUrl, queryUrl: this.queryUrl });
  }
}

/** Config → the storage union thanos.ts takes (secrets stay secrets). */
function storageOf(h: HubConfig): HubStorage {
  const s = h.storage;
  const sec = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));
  switch (s.backend) {
    case "s3":
      return { backend: "s3", s3: { ...s.s3!, secretAccessKey: sec(s.s3!.secretAccessKey) } };
    case "gcs":
      return { backend: "gcs", gcs: { ...s.gcs!, serviceAccountKey: sec(s.gcs!.serviceAccountKey) } };
    case "azure":
      return { backend: "azure", azure: { ...s.azure!, storageAccountKey: sec(s.azure!.storageAccountKey) } };
  }
}

/** The validated config → Hub args (pure). */
export function hubArgsFromConfig(cfg: StackConfig, extra: { dependsOn: pulumi.Input<pulumi.Resource>[] }): HubArgs {
  const h = cfg.hub!;
  const r = hubReplicas(h, cfg.cluster.environment);
  return {
    namespace: h.namespace,
    thanos: {
      storage: storageOf(h),
      serviceAccountAnnotations: h.serviceAccountAnnotations,
      receive: { replicas: r.receive, replicationFactor: r.replicationFactor, retention: h.receive.retention, storage: h.receive.storage, storageClassName: h.storageClassName, resources: h.receive.resources },
      query: { replicas: r.query, resources: h.query.resources },
      storeGateway: { replicas: r.storeGateway, storage: h.storeGateway.storage, storageClassName: h.storageClassName, resources: h.storeGateway.resources },
      compactor: { storage: h.compactor.storage, storageClassName: h.storageClassName, retention: h.compactor.retention, resources: h.compactor.resources },
    },
    gateway: {
      replicas: r.gateway,
      resources: h.gateway.resources,
      writers: h.writers.map((w) => ({ username: w.username, password: pulumi.secret(w.password), tenants: w.tenants })),
      ingress: { host: h.ingress.host, className: h.ingress.className, tls: { secretName: h.ingress.tls.secretName, certManagerClusterIssuer: h.ingress.tls.certManagerClusterIssuer } },
    },
    dependsOn: extra.dependsOn,
  };
}
