/**
 * The Alertmanager configuration (alertmanager.yaml) rendered from the routing tree (routing.ts), pure.
 *
 * Keys as Alertmanager reads them (prometheus/alertmanager config/config.go and config/notifiers.go, the
 * same at v0.25.0, which the tests run, and v0.33.1, the prometheus-operator v0.93 default image): only keys
 * that both versions have (e.g. no webhook `url_file`, added in 0.26). Secrets (URLs, keys, passwords) are
 * written inline, and the whole file goes into a Kubernetes Secret.
 *
 * Defaults from kube-prometheus-stack 88.5.3 values.yaml `alertmanager.config`: resolve_timeout 5m,
 * group_wait 30s, group_interval 5m, repeat_interval 12h, and its four inhibit rules (critical inhibits
 * warning/info of the same alert and namespace, warning inhibits info, InfoInhibitor inhibits info in its
 * namespace, and InfoInhibitor itself is muted).
 */
import type { ContactPointSpec } from "../grafana/notifications";
import { DEAD_MANS_SWITCH_RECEIVER, Matcher, NULL_RECEIVER, RouteNode, RoutingTree } from "./routing";

export interface SmtpSettings {
  host: string;
  fromAddress: string;
  user?: string;
  password?: string;
  startTlsPolicy?: string;
}

/** Alertmanager's matcher syntax: `label="value"` (v0.22+ `matchers`), values JSON-quoted. */
export function matcherText(m: Matcher): string {
  return `${m.label}${m.op}${JSON.stringify(m.value)}`;
}

/** The endpoint a Slack bot token posts to (Slack Web API chat.postMessage), with the token as a bearer credential. */
export const SLACK_POST_MESSAGE = "https://slack.com/api/chat.postMessage";

function receiver(c: ContactPointSpec): Record<string, unknown> {
  const s = c.settings;
  switch (c.type) {
    case "webhook":
      return {
        name: c.name,
        webhook_configs: [{ url: s.url, send_resolved: true, ...(s.username !== undefined ? { http_config: { basic_auth: { username: s.username, password: s.password ?? "" } } } : {}) }],
      };
    case "slack":
      return {
        name: c.name,
        slack_configs: [
          s.url !== undefined
            ? { api_url: s.url, send_resolved: true }
            : { api_url: SLACK_POST_MESSAGE, channel: s.recipient, send_resolved: true, http_config: { authorization: { type: "Bearer", credentials: s.token } } },
        ],
      };
    case "email":
      return { name: c.name, email_configs: [{ to: (s.addresses ?? []).join(", "), send_resolved: true }] };
    case "pagerduty":
      return { name: c.name, pagerduty_configs: [{ routing_key: s.integrationKey, send_resolved: true, ...(s.severity !== undefined ? { severity: s.severity } : {}) }] };
  }
}

function route(n: RouteNode): Record<string, unknown> {
  return {
    receiver: n.receiver,
    ...(n.matchers.length ? { matchers: n.matchers.map(matcherText) } : {}),
    ...(n.continue ? { continue: true } : {}),
    ...(n.groupWait !== undefined ? { group_wait: n.groupWait } : {}),
    ...(n.groupInterval !== undefined ? { group_interval: n.groupInterval } : {}),
    ...(n.repeatInterval !== undefined ? { repeat_interval: n.repeatInterval } : {}),
    ...(n.routes.length ? { routes: n.routes.map(route) } : {}),
  };
}

/** kube-prometheus-stack 88.5.3 values.yaml alertmanager.config inhibit_rules. */
export const INHIBIT_RULES = [
  { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] },
  { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ["namespace", "alertname"] },
  { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ["namespace"] },
  { target_matchers: ['alertname = "InfoInhibitor"'] },
];

export function alertmanagerConfig(tree: RoutingTree, smtp?: SmtpSettings): Record<string, unknown> {
  const receivers: Record<string, unknown>[] = [{ name: NULL_RECEIVER }];
  if (tree.deadMansSwitch) receivers.push({ name: DEAD_MANS_SWITCH_RECEIVER, webhook_configs: [{ url: tree.deadMansSwitch.url, send_resolved: false }] });
  receivers.push(...tree.contactPoints.map(receiver));
  return {
    global: {
      resolve_timeout: "5m",
      ...(smtp
        ? {
            smtp_smarthost: smtp.host,
            smtp_from: smtp.fromAddress,
            smtp_require_tls: smtp.startTlsPolicy !== "NoStartTLS",
            ...(smtp.user !== undefined ? { smtp_auth_username: smtp.user, smtp_auth_password: smtp.password ?? "" } : {}),
          }
        : {}),
    },
    route: {
      receiver: tree.receiver,
      group_by: tree.groupBy,
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: tree.routes.map(route),
    },
    receivers,
    inhibit_rules: INHIBIT_RULES,
  };
}
