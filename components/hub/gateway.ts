/**
 * The hub's write gateway: the clusters' Prometheus instances remote-write to it (through the hub's
 * Ingress), and it forwards to Thanos Receive only requests whose basic-auth user may write the tenant their
 * THANOS-TENANT header names. Why a gateway: Receive's remote-write listener has TLS and mTLS but no basic
 * auth (thanos v0.42.4 cmd/thanos/receive.go: --http.config covers the 10902 server, not 10908), and nothing
 * in Thanos binds a credential to a tenant.
 *
 * nginx (versions.ts images.hubGateway, the unprivileged image: uid 101, port 8080), per
 * ngx_http_auth_basic_module: `auth_basic_user_file` entries `user:{SSHA}base64(sha1(password+salt)+salt)`
 * (RFC 2307 salted SHA-1, supported by nginx itself, not libc crypt), re-read on every request; a map of
 * "$remote_user:$http_thanos_tenant" → allowed. A request without credentials, or with another user's
 * tenant, is refused (403) before any password is checked (rewrite phase before access phase); one with a
 * wrong password 401.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { selectorLabels, standardLabels } from "../labels";
import { resourceBlock } from "../resources";
import { images } from "../versions";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../podSecurity";
import type { Resources } from "../config/schema";

export const GATEWAY_NAME = "hub-gateway";
export const GATEWAY_PORT = 8080;
export const RECEIVE_PATH = "/api/v1/receive";
export const GATEWAY_POD_LABELS = selectorLabels(GATEWAY_NAME, "gateway");

export interface Writer {
  username: string;
  password: pulumi.Input<string>;
  tenants: string[];
}

/** An htpasswd line in nginx's {SSHA} scheme; the salt is derived from user and password, so it is stable. */
export function sshaEntry(username: string, password: string): string {
  const salt = crypto.createHash("sha256").update(`${username}\0${password}`).digest().subarray(0, 8);
  const digest = crypto.createHash("sha1").update(password).update(salt).digest();
  return `${username}:{SSHA}${Buffer.concat([digest, salt]).toString("base64")}`;
}

/** nginx.conf (pure): basic auth, user → tenants, to Receive; everything else 404; /healthz for probes. */
export function gatewayConfig(writers: { username: string; tenants: string[] }[], receiveUrl: string, opts: { port?: number; stateDir?: string; secretsDir?: string } = {}): string {
  const port = opts.port ?? GATEWAY_PORT;
  const state = opts.stateDir ?? "/tmp";
  const secrets = opts.secretsDir ?? "/etc/nginx/secrets";
  const allowed = writers.flatMap((w) => w.tenants.map((t) => `    "${w.username}:${t}" 1;`));
  return [
    "worker_processes 1;",
    "error_log stderr warn;",
    `pid ${state}/nginx.pid;`,
    "events { worker_connections 1024; }",
    "http {",
    "  client_body_temp_path /tmp/client_temp;",
    `  proxy_temp_path ${state}/proxy_temp;`,
    `  fastcgi_temp_path ${state}/fastcgi_temp;`,
    `  uwsgi_temp_path ${state}/uwsgi_temp;`,
    `  scgi_temp_path ${state}/scgi_temp;`,
    '  log_format main \'$remote_addr $remote_user "$http_thanos_tenant" $status $request_length $request_time\';',
    "  access_log /dev/stdout main;",
    "  # Remote-write batches are a few MB (Prometheus maxSamplesPerSend, snappy).",
    "  client_max_body_size 64m;",
    '  map "$remote_user:$http_thanos_tenant" $tenant_allowed {',
    "    default 0;",
    ...allowed,
    "  }",
    "  server {",
    `    listen ${port};`,
    "    location = /healthz { access_log off; return 200 \"ok\\n\"; }",
    `    location = ${RECEIVE_PATH} {`,
    "      if ($tenant_allowed = 0) { return 403; }",
    '      auth_basic "hub";',
    `      auth_basic_user_file ${secrets}/htpasswd;`,
    "      proxy_set_header Authorization \"\";",
    "      proxy_set_header THANOS-TENANT $http_thanos_tenant;",
    `      proxy_pass ${receiveUrl}${RECEIVE_PATH};`,
    "    }",
    "    location / { return 404; }",
    "  }",
    "}",
    "",
  ].join("\n");
}

export interface GatewayArgs {
  namespace: pulumi.Input<string>;
  replicas: number;
  resources: Resources;
  writers: Writer[];
  /** Thanos Receive's remote-write Service URL (http://thanos-receive.<ns>.svc:10908). */
  receiveUrl: pulumi.Input<string>;
  ingress: { host: string; className?: string; tls: { secretName: string; certManagerClusterIssuer?: string } };
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class HubGateway extends pulumi.ComponentResource {
  /** What the clusters' remoteWrite.url should be. */
  public readonly remoteWriteUrl: string;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:HubGateway", name, {}, opts);
    const meta = (n: string) => ({ name: n, namespace: args.namespace, labels: standardLabels(GATEWAY_NAME, "gateway") });
    const o = { parent: this };
    const htpasswd = pulumi
      .all(args.writers.map((w) => pulumi.output(w.password).apply((p) => sshaEntry(w.username, p))))
      .apply((lines) => `${lines.join("\n")}\n`);
    const secret = new k8s.core.v1.Secret(`${name}-htpasswd`, { metadata: meta(`${GATEWAY_NAME}-htpasswd`), stringData: { htpasswd: pulumi.secret(htpasswd) } }, o);
    const conf = pulumi.output(args.receiveUrl).apply((u) => gatewayConfig(args.writers, u));
    const config = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: meta(`${GATEWAY_NAME}-config`), data: { "nginx.conf": conf } }, o);
    const probe = { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 };
    const deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: meta(GATEWAY_NAME),
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: GATEWAY_POD_LABELS },
          template: {
            metadata: {
              labels: { ...standardLabels(GATEWAY_NAME, "gateway"), ...GATEWAY_POD_LABELS },
              // nginx reads its configuration at start: a new one rolls the pods (htpasswd is re-read per request).
              annotations: { "monitoring-stack/config-sha256": conf.apply((c) => crypto.createHash("sha256").update(c).digest("hex")) },
            },
            spec: {
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(101) /* the image's nginx user */,
              containers: [
                {
                  name: "nginx",
                  image: images.hubGateway,
                  args: ["nginx", "-c", "/etc/nginx/custom/nginx.conf", "-g", "daemon off;"],
                  ports: [{ name: "http", containerPort: GATEWAY_PORT }],
                  readinessProbe: probe,
                  livenessProbe: { ...probe, initialDelaySeconds: 5 },
                  resources: resourceBlock(args.resources),
                  securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                  volumeMounts: [
                    { name: "config", mountPath: "/etc/nginx/custom", readOnly: true },
                    { name: "secrets", mountPath: "/etc/nginx/secrets", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                { name: "config", configMap: { name: config.metadata.name } },
                { name: "secrets", secret: { secretName: secret.metadata.name } },
                { name: "tmp", emptyDir: {} },
              ],
            },
          },
        },
      },
      { ...o, dependsOn: args.dependsOn },
    );
    const service = new k8s.core.v1.Service(`${name}-svc`, { metadata: meta(GATEWAY_NAME), spec: { selector: GATEWAY_POD_LABELS, ports: [{ name: "http", port: 80, targetPort: "http" }] } }, o);
    const tls = args.ingress.tls;
    new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: {
          ...meta(GATEWAY_NAME),
          annotations: {
            // ingress-nginx refuses bodies over 1m by default (its proxy-body-size); a remote-write batch can be
            // larger, and the gateway takes up to 64m. Other controllers ignore the annotation.
            "nginx.ingress.kubernetes.io/proxy-body-size": "64m",
            ...(tls.certManagerClusterIssuer ? { "cert-manager.io/cluster-issuer": tls.certManagerClusterIssuer } : {}),
          },
        },
        spec: {
          ...(args.ingress.className ? { ingressClassName: args.ingress.className } : {}),
          tls: [{ hosts: [args.ingress.host], secretName: tls.secretName }],
          rules: [{ host: args.ingress.host, http: { paths: [{ path: RECEIVE_PATH, pathType: "Exact", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] } }],
        },
      },
      { ...o, dependsOn: [deployment] },
    );
    this.remoteWriteUrl = `https://${args.ingress.host}${RECEIVE_PATH}`;
    this.registerOutputs({ remoteWriteUrl: this.remoteWriteUrl });
  }
}
