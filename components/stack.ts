/**
 * MonitoringStack: the root of the component tree for one cluster. It only wires components: config
 * (already validated) in, typed args to each component, outputs of one into the args of the next.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { crdsChartVersionOf, type StackConfig } from "./config";
import { keepsData } from "./config/core";
import { standardLabels } from "./labels";
import { podSecurityLabels, podSecurityWarnLabels } from "./podSecurity";
import { dataOptions, type DataSafety } from "./dataSafety";
import { PrometheusOperator } from "./operator";
import { PLATFORM_PROMETHEUS_NAME, PlatformPrometheus, type RemoteWriteTarget, TeamPrometheus } from "./prometheus";
import { definedOnly, remoteWriteQueueDefaults } from "./remoteWrite";
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
import { NetworkPolicies } from "./networkPolicies";
import { ALERTMANAGER_NAME } from "./alerting/alertmanager";
import { GATEWAY_POD_LABELS, GATEWAY_PORT, Hub, hubArgsFromConfig, receiveWriteUrl, TENANT_HEADER, THANOS_POD_LABELS } from "./hub";
import { EXPORTER_PORT, KUEUE_EXPORTER_POD_LABELS } from "./kueueExporter";
import { KUBE_STATE_METRICS_POD_LABELS, OPERATOR_POD_LABELS } from "./operator";

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
  public readonly networkPolicies?: NetworkPolicies;
  public readonly hub?: Hub;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring:index:MonitoringStack", name, {}, opts);
    const cfg = args.config;
    const nsLabels = standardLabels("namespace", "namespace");

    // What holds data is kept on destroy in prod (config dataSafety; components/dataSafety.ts): the
    // namespaces with volumes in them, which deleting would delete.
    const dataSafety: DataSafety = { keep: keepsData(cfg), protect: cfg.dataSafety.protect };
    const namespace = (key: string, nsName: string, extraLabels: Record<string, string> = {}, holdsData = false) =>
      new k8s.core.v1.Namespace(`${name}-ns-${key}`, { metadata: { name: nsName, labels: { ...nsLabels, ...extraLabels } } }, { parent: this, ...(holdsData ? dataOptions(dataSafety) : {}) });

    // Every pod in these namespaces is the program's and passes Pod Security "restricted" (components/
    // podSecurity.ts; test/deploy/podSecurity.test.ts): enforced, so a later change that breaks it is refused.
    const monitoringNs = namespace("monitoring", cfg.namespaces.monitoring, podSecurityLabels("restricted"), true);
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
        configReloaderResources: cfg.operator.configReloaderResources,
        kubeStateMetricsResources: cfg.exporters.kubeStateMetrics.resources,
        nodeExporterResources: cfg.exporters.nodeExporter.resources,
        defaultRules: cfg.alerting.defaultRules,
        // The chart's dashboards reach a Grafana of this stack through its sidecar (not an external one).
        dashboards: grafanaDeployed,
        multicluster: cfg.hub !== undefined,
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
          dataSafety,
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

    // The hub role (config hub): Thanos and its write gateway, in a namespace of their own.
    let hubNs: k8s.core.v1.Namespace | undefined;
    if (cfg.hub) {
      hubNs = namespace("hub", cfg.hub.namespace, podSecurityLabels("restricted"), true);
      this.hub = new Hub(`${name}-hub`, hubArgsFromConfig(cfg, { dependsOn: [...crsNeed, hubNs] }), { parent: this });
    }

    // Every Prometheus also writes to the hub, each as its tenant: a cluster's through the hub's gateway with
    // its credential (config remoteWrite), whose local retention can then shrink (remoteWrite.localRetention);
    // the hub's own straight to its Receive inside the cluster.
    const rw = cfg.remoteWrite;
    const queue = { ...remoteWriteQueueDefaults(cfg.cluster.environment), ...definedOnly(rw?.queue ?? {}) };
    const toHub = (tenant: string): RemoteWriteTarget | undefined =>
      rw
        ? { url: rw.url, headers: { [rw.tenantHeader]: tenant }, basicAuth: { username: rw.username, password: pulumi.secret(rw.password) }, queue }
        : cfg.hub && { url: receiveWriteUrl(cfg.hub.namespace), headers: { [TENANT_HEADER]: tenant }, queue };
    const platformTenant = rw?.platformTenant ?? cfg.hub?.platformTenant ?? "platform";
    const retained = <S extends { retention: string }>(s: S): S => (rw?.localRetention ? { ...s, retention: rw.localRetention } : s);

    if (cfg.features.platformMonitoring) {
      this.platformPrometheus = new PlatformPrometheus(
        `${name}-platform`,
        {
          namespace: cfg.namespaces.monitoring,
          clusterName: cfg.cluster.name,
          environment: cfg.cluster.environment,
          dataSafety,
          remoteWrite: toHub(platformTenant),
          settings: retained(cfg.platformPrometheus),
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
      // The team's workloads are not the program's: "restricted" is audited and warned, not enforced.
      const labels = { "monitoring-stack/team": team.name, ...podSecurityWarnLabels("restricted") };
      teamNamespaces[team.name] = team.createNamespaces ? team.namespaces.map((ns) => namespace(`team-${team.name}-${ns}`, ns, labels, true)) : [];
    }
    this.teamPrometheus = {};
    for (const team of enabledTeams) {
      const teamNs = teamNamespaces[team.name];
      this.teamPrometheus[team.name] = new TeamPrometheus(
        `${name}-team-${team.name}`,
        {
          team: team.name,
          namespaces: team.namespaces,
          dataSafety,
          remoteWrite: toHub(team.name),
          clusterName: cfg.cluster.name,
          environment: cfg.cluster.environment,
          settings: retained(team),
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
      const tempoNs = namespace("tempo", cfg.namespaces.tempo, podSecurityLabels("restricted"), true);
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

    if (cfg.networkPolicies.enabled) {
      this.networkPolicies = new NetworkPolicies(
        `${name}-network-policies`,
        {
          monitoringNamespace: cfg.namespaces.monitoring,
          platformPrometheus: this.platformPrometheus ? PLATFORM_PROMETHEUS_NAME : undefined,
          teamPrometheus: Object.values(this.teamPrometheus).map((t) => ({ namespace: t.namespace, crName: t.crName })),
          alertmanager: this.alertmanager ? { namespace: cfg.namespaces.monitoring, name: ALERTMANAGER_NAME } : undefined,
          operator: { podLabels: OPERATOR_POD_LABELS },
          kubeStateMetrics: cfg.features.platformMonitoring ? { podLabels: KUBE_STATE_METRICS_POD_LABELS } : undefined,
          kueueExporter: this.kueueExporter ? { podLabels: KUEUE_EXPORTER_POD_LABELS, port: EXPORTER_PORT } : undefined,
          grafana: this.grafana
            ? { podLabels: this.grafana.podLabels, ingressControllerNamespace: cfg.grafana.ingress.enabled ? cfg.grafana.ingress.controllerNamespace : undefined, nodePort: cfg.grafana.service.type === "NodePort" }
            : undefined,
          tempo: this.tempo ? { namespace: cfg.namespaces.tempo, podLabels: this.tempo.podLabels } : undefined,
          spegel: this.spegel ? { namespace: cfg.namespaces.spegel, podLabels: this.spegel.podLabels } : undefined,
          hub: cfg.hub
            ? { namespace: cfg.hub.namespace, thanosPodLabels: THANOS_POD_LABELS, gatewayPodLabels: GATEWAY_POD_LABELS, gatewayPort: GATEWAY_PORT, ingressControllerNamespace: cfg.hub.ingress.controllerNamespace }
            : undefined,
          // Namespaces first (a team's may be created here).
          dependsOn: [monitoringNs, ...Object.values(teamNamespaces).flat(), ...(hubNs ? [hubNs] : [])],
        },
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
      // A hub: what the cluster stacks' remoteWrite.url is, and where its Grafana reads.
      hubRemoteWriteUrl: this.hub?.remoteWriteUrl,
      hubQueryUrl: this.hub?.queryUrl,
    };
  }
}
