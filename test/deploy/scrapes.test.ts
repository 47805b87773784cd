/**
 * Every alert and panel can get data on a real cluster: for every committed stack, each metric read by a
 * dashboard or rule group the stack pushes (taken from the declared Grafana resources) has a source in
 * components/content/metricSources.ts, and where the source's feature flags are on, the stack declares the
 * monitor that collects it, selected by the platform Prometheus (its serviceMonitorSelector and namespace
 * selector; the ruleSelector for recording rules).
 */
import * as assert from "node:assert/strict";
import type { Dashboard } from "../../components/content/dashboards";
import { dashboardQueries } from "../../components/content/promql";
import { METRIC_SOURCES, sourceOf } from "../../components/content/metricSources";
import { loadRecordingGroups } from "../../components/content/alerts";
import { metricNames, PARSE_BUILTINS } from "../dashboards/lint";
import { ofType, Recorded } from "../harness/mocks";
import { REPO, runStack, stackConfig } from "../harness/program";
import { listStacks, readStackConfig } from "../../components/config/stackFiles";
import { parseConfig, StackConfig } from "../../components/config";
import { productionNamespaces } from "../../components/config/alerting";
import { minimal } from "../support/config";

const PROM = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const CHART = "kubernetes:helm.sh/v4:Chart";

/** Variables replaced by a token for parsing (`$x`, `${x}`, `${x:fmt}`). */
const substituted = (e: string) => e.replace(/\$\{?(\w+)(?::\w+)?\}?/g, (_, n) => PARSE_BUILTINS[n] ?? "x");

/** What the stack pushes to Grafana: (where, PromQL) pairs from dashboards and rule groups. */
export function pushedQueries(rs: Recorded[]): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const dashboards = [
    ...ofType(rs, "grafana:oss/dashboard:Dashboard").map((r) => JSON.parse(r.inputs.configJson)),
    ...ofType(rs, "kubernetes:core/v1:ConfigMap")
      .filter((r) => r.inputs.metadata?.labels?.grafana_dashboard)
      .flatMap((r) => Object.values<string>(r.inputs.data).map((t) => JSON.parse(t))),
  ];
  for (const json of dashboards) {
    const d = { uid: json.uid, title: json.title, folder: "", file: json.uid, json } as Dashboard;
    for (const q of dashboardQueries(d)) out.push({ where: q.where, expr: q.expr });
  }
  // The repository's rules where Prometheus evaluates them (PrometheusRules the stack declares; the chart's
  // own default rules are inside its release and read only the chart's exporters).
  for (const r of ofType(rs, RULE)) {
    for (const g of r.inputs.spec.groups) {
      for (const rule of g.rules) if (rule.expr) out.push({ where: `PrometheusRule ${r.inputs.metadata.name} › ${g.name} › ${rule.alert ?? rule.record}`, expr: rule.expr });
    }
  }
  for (const g of ofType(rs, "grafana:alerting/ruleGroup:RuleGroup")) {
    for (const r of g.inputs.rules) {
      for (const d of r.datas) {
        const model = JSON.parse(d.model);
        if (model.expr) out.push({ where: `rule group ${g.inputs.name} › ${r.name}`, expr: model.expr });
      }
    }
  }
  return out;
}

const selected = (labels: Record<string, string> | undefined, sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels?.[k] === v);

/** Why the stack does not scrape `source` for `metric` (undefined when it does). */
export function missingScrape(rs: Recorded[], cfg: StackConfig, sourceId: string, metric: string): string | undefined {
  const platform = ofType(rs, PROM).find((p) => p.inputs.metadata.name === "platform");
  if (!platform) return "no platform Prometheus is declared";
  const sel: Record<string, string> = platform.inputs.spec.serviceMonitorSelector?.matchLabels ?? {};
  if (JSON.stringify(platform.inputs.spec.serviceMonitorNamespaceSelector) !== "{}") return "the platform Prometheus does not select ServiceMonitors in every namespace";
  const chart = (name: string) => ofType(rs, CHART).find((c) => String(c.inputs.chart).split("/").pop() === name)?.inputs.values;
  const monitor = (name: string) => ofType(rs, SM).find((m) => m.inputs.metadata.name === name && selected(m.inputs.metadata.labels, sel));
  const op = chart("kube-prometheus-stack");
  switch (sourceId) {
    case "targets":
      return undefined;
    case "kube-state-metrics": {
      const m = op?.["kube-state-metrics"]?.prometheus?.monitor;
      return op?.kubeStateMetrics?.enabled && m?.enabled && selected(m.additionalLabels, sel) ? undefined : "kube-state-metrics or its ServiceMonitor is off, or not labelled for the platform Prometheus";
    }
    case "prometheus-operator": {
      const m = op?.prometheusOperator?.serviceMonitor;
      return m?.selfMonitor && selected(m.additionalLabels, sel) ? undefined : "the operator's ServiceMonitor (selfMonitor) is off or not labelled for the platform Prometheus";
    }
    case "prometheus":
      return monitor(`prometheus-platform`) ? undefined : "the platform Prometheus has no self ServiceMonitor it selects";
    case "recording-rules": {
      const ruleSel: Record<string, string> = platform.inputs.spec.ruleSelector?.matchLabels ?? {};
      const records = ofType(rs, RULE)
        .filter((r) => selected(r.inputs.metadata.labels, ruleSel))
        .flatMap((r) => r.inputs.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.record)));
      return records.includes(metric) ? undefined : `no PrometheusRule selected by the platform Prometheus records ${metric}`;
    }
    case "image-policy": {
      const listed = metric.includes("allowed_registry") ? cfg.alerting.imagePolicy.allowedRegistries : productionNamespaces(cfg);
      const ruleSel: Record<string, string> = platform.inputs.spec.ruleSelector?.matchLabels ?? {};
      const records = ofType(rs, RULE)
        .filter((r) => selected(r.inputs.metadata.labels, ruleSel))
        .flatMap((r) => r.inputs.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.record === metric).map((x: any) => Object.values(x.labels ?? {})[0])));
      return JSON.stringify(records.sort()) === JSON.stringify([...listed].sort()) ? undefined : `the platform Prometheus records ${metric} for ${records.join(", ") || "nothing"}, the config lists ${listed.join(", ") || "nothing"}`;
    }
    case "spegel": {
      const v = chart("spegel");
      if (!v?.serviceMonitor?.enabled || !selected(v.serviceMonitor.labels, sel)) return "Spegel's ServiceMonitor is off or not labelled for the platform Prometheus";
      // The dashboard's per-node panels aggregate Spegel's series by `node`, which only the scrape sets.
      const relabel: { sourceLabels?: string[]; targetLabel?: string }[] = v.serviceMonitor.relabelings ?? [];
      return relabel.some((r) => r.targetLabel === "node" && r.sourceLabels?.includes("__meta_kubernetes_pod_node_name")) ? undefined : "Spegel's ServiceMonitor does not set `node` from __meta_kubernetes_pod_node_name";
    }
    case "tempo": {
      const v = chart("tempo-distributed");
      const m = v?.metaMonitoring?.serviceMonitor;
      return m?.enabled && selected(m.labels, sel) ? undefined : "Tempo's ServiceMonitors are off or not labelled for the platform Prometheus";
    }
    case "kueue-controller": {
      const m = monitor("kueue-controller");
      if (!m) return "no ServiceMonitor kueue-controller labelled for the platform Prometheus";
      if (!m.inputs.spec.namespaceSelector?.matchNames?.includes(cfg.kueue.namespace)) return `the kueue-controller ServiceMonitor does not look in ${cfg.kueue.namespace}`;
      return m.inputs.spec.endpoints.every((e: any) => e.scheme === "https" && e.bearerTokenFile) ? undefined : "Kueue's metrics need https and the scraper's token";
    }
    case "kueue-exporter":
      return monitor("kueue-exporter") ? undefined : "no kueue-exporter ServiceMonitor labelled for the platform Prometheus";
    default:
      return `no check for source ${sourceId}`;
  }
}

describe("every metric read by pushed dashboards and alerts has a declared scrape", () => {
  it("knows the check of every source", () => {
    const cfg = parseConfig(minimal("x"));
    for (const s of METRIC_SOURCES) assert.notEqual(missingScrape([], cfg, s.id, "m"), `no check for source ${s.id}`);
  });

  for (const stack of listStacks(REPO)) {
    describe(`stack ${stack}`, () => {
      let rs: Recorded[];
      let cfg: StackConfig;
      before(async () => {
        ({ resources: rs } = await runStack(stack));
        cfg = stackConfig(stack);
      });

      it("pushes queries, and every metric in them has a known source", () => {
        const qs = pushedQueries(rs);
        assert.ok(qs.length > 20, `only ${qs.length} queries`);
        const unknown = qs.flatMap((q) => metricNames(substituted(q.expr)).filter((m) => !sourceOf(m)).map((m) => `${q.where}: ${m}`));
        assert.deepEqual(unknown, [], "metrics without a source in components/content/metricSources.ts");
      });

      it("declares the scrape of every metric whose feature is on, selected by the platform Prometheus", async () => {
        // A hub's Grafana also reads what its writers (the committed cluster stacks whose remoteWrite
        // credential is one of hub.writers) scrape and record: a metric is collected if the hub or one of
        // them collects it.
        const writers: { rs: Recorded[]; cfg: StackConfig }[] = [];
        if (cfg.hub) {
          const names = new Set(cfg.hub.writers.map((w) => w.username));
          for (const other of listStacks(REPO).filter((o) => o !== stack)) {
            const ocfg = stackConfig(other);
            if (ocfg.remoteWrite && names.has(ocfg.remoteWrite.username)) writers.push({ rs: (await runStack(other)).resources, cfg: ocfg });
          }
          assert.ok(writers.length >= 2, `the hub has ${writers.length} committed writer stack(s)`);
        }
        const on = (c: StackConfig, features: string[]) => features.every((f) => (c.features as Record<string, boolean>)[f]);
        const missing = new Set<string>();
        for (const q of pushedQueries(rs)) {
          for (const m of metricNames(substituted(q.expr))) {
            const s = sourceOf(m)!;
            const sources = [{ rs, cfg }, ...writers].filter((x) => on(x.cfg, s.features));
            if (!sources.length) continue;
            const why = sources.map((x) => missingScrape(x.rs, x.cfg, s.id, m));
            if (why.every((w) => w)) missing.add(`${m} (${q.where}): ${why[0]}; expected ${s.scrape}`);
          }
        }
        assert.deepEqual([...missing], []);
      });
    });
  }

  it("lists every series alerts/ records under the recording-rules source", () => {
    const listed = METRIC_SOURCES.find((s) => s.id === "recording-rules")!.names ?? [];
    const recorded = loadRecordingGroups().flatMap((g) => g.rules.map((r) => r.record));
    assert.deepEqual([...recorded].sort(), [...listed].sort());
  });

  it("finds a missing scrape: a Kueue ServiceMonitor without the platform label, the operator's self-monitor off, Spegel without its node label", async () => {
    const { resources } = await runStack("staging");
    const raw = readStackConfig(REPO, "staging");
    const cfg = parseConfig(raw.config, raw.secretKeys, "staging");
    assert.equal(missingScrape(resources, cfg, "kueue-controller", "kueue_pending_workloads"), undefined);
    const unlabelled = resources.map((r) =>
      r.type === SM && r.inputs.metadata.name === "kueue-controller" ? { ...r, inputs: { ...r.inputs, metadata: { ...r.inputs.metadata, labels: {} } } } : r,
    );
    assert.match(missingScrape(unlabelled, cfg, "kueue-controller", "kueue_pending_workloads")!, /no ServiceMonitor kueue-controller labelled/);
    const noSelf = resources.map((r) =>
      r.type === CHART && r.inputs.chart === "kube-prometheus-stack"
        ? { ...r, inputs: { ...r.inputs, values: { ...r.inputs.values, prometheusOperator: { ...r.inputs.values.prometheusOperator, serviceMonitor: { selfMonitor: false } } } } }
        : r,
    );
    assert.match(missingScrape(noSelf, cfg, "prometheus-operator", "prometheus_operator_syncs")!, /selfMonitor/);
    const noNode = resources.map((r) =>
      r.type === CHART && String(r.inputs.chart).endsWith("/spegel") ? { ...r, inputs: { ...r.inputs, values: { ...r.inputs.values, serviceMonitor: { ...r.inputs.values.serviceMonitor, relabelings: [] } } } } : r,
    );
    assert.equal(missingScrape(resources, cfg, "spegel", "spegel_mirror_requests_total"), undefined);
    assert.match(missingScrape(noNode, cfg, "spegel", "spegel_mirror_requests_total")!, /does not set `node`/);
    assert.equal(missingScrape(resources, cfg, "recording-rules", "no_such:record"), "no PrometheusRule selected by the platform Prometheus records no_such:record");
  });

  it("pushes no Kueue controller alerts or Kueue dashboard where Kueue's metrics are not scraped", async () => {
    const raw = readStackConfig(REPO, "staging");
    const features = JSON.parse(raw.config["monitoring:features"]);
    const { resources } = await runStack("staging", { "monitoring:features": JSON.stringify({ ...features, kueueMetrics: false }) });
    const metrics = pushedQueries(resources).flatMap((q) => metricNames(substituted(q.expr)));
    assert.ok(!metrics.some((m) => m.startsWith("kueue_")), "a pushed query reads kueue_* although nothing scrapes Kueue");
    assert.equal(ofType(resources, SM).filter((m) => m.inputs.metadata.name === "kueue-controller").length, 0);
  });
});
