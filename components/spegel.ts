/**
 * Spegel: the spegel chart (0.7.4; components/versions.ts), a DaemonSet that lets nodes pull images from
 * each other through containerd's registry mirror configuration.
 *
 * Why it needs the host, and so a namespace of its own labelled Pod Security `privileged`: every pod mounts
 * the node's containerd socket (to list and serve the node's images), the content store (read-only) and
 * the registry host config directory (its init container writes the mirror hosts.toml files there), all
 * as hostPath volumes, and binds a hostPort (30020) for the local mirror (charts/spegel/templates/daemonset.yaml).
 * The Pod Security `baseline` level forbids both hostPath volumes and host ports.
 *
 * Monitoring: the chart's ServiceMonitor (metrics Service, port 9090, /metrics) labelled for the platform
 * Prometheus, the same Service annotated for annotation-based scrapers. The chart's own dashboard ConfigMap
 * stays off (`grafanaDashboard.enabled: false`): our Spegel dashboard ships with the Grafana content.
 *
 * What `pulumi destroy` leaves on the nodes (docs/components/spegel.md "Removing Spegel"): the init
 * container `configuration` (spegel v0.7.4) moves each node's existing `<registryConfigPath>` entries into
 * `_backup/` and writes `<registry>/hosts.toml` pointing at the node's Spegel (hostPort 30020, dial_timeout
 * 200ms). Only the chart's `post-delete` hook (templates/post-delete-hook.yaml, a `cleanup` DaemonSet that
 * restores `_backup/`) undoes that, and neither helm.v4.Chart nor Spegel on SIGTERM runs it. containerd then
 * tries the dead mirror (connection refused) and falls back to the registry (containerd docs/hosts.md), so
 * pulls keep working, but host configs parked in `_backup/` (private CAs, other mirrors) stay inactive
 * until the cleanup is run by hand. The hook inventory (components/charts/hooks/spegel-0.7.4.json) lists
 * these delete hooks; the deploy checks require this documentation for them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { charts } from "./versions";
import { chartLabels, PLATFORM_SCRAPE_LABEL, standardLabels } from "./labels";
import { CONTAINERD_PRESETS, ContainerdPreset, isRegistryUrl, WILDCARD_REGISTRY } from "./config/spegel";
import type { Resources } from "./config/schema";
import type { StackConfig } from "./config";
import { SCRAPE_PATH } from "./labels";import { podSecurityLabels } from "./podSecurity";


/** The registry metrics port (values `service.metrics.port`; --metrics-addr serves /metrics, main.go). */
export const SPEGEL_METRICS_PORT = 9090;

/** Pod Security Admission labels for Spegel's namespace (hostPath volumes and hostPort need `privileged`). */
export const SPEGEL_NAMESPACE_LABELS = podSecurityLabels("privileged");

export interface ContainerdPaths {
  /** containerd socket on the nodes. */
  sock: string;
  /** Registry host config directory (containerd's CRI registry `config_path`). */
  registryConfigPath: string;
  /** containerd content store. */
  contentPath: string;
  /** containerd namespace of the kubelet's images. @default "k8s.io" */
  namespace?: string;
}

/** A preset's paths with per-path overrides. */
export function containerdPaths(preset: ContainerdPreset, overrides: Partial<ContainerdPaths> = {}): Required<ContainerdPaths> {
  const p = CONTAINERD_PRESETS[preset];
  return {
    sock: overrides.sock ?? p.sock,
    registryConfigPath: overrides.registryConfigPath ?? p.registryConfigPath,
    contentPath: overrides.contentPath ?? p.contentPath,
    namespace: overrides.namespace ?? "k8s.io",
  };
}

export interface SpegelArgs {
  /** Namespace of the release; Spegel's pods need host access, keep it to Spegel. */
  namespace: string;
  /** Create the namespace, labelled Pod Security `privileged`. @default true */
  createNamespace?: boolean;
  /** Chart version. @default charts.spegel.version */
  chartVersion?: string;
  /** The nodes' containerd paths. @default containerdPaths("containerd") */
  containerd?: ContainerdPaths;
  /** Registries to mirror ("https://docker.io", or "_default" = all). @default [] (all) */
  mirroredRegistries?: string[];
  /** Mirrors containerd tries after Spegel. @default [] */
  additionalMirrorTargets?: string[];
  /** Spegel container resources. @default the chart's (128Mi memory request = limit) */
  resources?: k8s.types.input.core.v1.ResourceRequirements;
  /** Resources the chart waits for, e.g. the Prometheus Operator CRDs (it renders a ServiceMonitor). @default [] */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Chart values for `args`, release fullname `fullname`. Pure: tested directly. */
export function spegelValues(fullname: string, args: SpegelArgs): Record<string, any> {
  const c = args.containerd ? { ...args.containerd, namespace: args.containerd.namespace ?? "k8s.io" } : containerdPaths("containerd");
  return {
    // Object names `<fullname>`, `<fullname>-registry`, `-bootstrap` whatever the release name.
    fullnameOverride: fullname,
    commonLabels: chartLabels(),
    spegel: {
      mirroredRegistries: args.mirroredRegistries ?? [],
      additionalMirrorTargets: args.additionalMirrorTargets ?? [],
      containerdSock: c.sock,
      containerdNamespace: c.namespace,
      containerdRegistryConfigPath: c.registryConfigPath,
      containerdContentPath: c.contentPath,
    },
    ...(args.resources ? { resources: args.resources } : {}),
    service: {
      metrics: {
        annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(SPEGEL_METRICS_PORT), "prometheus.io/path": SCRAPE_PATH },
      },
    },
    serviceMonitor: {
      enabled: true,
      labels: { ...PLATFORM_SCRAPE_LABEL },
      // The node each Spegel pod serves, as a label of its series: the dashboard's per-node panels then
      // aggregate by it instead of joining every series with kube_pod_info (300-500 ms per panel at 150
      // nodes, bench/dashboards.ts). The chart passes serviceMonitor.relabelings to the endpoint
      // (templates/servicemonitor.yaml, v0.7.4); endpoints and endpointslice discovery attach the pod
      // role's labels, __meta_kubernetes_pod_node_name included, to an address backed by a pod
      // (prometheus discovery/kubernetes/endpoints.go, endpointslice.go: podLabels from pod.go).
      relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }],
    },
    // Our Spegel dashboard is delivered with the Grafana content, not as the chart's sidecar ConfigMap.
    grafanaDashboard: { enabled: false },
  };
}

/** Every problem with the args, or []. */
export function validateSpegelArgs(name: string, args: SpegelArgs): string[] {
  const problems: string[] = [];
  const maxName = 63 - "-bootstrap".length;
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > maxName) {
    problems.push(`name: ${JSON.stringify(name)} cannot prefix the chart's Service names; use a lower-case DNS label starting with a letter, at most ${maxName} characters`);
  }
  (args.mirroredRegistries ?? []).forEach((r, i) => {
    if (r !== WILDCARD_REGISTRY && !isRegistryUrl(r)) problems.push(`mirroredRegistries[${i}]: ${JSON.stringify(r)} is not a registry URL; use e.g. "https://docker.io"`);
  });
  (args.additionalMirrorTargets ?? []).forEach((r, i) => {
    if (!isRegistryUrl(r)) problems.push(`additionalMirrorTargets[${i}]: ${JSON.stringify(r)} is not a registry URL; use e.g. "https://mirror.example.com"`);
  });
  for (const [k, v] of Object.entries(args.containerd ?? {})) {
    if (k !== "namespace" && !String(v).startsWith("/")) problems.push(`containerd.${k}: ${JSON.stringify(v)} is not an absolute host path`);
  }
  return problems;
}

export class Spegel extends pulumi.ComponentResource {
  /** The namespace Spegel runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** The labels of Spegel's pods (the chart's selector labels: name spegel, instance = the release). */
  public readonly podLabels: Record<string, string>;

  constructor(name: string, args: SpegelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:Spegel", name, {}, opts);
    this.podLabels = { "app.kubernetes.io/name": "spegel", "app.kubernetes.io/instance": name };
    const problems = validateSpegelArgs(name, args);
    if (problems.length) throw new pulumi.ResourceError(`Unable to create Spegel ${name}:\n  - ${problems.join("\n  - ")}`, this);

    let namespace: pulumi.Input<string> = args.namespace;
    if (args.createNamespace ?? true) {
      const ns = new k8s.core.v1.Namespace(
        `${name}-ns`,
        { metadata: { name: args.namespace, labels: { ...standardLabels("namespace", "spegel"), ...SPEGEL_NAMESPACE_LABELS } } },
        { parent: this },
      );
      namespace = ns.metadata.name;
    }

    new k8s.helm.v4.Chart(
      name,
      {
        // A fixed release name (helm.v4.Chart defaults it to the resource name; explicit, so it never moves).
        name,
        chart: charts.spegel.chart,
        version: args.chartVersion ?? charts.spegel.version,
        namespace,
        values: spegelValues(name, args),
      },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );

    this.namespace = pulumi.output(namespace);
    this.registerOutputs({ namespace: this.namespace });
  }
}

/** SpegelArgs from the validated stack config (Spegel creates its namespace, `namespaces.spegel`). */
export function spegelArgsFromConfig(cfg: StackConfig): SpegelArgs {
  const s = cfg.spegel;
  return {
    namespace: cfg.namespaces.spegel,
    createNamespace: true,
    chartVersion: s.chartVersion,
    containerd: containerdPaths(s.containerd.preset, {
      sock: s.containerd.sock,
      registryConfigPath: s.containerd.registryConfigPath,
      contentPath: s.containerd.contentPath,
      namespace: s.containerd.namespace,
    }),
    mirroredRegistries: s.mirroredRegistries,
    additionalMirrorTargets: s.additionalMirrorTargets,
    resources: resourcesOf(s.resources),
  };
}

function resourcesOf(r: Resources): k8s.types.input.core.v1.ResourceRequirements {
  const clean = (o: { cpu?: string; memory?: string }) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
  return { ...(Object.keys(clean(r.requests)).length ? { requests: clean(r.requests) } : {}), ...(Object.keys(clean(r.limits)).length ? { limits: clean(r.limits) } : {}) };
}
