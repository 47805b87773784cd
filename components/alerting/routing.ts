/**
 * One routing tree for every alert the stack can emit, built once from `monitoring:alerting` (pure). The
 * Alertmanager configuration (alertmanagerConfig.ts) and Grafana's notification policy
 * (components/grafana/notifications.ts) are both rendered from it, so a route cannot differ between them.
 *
 * The tree, in order (first match wins unless `continue`):
 * 1. `alertname="Watchdog"` → the dead man's switch receiver (heartbeat every `deadMansSwitch.interval`),
 *    or the null receiver when none is configured (kube-prometheus-stack's default alertmanager.config).
 * 2. `alertname="InfoInhibitor"` → null (it only inhibits `severity="info"` alerts; prometheus-operator
 *    runbooks InfoInhibitor.md: "should be routed to a null receiver").
 * 3. each configured route. A team route matches the alerts labelled `team=<team>` (what a team Prometheus
 *    attaches from its external labels, and what the repository's rules set), and also those without a
 *    `team` label in the team's namespaces: kube-prometheus-stack's Kubernetes alerts (KubePodCrashLooping…)
 *    carry `namespace` only. `bySeverity` adds child routes by `severity`.
 * 4. everything else → `defaultContactPoint` (the platform), or null when none is configured.
 */
import type { ContactPointSpec } from "../grafana/notifications";

export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface RouteNode {
  matchers: Matcher[];
  receiver: string;
  continue: boolean;
  routes: RouteNode[];
  /** Timing overrides (the heartbeat). */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export interface RoutingTree {
  /** The root receiver: the platform default, or NULL_RECEIVER. */
  receiver: string;
  groupBy: string[];
  routes: RouteNode[];
  /** Receivers by name (contact points, plus the heartbeat); NULL_RECEIVER is implicit. */
  contactPoints: ContactPointSpec[];
  deadMansSwitch?: { url: string; interval: string };
}

export const NULL_RECEIVER = "null";
export const DEAD_MANS_SWITCH_RECEIVER = "dead-mans-switch";

export interface RoutingInput {
  contactPoints: ContactPointSpec[];
  defaultContactPoint?: string;
  routes: { team?: string; severity?: string; cluster?: string; environment?: string; contactPoint: string; bySeverity: Record<string, string>; continue: boolean }[];
  groupBy: string[];
  deadMansSwitch?: { url: string; interval: string };
  /** Every configured team with its namespaces (a disabled team keeps its routes: its namespaces still exist). */
  teams: { name: string; namespaces: string[] }[];
}

const eq = (label: string, value: string): Matcher => ({ label, op: "=", value });

/** A regex matching exactly these values (Alertmanager and Grafana anchor regex matchers). */
export function anyOf(values: string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

export function routingTree(r: RoutingInput): RoutingTree {
  const routes: RouteNode[] = [];
  const hb = r.deadMansSwitch;
  routes.push({
    matchers: [eq("alertname", "Watchdog")],
    receiver: hb ? DEAD_MANS_SWITCH_RECEIVER : NULL_RECEIVER,
    continue: false,
    routes: [],
    // Alertmanager checks repeat_interval only on group_interval ticks (dispatch.go): set both.
    ...(hb ? { groupWait: "0s", groupInterval: hb.interval, repeatInterval: hb.interval } : {}),
  });
  routes.push({ matchers: [eq("alertname", "InfoInhibitor")], receiver: NULL_RECEIVER, continue: false, routes: [] });
  for (const route of r.routes) {
    // Severity, cluster and environment narrow the route (a staging alert does not page the prod on-call).
    const sev = [
      ...(route.severity !== undefined ? [eq("severity", route.severity)] : []),
      ...(route.cluster !== undefined ? [eq("cluster", route.cluster)] : []),
      ...(route.environment !== undefined ? [eq("environment", route.environment)] : []),
    ];
    const children = Object.entries(route.bySeverity).map(([s, cp]): RouteNode => ({ matchers: [eq("severity", s)], receiver: cp, continue: false, routes: [] }));
    const node = (matchers: Matcher[]): RouteNode => ({ matchers: [...matchers, ...sev], receiver: route.contactPoint, continue: route.continue, routes: children });
    if (route.team === undefined) {
      routes.push(node([]));
      continue;
    }
    routes.push(node([eq("team", route.team)]));
    const ns = r.teams.find((t) => t.name === route.team)?.namespaces ?? [];
    if (ns.length) routes.push(node([eq("team", ""), { label: "namespace", op: "=~", value: anyOf(ns) }]));
  }
  return { receiver: r.defaultContactPoint ?? NULL_RECEIVER, groupBy: r.groupBy, routes, contactPoints: r.contactPoints, ...(hb ? { deadMansSwitch: hb } : {}) };
}
