/**
 * GrafanaOrgMembers: the roles of listed users in one existing Grafana organization (the main one, org 1),
 * which `grafana.oss.Organization` cannot manage (it creates organizations; adopting org 1 would have to
 * import it with inputs that match exactly). A Pulumi dynamic resource: its provider runs in the `pulumi up`
 * process and calls Grafana's HTTP API with the server admin's basic auth (the admin organizations API works
 * with basic authentication only: Grafana HTTP API docs, "Organization API"):
 *
 * - `GET /api/users/lookup?loginOrEmail=<email>`: the user, or 404;
 * - `POST /api/admin/users {name, email, login, password}`: creates a missing user, as
 *   `grafana.oss.Organization` does with `createUsers` (login = e-mail, a random password nobody knows: the
 *   user signs in through SSO with that e-mail, or an admin resets the password);
 * - `POST /api/orgs/<org>/users {loginOrEmail, role}` adds a member; 409 when it already is one, then
 *   `PATCH /api/orgs/<org>/users/<userId> {role}` sets the role.
 *
 * A user dropped from the list (or the resource deleted) keeps membership with role `None` (Grafana ≥ 10.2's
 * "No basic role"): it sees nothing of the organization, and nothing else of the user changes.
 */
import * as pulumi from "@pulumi/pulumi";

export interface OrgMember {
  email: string;
  role: "Admin" | "Editor" | "Viewer" | "None";
}

export interface OrgMembersInputs {
  url: string;
  /** "user:password" of a Grafana server admin. */
  auth: string;
  orgId: string;
  members: OrgMember[];
}

async function call(i: { url: string; auth: string }, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${i.url.replace(/\/+$/, "")}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(i.auth).toString("base64")}`, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text };
  }
  return { status: res.status, json };
}

function fail(what: string, r: { status: number; json: any }): never {
  throw new Error(`Grafana refused to ${what}: HTTP ${r.status} ${r.json?.message ?? ""}`.trim());
}

async function userId(i: OrgMembersInputs, email: string, create: boolean): Promise<number | undefined> {
  const q = `/api/users/lookup?loginOrEmail=${encodeURIComponent(email)}`;
  let r = await call(i, "GET", q);
  if (r.status === 404 && create) {
    const password = Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, "0")).join("");
    const c = await call(i, "POST", "/api/admin/users", { name: email, email, login: email, password });
    if (c.status !== 200) fail(`create user ${email}`, c);
    r = await call(i, "GET", q);
  }
  if (r.status === 404) return undefined;
  if (r.status !== 200) fail(`look up user ${email}`, r);
  return r.json.id as number;
}

/** Gives each listed user its role in the organization, and role None to those dropped from the list. */
export async function applyOrgMembers(i: OrgMembersInputs, dropped: string[] = []): Promise<void> {
  for (const m of i.members) {
    const id = await userId(i, m.email, true);
    const add = await call(i, "POST", `/api/orgs/${i.orgId}/users`, { loginOrEmail: m.email, role: m.role });
    if (add.status === 200) continue;
    if (add.status !== 409) fail(`add ${m.email} to organization ${i.orgId}`, add);
    const set = await call(i, "PATCH", `/api/orgs/${i.orgId}/users/${id}`, { role: m.role });
    if (set.status !== 200) fail(`give ${m.email} the role ${m.role} in organization ${i.orgId}`, set);
  }
  const listed = new Set(i.members.map((m) => m.email.toLowerCase()));
  for (const email of dropped.filter((e) => !listed.has(e.toLowerCase()))) {
    const id = await userId(i, email, false);
    if (id === undefined) continue;
    const set = await call(i, "PATCH", `/api/orgs/${i.orgId}/users/${id}`, { role: "None" });
    if (set.status !== 200 && set.status !== 404) fail(`take the role of ${email} in organization ${i.orgId}`, set);
  }
}

const membersProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: OrgMembersInputs) {
    await applyOrgMembers(inputs);
    return { id: `org-${inputs.orgId}-members`, outs: inputs };
  },
  async diff(_id: string, olds: OrgMembersInputs, news: OrgMembersInputs) {
    const key = (x: OrgMembersInputs) => JSON.stringify([x.url, x.orgId, [...x.members].sort((a, b) => a.email.localeCompare(b.email))]);
    return { changes: key(olds) !== key(news) || olds.auth !== news.auth, replaces: olds.orgId !== news.orgId ? ["orgId"] : [], deleteBeforeReplace: true };
  },
  async update(_id: string, olds: OrgMembersInputs, news: OrgMembersInputs) {
    await applyOrgMembers(news, olds.members.map((m) => m.email));
    return { outs: news };
  },
  async delete(_id: string, olds: OrgMembersInputs) {
    await applyOrgMembers({ ...olds, members: [] }, olds.members.map((m) => m.email));
  },
};

export interface GrafanaOrgMembersArgs {
  url: pulumi.Input<string>;
  auth: pulumi.Input<string>;
  orgId: pulumi.Input<string>;
  members: OrgMember[];
}

export class GrafanaOrgMembers extends pulumi.dynamic.Resource {
  constructor(name: string, args: GrafanaOrgMembersArgs, opts?: pulumi.CustomResourceOptions) {
    super(membersProvider, name, { ...args, auth: pulumi.secret(args.auth) }, opts, "monitoring", "GrafanaOrgMembers");
  }
}
