/**
 * A synthetic Kubernetes cluster's metrics, with the metric names and labels the real components emit, for
 * the dashboards' live check (small) and benchmark (10k+ containers). Every name below was read upstream;
 * dashboards/METRICS.md lists each with its source file and version.
 *
 * Scraped as by this stack: ServiceMonitors add job/instance/namespace/pod/service/endpoint target labels;
 * kube-state-metrics and the kueue-exporter are scraped with honorLabels (their namespace/pod labels are the
 * subject's); no `cluster` label (external labels are not stored in a Prometheus' own TSDB).
 *
 * The data is deterministic for a given seed and end time, and streamed: nothing but the pod model is held
 * in memory.
 */
import { Labels, OpenMetricsWriter } from "./openmetrics";
import {
  DEF_BUCKETS,
  Grid,
  Random,
  exponentialBuckets,
  hash32,
  logUniform,
  writeCounter,
  writeGauge,
  writeHistogram,
} from "./series";

export interface ClusterOptions {
  /** Last sample time, Unix seconds (the data must end near now for a server to serve it). */
  end: number;
  /** Covered time span in seconds. */
  durationSeconds: number;
  /** Scrape interval in seconds. */
  step: number;
  seed: number;
  /** Worker nodes (every DaemonSet runs one pod per node). */
  nodes: number;
  /** Generated application namespaces on top of the fixed ones (team-a, team-b, platform namespaces). */
  appNamespaces: number;
  /** Application containers to generate across appNamespaces (approximate). */
  appContainers: number;
  /** Share of generated Deployments that roll out a new image during the window. */
  rolloutShare: number;
}

/** The live check: a few nodes and the fixed workloads, 90 minutes at 30 s. */
export function liveOptions(end: number): ClusterOptions {
  return { end, durationSeconds: 90 * 60, step: 30, seed: 42, nodes: 3, appNamespaces: 0, appContainers: 0, rolloutShare: 0 };
}

/** The benchmark: a realistic large cluster, 6 hours at 30 s, >= 10k containers. */
export function benchOptions(end: number): ClusterOptions {
  return { end, durationSeconds: 6 * 3600, step: 30, seed: 7, nodes: 150, appNamespaces: 60, appContainers: 9500, rolloutShare: 0.3 };
}

// ---------------------------------------------------------------------------------------------------------
// The pod model
// ---------------------------------------------------------------------------------------------------------

interface Node {
  name: string;
  ip: string;
}

interface Container {
  name: string;
  /** What the pod spec asks for (kube-state-metrics image_spec). */
  imageSpec: string;
  /** What runs, as containerd reports it (image). */
  image: string;
  /** Digest that runs (image_id). */
  imageId: string;
  containerId: string;
  /** CPU cores used on average. */
  cores: number;
}

interface Pod {
  namespace: string;
  name: string;
  uid: string;
  node: Node;
  ip: string;
  /** kube_pod_owner / kube_pod_info created_by: "" for a bare pod. */
  ownerKind: string;
  ownerName: string;
  containers: Container[];
  from: number;
  to: number;
}

interface ReplicaSet {
  namespace: string;
  name: string;
  deployment: string;
  from: number;
}

/** A scrape target, for `up`. */
interface Target {
  labels: Labels;
  /** up = 0 from this time on (inclusive); undefined = always up. */
  downFrom?: number;
}

export interface Model {
  grid: Grid;
  nodes: Node[];
  pods: Pod[];
  replicaSets: ReplicaSet[];
  targets: Target[];
  /** When team-a/api rolls out 1.5.0 (the live check's image-change annotation). */
  apiRolloutAt: number;
}

/** The workload a pod belongs to: the Deployment for ReplicaSet pods (name minus the pod-template hash). */
function workloadOf(p: Pod): string {
  return p.ownerKind === "ReplicaSet" ? p.ownerName.replace(/-[a-z0-9]{9}$/, "") : p.ownerName || p.name;
}

/** Adds docker.io/ and library/ as containerd does for short names, and :latest when there is no tag. */
export function runningReference(spec: string): string {
  let ref = spec;
  const first = ref.split("/")[0];
  if (!ref.includes("/")) ref = `docker.io/library/${ref}`;
  else if (!first.includes(".") && !first.includes(":") && first !== "localhost") ref = `docker.io/${ref}`;
  const last = ref.split("/").pop() as string;
  if (!last.includes(":") && !last.includes("@")) ref = `${ref}:latest`;
  return ref;
}

function digestOf(image: string): string {
  const repo = image.replace(/[:@][^/]*$/, "");
  let h = "";
  for (let i = 0; h.length < 64; i++) h += hash32(`${image}#${i}`).toString(16).padStart(8, "0");
  return `${repo}@sha256:${h.slice(0, 64)}`;
}

class ModelBuilder {
  readonly rng: Random;
  readonly grid: Grid;
  readonly nodes: Node[];
  readonly pods: Pod[] = [];
  readonly replicaSets: ReplicaSet[] = [];
  readonly targets: Target[] = [];

  constructor(readonly o: ClusterOptions) {
    this.rng = new Random(o.seed);
    this.grid = { start: o.end - o.durationSeconds, end: o.end, step: o.step };
    this.nodes = Array.from({ length: o.nodes }, (_, i) => ({ name: `node-${String(i + 1).padStart(3, "0")}`, ip: `10.0.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}` }));
  }

  private node(i: number): Node {
    return this.nodes[i % this.nodes.length];
  }

  container(name: string, spec: string, opts: { running?: string; cores?: number } = {}): Container {
    const image = opts.running ?? runningReference(spec);
    return { name, imageSpec: spec, image, imageId: digestOf(image), containerId: `containerd://${this.rng.hex(64)}`, cores: opts.cores ?? 0.01 + this.rng.next() * 0.4 };
  }

  pod(p: Omit<Pod, "uid" | "ip" | "from" | "to"> & { from?: number; to?: number }): Pod {
    const pod: Pod = {
      ...p,
      uid: `${this.rng.hex(8)}-${this.rng.hex(4)}-${this.rng.hex(4)}-${this.rng.hex(4)}-${this.rng.hex(12)}`,
      ip: `10.${100 + (this.pods.length % 100)}.${Math.floor(this.pods.length / 250) % 250}.${(this.pods.length % 250) + 1}`,
      from: p.from ?? this.grid.start,
      to: p.to ?? this.grid.end,
    };
    this.pods.push(pod);
    return pod;
  }

  /** A Deployment: one ReplicaSet per image version, `replicas` pods each; versions[i].from = when it starts. */
  deployment(namespace: string, name: string, replicas: number, versions: { from: number; containers: [string, string][] }[], opts: { cores?: number } = {}): Pod[] {
    const out: Pod[] = [];
    versions.forEach((v, vi) => {
      const rs = `${name}-${this.rng.chars(9)}`;
      this.replicaSets.push({ namespace, name: rs, deployment: name, from: v.from });
      // The old version's pods stop a minute after the next version starts (a rolling update).
      const to = vi + 1 < versions.length ? versions[vi + 1].from + 60 : this.grid.end;
      for (let r = 0; r < replicas; r++) {
        out.push(
          this.pod({
            namespace,
            name: `${rs}-${this.rng.chars(5)}`,
            node: this.node(this.rng.int(0, this.nodes.length - 1)),
            ownerKind: "ReplicaSet",
            ownerName: rs,
            containers: v.containers.map(([c, spec]) => this.container(c, spec, { cores: opts.cores })),
            from: v.from,
            to,
          }),
        );
      }
    });
    return out;
  }

  statefulSet(namespace: string, name: string, replicas: number, containers: [string, string][]): Pod[] {
    return Array.from({ length: replicas }, (_, r) =>
      this.pod({ namespace, name: `${name}-${r}`, node: this.node(this.rng.int(0, this.nodes.length - 1)), ownerKind: "StatefulSet", ownerName: name, containers: containers.map(([c, s]) => this.container(c, s)) }),
    );
  }

  daemonSet(namespace: string, name: string, containers: [string, string][]): Pod[] {
    return this.nodes.map((node) =>
      this.pod({ namespace, name: `${name}-${this.rng.chars(5)}`, node, ownerKind: "DaemonSet", ownerName: name, containers: containers.map(([c, s]) => this.container(c, s, { cores: 0.005 + this.rng.next() * 0.05 })) }),
    );
  }

  target(labels: Labels, downFrom?: number): void {
    this.targets.push({ labels, ...(downFrom !== undefined ? { downFrom } : {}) });
  }
}

/** Builds the pod model: fixed workloads (what the live check relies on) plus generated applications. */
export function buildModel(o: ClusterOptions): Model {
  const b = new ModelBuilder(o);
  const { start, end } = b.grid;
  const apiRolloutAt = end - 45 * 60;

  // team-a: an image rollout, short names, a StatefulSet, floating tags, a drifted pod, its own Prometheus.
  b.deployment("team-a", "api", 3, [
    { from: start, containers: [["api", "registry.example.com/team-a/api:1.4.2"]] },
    { from: apiRolloutAt, containers: [["api", "registry.example.com/team-a/api:1.5.0"]] },
  ]);
  b.deployment("team-a", "web", 2, [{ from: start, containers: [["nginx", "nginx:1.25"]] }]);
  b.statefulSet("team-a", "db", 1, [["postgres", "postgres:16.3"]]);
  b.pod({ namespace: "team-a", name: "debug", node: b.nodes[0], ownerKind: "", ownerName: "", containers: [b.container("shell", "busybox"), b.container("tools", "alpine:latest")] });
  // The spec was edited (kubectl set image on a bare pod) and the container not restarted yet.
  b.pod({ namespace: "team-a", name: "legacy", node: b.nodes[0], ownerKind: "", ownerName: "", containers: [b.container("legacy", "registry.example.com/team-a/legacy:2.0.0", { running: "registry.example.com/team-a/legacy:1.9.0" })] });
  const teamAProm = b.statefulSet("team-a", "prometheus-team-a", 1, [["prometheus", "quay.io/prometheus/prometheus:v3.5.0"], ["config-reloader", "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1"]]);
  b.deployment("team-b", "worker", 2, [{ from: start, containers: [["worker", "ghcr.io/team-b/worker:2.0.1"]] }]);
  b.daemonSet("team-b", "log-agent", [["fluent-bit", "fluent/fluent-bit:3.0.4"]]);

  // Platform components.
  const spegel = b.daemonSet("spegel", "spegel", [["registry", "ghcr.io/spegel-org/spegel:v0.7.4"]]);
  const tempo = [
    ...b.deployment("tempo", "tempo-distributor", 2, [{ from: start, containers: [["distributor", "grafana/tempo:2.10.8"]] }]),
    ...b.statefulSet("tempo", "tempo-ingester", 3, [["ingester", "grafana/tempo:2.10.8"]]),
    ...b.deployment("tempo", "tempo-querier", 2, [{ from: start, containers: [["querier", "grafana/tempo:2.10.8"]] }]),
    ...b.deployment("tempo", "tempo-query-frontend", 1, [{ from: start, containers: [["query-frontend", "grafana/tempo:2.10.8"]] }]),
    ...b.deployment("tempo", "tempo-compactor", 1, [{ from: start, containers: [["compactor", "grafana/tempo:2.10.8"]] }]),
  ];
  const kueue = b.deployment("kueue-system", "kueue-controller-manager", 2, [{ from: start, containers: [["manager", "registry.k8s.io/kueue/kueue:v0.19.2"]] }]);
  const exporter = b.deployment("kueue-system", "kueue-exporter", 1, [{ from: start, containers: [["exporter", "registry.example.com/platform/kueue-exporter:0.1.0"]] }]);
  const platformProm = b.statefulSet("monitoring", "prometheus-platform", 1, [["prometheus", "quay.io/prometheus/prometheus:v3.5.0"], ["config-reloader", "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1"]]);
  const operator = b.deployment("monitoring", "prometheus-operator", 1, [{ from: start, containers: [["prometheus-operator", "quay.io/prometheus-operator/prometheus-operator:v0.93.1"]] }]);
  const ksm = b.deployment("monitoring", "kube-state-metrics", 1, [{ from: start, containers: [["kube-state-metrics", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0"]] }]);
  const nodeExporter = b.daemonSet("monitoring", "node-exporter", [["node-exporter", "quay.io/prometheus/node-exporter:v1.9.1"]]);
  if (o.appNamespaces > 0) {
    b.daemonSet("kube-system", "kube-proxy", [["kube-proxy", "registry.k8s.io/kube-proxy:v1.33.2"]]);
    b.daemonSet("kube-system", "calico-node", [["calico-node", "docker.io/calico/node:v3.30.0"], ["install-cni", "docker.io/calico/cni:v3.30.0"]]);
  }

  // Generated applications: Deployments of 1-3 containers; some roll out a new version in the window.
  const sidecars: [string, string][] = [["envoy", "docker.io/envoyproxy/envoy:v1.30.1"], ["otel-agent", "otel/opentelemetry-collector-contrib:0.128.0"]];
  let made = 0;
  let d = 0;
  while (made < o.appContainers && o.appNamespaces > 0) {
    const ns = `app-${String((d % o.appNamespaces) + 1).padStart(3, "0")}`;
    const app = `svc-${String(d + 1).padStart(4, "0")}`;
    const replicas = b.rng.int(1, 5);
    const containers: [string, string][] = [["app", `registry.example.com/${ns}/${app}:1.${b.rng.int(0, 20)}.${b.rng.int(0, 9)}`]];
    const nSidecars = b.rng.int(0, 2);
    for (let s = 0; s < nSidecars; s++) containers.push(sidecars[s]);
    const versions = [{ from: start, containers }];
    if (b.rng.chance(o.rolloutShare)) {
      const at = start + Math.floor((0.1 + 0.8 * b.rng.next()) * o.durationSeconds / o.step) * o.step;
      versions.push({ from: at, containers: containers.map(([c, s], i) => [c, i === 0 ? s.replace(/:1\.(\d+)\.(\d+)$/, (_m, mi) => `:1.${Number(mi) + 1}.0`) : s] as [string, string]) });
    }
    b.deployment(ns, app, replicas, versions);
    made += replicas * containers.length;
    d++;
  }

  // Scrape targets (up), as the ServiceMonitors/PodMonitors of this stack produce them.
  const podTarget = (p: Pod, job: string, port: number, extra: Labels = {}): Labels => ({ job, instance: `${p.ip}:${port}`, namespace: p.namespace, pod: p.name, service: job, endpoint: "http-metrics", ...extra });
  for (const n of b.nodes) b.target({ job: "kubelet", instance: `${n.ip}:10250`, node: n.name, metrics_path: "/metrics/cadvisor", namespace: "kube-system", service: "kubelet", endpoint: "https-metrics" });
  nodeExporter.forEach((p, i) => b.target(podTarget(p, "node-exporter", 9100), i === 0 ? start : undefined)); // one node-exporter is down throughout
  for (const p of ksm) b.target(podTarget(p, "kube-state-metrics", 8080));
  for (const p of spegel) b.target(podTarget(p, "spegel", 9090, { node: p.node.name }));
  for (const p of tempo) b.target(podTarget(p, workloadOf(p).replace(/^tempo-/, "tempo/"), 3200));
  for (const p of kueue) b.target(podTarget(p, "kueue", 8443));
  for (const p of exporter) b.target(podTarget(p, "kueue-exporter", 8080));
  for (const p of platformProm) b.target(podTarget(p, "prometheus-platform", 9090));
  // The team Prometheus goes down for the last 20 minutes.
  for (const p of teamAProm) b.target(podTarget(p, "prometheus-team-a", 9090), end - 20 * 60);
  for (const p of operator) b.target(podTarget(p, "prometheus-operator", 8080));

  return { grid: b.grid, nodes: b.nodes, pods: b.pods, replicaSets: b.replicaSets, targets: b.targets, apiRolloutAt };
}

// ---------------------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------------------

const ksmTarget: Labels = { job: "kube-state-metrics", instance: "10.100.0.250:8080", service: "kube-state-metrics", endpoint: "http" };

/** kube-state-metrics v2.x (internal/store/pod.go, replicaset.go). */
function writeKubeStateMetrics(w: OpenMetricsWriter, m: Model): void {
  const g = m.grid;
  w.family("kube_pod_info", "gauge", "Information about pod.");
  for (const p of m.pods) {
    writeGauge(w, g, "kube_pod_info", { ...ksmTarget, namespace: p.namespace, pod: p.name, uid: p.uid, host_ip: p.node.ip, pod_ip: p.ip, node: p.node.name, created_by_kind: p.ownerKind, created_by_name: p.ownerName, priority_class: "", host_network: "false" }, () => 1, { from: p.from, to: p.to });
  }
  w.family("kube_pod_owner", "gauge", "Information about the Pod's owner.");
  for (const p of m.pods) {
    writeGauge(w, g, "kube_pod_owner", { ...ksmTarget, namespace: p.namespace, pod: p.name, uid: p.uid, owner_kind: p.ownerKind, owner_name: p.ownerName, owner_is_controller: p.ownerKind ? "true" : "" }, () => 1, { from: p.from, to: p.to });
  }
  w.family("kube_pod_container_info", "gauge", "Information about a container in a pod.");
  for (const p of m.pods) {
    for (const c of p.containers) {
      writeGauge(w, g, "kube_pod_container_info", { ...ksmTarget, namespace: p.namespace, pod: p.name, uid: p.uid, container: c.name, image_spec: c.imageSpec, image: c.image, image_id: c.imageId, container_id: c.containerId }, () => 1, { from: p.from, to: p.to });
    }
  }
  w.family("kube_replicaset_owner", "gauge", "Information about the ReplicaSet's owner.");
  for (const rs of m.replicaSets) {
    writeGauge(w, g, "kube_replicaset_owner", { ...ksmTarget, namespace: rs.namespace, replicaset: rs.name, owner_kind: "Deployment", owner_name: rs.deployment, owner_is_controller: "true" }, () => 1, { from: rs.from });
  }
}

/** cAdvisor via the kubelet (labels from kubernetes pkg/kubelet/server/server.go containerPrometheusLabelsFunc). */
function writeCadvisor(w: OpenMetricsWriter, m: Model): void {
  w.family("container_cpu_usage_seconds", "counter", "Cumulative cpu time consumed in seconds.");
  for (const p of m.pods) {
    const target = { job: "kubelet", instance: `${p.node.ip}:10250`, node: p.node.name, metrics_path: "/metrics/cadvisor", service: "kubelet", endpoint: "https-metrics" };
    const podCgroup = `/kubepods/burstable/pod${p.uid}`;
    const total = p.containers.reduce((s, c) => s + c.cores, 0);
    // The pod's own cgroup: container="" and image="" (what image!="" filters out).
    writeCounter(w, m.grid, "container_cpu_usage_seconds_total", { ...target, container: "", cpu: "total", id: podCgroup, image: "", name: "", namespace: p.namespace, pod: p.name }, () => total, { integer: false, life: { from: p.from, to: p.to } });
    for (const c of p.containers) {
      const id = c.containerId.replace("containerd://", "");
      writeCounter(w, m.grid, "container_cpu_usage_seconds_total", { ...target, container: c.name, cpu: "total", id: `${podCgroup}/${id}`, image: c.image, name: id, namespace: p.namespace, pod: p.name }, () => c.cores, { integer: false, life: { from: p.from, to: p.to } });
    }
  }
}

/** Spegel v0.7.x (pkg/metrics/metrics.go, pkg/httpx/metrics.go). */
function writeSpegel(w: OpenMetricsWriter, m: Model): void {
  const g = m.grid;
  const pods = m.pods.filter((p) => p.namespace === "spegel");
  // node: the ServiceMonitor's relabeling from __meta_kubernetes_pod_node_name (components/spegel.ts).
  const t = (p: Pod): Labels => ({ job: "spegel", instance: `${p.ip}:9090`, namespace: "spegel", pod: p.name, service: "spegel", endpoint: "metrics", container: "registry", node: p.node.name });
  const registries = ["docker.io", "ghcr.io", "registry.example.com"];
  w.family("spegel_mirror_requests", "counter", "Total number of mirror requests.");
  for (const p of pods) {
    for (const registry of registries) {
      writeCounter(w, g, "spegel_mirror_requests_total", { ...t(p), registry, cache: "hit" }, () => 0.3);
      writeCounter(w, g, "spegel_mirror_requests_total", { ...t(p), registry, cache: "miss" }, () => 0.05);
    }
  }
  w.family("spegel_mirror_last_success_timestamp_seconds", "gauge", "The timestamp of the last successful mirror request.");
  for (const p of pods) writeGauge(w, g, "spegel_mirror_last_success_timestamp_seconds", t(p), (ts, r) => ts - Math.floor(r * 20));
  w.family("spegel_resolve_duration_seconds", "histogram", "The duration for router to resolve a peer.");
  for (const p of pods) writeHistogram(w, g, { ...t(p), router: "libp2p" }, { name: "spegel_resolve_duration_seconds", buckets: DEF_BUCKETS, perSecond: () => 0.4, quantile: logUniform(0.002, 3) });
  for (const [fam, help, per] of [
    ["spegel_advertised_image_tags", "Number of image tags advertised to be available.", 40],
    ["spegel_advertised_image_digests", "Number of image digests advertised to be available.", 120],
    ["spegel_advertised_content_digests", "Number of content digests advertised to be available.", 900],
  ] as const) {
    w.family(fam, "gauge", help);
    for (const p of pods) for (const registry of registries) writeGauge(w, g, fam, { ...t(p), registry }, (_ts, r) => Math.round(per * (0.8 + 0.4 * (hash32(p.name + registry) % 100) / 100) + r * 3));
  }
  const codes: [string, string, number][] = [
    ["/v2/*", "200", 0.3],
    ["/v2/*", "404", 0.08],
    ["/v2/*", "500", 0.01],
    ["/readyz", "200", 0.1],
    ["/livez", "200", 0.1],
  ];
  // Another application's http_* metrics in another namespace: the dashboard must not mix them in.
  const other: Labels = { job: "api", instance: "10.100.0.9:8080", namespace: "team-a", pod: "api-x", service: "api", endpoint: "http", container: "api" };
  w.family("http_request_duration_seconds", "histogram", "The latency of the HTTP requests.");
  for (const p of pods) {
    for (const [handler, code, rate] of codes) {
      writeHistogram(w, g, { ...t(p), handler, method: handler === "/v2/*" ? "GET" : "GET", code }, { name: "http_request_duration_seconds", buckets: DEF_BUCKETS, perSecond: () => rate, quantile: handler === "/v2/*" ? logUniform(0.001, 8) : logUniform(0.0005, 0.005) });
    }
  }
  writeHistogram(w, g, { ...other, handler: "/api", method: "GET", code: "200" }, { name: "http_request_duration_seconds", buckets: DEF_BUCKETS, perSecond: () => 50, quantile: logUniform(0.001, 1) });
  w.family("http_response_size_bytes", "histogram", "The size of the HTTP responses.");
  for (const p of pods) {
    for (const [handler, code, rate] of codes) {
      writeHistogram(w, g, { ...t(p), handler, method: "GET", code }, { name: "http_response_size_bytes", buckets: exponentialBuckets(1024, 5, 10), perSecond: () => rate, quantile: code === "200" && handler === "/v2/*" ? logUniform(500, 80e6) : logUniform(10, 200) });
    }
  }
  w.family("http_requests_inflight", "gauge", "The number of inflight requests being handled at the same time.");
  for (const p of pods) for (const handler of ["/v2/*", "/readyz", "/livez"]) writeGauge(w, g, "http_requests_inflight", { ...t(p), handler }, (_ts, r) => (handler === "/v2/*" ? Math.floor(r * 4) : 0));
}

// Kueue's exponential buckets (pkg/metrics/metrics.go generateExponentialBuckets): 1, then 2.5 * 2^i.
const kueueBuckets = (count: number): number[] => [1, ...exponentialBuckets(2.5, 2, count - 1)];
const CLUSTER_QUEUES = ["cq-gpu", "cq-cpu"];
const LOCAL_QUEUES: [string, string, string][] = [
  ["cq-gpu", "team-a", "lq-train"],
  ["cq-gpu", "team-b", "lq-default"],
  ["cq-cpu", "team-a", "lq-batch"],
  ["cq-cpu", "team-b", "lq-default"],
];

/** Kueue v0.19 (pkg/metrics/metrics.go); the HA follower reports gauges too, with replica_role="follower". */
function writeKueue(w: OpenMetricsWriter, m: Model): void {
  const g = m.grid;
  const pods = m.pods.filter((p) => p.ownerName.startsWith("kueue-controller-manager"));
  const t = (p: Pod): Labels => ({ job: "kueue", instance: `${p.ip}:8443`, namespace: "kueue-system", pod: p.name, service: "kueue-controller-manager-metrics-service", endpoint: "https" });
  const role = (i: number): string => (i === 0 ? "leader" : "follower");
  w.family("kueue_pending_workloads", "gauge", "The number of pending workloads, per 'cluster_queue' and 'status'.");
  pods.forEach((p, i) => {
    for (const cq of CLUSTER_QUEUES) {
      writeGauge(w, g, "kueue_pending_workloads", { ...t(p), cluster_queue: cq, status: "active", replica_role: role(i) }, (ts, r) => 5 + Math.round(10 * Math.abs(Math.sin((ts - g.start) / 1800)) + r * 2));
      writeGauge(w, g, "kueue_pending_workloads", { ...t(p), cluster_queue: cq, status: "inadmissible", replica_role: role(i) }, (_ts, r) => Math.round(r * 2));
    }
  });
  w.family("kueue_admitted_workloads", "counter", "The total number of admitted workloads per 'cluster_queue'");
  for (const cq of CLUSTER_QUEUES) for (const pc of ["high", "low"]) writeCounter(w, g, "kueue_admitted_workloads_total", { ...t(pods[0]), cluster_queue: cq, priority_class: pc, replica_role: "leader" }, () => 0.02);
  w.family("kueue_admission_wait_time_seconds", "histogram", "The time between a workload was created or requeued until admission, per 'cluster_queue'");
  for (const cq of CLUSTER_QUEUES) for (const pc of ["high", "low"]) writeHistogram(w, g, { ...t(pods[0]), cluster_queue: cq, priority_class: pc, replica_role: "leader" }, { name: "kueue_admission_wait_time_seconds", buckets: kueueBuckets(16), perSecond: () => 0.02, quantile: logUniform(2, 7200) });
}

// exporter/src/snapshot.ts AGE_BUCKETS
const AGE_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800];

/** The kueue-exporter (exporter/src/metrics.ts), scraped with honorLabels: namespace = the LocalQueue's. */
function writeKueueExporter(w: OpenMetricsWriter, m: Model): void {
  const g = m.grid;
  const [p] = m.pods.filter((x) => x.ownerName.startsWith("kueue-exporter"));
  const self: Labels = { job: "kueue-exporter", instance: `${p.ip}:8080`, namespace: "kueue-system", pod: p.name, service: "kueue-exporter", endpoint: "metrics" };
  const data: Labels = { job: "kueue-exporter", instance: `${p.ip}:8080`, pod: p.name, service: "kueue-exporter", endpoint: "metrics" };
  const pendingOf = (cq: string, ts: number): number => 4 + Math.round(6 * Math.abs(Math.sin((ts - g.start) / 2400 + hash32(cq))));

  w.family("kueuex_up", "gauge", "1 if the last poll of the Kueue APIs fully succeeded, else 0.");
  writeGauge(w, g, "kueuex_up", self, () => 1);
  w.family("kueuex_data_stale", "gauge", "1 when the latest poll failed and data from an earlier poll is served.");
  writeGauge(w, g, "kueuex_data_stale", self, () => 0);
  w.family("kueuex_last_successful_poll_timestamp_seconds", "gauge", "Unix time of the end of the last fully successful poll.");
  writeGauge(w, g, "kueuex_last_successful_poll_timestamp_seconds", self, (ts, r) => ts - Math.floor(r * 15));
  w.family("kueuex_poll_duration_seconds", "histogram", "Duration of poll cycles.");
  writeHistogram(w, g, self, { name: "kueuex_poll_duration_seconds", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], perSecond: () => 1 / 15, quantile: logUniform(0.04, 2) });
  w.family("kueuex_api_errors", "counter", "Failed Kubernetes API requests by cause.");
  writeCounter(w, g, "kueuex_api_errors_total", { ...self, code: "timeout" }, () => 0.002);
  writeCounter(w, g, "kueuex_api_errors_total", { ...self, code: "403" }, () => 0.001);
  w.family("kueuex_cluster_queues", "gauge", "ClusterQueues found by the last successful ClusterQueue list.");
  writeGauge(w, g, "kueuex_cluster_queues", data, () => CLUSTER_QUEUES.length);

  w.family("kueuex_cluster_queue_pending_workloads", "gauge", "Pending workloads in the ClusterQueue.");
  for (const cq of CLUSTER_QUEUES) writeGauge(w, g, "kueuex_cluster_queue_pending_workloads", { ...data, cluster_queue: cq }, (ts) => pendingOf(cq, ts));
  w.family("kueuex_local_queue_pending_workloads", "gauge", "Pending workloads per LocalQueue.");
  for (const [cq, ns, lq] of LOCAL_QUEUES) writeGauge(w, g, "kueuex_local_queue_pending_workloads", { ...data, cluster_queue: cq, namespace: ns, local_queue: lq }, (ts) => Math.max(1, Math.round(pendingOf(cq, ts) / 2)));
  w.family("kueuex_cluster_queue_oldest_pending_age_seconds", "gauge", "Age of the oldest pending workload in the ClusterQueue.");
  for (const cq of CLUSTER_QUEUES) writeGauge(w, g, "kueuex_cluster_queue_oldest_pending_age_seconds", { ...data, cluster_queue: cq }, (ts) => 600 + ((ts - g.start) % 5400));
  w.family("kueuex_local_queue_oldest_pending_age_seconds", "gauge", "Age of the oldest pending workload per LocalQueue.");
  for (const [cq, ns, lq] of LOCAL_QUEUES) writeGauge(w, g, "kueuex_local_queue_oldest_pending_age_seconds", { ...data, cluster_queue: cq, namespace: ns, local_queue: lq }, (ts) => 300 + ((ts - g.start + hash32(lq) % 900) % 5400));

  // The snapshot distribution: gauges with histogram names (cumulative, le includes +Inf).
  const les = [...AGE_BUCKETS.map(String), "+Inf"];
  w.family("kueuex_pending_workload_age_seconds_bucket", "gauge", "Currently pending workloads whose age is <= le.");
  for (const cq of CLUSTER_QUEUES) {
    les.forEach((le, i) => writeGauge(w, g, "kueuex_pending_workload_age_seconds_bucket", { ...data, cluster_queue: cq, le }, (ts) => Math.round((pendingOf(cq, ts) * Math.min(i + 1, 6)) / 6)));
  }
  w.family("kueuex_pending_workload_age_seconds_count", "gauge", "Currently pending workloads.");
  for (const cq of CLUSTER_QUEUES) writeGauge(w, g, "kueuex_pending_workload_age_seconds_count", { ...data, cluster_queue: cq }, (ts) => pendingOf(cq, ts));
  w.family("kueuex_pending_workload_age_seconds_sum", "gauge", "Sum of the ages of the currently pending workloads.");
  for (const cq of CLUSTER_QUEUES) writeGauge(w, g, "kueuex_pending_workload_age_seconds_sum", { ...data, cluster_queue: cq }, (ts) => pendingOf(cq, ts) * 1500);

  // Per workload (the exporter's top N per ClusterQueue): a few workloads per LocalQueue.
  const workloads = LOCAL_QUEUES.flatMap(([cq, ns, lq], qi) => [0, 1, 2].map((k) => ({ cq, ns, lq, name: `job-${lq}-${k}-${hash32(`${lq}${k}`).toString(36).slice(0, 5)}`, pos: qi * 3 + k, lqPos: k, created: g.start - 600 * (k + 1) })));
  for (const [fam, help, value] of [
    ["kueuex_pending_workload_position", "positionInClusterQueue of the first pending workloads.", (x: (typeof workloads)[number]) => x.pos],
    ["kueuex_pending_workload_local_queue_position", "positionInLocalQueue of the first pending workloads.", (x: (typeof workloads)[number]) => x.lqPos],
    ["kueuex_pending_workload_priority", "Priority of the first pending workloads.", (x: (typeof workloads)[number]) => (x.cq === "cq-gpu" ? 1000 : 100)],
    ["kueuex_pending_workload_created_timestamp_seconds", "metadata.creationTimestamp of the first pending workloads.", (x: (typeof workloads)[number]) => x.created],
  ] as const) {
    w.family(fam, "gauge", help);
    for (const x of workloads) writeGauge(w, g, fam, { ...data, cluster_queue: x.cq, namespace: x.ns, local_queue: x.lq, workload: x.name }, () => value(x));
  }
}

/** Tempo 2.10 (modules/distributor, modules/overrides, tempodb, dskit server metrics with namespace "tempo"). */
function writeTempo(w: OpenMetricsWriter, m: Model): void {
  const g = m.grid;
  const pods = m.pods.filter((p) => p.namespace === "tempo");
  const t = (p: Pod): Labels => ({ job: workloadOf(p).replace(/^tempo-/, "tempo/"), instance: `${p.ip}:3200`, namespace: "tempo", pod: p.name, service: workloadOf(p), endpoint: "http-metrics" });
  const of = (component: string): Pod[] => pods.filter((p) => p.ownerName.startsWith(`tempo-${component}`));
  const tenants = ["single-tenant", "team-b"];

  w.family("tempo_build_info", "gauge", "A metric with a constant '1' value labeled by version, revision, branch, goversion from which tempo was built.");
  for (const p of pods) writeGauge(w, g, "tempo_build_info", { ...t(p), version: "2.10.8", revision: "b2c0dc9", branch: "HEAD", goversion: "go1.24.6" }, () => 1);
  w.family("tempo_distributor_spans_received", "counter", "The total number of spans received per tenant");
  for (const p of of("distributor")) for (const tenant of tenants) writeCounter(w, g, "tempo_distributor_spans_received_total", { ...t(p), tenant }, () => 800);
  w.family("tempo_distributor_bytes_received", "counter", "The total number of proto bytes received per tenant, after limits");
  for (const p of of("distributor")) for (const tenant of tenants) writeCounter(w, g, "tempo_distributor_bytes_received_total", { ...t(p), tenant }, () => 400_000);
  w.family("tempo_distributor_ingester_append_failures", "counter", "The total number of failed batch appends sent to ingesters.");
  for (const p of of("distributor")) for (const ing of of("ingester")) writeCounter(w, g, "tempo_distributor_ingester_append_failures_total", { ...t(p), ingester: `${ing.ip}:9095` }, () => 0.002);
  // client_golang counters named without _total are exposed as-is (type unknown in OpenMetrics).
  w.family("tempo_receiver_accepted_spans", "unknown", "Number of spans successfully pushed into the pipeline.");
  for (const p of of("distributor")) writeCounter(w, g, "tempo_receiver_accepted_spans", { ...t(p), receiver: "otlp", transport: "grpc" }, () => 1600);
  w.family("tempo_receiver_refused_spans", "unknown", "Number of spans that could not be pushed into the pipeline.");
  for (const p of of("distributor")) writeCounter(w, g, "tempo_receiver_refused_spans", { ...t(p), receiver: "otlp", transport: "grpc" }, (ts) => (ts > g.end - 30 * 60 ? 40 : 0));
  w.family("tempo_discarded_spans", "counter", "The total number of samples that were discarded.");
  for (const p of of("distributor")) writeCounter(w, g, "tempo_discarded_spans_total", { ...t(p), reason: "rate_limited", tenant: "team-b" }, () => 5);
  w.family("tempo_request_duration_seconds", "histogram", "Time (in seconds) spent serving HTTP requests.");
  for (const p of of("query-frontend")) {
    for (const [route, code, rate] of [["api_traces_traceid", "200", 0.5], ["api_search", "200", 0.2], ["api_search", "500", 0.01]] as const) {
      writeHistogram(w, g, { ...t(p), method: "GET", route, status_code: code, ws: "false" }, { name: "tempo_request_duration_seconds", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100], perSecond: () => rate, quantile: logUniform(0.02, route === "api_search" ? 20 : 2) });
    }
  }
  w.family("tempodb_compaction_errors", "counter", "Total number of errors occurring during compaction.");
  for (const p of of("compactor")) writeCounter(w, g, "tempodb_compaction_errors_total", t(p), () => 0.003);
  w.family("tempodb_compaction_blocks", "counter", "Total number of blocks compacted.");
  for (const p of of("compactor")) for (const level of ["0", "1", "2"]) writeCounter(w, g, "tempodb_compaction_blocks_total", { ...t(p), level }, () => 0.05 / (Number(level) + 1));
  w.family("tempodb_compaction_outstanding_blocks", "gauge", "Number of blocks remaining to be compacted before next maintenance cycle");
  for (const p of of("compactor")) for (const tenant of tenants) writeGauge(w, g, "tempodb_compaction_outstanding_blocks", { ...t(p), tenant }, (_ts, r) => Math.round(10 + r * 20));
  w.family("tempodb_backend_request_duration_seconds", "histogram", "Time spent doing backend storage requests.");
  for (const p of [...of("querier"), ...of("compactor")]) {
    for (const [op, code, rate] of [["GET", "200", 3], ["GET", "503", 0.05], ["PUT", "200", 0.5], ["DELETE", "204", 0.1]] as const) {
      writeHistogram(w, g, { ...t(p), operation: op, status_code: code }, { name: "tempodb_backend_request_duration_seconds", buckets: exponentialBuckets(0.005, 4, 6), perSecond: () => rate, quantile: logUniform(0.004, 3) });
    }
  }
  w.family("tempodb_blocklist_poll_errors", "counter", "Total number of times an error occurred while polling the blocklist.");
  for (const p of [...of("querier"), ...of("compactor")]) for (const tenant of tenants) writeCounter(w, g, "tempodb_blocklist_poll_errors_total", { ...t(p), tenant }, () => 0.001);
  w.family("tempodb_blocklist_length", "gauge", "Total number of blocks per tenant.");
  for (const p of [...of("querier"), ...of("compactor")]) for (const tenant of tenants) writeGauge(w, g, "tempodb_blocklist_length", { ...t(p), tenant }, (ts) => 500 + Math.round((ts - g.start) / 600));
}

/** Every scrape target's up; Prometheus' own metrics (prometheus/prometheus); the operator (v0.93 pkg/operator). */
function writeMonitoring(w: OpenMetricsWriter, m: Model): void {
  const g = m.grid;
  w.family("up", "gauge", "Whether the target was reachable.");
  for (const target of m.targets) writeGauge(w, g, "up", target.labels, (ts) => (target.downFrom !== undefined && ts >= target.downFrom ? 0 : 1));

  const proms = m.targets.filter((x) => String(x.labels.job).startsWith("prometheus-") && x.labels.job !== "prometheus-operator");
  const life = (x: Target): { to?: number } => (x.downFrom !== undefined ? { to: x.downFrom - g.step } : {});
  w.family("prometheus_build_info", "gauge", "A metric with a constant '1' value labeled by version, revision, branch, goversion from which prometheus was built, and the goos and goarch for the build.");
  for (const x of proms) writeGauge(w, g, "prometheus_build_info", { ...x.labels, version: "3.5.0", revision: "8be3a9560fbdd18a94dedec4b747c35178177202", branch: "HEAD", goversion: "go1.24.5", goos: "linux", goarch: "amd64", tags: "netgo,builtinassets,stringlabels" }, () => 1, life(x));
  w.family("prometheus_tsdb_head_series", "gauge", "Total number of series in the head block.");
  for (const x of proms) writeGauge(w, g, "prometheus_tsdb_head_series", x.labels, (ts, r) => 120_000 + Math.round((ts - g.start) * 2 + r * 500), life(x));
  w.family("prometheus_tsdb_head_samples_appended", "counter", "Total number of appended samples.");
  for (const x of proms) writeCounter(w, g, "prometheus_tsdb_head_samples_appended_total", { ...x.labels, type: "float" }, () => 4000, { life: life(x) });
  w.family("prometheus_config_last_reload_successful", "gauge", "Whether the last configuration reload attempt was successful.");
  for (const x of proms) writeGauge(w, g, "prometheus_config_last_reload_successful", x.labels, () => 1, life(x));
  w.family("prometheus_rule_evaluations", "counter", "The total number of rule evaluations.");
  for (const x of proms) writeCounter(w, g, "prometheus_rule_evaluations_total", { ...x.labels, rule_group: "/etc/prometheus/rules/platform.yaml;kube" }, () => 0.5, { life: life(x) });
  w.family("prometheus_rule_evaluation_failures", "counter", "The total number of rule evaluation failures.");
  for (const x of proms) writeCounter(w, g, "prometheus_rule_evaluation_failures_total", { ...x.labels, rule_group: "/etc/prometheus/rules/platform.yaml;kube" }, () => 0.01, { life: life(x) });
  w.family("prometheus_target_scrapes_exceeded_sample_limit", "counter", "Total number of scrapes that hit the sample limit and were rejected.");
  for (const x of proms) writeCounter(w, g, "prometheus_target_scrapes_exceeded_sample_limit_total", x.labels, () => 0.001, { life: life(x) });

  const [op] = m.targets.filter((x) => x.labels.job === "prometheus-operator");
  const controllers = ["prometheus", "alertmanager", "thanos", "prometheus-agent"];
  w.family("prometheus_operator_reconcile_operations", "counter", "Total number of reconcile operations");
  for (const controller of controllers) writeCounter(w, g, "prometheus_operator_reconcile_operations_total", { ...op.labels, controller }, () => 0.2);
  w.family("prometheus_operator_reconcile_errors", "counter", "Number of errors that occurred during reconcile operations");
  for (const controller of controllers) writeCounter(w, g, "prometheus_operator_reconcile_errors_total", { ...op.labels, controller }, () => (controller === "prometheus" ? 0.04 : 0));
  w.family("prometheus_operator_syncs", "gauge", "Number of objects per sync status (ok/failed)");
  for (const controller of controllers) {
    writeGauge(w, g, "prometheus_operator_syncs", { ...op.labels, controller, status: "ok" }, () => (controller === "prometheus" ? 2 : 0));
    writeGauge(w, g, "prometheus_operator_syncs", { ...op.labels, controller, status: "failed" }, (ts) => (controller === "prometheus" && ts > g.end - 15 * 60 ? 1 : 0));
  }
}

export interface GenerateSummary {
  file: string;
  start: number;
  end: number;
  step: number;
  /** Pods and containers over the whole window (replaced pods count twice). */
  pods: number;
  containers: number;
  /** Containers running at the end. */
  containersAtEnd: number;
  series: number;
  samples: number;
  bytes: number;
  apiRolloutAt: number;
}

/** Writes the whole synthetic cluster to `file` (OpenMetrics text). */
export function generateCluster(file: string, o: ClusterOptions, only?: ReadonlyArray<"ksm" | "cadvisor" | "spegel" | "kueue" | "exporter" | "tempo" | "monitoring">): GenerateSummary {
  const m = buildModel(o);
  const w = new OpenMetricsWriter(file);
  const want = (c: NonNullable<typeof only>[number]): boolean => !only || only.includes(c);
  if (want("ksm")) writeKubeStateMetrics(w, m);
  if (want("cadvisor")) writeCadvisor(w, m);
  if (want("spegel")) writeSpegel(w, m);
  if (want("kueue")) writeKueue(w, m);
  if (want("exporter")) writeKueueExporter(w, m);
  if (want("tempo")) writeTempo(w, m);
  if (want("monitoring")) writeMonitoring(w, m);
  w.close();
  return {
    file,
    start: m.grid.start,
    end: m.grid.end,
    step: m.grid.step,
    pods: m.pods.length,
    containers: m.pods.reduce((s, p) => s + p.containers.length, 0),
    containersAtEnd: m.pods.filter((p) => p.to >= m.grid.end).reduce((s, p) => s + p.containers.length, 0),
    series: w.series,
    samples: w.samples,
    bytes: w.bytes,
    apiRolloutAt: m.apiRolloutAt,
  };
}
