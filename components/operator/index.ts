/** The Prometheus Operator: CRDs release, admission-webhook TLS, kube-prometheus-stack in operator-only mode. */
export { PrometheusOperator, PrometheusOperatorArgs, CRDS_RELEASE, OPERATOR_RELEASE } from "./operator";
export {
  operatorValues,
  defaultRulesValues,
  OperatorValuesArgs,
  DefaultRulesSettings,
  OPERATOR_FULLNAME,
  OPERATOR_SERVICE,
  OPERATOR_POD_LABELS,
  KUBE_STATE_METRICS_POD_LABELS,
  DEFAULT_OPERATOR_RESOURCES,
  NODE_EXPORTER_NAMESPACE_LABELS,
  UNSCRAPED_RULE_GROUPS,
  SUPERSEDED_DEFAULT_ALERTS,
  KUBERNETES_DASHBOARDS_FOLDER,
} from "./values";
export { webhookDnsNames, WEBHOOK_SECRET, WEBHOOK_SECRET_KEYS } from "./webhookTls";
