import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
  AlertGroup,
  ContentError,
  DEFAULT_ALERTS_DIR,
  TEST_SUFFIX,
  kebabCase,
  loadAlertGroups,
  loadRecordingGroups,
  runbookPath,
  toPrometheusRuleFile,
} from "../../components/content/alerts";
import { lintRuleExpr } from "../dashboards/lint";
import { REPO_ROOT, promtool, tempDir } from "../support/prometheus";

const FIXTURES = path.join(__dirname, "fixtures");
const F = "test/alerts/fixtures";

function loadError(name: string): string {
  const dir = path.join(FIXTURES, name);
  try {
    loadAlertGroups(dir, dir);
  } catch (e) {
    assert.ok(e instanceof ContentError, `expected a ContentError, got ${e}`);
    return (e as Error).message;
  }
  throw new Error(`loading fixture ${name} should have failed`);
}

const groups = loadAlertGroups();
const alerts = groups.flatMap((g) => g.rules.map((r) => ({ group: g, rule: r })));

describe("alert loader", () => {
  it("loads every alert group of the repository, with its folder", () => {
    assert.deepStrictEqual(
      groups.map((g) => [g.folder, g.name, g.file]),
      [
        ["batch", "kueue", "alerts/batch/kueue.rules.yaml"],
        ["batch", "kueue-exporter", "alerts/batch/kueue.rules.yaml"],
        ["platform", "kubernetes-image-policy", "alerts/platform/images.rules.yaml"],
        ["platform", "prometheus", "alerts/platform/monitoring.rules.yaml"],
        ["platform", "prometheus-operator", "alerts/platform/monitoring.rules.yaml"],
        ["platform", "prometheus-remote-write", "alerts/platform/remote-write.rules.yaml"],
        ["platform", "spegel", "alerts/platform/spegel.rules.yaml"],
        ["platform", "tempo", "alerts/platform/tempo.rules.yaml"],
      ],
    );
  });

  it("returns alerting and recording groups separately", () => {
    const dir = path.join(FIXTURES, "good");
    assert.deepStrictEqual(loadAlertGroups(dir, dir), [
      {
        folder: "platform",
        file: `${F}/good/platform/x.rules.yaml`,
        name: "x",
        interval: "30s",
        rules: [
          {
            alert: "XDown",
            expr: 'up{job="x"} == 0',
            for: "5m",
            labels: { severity: "critical", team: "platform" },
            annotations: { summary: "X is down.", description: "X has been down for 5 minutes.", runbook_url: "docs/runbooks/x-down.md" },
          },
        ],
      },
    ]);
    assert.deepStrictEqual(loadRecordingGroups(dir, dir), [
      { folder: "platform", file: `${F}/good/platform/x.rules.yaml`, name: "x-recording", rules: [{ record: "job:up:sum", expr: "sum by (job) (up)", labels: {} }] },
    ]);
  });

  const cases: [string, string][] = [
    ["missing-severity", `${F}/missing-severity/platform/x.rules.yaml: group "x", alert "XDown": labels.severity is missing; use one of critical, warning, info`],
    ["bad-severity", `${F}/bad-severity/platform/x.rules.yaml: group "x", alert "XDown": labels.severity "major" is not one of critical, warning, info`],
    ["missing-runbook", `${F}/missing-runbook/platform/x.rules.yaml: group "x", alert "XDown": annotations.runbook_url is missing; use "docs/runbooks/x-down.md"`],
    [
      "wrong-runbook",
      [
        `${F}/wrong-runbook/platform/x.rules.yaml: group "x", alert "XDown": for "5 minutes" is not a duration; use e.g. "15m"`,
        `${F}/wrong-runbook/platform/x.rules.yaml: group "x", alert "XDown": annotations.runbook_url "https://example.com/runbooks/XDown" must be "docs/runbooks/x-down.md"`,
      ].join("\n"),
    ],
    [
      "duplicate-group",
      `${F}/duplicate-group/platform/b.rules.yaml: group "shared": the group name is already used by ${F}/duplicate-group/platform/a.rules.yaml (group names must be unique across all rule files)`,
    ],
    ["mixed-group", `${F}/mixed-group/platform/x.rules.yaml: group "x": mixes alerting and recording rules; put recording rules in their own group`],
    ["unknown-folder", `${F}/unknown-folder/ops: folder "ops" is not declared in ${F}/unknown-folder/folders.json (declared: platform)`],
    ["duplicate-key", `${F}/duplicate-key/platform/x.rules.yaml: invalid YAML at line 6 column 54: Map keys must be unique`],
  ];
  for (const [fixture, message] of cases) {
    it(`rejects ${fixture} with an exact message`, () => assert.strictEqual(loadError(fixture), message));
  }

  it("turns alert names into runbook paths", () => {
    assert.strictEqual(kebabCase("SpegelMirrorFailuresHigh"), "spegel-mirror-failures-high");
    assert.strictEqual(kebabCase("KueueAPIErrors"), "kueue-api-errors");
    assert.strictEqual(runbookPath("TempoBackendErrors"), "docs/runbooks/tempo-backend-errors.md");
  });
});

describe("alert rules", () => {
  for (const { group, rule } of alerts) {
    it(`${rule.alert}: expression parses and uses counters only through rate/increase`, () => {
      assert.deepStrictEqual(lintRuleExpr(rule.expr, `${group.file} ${rule.alert}`), []);
    });
    it(`${rule.alert}: has a runbook with Meaning, Impact, Diagnosis and Mitigation`, () => {
      const file = path.join(REPO_ROOT, rule.annotations.runbook_url);
      assert.ok(fs.existsSync(file), `${rule.annotations.runbook_url} does not exist`);
      const text = fs.readFileSync(file, "utf8");
      assert.ok(text.startsWith(`# ${rule.alert}\n`), `${rule.annotations.runbook_url} must start with "# ${rule.alert}"`);
      const sections = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
      assert.deepStrictEqual(sections, ["Meaning", "Impact", "Diagnosis", "Mitigation"]);
      for (const part of text.split(/^## .+$/m).slice(1)) assert.ok(part.trim().length > 40, `${rule.annotations.runbook_url} has an empty section`);
    });
    it(`${rule.alert}: is labelled for the platform team`, () => assert.strictEqual(rule.labels.team, "platform"));
  }

  for (const g of loadRecordingGroups()) {
    for (const r of g.rules) {
      it(`recording rule ${r.record}: expression parses and uses counters only through rate/increase`, () => {
        assert.deepStrictEqual(lintRuleExpr(r.expr, `${g.file} ${r.record}`), []);
      });
    }
  }

  it("no runbook is orphaned", () => {
    const linked = new Set(alerts.map((a) => path.basename(a.rule.annotations.runbook_url)));
    const files = fs.readdirSync(path.join(REPO_ROOT, "docs", "runbooks")).filter((f) => f.endsWith(".md") && f !== "README.md");
    assert.deepStrictEqual(files.filter((f) => !linked.has(f)), []);
  });
});

interface PromtoolTestFile {
  rule_files: string[];
  tests: { name?: string; promql_expr_test?: { expr: string; exp_samples?: unknown[] }[]; alert_rule_test?: { alertname: string; exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[] }[] }[];
}

function testFiles(): string[] {
  const out: string[] = [];
  for (const folder of fs.readdirSync(DEFAULT_ALERTS_DIR)) {
    const dir = path.join(DEFAULT_ALERTS_DIR, folder);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith(TEST_SUFFIX)) out.push(path.join(dir, f));
  }
  return out;
}

describe("promtool, on the rule file Grafana gets", function () {
  let work: string;
  let combined: string;

  before(() => {
    work = tempDir("alerts");
    combined = path.join(work, "all.rules.yaml");
    // The same objects the Grafana component converts, written back out as one Prometheus rule file.
    fs.writeFileSync(combined, toPrometheusRuleFile([...loadAlertGroups(), ...loadRecordingGroups()]));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("promtool check rules accepts it", () => {
    const r = promtool(["check", "rules", combined]);
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  });

  it("promtool check rules rejects a broken rule (the check is not vacuous)", () => {
    const bad = path.join(work, "bad.rules.yaml");
    const g: AlertGroup = { ...groups[0], rules: [{ ...groups[0].rules[0], expr: "sum(rate(up[5m])" }] };
    fs.writeFileSync(bad, toPrometheusRuleFile([g]));
    assert.notStrictEqual(promtool(["check", "rules", bad]).status, 0);
  });

  for (const file of testFiles()) {
    const shown = path.relative(REPO_ROOT, file);
    it(`promtool test rules ${shown}`, () => {
      const doc = YAML.parse(fs.readFileSync(file, "utf8")) as PromtoolTestFile;
      // Runnable on its own (promtool test rules <file>) against its sibling rule file...
      assert.deepStrictEqual(doc.rule_files, [path.basename(file).replace(TEST_SUFFIX, ".rules.yaml")]);
      // ...and here against the loader's output.
      const copy = path.join(work, path.basename(file));
      fs.writeFileSync(copy, YAML.stringify({ ...doc, rule_files: [combined] }, { lineWidth: 0 }));
      const r = promtool(["test", "rules", copy]);
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });
  }

  it("a wrong expectation fails promtool (the tests can fail)", () => {
    const [file] = testFiles();
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as PromtoolTestFile;
    const firing = doc.tests.flatMap((t) => t.alert_rule_test ?? []).find((a) => (a.exp_alerts ?? []).length > 0);
    assert.ok(firing);
    firing.exp_alerts![0].exp_annotations!.summary = "not what the rule says";
    const copy = path.join(work, "mutated.test.yaml");
    fs.writeFileSync(copy, YAML.stringify({ ...doc, rule_files: [combined] }, { lineWidth: 0 }));
    const r = promtool(["test", "rules", copy]);
    assert.notStrictEqual(r.status, 0, "promtool accepted a wrong expectation");
  });

  it("every recording rule has a promql_expr_test of the series it records", () => {
    const tested = new Set<string>();
    for (const file of testFiles()) {
      const doc = YAML.parse(fs.readFileSync(file, "utf8")) as PromtoolTestFile;
      for (const t of doc.tests) for (const e of t.promql_expr_test ?? []) if ((e.exp_samples ?? []).length > 0) tested.add(e.expr.trim());
    }
    const untested = loadRecordingGroups()
      .flatMap((g) => g.rules.map((r) => r.record))
      .filter((name) => !tested.has(name));
    assert.deepEqual(untested, [], "recorded series without a promtool case that expects samples of it");
  });

  it("every alert has a firing case (labels and annotations) and a quiet case", () => {
    const firing = new Map<string, number>();
    const quiet = new Map<string, number>();
    for (const file of testFiles()) {
      const doc = YAML.parse(fs.readFileSync(file, "utf8")) as PromtoolTestFile;
      for (const t of doc.tests) {
        for (const a of t.alert_rule_test ?? []) {
          const exp = a.exp_alerts ?? [];
          if (exp.length === 0) {
            quiet.set(a.alertname, (quiet.get(a.alertname) ?? 0) + 1);
            continue;
          }
          for (const e of exp) {
            assert.ok(e.exp_labels?.severity && e.exp_labels.team, `${a.alertname}: a firing case must expect severity and team labels`);
            for (const k of ["summary", "description", "runbook_url"]) assert.ok(e.exp_annotations?.[k], `${a.alertname}: a firing case must expect annotation ${k}`);
          }
          firing.set(a.alertname, (firing.get(a.alertname) ?? 0) + 1);
        }
      }
    }
    const missing = alerts
      .map((a) => a.rule.alert)
      .filter((name) => !firing.get(name) || !quiet.get(name))
      .map((name) => `${name}: ${firing.get(name) ?? 0} firing, ${quiet.get(name) ?? 0} quiet`);
    assert.deepStrictEqual(missing, []);
  });
});
