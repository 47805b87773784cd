import * as assert from "assert";
import * as path from "path";
import { ContentError, loadDashboards, loadFolders, parseStrictJson } from "../../components/content/dashboards";

const FIXTURES = path.join(__dirname, "fixtures");
const fixture = (name: string): string => path.join(FIXTURES, name);
const F = "test/dashboards/fixtures";

function loadError(name: string): string {
  try {
    loadDashboards(fixture(name));
  } catch (e) {
    assert.ok(e instanceof ContentError, `expected a ContentError, got ${e}`);
    return (e as Error).message;
  }
  throw new Error(`loading fixture ${name} should have failed`);
}

describe("dashboard loader", () => {
  it("loads every dashboard of the repository with uid, title, folder, file and the parsed model", () => {
    const dashboards = loadDashboards();
    assert.deepStrictEqual(
      dashboards.map((d) => [d.folder, d.uid, d.file]),
      [
        ["batch", "ms-kueue-pending-workloads", "dashboards/batch/kueue-pending-workloads.json"],
        ["platform", "ms-kubernetes-images", "dashboards/platform/kubernetes-images.json"],
        ["platform", "ms-monitoring-health", "dashboards/platform/monitoring-health.json"],
        ["platform", "ms-spegel", "dashboards/platform/spegel.json"],
        ["platform", "ms-tempo", "dashboards/platform/tempo.json"],
      ],
    );
    for (const d of dashboards) {
      assert.strictEqual(d.json.uid, d.uid);
      assert.strictEqual(d.json.title, d.title);
    }
  });

  it("reads folder titles from folders.json, sorted by key", () => {
    assert.deepStrictEqual(loadFolders(), [
      { key: "batch", title: "Batch (Kueue)" },
      // kube-prometheus-stack's dashboards are filed here by Grafana's sidecar (no repository dashboard).
      { key: "kubernetes", title: "Kubernetes" },
      { key: "platform", title: "Platform" },
    ]);
  });

  it("loads a good fixture in folder then file order", () => {
    const ds = loadDashboards(fixture("good"));
    assert.deepStrictEqual(
      ds.map((d) => ({ uid: d.uid, title: d.title, folder: d.folder, file: d.file })),
      [
        { uid: "ms-b", title: "B", folder: "batch", file: `${F}/good/batch/b.json` },
        { uid: "ms-a", title: "A", folder: "platform", file: `${F}/good/platform/a.json` },
      ],
    );
  });

  it("rejects duplicate keys, which JSON.parse would silently drop, naming line, column and path", () => {
    assert.strictEqual(
      loadError("duplicate-key"),
      [
        `${F}/duplicate-key/platform/a.json: duplicate key "id" at line 6 column 35 (in $.panels[1])`,
        `${F}/duplicate-key/platform/a.json: duplicate key "title" at line 8 column 3 (in $)`,
      ].join("\n"),
    );
  });

  it("rejects a dashboard without uid", () => {
    assert.strictEqual(
      loadError("missing-uid"),
      `${F}/missing-uid/platform/no-uid.json: missing "uid"; every dashboard needs a unique, stable uid such as "ms-no-uid"`,
    );
  });

  it("rejects a uid used twice, naming both files", () => {
    assert.strictEqual(
      loadError("duplicate-uid"),
      `${F}/duplicate-uid/platform/second.json: uid "ms-same" is already used by ${F}/duplicate-uid/batch/first.json`,
    );
  });

  it("rejects a folder directory missing from folders.json", () => {
    assert.strictEqual(
      loadError("unknown-folder"),
      `${F}/unknown-folder/ops: folder "ops" is not declared in ${F}/unknown-folder/folders.json (declared: platform)`,
    );
  });

  it("rejects invalid JSON with line and column", () => {
    assert.strictEqual(loadError("invalid-json"), `${F}/invalid-json/platform/a.json: invalid JSON at line 4 column 1: expected a string key but found "}"`);
  });
});

describe("strict JSON parser", () => {
  it("returns what JSON.parse returns for every dashboard file", () => {
    const fs = require("fs") as typeof import("fs");
    for (const d of loadDashboards()) {
      const text = fs.readFileSync(path.resolve(__dirname, "..", "..", d.file), "utf8");
      assert.deepStrictEqual(parseStrictJson(text).value, JSON.parse(text));
    }
  });

  it("keeps a __proto__ key as data, like JSON.parse", () => {
    const { value } = parseStrictJson('{"__proto__": {"polluted": true}}');
    assert.deepStrictEqual(Object.keys(value as object), ["__proto__"]);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });

  it("reports all duplicates, nested ones with their path", () => {
    const { duplicates } = parseStrictJson('{"a": [{"b": 1, "b": 2}], "a": 3}');
    assert.deepStrictEqual(duplicates, [
      { key: "b", path: "$.a[0]", line: 1, column: 17 },
      { key: "a", path: "$", line: 1, column: 27 },
    ]);
  });

  it("rejects trailing garbage and unterminated strings", () => {
    assert.throws(() => parseStrictJson('{"a": 1} x'), /line 1 column 10: unexpected "x" after the end of the JSON value/);
    assert.throws(() => parseStrictJson('{"a": "x'), /line 1 column 9: unterminated string/);
  });
});
