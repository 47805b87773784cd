/**
 * MonitoringStack: the root of the component tree for one cluster. It only wires components: config
 * (already validated) in, typed args to each component, outputs of one into the args of the next.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { StackConfig } from "./config";
import { standardLabels } from "./labels";
import { PrometheusOperator } from "./operator";
import { PlatformPrometheus, TeamPrometheus } from "./prometheus";
import { KueueExporter } from "./kueueExporter";

export interface MonitoringStackArgs {
  /** The validated stack config (components/config). */
  config: StackConfig;
}

export class MonitoringStack extends pulumi.ComponentResource {
  public readonly operator: PrometheusOperator;
  public readonly platformPrometheus?: PlatformPrometheus;
  public readonly teamPrometheus: Record<string, TeamPrometheus>;
  public readonly kueueExporter?: KueueExporter;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:MonitoringStack", name, {}, opts);
    const cfg = args.config;
    const nsLabels = standardLabels("namespace", "namespace");

    const namespace = (key: string, nsName: string, extraLabels: Record<string, string> = {}) =>
      new k8s.core.v1.Namespace(`${name}-ns-${key}`, { metadata: { name: nsName, labels: { ...nsLabels, ...extraLabels } } }, { parent: this });

    const monitoringNs = namespace("monitoring", cfg.namespaces.monitoring);

    this.operator = new PrometheusOperator(
      `${name}-operator`,
      {
        namespace: monitoringNs.metadata.name,
        clusterExporters: cfg.features.platformMonitoring,
        resources: cfg.operator.resources,
        chartVersion: cfg.operator.chartVersion,
        crdsChartVersion: cfg.operator.crdsChartVersion,
      },
      { parent: this },
    );
    const crsNeed = [this.operator.crds, this.operator.chart];

    if (cfg.features.platformMonitoring) {
      this.platformPrometheus = new PlatformPrometheus(
        `${name}-platform`,
        {
          namespace: cfg.namespaces.monitoring,
          clusterName: cfg.cluster.name,
          settings: cfg.platformPrometheus,
          enableRemoteWriteReceiver: cfg.features.tempo,
          dependsOn: [...crsNeed, monitoringNs],
        },
        { parent: this },
      );
    }

    this.teamPrometheus = {};
    for (const team of cfg.teams.filter((t) => t.enabled)) {
      const teamNs = team.createNamespaces ? team.namespaces.map((ns) => namespace(`team-${team.name}-${ns}`, ns, { "monitoring-stack/team": team.name })) : [];
      this.teamPrometheus[team.name] = new TeamPrometheus(
        `${name}-team-${team.name}`,
        { team: team.name, namespaces: team.namespaces, clusterName: cfg.cluster.name, settings: team, dependsOn: [...crsNeed, ...teamNs] },
        { parent: this },
      );
    }

    if (cfg.features.kueueExporter) {
      const { image, scrapeInterval, resources, ...poll } = cfg.kueueExporter;
      this.kueueExporter = new KueueExporter(
        `${name}-kueue-exporter`,
        { namespace: monitoringNs.metadata.name, image, scrapeInterval, resources, ...poll, dependsOn: crsNeed },
        { parent: this },
      );
    }

    this.registerOutputs({
      operator: this.operator,
      kueueExporter: this.kueueExporter,
      platformPrometheus: this.platformPrometheus,
      teamPrometheus: this.teamPrometheus,
    });
  }

  /** The stack outputs `index.ts` exports: endpoints a user needs after `pulumi up`. */
  outputs(): Record<string, unknown> {
    return {
      platformPrometheusUrl: this.platformPrometheus?.url,
      teamPrometheusUrls: Object.fromEntries(Object.entries(this.teamPrometheus).map(([t, p]) => [t, p.url])),
      kueueExporterMetricsUrl: this.kueueExporter?.metricsUrl,
    };
  }
}
