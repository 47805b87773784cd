import * as assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../components/config";
import { ownsSharedContent } from "../../components/config/grafana";
// Registers the grafana section's cross-key checks (components/grafana/index.ts).
import "../../components/grafana";
import { RUNBOOKS } from "../support/config";

const j = JSON.stringify;
const base = {
  ...RUNBOOKS,
  "monitoring:cluster": j({ name: "prod-eu" }),
  "monitoring:features": j({ grafana: true }),
  "monitoring:teams": j([{ name: "payments", namespaces: ["payments"] }]),
};
const G = "monitoring:grafana";

/** A deploy-mode config needs the provider's URL; tests of other rules get one. */
const URL = { url: "https://grafana.example.com" };
const withUrl = (g: Record<string, unknown>) => (g.mode === "external" || "url" in g ? g : { ...URL, ...g });

function problems(grafana: Record<string, unknown>, secret = true): string[] {
  try {
    parseConfig({ ...base, [G]: j(withUrl(grafana)) }, secret ? [G] : []);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("expected the config to be rejected");
}


describe("grafana config", () => {
  it("defaults to a deployed Grafana with persistence, API-pushed dashboards and no routing", () => {
    const c = parseConfig({ ...base, [G]: j(URL) });
    assert.equal(c.grafana.mode, "deploy");
    assert.deepEqual(c.grafana.persistence, { enabled: true, size: "10Gi" });
    assert.equal(c.grafana.dashboardDelivery, "provider");
    assert.equal(ownsSharedContent(c.grafana), true);
  });

  it("accepts an external Grafana with a secret token; content is shared only with ownsSharedContent", () => {
    const c = parseConfig({ ...base, [G]: j({ mode: "external", teamIsolation: "none", external: { url: "https://grafana.example.com", token: "glsa_x" } }) }, [G]);
    assert.equal(ownsSharedContent(c.grafana), false);
    const owner = parseConfig({ ...base, [G]: j({ mode: "external", teamIsolation: "none", ownsSharedContent: true, external: { url: "https://grafana.example.com", token: "glsa_x" } }) }, [G]);
    assert.equal(ownsSharedContent(owner.grafana), true);
  });

  it("rejects external mode without a URL or credentials", () => {
    assert.deepEqual(problems({ mode: "external", teamIsolation: "none" }), [
      `grafana.external.url: is required when grafana.mode is "external"; set the central Grafana's root URL, e.g. "https://grafana.example.com"`,
      `grafana.external.token: is required when grafana.mode is "external" (or grafana.external.user and password); create a service-account token (Admin role) and set it with: pulumi config set --secret --path 'grafana.external.token' <token>`,
    ]);
  });

  it("isolating teams in an external Grafana needs a server admin's basic auth, not a token", () => {
    const url = "https://grafana.example.com";
    assert.deepEqual(problems({ mode: "external", external: { url, token: "glsa_x" } }), [
      `grafana.external.token: cannot be used with grafana.teamIsolation "orgs": a service-account token is bound to one organization, and each team has its own; use a server admin's grafana.external.user and grafana.external.password instead, or set grafana.teamIsolation "none" (no isolation between teams)`,
    ]);
    assert.deepEqual(problems({ mode: "external", external: { url } }), [
      `grafana.external.user: is required with grafana.teamIsolation "orgs" in external mode: a Grafana server admin's login and grafana.external.password (basic auth), which can create the teams' organizations and write into them`,
    ]);
    assert.deepEqual(problems({ mode: "external", external: { url, user: "admin" } }), [
      `grafana.external.password: is required with grafana.external.user (basic auth); set it with: pulumi config set --secret --path 'grafana.external.password' <password>`,
    ]);
    const ok = parseConfig({ ...base, [G]: j({ mode: "external", external: { url, user: "admin", password: "pw" } }) }, [G]);
    assert.equal(ok.grafana.teamIsolation, "orgs");
  });

  it("rejects a token that is not secret config", () => {
    assert.deepEqual(problems({ mode: "external", teamIsolation: "none", external: { url: "https://grafana.example.com", token: "glsa_x" } }, false), [
      `grafana.external.token: is a credential and must be secret config; set it with: pulumi config set --secret --path 'grafana.external.token' <value>`,
    ]);
  });

  it("requires the provider's URL in deploy mode, and refuses one that resolves only inside the cluster", () => {
    assert.deepEqual(problems({ url: undefined, ingress: { enabled: true, host: "grafana.example.com", controllerNamespace: "ingress-nginx" } }).map((p) => p.split(":")[0]), ["grafana.url"]);
    assert.deepEqual(problems({ url: undefined }), [
      `grafana.url: is required in deploy mode: the Grafana provider dials it from the machine running \`pulumi up\`, not from inside the cluster; use the ingress URL (e.g. "https://grafana.example.com"), or a local port such as "http://127.0.0.1:30300" with grafana.service.type NodePort on kind (docs/DEPLOY.md)`,
    ]);
    for (const [u, host] of [
      ["http://dev-grafana.monitoring.svc:80", "dev-grafana.monitoring.svc"],
      ["http://grafana.monitoring.svc.cluster.local", "grafana.monitoring.svc.cluster.local"],
      ["http://dev-grafana", "dev-grafana"],
    ]) {
      assert.deepEqual(problems({ url: u }), [
        `grafana.url: ${JSON.stringify(u)}: ${JSON.stringify(host)} resolves only inside the cluster, but the Grafana provider dials this URL from the machine running \`pulumi up\`; use the ingress or another external URL, or a local port (kind NodePort mapping, kubectl port-forward; docs/DEPLOY.md)`,
      ]);
    }
    assert.match(problems({ mode: "external", teamIsolation: "none", external: { url: "http://grafana.central.svc:3000", token: "t" } })[0], /^grafana\.external\.url: .*resolves only inside the cluster/);
    for (const ok of ["http://127.0.0.1:30300", "http://localhost:3000", "https://grafana.example.com"]) assert.doesNotThrow(() => parseConfig({ ...base, [G]: j({ url: ok }) }), ok);
  });

  it("says who creates the ingress's TLS Secret, and uses a node port only with type NodePort", () => {
    assert.deepEqual(problems({ ingress: { enabled: true, host: "g.example.com", controllerNamespace: "ingress-nginx", tls: { secretName: "grafana-tls" } } }), [
      `grafana.ingress.tls: nothing creates Secret "grafana-tls": set certManagerClusterIssuer (cert-manager issues it) or existingSecret: true (you create it before pulumi up)`,
    ]);
    assert.deepEqual(problems({ service: { nodePort: 30300 } }), [`grafana.service.nodePort: 30300 is only used with grafana.service.type "NodePort"`]);
  });

  it("refuses sidecar delivery to an external Grafana, ownsSharedContent=false in deploy mode, and an ingress without host", () => {
    assert.deepEqual(problems({ mode: "external", teamIsolation: "none", external: { url: "https://g.example.com", token: "t" }, dashboardDelivery: "sidecar" }), [
      `grafana.dashboardDelivery: "sidecar" needs grafana.mode "deploy" (the sidecar runs in this stack's Grafana pod); use "provider" with an external Grafana`,
    ]);
    assert.deepEqual(problems({ ownsSharedContent: false, ingress: { enabled: true, controllerNamespace: "ingress-nginx" }, external: { url: "https://g.example.com" } }), [
      `grafana.external: is only read when grafana.mode is "external"; remove it or set grafana.mode to "external"`,
      `grafana.ownsSharedContent: false is only allowed in external mode; a deployed Grafana's content always belongs to its stack`,
      `grafana.ingress.host: is required when grafana.ingress.enabled is true, e.g. "grafana.example.com"`,
    ]);
  });

  it("needs the ingress controller's namespace for Grafana's NetworkPolicy, unless NetworkPolicies are off", () => {
    assert.deepEqual(problems({ ingress: { enabled: true, host: "g.example.com" } }), [
      `grafana.ingress.controllerNamespace: is required when the Ingress is enabled and networkPolicies.enabled is true: Grafana's NetworkPolicy admits the ingress controller's pods by their namespace, e.g. "ingress-nginx"; or set networkPolicies.enabled: false`,
    ]);
    const off = parseConfig({ ...base, "monitoring:networkPolicies": j({ enabled: false }), [G]: j({ url: "https://g.example.com", ingress: { enabled: true, host: "g.example.com" } }) });
    assert.equal(off.grafana.ingress.controllerNamespace, undefined);
  });

  it("rejects a typo in a grafana key with a hint", () => {
    assert.deepEqual(problems({ dashboardDelivry: "sidecar" }), [
      `grafana.dashboardDelivry: unknown key (did you mean "dashboardDelivery"?); allowed: mode, chartVersion, url, service, ingress, persistence, resources, sidecarResources, adminPassword, readinessTimeoutSeconds, teamIsolation, platformMembers, external, ownsSharedContent, dataSourceUrls, dashboardDelivery`,
    ]);
  });

  it("does not judge the grafana section while Grafana is off", () => {
    const c = parseConfig({ ...base, "monitoring:features": j({ grafana: false }), [G]: j({ mode: "external" }) });
    assert.equal(c.grafana.mode, "external");
  });
});
