/**
 * NetworkPolicies for every component the program runs: each one admits only what must reach it (ingress;
 * egress stays open: a Prometheus scrapes every namespace and the API server, whose address differs per
 * cluster). The allowed paths, with why each exists:
 *
 * | to (pods)                    | port(s)              | from |
 * |------------------------------|----------------------|------|
 * | platform Prometheus          | 9090                 | Grafana (data source), the platform Prometheus (self-scrape), Tempo's metrics-generator (remote write) |
 * | each team's Prometheus       | 9090                 | Grafana (its data source), the platform Prometheus and itself (its self ServiceMonitor, in its namespace) |
 * | Alertmanager                 | 9093                 | every Prometheus of the stack (alerts), Grafana (data source, forwarding) |
 * | Alertmanager                 | 9094 TCP+UDP         | its own replicas (gossip) |
 * | the operator                 | 10250                | anyone: the API server calls its admission webhook from an address that is not a pod; the platform Prometheus scrapes it |
 * | kube-state-metrics           | 8080                 | the platform Prometheus |
 * | the Kueue exporter           | 8080                 | the platform Prometheus |
 * | Grafana                      | 3000                 | the platform Prometheus (scrape), the ingress controller's namespace, or anyone with a NodePort Service |
 * | Tempo (every pod, MinIO too) | any                  | Tempo's own pods (gossip 7946, gRPC 9095, HTTP 3200, memcached 11211, MinIO 9000) |
 * | Tempo (every pod)            | 3200, 9150, 9000     | the platform Prometheus (scrapes) |
 * | Tempo query-frontend         | 3200                 | Grafana (data source) |
 * | Tempo distributor            | 4317, 4318           | any pod in any namespace (OTLP receivers) |
 * | Spegel                       | 5000, 5001 TCP+UDP   | other Spegel pods (peer blob fetches, libp2p router); containerd reaches its node's Spegel through the host port, traffic from the pod's own node, which NetworkPolicy always admits |
 * | Spegel                       | 9090                 | the platform Prometheus |
 * | the hub's write gateway      | 8080                 | the ingress controller's namespace (the clusters' remote writes arrive through the Ingress) |
 * | Thanos (every pod)           | any                  | the hub's own pods (gateway → Receive 10908, Query → stores gRPC 10901, Receive replication 10901) |
 * | Thanos (every pod)           | 10902, 9090          | the platform Prometheus (scrapes: 10902 Receive/Store/Compactor, 9090 Query) |
 * | Thanos (every pod)           | 10908                | every Prometheus of the hub's cluster (its remote write, in-cluster) |
 * | Thanos (every pod)           | 9090                 | Grafana (the hub data sources read Query) |
 *
 * node-exporter runs with hostNetwork: NetworkPolicy does not apply to it (Kubernetes docs, "NetworkPolicy
 * and hostNetwork pods"). Ports and peers: prometheus-operator v0.93 (Prometheus 9090 web, Alertmanager
 * 9093 web / 9094 mesh, pod labels), kube-prometheus-stack 88.5.3 (operator 10250, webhook Service 443 →
 * 10250), tempo-distributed 2.26.2 (3200, 9095, 7946, 4317/4318, memcached 11211, exporter 9150), spegel
 * 0.7.4 (5000 registry, 5001 router, 9090 metrics), thanos chart 0.38.0 (Receive 10902/10908/10901, Query 9090/10901,
 * Store Gateway and Compactor 10902/10901; components/hub/thanos.ts); /work notes hardening.md §D, thanos.md.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { standardLabels } from "./labels";
import { prometheusPodSelector } from "./prometheus";

export interface NetworkPolicyArgs {
  monitoringNamespace: string;
  /** The platform Prometheus' CR name, when there is one. */
  platformPrometheus?: string;
  teamPrometheus: { namespace: string; crName: string }[];
  alertmanager?: { namespace: string; name: string };
  operator: { podLabels: Record<string, string> };
  kubeStateMetrics?: { podLabels: Record<string, string> };
  kueueExporter?: { podLabels: Record<string, string>; port: number };
  grafana?: { podLabels: Record<string, string>; ingressControllerNamespace?: string; nodePort: boolean };
  tempo?: { namespace: string; podLabels: Record<string, string> };
  spegel?: { namespace: string; podLabels: Record<string, string> };
  hub?: { namespace: string; thanosPodLabels: Record<string, string>; gatewayPodLabels: Record<string, string>; gatewayPort: number; ingressControllerNamespace?: string };
}

export interface NetworkPolicySpec {
  name: string;
  namespace: string;
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: ["Ingress"];
    ingress: { from?: Peer[]; ports?: { port: number; protocol?: "TCP" | "UDP" }[] }[];
  };
}
export interface Peer {
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: "In"; values: string[] }[] };
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: "In"; values: string[] }[] };
}

const NS_LABEL = "kubernetes.io/metadata.name";
const inNamespace = (ns: string) => ({ matchLabels: { [NS_LABEL]: ns } });
const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: "TCP" as const }));

export const ALERTMANAGER_POD_LABELS = (name: string) => ({ "app.kubernetes.io/name": "alertmanager", alertmanager: name });

/** The policies (pure). */
export function networkPolicySpecs(a: NetworkPolicyArgs): NetworkPolicySpec[] {
  const out: NetworkPolicySpec[] = [];
  const M = a.monitoringNamespace;
  const policy = (name: string, namespace: string, podLabels: Record<string, string>, ingress: NetworkPolicySpec["spec"]["ingress"]) =>
    out.push({ name, namespace, spec: { podSelector: { matchLabels: podLabels }, policyTypes: ["Ingress"], ingress } });
  const platform: Peer[] = a.platformPrometheus ? [{ namespaceSelector: inNamespace(M), podSelector: { matchLabels: prometheusPodSelector(a.platformPrometheus) } }] : [];
  const grafana: Peer[] = a.grafana ? [{ namespaceSelector: inNamespace(M), podSelector: { matchLabels: a.grafana.podLabels } }] : [];
  const tempoComponent = (component: string): Peer[] =>
    a.tempo ? [{ namespaceSelector: inNamespace(a.tempo.namespace), podSelector: { matchLabels: { ...a.tempo.podLabels, "app.kubernetes.io/component": component } } }] : [];
  // A rule with an empty `from` admits nobody: leave rules out instead.
  const rule = (from: Peer[], ports: { port: number; protocol?: "TCP" | "UDP" }[]) => (from.length ? [{ from, ports }] : []);

  if (a.platformPrometheus) {
    policy("prometheus-platform", M, prometheusPodSelector(a.platformPrometheus), rule([...grafana, ...platform, ...tempoComponent("metrics-generator")], tcp(9090)));
  }
  for (const t of a.teamPrometheus) {
    // Itself too: it selects every ServiceMonitor in its namespaces, its own self-monitor included.
    const self: Peer[] = [{ podSelector: { matchLabels: prometheusPodSelector(t.crName) } }];
    policy(`prometheus-${t.crName}`, t.namespace, prometheusPodSelector(t.crName), rule([...grafana, ...platform, ...self], tcp(9090)));
  }
  if (a.alertmanager) {
    const prometheusNamespaces = [...new Set([...(a.platformPrometheus ? [M] : []), ...a.teamPrometheus.map((t) => t.namespace)])];
    const prometheusNames = [...(a.platformPrometheus ? [a.platformPrometheus] : []), ...a.teamPrometheus.map((t) => t.crName)];
    const senders: Peer[] = prometheusNames.length
      ? [
          {
            namespaceSelector: { matchExpressions: [{ key: NS_LABEL, operator: "In", values: prometheusNamespaces }] },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" }, matchExpressions: [{ key: "operator.prometheus.io/name", operator: "In", values: prometheusNames }] },
          },
        ]
      : [];
    const self: Peer[] = [{ podSelector: { matchLabels: ALERTMANAGER_POD_LABELS(a.alertmanager.name) } }];
    policy(`alertmanager-${a.alertmanager.name}`, a.alertmanager.namespace, ALERTMANAGER_POD_LABELS(a.alertmanager.name), [
      ...rule([...senders, ...grafana], tcp(9093)),
      ...rule(self, [
        { port: 9094, protocol: "TCP" },
        { port: 9094, protocol: "UDP" },
      ]),
    ]);
  }
  // The API server's webhook calls come from an address that is not a pod (it differs per cluster).
  policy("prometheus-operator", M, a.operator.podLabels, [{ ports: tcp(10250) }]);
  if (a.kubeStateMetrics) policy("kube-state-metrics", M, a.kubeStateMetrics.podLabels, rule(platform, tcp(8080)));
  if (a.kueueExporter) policy("kueue-exporter", M, a.kueueExporter.podLabels, rule(platform, tcp(a.kueueExporter.port)));
  if (a.grafana) {
    const ingressController: Peer[] = a.grafana.ingressControllerNamespace ? [{ namespaceSelector: inNamespace(a.grafana.ingressControllerNamespace) }] : [];
    policy("grafana", M, a.grafana.podLabels, [
      ...rule([...platform, ...ingressController], tcp(3000)),
      // A NodePort Service (kind): the node that forwards may be another than the pod's.
      ...(a.grafana.nodePort ? [{ ports: tcp(3000) }] : []),
    ]);
  }
  if (a.tempo) {
    const T = a.tempo.namespace;
    policy("tempo", T, {}, [{ from: [{ podSelector: {} }] }, ...rule(platform, tcp(3200, 9150, 9000))]);
    policy("tempo-query-frontend", T, { ...a.tempo.podLabels, "app.kubernetes.io/component": "query-frontend" }, rule(grafana, tcp(3200)));
    policy("tempo-distributor-otlp", T, { ...a.tempo.podLabels, "app.kubernetes.io/component": "distributor" }, [{ from: [{ namespaceSelector: {} }], ports: tcp(4317, 4318) }]);
  }
  if (a.spegel) {
    const peers: Peer[] = [{ podSelector: { matchLabels: a.spegel.podLabels } }];
    policy("spegel", a.spegel.namespace, a.spegel.podLabels, [
      {
        from: peers,
        ports: [
          { port: 5000, protocol: "TCP" },
          { port: 5001, protocol: "TCP" },
          { port: 5001, protocol: "UDP" },
        ],
      },
      ...rule(platform, tcp(9090)),
    ]);
  }
  if (a.hub) {
    const H = a.hub.namespace;
    const ingressController: Peer[] = a.hub.ingressControllerNamespace ? [{ namespaceSelector: inNamespace(a.hub.ingressControllerNamespace) }] : [];
    policy("hub-gateway", H, a.hub.gatewayPodLabels, rule(ingressController, tcp(a.hub.gatewayPort)));
    const prometheusNamespaces = [...new Set([...(a.platformPrometheus ? [M] : []), ...a.teamPrometheus.map((t) => t.namespace)])];
    const writers: Peer[] = prometheusNamespaces.length
      ? [{ namespaceSelector: { matchExpressions: [{ key: NS_LABEL, operator: "In", values: prometheusNamespaces }] }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }]
      : [];
    policy("thanos", H, a.hub.thanosPodLabels, [{ from: [{ podSelector: {} }] }, ...rule(platform, tcp(10902, 9090)), ...rule(writers, tcp(10908)), ...rule(grafana, tcp(9090))]);
  }
  return out;
}

/** Declares the policies; each after its namespace exists (dependsOn). */
export class NetworkPolicies extends pulumi.ComponentResource {
  public readonly specs: NetworkPolicySpec[];
  constructor(name: string, args: NetworkPolicyArgs & { dependsOn?: pulumi.Input<pulumi.Resource>[] }, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:NetworkPolicies", name, {}, opts);
    this.specs = networkPolicySpecs(args);
    for (const p of this.specs) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${p.namespace}-${p.name}`,
        { metadata: { name: p.name, namespace: p.namespace, labels: standardLabels(p.name, "network-policy") }, spec: p.spec },
        { parent: this, dependsOn: args.dependsOn },
      );
    }
    this.registerOutputs({});
  }
}
