/**
 * NetworkPolicies against the connections each committed stack needs. The connections are derived from
 * what the stack declares, not listed by hand: Grafana's data source URLs, Tempo's remote-write URLs, each
 * Prometheus' Alertmanager endpoints, and every scrape (each Prometheus' selectors → ServiceMonitors → Services
 * → pods and ports), over the program's objects, the operator's governing Services and pods, and the charts'
 * (test/fixtures/chart-pods/<stack>.json, from `helm template`). Every one must be admitted by the declared
 * policies; probes from elsewhere (another team's Prometheus, an arbitrary pod) must not be.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks } from "../../components/config/stackFiles";
import type { NetworkPolicySpec, Peer } from "../../components/networkPolicies";
import { prometheusPodSelector } from "../../components/prometheus";
import { ChartPodsFixture, FIXTURE_DIR } from "../../scripts/chart-pods";
import { ofType, Recorded } from "../harness/mocks";
import { REPO, runStack, stackConfig } from "../harness/program";

const NS_LABEL = "kubernetes.io/metadata.name";

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
export function matches(sel: Selector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === "In" && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** A pod (or "outside the cluster", e.g. the API server calling a webhook). */
interface Endpoint {
  what: string;
  namespace?: string;
  labels: Record<string, string>;
  /** port name → number, from the pod's containers. */
  ports?: Record<string, number>;
}
interface Connection {
  why: string;
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: "TCP" | "UDP";
}

function peerAdmits(peer: Peer, policyNamespace: string, src: Endpoint): boolean {
  if (src.namespace === undefined) return false; // outside the cluster: only a rule without `from`
  const nsLabels = { [NS_LABEL]: src.namespace };
  if (peer.namespaceSelector && !matches(peer.namespaceSelector, nsLabels)) return false;
  if (!peer.namespaceSelector && src.namespace !== policyNamespace) return false;
  return matches(peer.podSelector, src.labels);
}

/** NetworkPolicy ingress semantics (networking.k8s.io/v1): isolated when a policy selects the pod; then some rule must admit. */
export function admitted(policies: NetworkPolicySpec[], c: Connection): boolean {
  const selecting = policies.filter((p) => p.namespace === c.to.namespace && matches(p.spec.podSelector, c.to.labels));
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    p.spec.ingress.some(
      (r) =>
        (r.from === undefined || r.from.some((peer) => peerAdmits(peer, p.namespace, c.from))) &&
        (r.ports === undefined || r.ports.some((x) => x.port === c.port && (x.protocol ?? "TCP") === c.protocol)),
    ),
  );
}

interface Service {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  ports: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
}

/** The stack's pods, Services and ServiceMonitors: the program's, the operator's for its CRs, the charts'. */
function inventory(rs: Recorded[], fixture: ChartPodsFixture) {
  const pods: Endpoint[] = [];
  const services: Service[] = [];
  const monitors: { namespace: string; labels: Record<string, string>; selector: Selector; namespaceSelector?: any; ports: string[] }[] = [];
  for (const r of ofType(rs, "kubernetes:apps/v1:Deployment").concat(ofType(rs, "kubernetes:apps/v1:StatefulSet"), ofType(rs, "kubernetes:apps/v1:DaemonSet"))) {
    const t = r.inputs.spec.template;
    const ports = Object.fromEntries(t.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => [p.name, p.containerPort])));
    pods.push({ what: `${r.inputs.metadata.name}`, namespace: r.inputs.metadata.namespace, labels: t.metadata.labels, ports });
  }
  for (const r of ofType(rs, "kubernetes:core/v1:Service")) {
    services.push({ name: r.inputs.metadata.name, namespace: r.inputs.metadata.namespace, labels: r.inputs.metadata.labels ?? {}, selector: r.inputs.spec.selector ?? {}, ports: r.inputs.spec.ports ?? [] });
  }
  // prometheus-operator v0.93: governing Services (pkg/prometheus/common.go, pkg/alertmanager/statefulset.go) and pod labels.
  for (const r of ofType(rs, "kubernetes:monitoring.coreos.com/v1:Prometheus")) {
    const ns = r.inputs.metadata.namespace;
    pods.push({ what: `Prometheus ${r.inputs.metadata.name}`, namespace: ns, labels: { ...prometheusPodSelector(r.inputs.metadata.name), prometheus: r.inputs.metadata.name }, ports: { web: 9090 } });
    if (!services.some((s) => s.name === "prometheus-operated" && s.namespace === ns)) {
      services.push({ name: "prometheus-operated", namespace: ns, labels: { "operated-prometheus": "true" }, selector: { "app.kubernetes.io/name": "prometheus" }, ports: [{ name: "web", port: 9090, targetPort: "web" }] });
    }
  }
  for (const r of ofType(rs, "kubernetes:monitoring.coreos.com/v1:Alertmanager")) {
    const ns = r.inputs.metadata.namespace;
    pods.push({ what: `Alertmanager ${r.inputs.metadata.name}`, namespace: ns, labels: { "app.kubernetes.io/name": "alertmanager", alertmanager: r.inputs.metadata.name }, ports: { web: 9093, "mesh-tcp": 9094 } });
    services.push({ name: "alertmanager-operated", namespace: ns, labels: { "operated-alertmanager": "true" }, selector: { "app.kubernetes.io/name": "alertmanager" }, ports: [{ name: "web", port: 9093, targetPort: "web" }] });
  }
  for (const r of ofType(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")) {
    monitors.push({ namespace: r.inputs.metadata.namespace, labels: r.inputs.metadata.labels ?? {}, selector: r.inputs.spec.selector, namespaceSelector: r.inputs.spec.namespaceSelector, ports: r.inputs.spec.endpoints.map((e: any) => e.port) });
  }
  for (const c of fixture.charts) {
    for (const p of c.pods) {
      const ports = Object.fromEntries([...(p.spec.initContainers ?? []), ...p.spec.containers].flatMap((x) => (x.ports ?? []).filter((q) => q.name).map((q) => [q.name as string, q.containerPort])));
      // hostNetwork pods (node-exporter) are out of NetworkPolicy's reach: not modelled.
      if (!p.spec.hostNetwork) pods.push({ what: `${c.chart} ${p.name}`, namespace: p.namespace, labels: p.labels, ports });
    }
    services.push(...c.services);
    for (const m of c.serviceMonitors) monitors.push({ namespace: m.namespace, labels: m.labels, selector: m.selector as Selector, namespaceSelector: m.namespaceSelector, ports: m.endpoints.map((e) => e.port as string) });
  }
  return { pods, services, monitors };
}

/** The pods a Service port reaches, with the pod port number. */
function backends(inv: ReturnType<typeof inventory>, svc: Service, portName: string | number): { pod: Endpoint; port: number; protocol: "TCP" | "UDP" }[] {
  const sp = svc.ports.find((p) => p.name === portName || p.port === portName);
  if (!sp || Object.keys(svc.selector).length === 0) return [];
  const target = sp.targetPort ?? sp.port;
  return inv.pods
    .filter((p) => p.namespace === svc.namespace && matches({ matchLabels: svc.selector }, p.labels))
    .map((p) => ({ pod: p, port: typeof target === "number" ? target : p.ports?.[target] ?? NaN, protocol: (sp.protocol ?? "TCP") as "TCP" | "UDP" }))
    .filter((b) => !Number.isNaN(b.port));
}

/** The Service a URL's host names (`<svc>.<ns>.svc[.cluster.local]`, or a StatefulSet pod `<pod>.<svc>.<ns>.svc`). */
function serviceOfUrl(inv: ReturnType<typeof inventory>, url: string): { svc: Service; port: number } | undefined {
  const u = new URL(url);
  const parts = u.hostname.split(".");
  const at = parts.indexOf("svc");
  if (at < 2) return undefined;
  const [svcName, ns] = [parts[at - 2], parts[at - 1]];
  const svc = inv.services.find((s) => s.name === svcName && s.namespace === ns);
  return svc && { svc, port: Number(u.port || (u.protocol === "https:" ? 443 : 80)) };
}

function connections(rs: Recorded[], inv: ReturnType<typeof inventory>, ingressNamespace?: string): { conns: Connection[]; unresolved: string[] } {
  const conns: Connection[] = [];
  const unresolved: string[] = [];
  const toUrl = (why: string, from: Endpoint[], url: string) => {
    const hit = serviceOfUrl(inv, url);
    const targets = hit ? backends(inv, hit.svc, hit.port) : [];
    if (!targets.length || !from.length) unresolved.push(`${why}: ${url} (${from.length} source pod(s), ${targets.length} target pod(s))`);
    for (const f of from) for (const t of targets) conns.push({ why, from: f, to: t.pod, port: t.port, protocol: t.protocol });
  };
  const grafanaPods = inv.pods.filter((p) => p.labels["app.kubernetes.io/name"] === "grafana");
  for (const ds of ofType(rs, "grafana:oss/dataSource:DataSource")) toUrl(`Grafana data source ${ds.inputs.name}`, grafanaPods, ds.inputs.url);
  const tempoChart = ofType(rs, "kubernetes:helm.sh/v4:Chart").find((c) => String(c.inputs.chart).endsWith("tempo-distributed"));
  const generators = inv.pods.filter((p) => p.labels["app.kubernetes.io/component"] === "metrics-generator");
  for (const w of tempoChart?.inputs.values.metricsGenerator?.config?.storage?.remote_write ?? []) toUrl("Tempo metrics-generator remote write", generators, w.url);
  for (const prom of ofType(rs, "kubernetes:monitoring.coreos.com/v1:Prometheus")) {
    const ns = prom.inputs.metadata.namespace;
    const self = inv.pods.filter((p) => p.namespace === ns && matches({ matchLabels: prometheusPodSelector(prom.inputs.metadata.name) }, p.labels));
    for (const am of prom.inputs.spec.alerting?.alertmanagers ?? []) {
      const svc = inv.services.find((s) => s.name === am.name && s.namespace === am.namespace);
      const targets = svc ? backends(inv, svc, am.port) : [];
      if (!targets.length) unresolved.push(`Prometheus ${prom.inputs.metadata.name} → Alertmanager ${am.namespace}/${am.name}`);
      for (const f of self) for (const t of targets) conns.push({ why: `Prometheus ${prom.inputs.metadata.name} sends alerts`, from: f, to: t.pod, port: t.port, protocol: t.protocol });
    }
    // Remote write inside the cluster (a hub's Prometheus into its Receive); a cluster's goes out through
    // the hub's Ingress, to another cluster.
    for (const w of prom.inputs.spec.remoteWrite ?? []) if (new URL(w.url).hostname.split(".").includes("svc")) toUrl(`Prometheus ${prom.inputs.metadata.name} remote write`, self, w.url);
    // Scrapes: ServiceMonitors the Prometheus selects, in the namespaces it selects; each monitor's own
    // namespace unless it names others.
    const s = prom.inputs.spec;
    for (const m of inv.monitors) {
      if (!matches(s.serviceMonitorSelector, m.labels) || !matches(s.serviceMonitorNamespaceSelector, { [NS_LABEL]: m.namespace })) continue;
      const namespaces = m.namespaceSelector?.matchNames ?? [m.namespace];
      for (const svc of inv.services.filter((x) => namespaces.includes(x.namespace) && matches(m.selector, x.labels))) {
        for (const port of m.ports) {
          for (const t of backends(inv, svc, port)) conns.push({ why: `Prometheus ${prom.inputs.metadata.name} scrapes ${svc.namespace}/${svc.name}:${port}`, from: self[0], to: t.pod, port: t.port, protocol: t.protocol });
        }
      }
    }
  }
  // Alertmanager replicas gossip; Tempo's components talk to each other; Spegel's pods fetch from each other.
  const ams = inv.pods.filter((p) => p.labels["app.kubernetes.io/name"] === "alertmanager");
  for (const a of ams) for (const protocol of ["TCP", "UDP"] as const) conns.push({ why: "Alertmanager gossip", from: a, to: a, port: 9094, protocol });
  const tempoNs = inv.pods.find((p) => p.labels["app.kubernetes.io/name"] === "tempo")?.namespace;
  const tempoPods = inv.pods.filter((p) => p.namespace === tempoNs && tempoNs !== undefined);
  for (const f of tempoPods) for (const t of tempoPods) for (const port of Object.values(t.ports ?? {})) conns.push({ why: "Tempo internal", from: f, to: t, port, protocol: "TCP" });
  // The hub: the ingress controller forwards to the gateway, the gateway to Receive (its nginx.conf's
  // proxy_pass), and Thanos' components talk to each other (Query → stores and Receive gRPC, replication).
  for (const ing of ofType(rs, "kubernetes:networking.k8s.io/v1:Ingress")) {
    const ns = ing.inputs.metadata.namespace;
    const controller: Endpoint = { what: "the ingress controller", namespace: ingressNamespace, labels: {} };
    for (const rule of ing.inputs.spec.rules) {
      for (const p of rule.http.paths) {
        const svc = inv.services.find((x) => x.name === p.backend.service.name && x.namespace === ns);
        const targets = svc ? backends(inv, svc, p.backend.service.port.name ?? p.backend.service.port.number) : [];
        if (!targets.length || ingressNamespace === undefined) unresolved.push(`Ingress ${ing.inputs.metadata.name} → ${p.backend.service.name} (controller namespace ${ingressNamespace})`);
        for (const t of targets) conns.push({ why: `Ingress ${ing.inputs.metadata.name}`, from: controller, to: t.pod, port: t.port, protocol: t.protocol });
      }
    }
  }
  for (const cm of ofType(rs, "kubernetes:core/v1:ConfigMap").filter((c) => typeof c.inputs.data?.["nginx.conf"] === "string")) {
    const gateway = inv.pods.filter((p) => p.namespace === cm.inputs.metadata.namespace && p.labels["app.kubernetes.io/name"] === cm.inputs.metadata.labels["app.kubernetes.io/name"]);
    for (const [, url] of cm.inputs.data["nginx.conf"].matchAll(/proxy_pass (\S+);/g)) toUrl("the hub gateway forwards", gateway, url);
  }
  const thanos = inv.pods.filter((p) => p.labels["app.kubernetes.io/name"] === "thanos");
  for (const f of thanos) for (const t of thanos) for (const port of Object.values(t.ports ?? {})) conns.push({ why: "Thanos internal", from: f, to: t, port, protocol: "TCP" });
  const spegel = inv.pods.filter((p) => p.labels["app.kubernetes.io/name"] === "spegel");
  for (const f of spegel) for (const [port, protocol] of [[5000, "TCP"], [5001, "TCP"], [5001, "UDP"]] as const) conns.push({ why: "Spegel peers", from: f, to: f, port, protocol });
  return { conns: conns.filter((c) => c.from !== undefined), unresolved };
}

function policiesOf(rs: Recorded[]): NetworkPolicySpec[] {
  return ofType(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => ({ name: r.inputs.metadata.name, namespace: r.inputs.metadata.namespace, spec: r.inputs.spec }));
}

function readFixture(stack: string): ChartPodsFixture {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${stack}.json`), "utf8"));
}

const show = (c: Connection) => `${c.why}: ${c.from.what} (${c.from.namespace ?? "outside"}) → ${c.to.what} (${c.to.namespace}) ${c.port}/${c.protocol}`;

for (const stack of listStacks(REPO)) {
  describe(`NetworkPolicies, stack ${stack}`, () => {
    let rs: Recorded[];
    let inv: ReturnType<typeof inventory>;
    let policies: NetworkPolicySpec[];
    let ingressNamespace: string | undefined;
    before(async () => {
      ({ resources: rs } = await runStack(stack));
      ingressNamespace = stackConfig(stack).hub?.ingress.controllerNamespace;
      inv = inventory(rs, readFixture(stack));
      policies = policiesOf(rs);
    });

    it("gives every pod of the program and its charts a policy (hostNetwork node-exporter aside)", () => {
      const unselected = inv.pods.filter((p) => !policies.some((np) => np.namespace === p.namespace && matches(np.spec.podSelector, p.labels))).map((p) => `${p.what} (${p.namespace})`);
      assert.deepEqual(unselected, []);
    });

    it("admits every connection the stack declares: data sources, remote write, alerts, scrapes, gossip", () => {
      const { conns, unresolved } = connections(rs, inv, ingressNamespace);
      assert.deepEqual(unresolved, [], "connections whose target pods could not be found");
      assert.ok(conns.length > 20, `only ${conns.length} connections`);
      assert.deepEqual(conns.filter((c) => !admitted(policies, c)).map(show), []);
    });

    it("admits nothing else: another team's Prometheus, an arbitrary pod, Grafana to an exporter", () => {
      const { conns } = connections(rs, inv, ingressNamespace);
      const needed = new Set(conns.map((c) => `${c.to.namespace}/${c.to.what}:${c.port}/${c.protocol}`));
      const teams = ofType(rs, "kubernetes:monitoring.coreos.com/v1:Prometheus").filter((p) => p.inputs.metadata.name !== "platform");
      const stranger: Endpoint = { what: "an arbitrary pod", namespace: teams[0]?.inputs.metadata.namespace ?? "default", labels: { app: "curious" } };
      const outside: Endpoint = { what: "outside the cluster", labels: {} };
      const open = new Set<string>();
      // By design reachable by anyone: the OTLP receivers, the operator's webhook port, a NodePort Grafana.
      const grafanaNodePort = policies.some((p) => p.name === "grafana" && p.spec.ingress.some((r) => r.from === undefined));
      const byDesign = (t: Endpoint, port: number) =>
        (t.labels["app.kubernetes.io/component"] === "distributor" && (port === 4317 || port === 4318)) || (t.labels.app === "kube-prometheus-stack-operator" && port === 10250) || (grafanaNodePort && t.labels["app.kubernetes.io/name"] === "grafana");
      for (const t of inv.pods) {
        for (const port of new Set([...Object.values(t.ports ?? {}), 9090, 9093, 3000, 8080])) {
          for (const from of [stranger, outside]) {
            const c: Connection = { why: "probe", from, to: t, port, protocol: "TCP" };
            if (admitted(policies, c) && !byDesign(t, port)) open.add(show(c));
          }
        }
      }
      assert.deepEqual([...open], []);
      // Team A's Prometheus cannot query team B's or the platform's.
      for (const a of teams) {
        const from = inv.pods.find((p) => p.what === `Prometheus ${a.inputs.metadata.name}`)!;
        for (const b of inv.pods.filter((p) => p.what.startsWith("Prometheus ") && p !== from)) {
          assert.equal(admitted(policies, { why: "probe", from, to: b, port: 9090, protocol: "TCP" }), false, `${from.what} reaches ${b.what}`);
        }
      }
      // Grafana reaches data sources, not exporters.
      const grafana = inv.pods.find((p) => p.labels["app.kubernetes.io/name"] === "grafana");
      const ksm = inv.pods.find((p) => p.labels["app.kubernetes.io/name"] === "kube-state-metrics");
      if (grafana && ksm) assert.equal(admitted(policies, { why: "probe", from: grafana, to: ksm, port: 8080, protocol: "TCP" }), false);
      assert.ok(needed.size > 5);
    });
  });
}

describe("the NetworkPolicy evaluator", () => {
  const pol = (ingress: NetworkPolicySpec["spec"]["ingress"]): NetworkPolicySpec[] => [{ name: "p", namespace: "a", spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress"], ingress } }];
  const to: Endpoint = { what: "x", namespace: "a", labels: { app: "x" } };
  const same: Endpoint = { what: "y", namespace: "a", labels: { app: "y" } };
  const other: Endpoint = { what: "z", namespace: "b", labels: { app: "y" } };
  const c = (from: Endpoint, port = 80): Connection => ({ why: "t", from, to, port, protocol: "TCP" });

  it("admits everything to a pod no policy selects", () => {
    assert.equal(admitted([], c(other)), true);
  });
  it("a podSelector peer is the policy's namespace only; a namespaceSelector peer crosses namespaces", () => {
    assert.equal(admitted(pol([{ from: [{ podSelector: { matchLabels: { app: "y" } } }] }]), c(same)), true);
    assert.equal(admitted(pol([{ from: [{ podSelector: { matchLabels: { app: "y" } } }] }]), c(other)), false);
    assert.equal(admitted(pol([{ from: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: "b" } } }] }]), c(other)), true);
  });
  it("ports restrict; a rule without `from` admits any source, even outside; an empty policy admits nothing", () => {
    assert.equal(admitted(pol([{ from: [{ podSelector: {} }], ports: [{ port: 81 }] }]), c(same)), false);
    assert.equal(admitted(pol([{ ports: [{ port: 80 }] }]), c({ what: "outside", labels: {} })), true);
    assert.equal(admitted(pol([]), c(same)), false);
  });
});
