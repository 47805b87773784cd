/**
 * Contact points and the notification policy tree from config, as inputs of
 * `grafana.alerting.ContactPoint` / `grafana.alerting.NotificationPolicy` (input names from
 * @pulumiverse/grafana 2.40 types/input.d.ts: ContactPointWebhook/Slack/Email/Pagerduty, NotificationPolicyPolicy).
 * Every URL, token and password is wrapped in `pulumi.secret` here, whatever the caller passed.
 *
 * Routing: one policy per configured route, in order (first match wins unless `continue`), matching the
 * `team` and/or `severity` labels; `bySeverity` adds child policies inside a route (e.g. a team's critical
 * alerts to its pager); everything else goes to the platform default contact point.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as grafana from "@pulumiverse/grafana";
import type { ContactPointType } from "../config/grafana";

/** A contact point (the validated `grafana.contactPoints[]` config fits). */
export interface ContactPointSpec {
  name: string;
  type: ContactPointType;
  settings: { url?: string; token?: string; recipient?: string; addresses?: string[]; username?: string; password?: string; integrationKey?: string; severity?: string };
}

/** A route (the validated `grafana.routes[]` config fits). */
export interface RouteSpec {
  team?: string;
  severity?: string;
  contactPoint: string;
  /** Severity → contact point, as child policies. @default {} */
  bySeverity?: Record<string, string>;
  /** @default false */
  continue?: boolean;
}

type ContactPointInputs = Omit<grafana.alerting.ContactPointArgs, "name"> & { name: string };

export function contactPointArgs(c: ContactPointSpec): ContactPointInputs {
  const s = c.settings;
  const secret = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));
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

export interface PolicyConfig {
  defaultContactPoint: string;
  groupBy: string[];
  routes: RouteSpec[];
}

const eq = (label: string, value: string) => ({ label, match: "=", value });

export function notificationPolicyArgs(p: PolicyConfig): grafana.alerting.NotificationPolicyArgs & {
  policies: { matchers: { label: string; match: string; value: string }[]; contactPoint: string; continue: boolean; policies?: unknown[] }[];
} {
  return {
    contactPoint: p.defaultContactPoint,
    groupBies: p.groupBy,
    policies: p.routes.map((r) => {
      const children = Object.entries(r.bySeverity ?? {}).map(([sev, cp]) => ({ matchers: [eq("severity", sev)], contactPoint: cp }));
      return {
        matchers: [...(r.team !== undefined ? [eq("team", r.team)] : []), ...(r.severity !== undefined ? [eq("severity", r.severity)] : [])],
        contactPoint: r.contactPoint,
        continue: r.continue ?? false,
        ...(children.length ? { policies: children } : {}),
      };
    }),
  };
}
