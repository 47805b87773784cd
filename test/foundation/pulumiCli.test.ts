/**
 * `readStackConfig` does what the Pulumi CLI does with Pulumi.yaml and a stack file before it runs the
 * program (pulumi/pulumi@1b594989 pkg/workspace/config.go, sdk/go/common/workspace/project.go and
 * loaders.go; rules P1–P4, S1–S3, M1–M2 in components/config/stackFiles.ts), with the CLI's messages.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { missingKeysMessage, PulumiCliError, readStackConfig, SECRET_PLACEHOLDER } from "../../components/config/stackFiles";
import { REPO } from "../harness/program";

function project(projectYaml: string, stackYaml: string | null, stack = "dev"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), projectYaml);
  if (stackYaml !== null) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackYaml);
  return dir;
}

const demo = (config: string) => `name: demo\nruntime: nodejs\n${config ? `config:\n${config}` : ""}`;

function refusal(projectYaml: string, stackYaml: string, stack = "dev"): PulumiCliError {
  try {
    readStackConfig(project(projectYaml, stackYaml, stack), stack);
  } catch (e) {
    assert.ok(e instanceof PulumiCliError, `expected a PulumiCliError, got ${e}`);
    return e;
  }
  assert.fail("expected the CLI to refuse this stack");
}

describe("the Pulumi CLI's config handling, as plan does it", () => {
  it("refuses the first landing's Pulumi.yaml (declarations without defaults) with the CLI's message", () => {
    // The 11 keys of the first landing, each with a description only; the dev stack file of that landing.
    const keys = ["cluster", "kubernetes", "namespaces", "features", "operator", "platformPrometheus", "teams", "tempo", "spegel", "kueueExporter", "grafana"];
    const old = demo(keys.map((k) => `  ${k}:\n    description: ${k}\n`).join("")).replace("name: demo", "name: monitoring");
    const dev = ["cluster", "kubernetes", "features", "platformPrometheus", "teams", "kueueExporter", "grafana"].map((k) => `  monitoring:${k}: {}\n`).join("");
    const e = refusal(old, `config:\n${dev}`);
    assert.equal(e.kind, "config");
    assert.equal(e.message, "validating stack config: Stack 'dev' is missing configuration values 'namespaces', 'operator', 'spegel' and 'tempo'");
  });

  it("formats one, two and three missing keys as the CLI does (config.go formatMissingKeys)", () => {
    assert.equal(missingKeysMessage("dev", ["b"]), "Stack 'dev' is missing configuration value 'b'");
    assert.equal(missingKeysMessage("dev", ["b", "a"]), "Stack 'dev' is missing configuration values 'a' and 'b'");
    assert.equal(missingKeysMessage("prod", ["c", "a", "b"]), "Stack 'prod' is missing configuration values 'a', 'b' and 'c'");
  });

  it("treats a primitive or a list as shorthand for a default, and the stack's value wins", () => {
    const dir = project(demo("  size: 3\n  name: web\n  on: true\n  zones: [a, b]\n"), "config:\n  demo:name: api\n");
    const c = readStackConfig(dir, "dev").config;
    assert.deepEqual(c, { "demo:size": "3", "demo:name": "api", "demo:on": "true", "demo:zones": '["a","b"]' });
  });

  it("treats an empty object as a declaration with no default: the stack must set it", () => {
    const e = refusal(demo("  namespaces: {}\n"), "config: {}\n");
    assert.equal(e.message, "validating stack config: Stack 'dev' is missing configuration value 'namespaces'");
  });

  it("gives a declared default (objects as JSON) to a stack that does not set the key", () => {
    const dir = project(demo("  features:\n    type: object\n    default: {}\n  teams:\n    type: array\n    items: {type: object}\n    default: []\n"), "config: {}\n");
    assert.deepEqual(readStackConfig(dir, "dev").config, { "demo:features": "{}", "demo:teams": "[]" });
  });

  it("applies a shorthand value of another namespace as a value, and never reports such keys missing", () => {
    const dir = project(demo("  aws:region: eu-west-1\n"), "config: {}\n");
    assert.deepEqual(readStackConfig(dir, "dev").config, { "aws:region": "eu-west-1" });
  });

  it("namespaces a stack key written without one with the project's name", () => {
    const dir = project(demo("  replicas:\n    type: integer\n"), "config:\n  replicas: 2\n");
    assert.deepEqual(readStackConfig(dir, "dev").config, { "demo:replicas": "2" });
  });

  const projectErrors: [string, string, string][] = [
    ["a declaration with both default and value", "  x:\n    default: 1\n    value: 2\n", "project config 'x' cannot have both a 'default' and 'value' attribute"],
    ["an array type without items", "  x:\n    type: array\n", "The configuration key 'x' declares an array but does not specify the underlying type via the 'items' attribute"],
    ["list items without a type", "  x:\n    type: array\n    items: {}\n", "#/config/x/items: missing properties: 'type'"],
    ["a typed default of the wrong type", "  x:\n    type: integer\n    default: many\n", "The default value specified for configuration key 'x' is not of the expected type 'integer'"],
    ["a type on another namespace's key", "  aws:region:\n    type: string\n    value: x\n", "Configuration key 'aws:region' is not namespaced by the project and should not define a type"],
    [
      "a default on another namespace's key",
      "  aws:region:\n    default: x\n",
      "Configuration key 'aws:region' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?",
    ],
    ["another namespace's key without a value", "  aws:region:\n    description: the region\n", "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'"],
    ["an unknown attribute in a declaration", "  x:\n    defualt: 1\n", "#/config/x: 'defualt' not allowed"],
    ["an unknown type", "  x:\n    type: map\n", '#/config/x/type: value must be one of "string", "integer", "boolean", "array", "object"'],
  ];
  for (const [what, config, message] of projectErrors) {
    it(`refuses Pulumi.yaml with ${what}`, () => {
      const e = refusal(demo(config), "config: {}\n");
      assert.equal(e.kind, "project");
      assert.ok(e.message.includes(message), `${e.message}\n  does not contain\n${message}`);
    });
  }

  it("refuses a Pulumi.yaml without a name", () => {
    const e = refusal("runtime: nodejs\n", "config: {}\n");
    assert.match(e.message, /project is missing a 'name' attribute$/);
  });

  const typed: [string, string, string, boolean][] = [
    ["a number for a string (it arrives as its text)", "string", "3", true],
    ["a string of digits for an integer", "integer", '"42"', true],
    ["a word for an integer", "integer", "many", false],
    ["a boolean", "boolean", "true", true],
    ["yes for a boolean", "boolean", "yes", false],
    ["a map for an object", "object", "{a: 1}", true],
    ["a string for an object", "object", "abc", false],
    ["a list for an object", "object", "[1]", false],
  ];
  for (const [what, type, value, ok] of typed) {
    it(`${ok ? "accepts" : "refuses"} ${what} (typed keys only)`, () => {
      const dir = project(demo(`  x:\n    type: ${type}\n`), `config:\n  demo:x: ${value}\n`);
      if (ok) assert.doesNotThrow(() => readStackConfig(dir, "dev"));
      else assert.equal(refusal(demo(`  x:\n    type: ${type}\n`), `config:\n  demo:x: ${value}\n`).message, `validating stack config: Stack 'dev' with configuration key 'x' must be of type '${type}'`);
    });
  }

  it("checks the items of a typed list: array<object>", () => {
    const p = demo("  teams:\n    type: array\n    items:\n      type: object\n");
    assert.equal(refusal(p, "config:\n  demo:teams: [a, b]\n").message, "validating stack config: Stack 'dev' with configuration key 'teams' must be of type 'array<object>'");
    assert.doesNotThrow(() => readStackConfig(project(p, "config:\n  demo:teams:\n    - name: a\n"), "dev"));
  });

  it("does not type-check an untyped declaration", () => {
    assert.doesNotThrow(() => readStackConfig(project(demo("  x:\n    description: anything\n"), "config:\n  demo:x: [1, 2]\n"), "dev"));
  });

  it("requires a `secret: true` key to be encrypted (secure:) in the stack file", () => {
    const p = demo("  token:\n    type: string\n    secret: true\n");
    assert.equal(refusal(p, "config:\n  demo:token: plain\n").message, "validating stack config: Stack 'dev' with configuration key 'token' must be encrypted as it's secret");
    const r = readStackConfig(project(p, "config:\n  demo:token:\n    secure: AAABAxyz\n"), "dev");
    assert.deepEqual(r.secretKeys, ["demo:token"]);
    assert.equal(r.config["demo:token"], SECRET_PLACEHOLDER);
  });

  it("marks a key secret when any value inside it is secure, and hides the ciphertext", () => {
    const r = readStackConfig(project(demo(""), "config:\n  demo:grafana:\n    external:\n      token:\n        secure: AAABAxyz\n"), "dev");
    assert.deepEqual(r.secretKeys, ["demo:grafana"]);
    assert.equal(r.config["demo:grafana"], JSON.stringify({ external: { token: SECRET_PLACEHOLDER } }));
  });

  it("lists where every secure value is, which the key-level secretKeys cannot say", () => {
    const stack = "config:\n  demo:alerting:\n    smtp:\n      user: u\n      password:\n        secure: AAABAxyz\n    routes:\n      - url:\n          secure: AAABAxyz\n  demo:token:\n    secure: AAABAxyz\n  demo:plain: x\n";
    const r = readStackConfig(project(demo(""), stack), "dev");
    assert.deepEqual(r.secretKeys, ["demo:alerting", "demo:token"]);
    assert.deepEqual(r.securePaths, ["demo:alerting.routes[0].url", "demo:alerting.smtp.password", "demo:token"]);
  });

  it("reports a key with no value as the CLI's warning (an empty string)", () => {
    const r = readStackConfig(project(demo(""), "config:\n  demo:a:\n  demo:b:\n"), "dev");
    assert.equal(r.config["demo:a"], "");
    assert.deepEqual(r.warnings, ['No value for configuration keys "demo:a" and "demo:b". This is currently treated as an empty string `""`, but will be treated as `null` in a future version of pulumi.\nSet the values to `""` to avoid this warning.']);
  });

  const stackErrors: [string, string, RegExp][] = [
    ["a key with two colons that is not <ns>:config:<name>", "config:\n  a:b:c: 1\n", /could not parse a:b:c as a configuration key \(configuration keys should be of the form `<namespace>:<name>`\)/],
    ["a config that is a list", "config:\n  - a\n", /`config` must be a mapping of <namespace>:<key> to values; found a list/],
    ["a stack file that is a list", "- config\n", /expected the stack file to be a mapping/],
    ["a YAML syntax error (file, line and column)", "config:\n  demo:a: [1, 2\n", /Pulumi\.dev\.yaml:\d+:\d+: /],
    ["duplicate keys", "config:\n  demo:a: 1\n  demo:a: 2\n", /Pulumi\.dev\.yaml:3:3: Map keys must be unique/],
    ["an ESC environment, which plan cannot resolve offline", "environment:\n  - org/env\nconfig: {}\n", /imports ESC environments/],
  ];
  for (const [what, stackYaml, re] of stackErrors) {
    it(`refuses a stack file with ${what}`, () => {
      const e = refusal(demo(""), stackYaml);
      assert.equal(e.kind, "stack");
      assert.match(e.message, re);
    });
  }

  it("accepts the old <namespace>:config:<name> key form", () => {
    assert.deepEqual(readStackConfig(project(demo(""), "config:\n  demo:config:a: 1\n"), "dev").config, { "demo:a": "1" });
  });

  it("passes every committed stack of this repository", () => {
    for (const f of fs.readdirSync(REPO).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
      const stack = f.slice("Pulumi.".length, -".yaml".length);
      const r = readStackConfig(REPO, stack);
      assert.deepEqual(r.warnings, [], f);
      assert.ok(r.config["monitoring:cluster"], `${f}: no cluster`);
    }
  });
});
