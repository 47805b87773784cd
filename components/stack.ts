/**
 * MonitoringStack: the root of the component tree for one cluster. It only wires components: config
 * (already validated) in, typed args to each component, outputs of one into the args of the next.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { crdsChartVersionOf, type StackConfig } from "./config";
import { standardLabels } from "./labels";
import { PrometheusOperator } from "./operator";
import { PlatformPrometheus, TeamPrometheus } from "./prometheus";
import { KueueExporter } from "./kueueExporter";
import { KueueMetrics } from "./kueueMetrics";
import { Tempo, tempoArgsFromConfig } from "./tempo";
import { tempoComponentName } from "./charts/tempoServices";
import { Spegel, spegelArgsFromConfig } from "./spegel";
import { Grafana, GrafanaContent, grafanaArgsFromConfig, grafanaContentArgsFromConfig } from "./grafana";
import { stackContent } from "./content/forStack";
import { Alertmanager } from "./alerting/alertmanager";
import { alertmanagerConfig } from "./alerting/alertmanagerConfig";
import { routingTreeOf } from "./alerting/fromConfig";

export interface MonitoringStackArgs {
  /** The validated stack config (components/config). */
  config: StackConfig;
}

export class MonitoringStack extends pulumi.ComponentResource {
  public readonly operator: PrometheusOperator;
  public readonly alertmanager?: Alertmanager;
  public readonly platformPrometheus?: PlatformPrometheus;
  public readonly teamPrometheus: Record<string, TeamPrometheus>;
  public readonly kueueExporter?: KueueExporter;
  public readonly kueueMetrics?: KueueMetrics;
  public readonly tempo?: Tempo;
  public readonly spegel?: Spegel;
  public readonly grafana?: Grafana;
  public readonly grafanaContent?: GrafanaContent;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:MonitoringStack", name, {}, opts);
    const cfg = args.config;
    const nsLabels = standardLabels("namespace", "namespace");

    const namespace = (key: string, nsName: string, extraLabels: Record<string, string> = {}) =>
      new k8s.core.v1.Namespace(`${name}-ns-${key}`, { metadata: { name: nsName, labels: { ...nsLabels, ...extraLabels } } }, { parent: this });

    const monitoringNs = namespace("monitoring", cfg.namespaces.monitoring);
    // Dashboards and alerts are repo data (dashboards/, alerts/): loaded and checked here, before any
    // resource that uses them is declared, so a broken file fails the plan naming the file.
    const content = stackContent(cfg);
    const grafanaDeployed = cfg.features.grafana && cfg.grafana.mode === "deploy";

    this.operator = new PrometheusOperator(
      `${name}-operator`,
      {
        namespace: cfg.namespaces.monitoring,
        dependsOn: [monitoringNs],
        clusterExporters: cfg.features.platformMonitoring,
        nodeExporterNamespace: cfg.namespaces.nodeExporter,
        resources: cfg.operator.resources,
        defaultRules: cfg.alerting.defaultRules,
        // The chart's dashboards reach a Grafana of this stack through its sidecar (not an external one).
        dashboards: grafanaDeployed,
        chartVersion: cfg.operator.chartVersion,
        crdsChartVersion: crdsChartVersionOf(cfg),
        adoptExistingCrds: cfg.operator.adoptExistingCrds,
      },
      { parent: this },
    );
    const crsNeed = [this.operator.crds, this.operator.chart];

    // Every Prometheus sends its alerts here; it routes them all by `monitoring:alerting`.
    const enabledTeams = cfg.teams.filter((t) => t.enabled);
    if (cfg.features.platformMonitoring || enabledTeams.length) {
      const a = cfg.alerting.alertmanager;
      this.alertmanager = new Alertmanager(
        `${name}-alertmanager`,
        {
          namespace: cfg.namespaces.monitoring,
          config: alertmanagerConfig(routingTreeOf(cfg), cfg.alerting.smtp),
          replicas: a.replicas,
          retention: a.retention,
          resources: a.resources,
          storage: a.storage,
          dependsOn: [...crsNeed, monitoringNs],
        },
        { parent: this },
      );
    }
    const alertmanager = this.alertmanager?.alertingEndpoint;

    if (cfg.features.platformMonitoring) {
      this.platformPrometheus = new PlatformPrometheus(
        `${name}-platform`,
        {
          namespace: cfg.namespaces.monitoring,
          clusterName: cfg.cluster.name,
          settings: cfg.platformPrometheus,
          enableRemoteWriteReceiver: cfg.features.tempo,
          // Recording rules from alerts/ (dashboards read their series), and the shared folders' alerts.
          recordingGroups: content.recordingGroups,
          alertGroups: content.platformAlertGroups,
          alertmanager,
          dependsOn: [...crsNeed, monitoringNs],
        },
        { parent: this },
      );
    }

    // A team's namespaces hold its workloads: they stay when its monitoring is switched off (`enabled: false`
    // removes the team's Prometheus and nothing else), so they are declared for every team that asks.
    const teamNamespaces: Record<string, k8s.core.v1.Namespace[]> = {};
    for (const team of cfg.teams) {
      teamNamespaces[team.name] = team.createNamespaces ? team.namespaces.map((ns) => namespace(`team-${team.name}-${ns}`, ns, { "monitoring-stack/team": team.name })) : [];
    }
    this.teamPrometheus = {};
    for (const team of enabledTeams) {
      const teamNs = teamNamespaces[team.name];
      this.teamPrometheus[team.name] = new TeamPrometheus(
        `${name}-team-${team.name}`,
        {
          team: team.name,
          namespaces: team.namespaces,
          clusterName: cfg.cluster.name,
          settings: team,
          alertmanager,
          alertGroups: content.teamAlertGroups[team.name] ?? [],
          dependsOn: [...crsNeed, ...teamNs],
        },
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

    if (cfg.features.kueueMetrics) {
      this.kueueMetrics = new KueueMetrics(
        `${name}-kueue-metrics`,
        {
          namespace: monitoringNs.metadata.name,
          kueueNamespace: cfg.kueue.namespace,
          serviceLabels: cfg.kueue.metricsServiceLabels,
          port: cfg.kueue.metricsPort,
          scrapeInterval: cfg.kueue.scrapeInterval,
          dependsOn: crsNeed,
        },
        { parent: this },
      );
    }

    let tempoMetricsGenerator = false;
    if (cfg.features.tempo) {
      const tempoNs = namespace("tempo", cfg.namespaces.tempo);
      const tempoArgs = tempoArgsFromConfig(cfg, { namespace: tempoNs.metadata.name, metricsGeneratorRemoteWriteUrls: this.platformPrometheus?.remoteWriteUrls });
      // Traces link to span metrics only where the metrics-generator writes them (the platform Prometheus).
      tempoMetricsGenerator = (tempoArgs.metricsGenerator?.remoteWriteUrls ?? []).length > 0;
      this.tempo = new Tempo(tempoComponentName(name), { ...tempoArgs, dependsOn: crsNeed }, { parent: this });
    }

    if (cfg.features.spegel) {
      // Spegel creates its own namespace: its pods need host access, which Pod Security must allow there only.
      this.spegel = new Spegel(`${name}-spegel`, { ...spegelArgsFromConfig(cfg), dependsOn: crsNeed }, { parent: this });
    }

    if (cfg.features.grafana) {
      if (grafanaDeployed) {
        this.grafana = new Grafana(`${name}-grafana`, grafanaArgsFromConfig(cfg, { namespace: monitoringNs.metadata.name, dependsOn: crsNeed }), { parent: this });
      }
      this.grafanaContent = new GrafanaContent(
        `${name}-grafana-content`,
        grafanaContentArgsFromConfig(cfg, {
          connection: this.grafana?.connection,
          endpoints: {
            platformPrometheus: this.platformPrometheus?.url,
            teamPrometheus: Object.fromEntries(Object.entries(this.teamPrometheus).map(([t, p]) => [t, p.url])),
            tempo: this.tempo && { url: this.tempo.queryFrontendUrl, metricsGenerator: tempoMetricsGenerator },
            alertmanager: this.alertmanager?.url,
          },
          folders: content.folders,
          dashboards: content.dashboards,
          alertGroups: content.grafanaAlertGroups,
          sidecarNamespace: monitoringNs.metadata.name,
        }),
        { parent: this },
      );
    }

    this.registerOutputs({
      operator: this.operator,
      alertmanager: this.alertmanager,
      tempo: this.tempo,
      spegel: this.spegel,
      grafana: this.grafana,
      grafanaContent: this.grafanaContent,
      kueueExporter: this.kueueExporter,
      kueueMetrics: this.kueueMetrics,
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
      tempoQueryFrontendUrl: this.tempo?.queryFrontendUrl,
      tempoOtlpGrpcEndpoint: this.tempo?.otlpGrpcEndpoint,
      tempoOtlpHttpEndpoint: this.tempo?.otlpHttpEndpoint,
      // What users open (the URL the provider dials too); the in-cluster one is for other workloads.
      alertmanagerUrl: this.alertmanager?.url,
      grafanaUrl: this.grafana?.providerUrl,
      grafanaInClusterUrl: this.grafana?.url,
      grafanaAdminSecretName: this.grafana?.adminSecretName,
    };
  }
}
