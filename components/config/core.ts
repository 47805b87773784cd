/** Config sections owned by the foundation: the cluster, the provider, namespaces, flags, operator, Prometheus. */
import { arr, bool, byteSize, chartVersion, dflt, dnsLabel, duration, int, obj, oneOf, opt, resources, storage, str, strMap } from "./schema";

export const ENVIRONMENTS = ["dev", "test", "staging", "prod"] as const;

export const clusterSection = obj("The cluster this stack deploys to (one stack = one cluster).", {
  name: dnsLabel("Cluster name; becomes the `cluster` external label of every Prometheus and part of Grafana data source names"),
  environment: dflt(oneOf("Environment; `prod` requires highly available Prometheus instances (≥ 2 replicas)", ENVIRONMENTS), "dev"),
});

export const kubernetesSection = obj("How the explicit Kubernetes provider reaches the cluster.", {
  context: opt(str("kubeconfig context; the kubeconfig's current context when unset")),
  kubeconfig: opt(str("Path to a kubeconfig file; $KUBECONFIG or ~/.kube/config when unset")),
});

export const namespacesSection = obj("Namespaces the stack owns and creates.", {
  monitoring: dflt(dnsLabel("Namespace of the operator, the platform Prometheus, Grafana and the Kueue exporter"), "monitoring"),
  tempo: dflt(dnsLabel("Namespace of Tempo"), "tempo"),
  spegel: dflt(dnsLabel("Namespace of Spegel (kept apart: its pods need host access)"), "spegel"),
  nodeExporter: dflt(dnsLabel("Namespace of node-exporter (kept apart and labelled Pod Security `privileged`: it needs the host's network, PID namespace and filesystem)"), "node-exporter"),
});

export const featuresSection = obj("Feature flags. The Prometheus Operator itself is always installed and has no flag.", {
  platformMonitoring: dflt(bool("Cluster-wide monitoring: the platform Prometheus and the cluster exporters (kube-state-metrics, node-exporter, kubelet/cAdvisor)"), true),
  tempo: dflt(bool("Deploy Tempo (distributed)"), false),
  spegel: dflt(bool("Deploy Spegel"), false),
  kueueExporter: dflt(bool("Deploy the Kueue pending-workloads exporter"), false),
  kueueMetrics: dflt(bool("Kueue runs in this cluster: scrape its controller metrics (kueue_*) for the Kueue dashboard and alerts (where: `kueue`)"), false),
  grafana: dflt(bool("Grafana: deploy it or push content into an external one (see `grafana.mode`)"), false),
});

export const operatorSection = obj("The Prometheus Operator (kube-prometheus-stack in operator-only mode) and its CRDs.", {
  chartVersion: opt(chartVersion("Override the pinned kube-prometheus-stack chart version (components/versions.ts); it must be one whose operator release is known there")),
  crdsChartVersion: opt(chartVersion("Override the prometheus-operator-crds chart version; by default the one that ships the same operator release as `chartVersion` (components/versions.ts operatorReleases), and it must match it")),
  adoptExistingCrds: dflt(
    bool("The CRDs' Helm release `prometheus-operator-crds` already exists in the cluster (kept by an earlier `pulumi destroy`): import it instead of installing it, which would fail (docs/DEPLOY.md)"),
    false,
  ),
  resources: resources("Operator container resources (reserved by default so the operator is not starved)", {
    requests: { cpu: "200m", memory: "200Mi" },
  }),
});

/** The Prometheus settings shared by the platform and team instances. */
function prometheusFields(defaults: { retention: string; replicas: number }) {
  return {
    retention: dflt(duration("How long samples are kept"), defaults.retention),
    retentionSize: opt(byteSize("Maximum TSDB size before old blocks are deleted, e.g. \"45GB\" (keep it below the volume size)")),
    replicas: dflt(int("Prometheus replicas (each scrapes everything; ≥ 2 for HA, required in prod)", 1, 10), defaults.replicas),
    scrapeInterval: dflt(duration("Default scrape interval"), "30s"),
    resources: resources("Prometheus container resources", { requests: { cpu: "100m", memory: "512Mi" } }),
    storage: opt(storage("Persistent storage; emptyDir (data lost on restart) when unset")),
    externalLabels: dflt(strMap("Extra external labels (`cluster` and, for teams, `team` are always set)"), {}),
  };
}

export const platformPrometheusSection = obj(
  "The platform Prometheus (when `features.platformMonitoring`): cluster-wide, selects every ServiceMonitor/PodMonitor labelled `monitoring-stack/scrape: platform`.",
  prometheusFields({ retention: "15d", replicas: 1 }),
);

export const teamSchema = obj("A team with its own Prometheus.", {
  name: dnsLabel("Team name; the `team` external label, part of object names, Grafana team and folder", 40),
  enabled: dflt(bool("Per-team monitoring flag: false removes this team's Prometheus and nothing else"), true),
  namespaces: arr("The team's namespaces; the Prometheus runs in the first and sees only these", dnsLabel("namespace"), { min: 1, unique: (x) => x }),
  createNamespaces: dflt(bool("Create the team's namespaces (leave false when another process owns them)"), false),
  ...prometheusFields({ retention: "7d", replicas: 1 }),
});

export const teamsSection = dflt(arr("Teams; each gets a Prometheus seeing only its namespaces.", teamSchema, { unique: (t) => t.name }), []);
