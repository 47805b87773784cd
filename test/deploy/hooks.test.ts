/**
 * The Helm hook inventory (scripts/helm-hooks.ts) and its evaluation (components/charts/hooks.ts): a
 * `helm.v4.Chart` never applies a hook, so an install/upgrade hook that would render is a problem.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { inventoryOf } from "../../scripts/helm-hooks";
import { allHold, evaluate, scanTemplate, UNKNOWN, walkTemplate, type Condition } from "../../components/charts/gotemplate";
import { coalesceValues, hookProblems, HOOKS_DIR, loadInventory, deleteHooks, type HookInventory } from "../../components/charts/hooks";
import { charts } from "../../components/versions";
import * as fs from "node:fs";

const FIXTURE = path.join(__dirname, "..", "fixtures", "hook-chart");

function fixtureInventory(): HookInventory {
  const hooks = inventoryOf([
    { prefix: "", dir: FIXTURE, alias: "" },
    { prefix: "charts/sub/", dir: path.join(FIXTURE, "sub"), alias: "sub", dependency: "sub.enabled" },
  ]);
  return {
    chart: "demo",
    version: "1.2.3",
    source: [],
    derivation: "",
    subchartsNotScanned: [{ alias: "other", condition: "other.enabled" }],
    hooks,
    defaults: { "job.enabled": true, "job.create": false, "migrate.enabled": false, "sub.enabled": false, "sub.bucket.create": true, "tests.hookType": "", extra: null, "other.enabled": false },
  };
}

describe("Go template conditions", () => {
  const scope = (values: Record<string, unknown>) => ({ values, release: { Name: "r", Namespace: "ns", IsInstall: true } });

  it("evaluates and/or/not/eq/default/hasKey like text/template and Sprig", () => {
    const s = scope({ a: { on: true, off: false, n: 0, s: "x", list: [], m: { k: 1 } } });
    assert.equal(evaluate("and .Values.a.on (not .Values.a.off)", s), true);
    assert.equal(evaluate("or .Values.a.off .Values.a.n", s), 0);
    assert.equal(evaluate('eq .Values.a.s "y" "x"', s), true);
    assert.equal(evaluate('.Values.a.missing | default "test"', s), "test");
    assert.equal(evaluate('hasKey .Values.a.m "k"', s), true);
    assert.equal(evaluate("empty .Values.a.list", s), true);
    assert.equal(evaluate(".Release.IsInstall", s), true);
  });

  it("answers UNKNOWN for what cannot be known offline, but false wins in a conjunction", () => {
    const s = scope({ on: false });
    assert.equal(evaluate('.Capabilities.APIVersions.Has "policy/v1beta1/PodSecurityPolicy"', s), UNKNOWN);
    assert.equal(evaluate('include "x" .', s), UNKNOWN);
    assert.equal(evaluate('and (.Capabilities.APIVersions.Has "x") .Values.on', s), false);
    const cs: Condition[] = [{ kind: "if", expr: "$var" }, { kind: "if", expr: ".Values.on" }];
    assert.equal(allHold(cs, s), false);
    assert.equal(allHold([{ kind: "if", expr: "$var" }], s), UNKNOWN);
  });

  it("tracks if / else if / else / with / range branches", () => {
    const src = '{{- if .Values.a }}A{{- else if .Values.b }}B{{ else }}C{{ end }}{{ with .Values.w }}W{{ end }}{{ range $i, $x := .Values.l }}L{{ end }}';
    const seen: Record<string, Condition[]> = {};
    walkTemplate(scanTemplate(src), { onText: (t, w) => (seen[t.text.trim()] = w.conditions()) });
    assert.deepEqual(seen.A, [{ kind: "if", expr: ".Values.a" }]);
    assert.deepEqual(seen.B, [{ kind: "not", expr: ".Values.a" }, { kind: "if", expr: ".Values.b" }]);
    assert.deepEqual(seen.C, [{ kind: "not", expr: ".Values.a" }, { kind: "not", expr: ".Values.b" }]);
    assert.deepEqual(seen.W, [{ kind: "with", expr: ".Values.w" }]);
    assert.deepEqual(seen.L, [{ kind: "range", expr: ".Values.l" }]);
  });

  it("coalesces values as Helm does: maps merge, a user null deletes the default", () => {
    assert.deepEqual(coalesceValues({ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 3 }, b: null }), { a: { x: 1, y: 3 } });
  });
});

describe("Helm hook inventory", () => {
  const use = (values: Record<string, unknown>, inv = fixtureInventory()) => {
    const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "hooks-"));
    fs.writeFileSync(path.join(dir, "demo-1.2.3.json"), JSON.stringify(inv));
    return hookProblems({ resource: "demo", chart: "demo", version: "1.2.3", releaseName: "r", namespace: "ns", values }, dir);
  };

  it("finds hooks in templates, in includes through nested defines, and in subcharts with their dependency condition", () => {
    const inv = fixtureInventory();
    const where = inv.hooks.map((h) => `${h.template} ${h.kind} ${h.hooks.join(",") || h.hookExpr}${h.via ? ` via ${h.via}` : ""}`);
    assert.deepEqual(where, [
      "templates/job.yaml Job pre-install,pre-upgrade",
      "templates/job.yaml ConfigMap post-install",
      "templates/job.yaml Secret post-delete",
      'templates/job.yaml ServiceAccount $.Values.tests.hookType | default "test"',
      "templates/migrate.yaml Job pre-upgrade via demo.outer",
      "charts/sub/templates/bucket.yaml Job post-install,post-upgrade",
    ]);
    assert.deepEqual(inv.hooks[5].conditions, [
      { kind: "if", expr: ".Values.sub.enabled" },
      { kind: "if", expr: ".Values.sub.bucket.create" },
    ]);
  });

  it("reports an install hook that renders with the chart's defaults", () => {
    assert.deepEqual(use({}), ["demo (demo-1.2.3): templates/job.yaml (Job) is a pre-install,pre-upgrade hook that renders with these values; helm.v4.Chart never applies it"]);
  });

  it("follows else branches and subcharts as the values switch them", () => {
    assert.deepEqual(use({ job: { enabled: false, create: false } }), []);
    assert.match(use({ job: { enabled: false, create: true } }).join("\n"), /job\.yaml \(ConfigMap\) is a post-install hook that renders/);
    assert.match(use({ job: { enabled: false }, sub: { enabled: true } }).join("\n"), /charts\/sub\/templates\/bucket\.yaml \(Job\) is a post-install,post-upgrade hook/);
    assert.deepEqual(use({ job: { enabled: false }, sub: { enabled: true, bucket: { create: false } } }), []);
  });

  it("evaluates a templated hook kind, and calls an undecidable condition a problem", () => {
    assert.match(use({ job: { enabled: false }, extra: { a: 1 }, tests: { hookType: "post-install" } }).join("\n"), /ServiceAccount\) is a post-install hook that renders/);
    assert.deepEqual(use({ job: { enabled: false }, extra: { a: 1 } }), []);
    assert.match(use({ job: { enabled: false }, migrate: { enabled: true } }).join("\n"), /migrate\.yaml \(Job\) via demo\.outer is a pre-upgrade hook whose conditions cannot be decided offline/);
  });

  it("refuses a subchart it did not scan once it is switched on, and a chart version with no inventory", () => {
    assert.match(use({ job: { enabled: false }, other: { enabled: true } }).join("\n"), /subchart other is on \(other\.enabled\) but its templates are not in the hook inventory/);
    assert.match(hookProblems({ resource: "x", chart: "demo", version: "9.9.9", releaseName: "r", namespace: "ns", values: {} }, HOOKS_DIR)[0], /no Helm hook inventory for this chart version/);
  });

  it("lists the delete hooks that pulumi destroy does not run", () => {
    const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "hooks-"));
    fs.writeFileSync(path.join(dir, "demo-1.2.3.json"), JSON.stringify(fixtureInventory()));
    const d = deleteHooks({ resource: "demo", chart: "demo", version: "1.2.3", releaseName: "r", namespace: "ns", values: { job: { enabled: false } } }, dir);
    assert.deepEqual(d.map((v) => `${v.entry.kind} ${v.kinds.join(",")}`), ["Secret post-delete"]);
  });

  it("has an inventory for every chart pinned for helm.v4.Chart", () => {
    for (const ref of [charts.kubePrometheusStack, charts.tempoDistributed, charts.spegel, charts.grafana]) {
      const inv = loadInventory(ref.chart, ref.version);
      assert.ok(inv, `no inventory for ${ref.chart} ${ref.version}`);
      assert.equal(inv.version, ref.version);
      assert.ok(inv.source.length > 0, `${ref.chart}: inventory names no upstream source`);
    }
  });
});
