/**
 * Grafana's contact points and notification policy tree, as inputs of `grafana.alerting.ContactPoint` /
 * `grafana.alerting.NotificationPolicy` (input names from @pulumiverse/grafana 2.40 types/input.d.ts:
 * ContactPointWebhook/Slack/Email/Pagerduty/Alertmanager, NotificationPolicyPolicy). Every URL, token, key
 * and password is wrapped in `pulumi.secret` here, whatever the caller passed.
 *
 * The policy is rendered from the stack's one routing tree (components/alerting/routing.ts), the same one the
 * Alertmanager configuration is rendered from. A deployed Grafana instead forwards every alert to the
 * stack's Alertmanager through one `alertmanager` contact point, so its alerts follow Alertmanager's routes.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as grafana from "@pulumiverse/grafana";
import type { ContactPointType } from "../config/alerting";
import { DEAD_MANS_SWITCH_RECEIVER, NULL_RECEIVER, type Matcher, type RouteNode, type RoutingTree } from "../alerting/routing";

/** A contact point (the validated `alerting.contactPoints[]` config fits). */
export interface ContactPointSpec {
  name: string;
  type: ContactPointType;
  settings: { url?: string; token?: string; recipient?: string; addresses?: string[]; username?: string; password?: string; integrationKey?: string; severity?: string };
}

/** Grafana's own integration that hands alerts to an Alertmanager (deploy mode: the stack's). */
export interface ForwardingContactPoint {
  name: string;
  type: "alertmanager";
  settings: { url: pulumi.Input<string> };
}

type ContactPointInputs = Omit<grafana.alerting.ContactPointArgs, "name"> & { name: string };

export function contactPointArgs(c: ContactPointSpec | ForwardingContactPoint): ContactPointInputs {
  const secret = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));
  if (c.type === "alertmanager") return { name: c.name, alertmanagers: [{ url: c.settings.url }] };
  const s = c.settings;
  switch (c.type) {
    case "webhook":
      return {
        name: c.name,
        webhooks: [{ url: secret(s.url)!, ...(s.username !== undefined ? { basicAuthUser: s.username, basicAuthPassword: secret(s.password) } : {}) }],
      };
    case "slack":
      return {
        name: c.name,
        slacks: [{ ...(s.url !== undefined ? { url: secret(s.url) } : {}), ...(s.token !== undefined ? { token: secret(s.token), recipient: s.recipient } : {}) }],
      };
    case "email":
      return { name: c.name, emails: [{ addresses: s.addresses ?? [] }] };
    case "pagerduty":
      return { name: c.name, pagerduties: [{ integrationKey: secret(s.integrationKey)!, ...(s.severity !== undefined ? { severity: s.severity } : {}) }] };
  }
}

/** Grafana's notification policy tree: the root contact point, grouping, and child policies. */
export interface GrafanaPolicy {
  contactPoint: string;
  groupBy: string[];
  routes: RouteNode[];
}

const GRAFANA_ONLY_NOT = new Set([NULL_RECEIVER, DEAD_MANS_SWITCH_RECEIVER]);

/**
 * The policy Grafana applies to what it evaluates, from the routing tree: the heartbeat and the routes to
 * the null receiver concern Prometheus' alerts only (Grafana has no null receiver), so they are left out.
 * Undefined when the tree has no default contact point (the org's routing is then left alone).
 */
export function grafanaPolicy(tree: RoutingTree): GrafanaPolicy | undefined {
  if (tree.receiver === NULL_RECEIVER) return undefined;
  const keep = (n: RouteNode): RouteNode | undefined => (GRAFANA_ONLY_NOT.has(n.receiver) ? undefined : { ...n, routes: n.routes.map(keep).filter((x): x is RouteNode => !!x) });
  return { contactPoint: tree.receiver, groupBy: tree.groupBy, routes: tree.routes.map(keep).filter((x): x is RouteNode => !!x) };
}

const matcher = (m: Matcher) => ({ label: m.label, match: m.op, value: m.value });

type PolicyNode = { matchers: { label: string; match: string; value: string }[]; contactPoint: string; continue: boolean; policies?: PolicyNode[] };

function policyNode(n: RouteNode): PolicyNode {
  return { matchers: n.matchers.map(matcher), contactPoint: n.receiver, continue: n.continue, ...(n.routes.length ? { policies: n.routes.map(policyNode) } : {}) };
}

export function notificationPolicyArgs(p: GrafanaPolicy): grafana.alerting.NotificationPolicyArgs & { policies: PolicyNode[] } {
  return { contactPoint: p.contactPoint, groupBies: p.groupBy, policies: p.routes.map(policyNode) };
}
