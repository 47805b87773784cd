/** `npm run plan -- <stack>` as a user runs it: a real child process over stack files in a temp folder. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "../harness/program";

function plan(dir: string, stack: string) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "scripts/plan.ts"), stack, "--dir", dir], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
}

function tempProject(stackFiles: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
  fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [name, text] of Object.entries(stackFiles)) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

describe("npm run plan", () => {
  it("evaluates a valid stack, prints the tree and summary, and writes out/<stack>/", () => {
    const dir = tempProject({ dev: fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8") });
    const r = plan(dir, "dev");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /├─ MonitoringStack {2}dev/);
    assert.match(r.stdout, /Release {2}dev-operator-crds {2}\[retainOnDelete\]/);
    assert.match(r.stdout, /\d+ resources \(\d+ custom, \d+ components\)/);
    const out = path.join(dir, "out", "dev");
    const index = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
    assert.ok(index.some((x: any) => x.type === "kubernetes:monitoring.coreos.com/v1:Prometheus"));
    const prom = fs.readFileSync(path.join(out, "manifests", "monitoring", "Prometheus-platform.yaml"), "utf8");
    assert.match(prom, /^apiVersion: monitoring\.coreos\.com\/v1\nkind: Prometheus\n/);
    const chart = fs.readFileSync(path.join(out, "charts", "dev-operator.yaml"), "utf8");
    assert.match(chart, /chart: kube-prometheus-stack\nversion: \d+\.\d+\.\d+\nrepository: https:\/\//);
  });

  it("masks secret config as [secret] in everything it prints and writes", () => {
    const dev = fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8").replace(/context: kind-dev/, "context:\n      secure: AAABAJk1aW1x");
    const dir = tempProject({ dev });
    const r = plan(dir, "dev");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /secret keys: monitoring:kubernetes/);
    const all = fs.readFileSync(path.join(dir, "out", "dev", "resources.json"), "utf8");
    assert.ok(!all.includes("AAABAJk1aW1x"), "ciphertext leaked");
  });

  it("rejects a stack with a misspelled key and a bad value: exit 1, every problem on stderr, nothing written", () => {
    const bad = "config:\n  monitoring:cluster:\n    name: dev\n  monitoring:featurs:\n    tempo: true\n  monitoring:teams:\n    - name: a\n      namespaces: [a]\n      retention: 15 days\n";
    const dir = tempProject({ bad });
    const r = plan(dir, "bad");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /monitoring:featurs: unknown key \(did you mean "features"\?\)/);
    assert.match(r.stderr, /teams\[0\]\.retention: "15 days" is not a duration/);
    assert.match(r.stderr, /Nothing was written/);
    assert.equal(fs.existsSync(path.join(dir, "out")), false);
  });

  it("refuses a stack the Pulumi CLI would refuse, with the CLI's message: exit 1, nothing written", () => {
    const dir = tempProject({ nocluster: "config:\n  monitoring:features:\n    tempo: false\n" });
    const r = plan(dir, "nocluster");
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /pulumi up would stop before the program runs:\n  validating stack config: Stack 'nocluster' is missing configuration value 'cluster'\n/);
    assert.match(r.stderr, /Nothing was written/);
    assert.equal(fs.existsSync(path.join(dir, "out")), false);
  });

  it("refuses a YAML syntax error like every other config error, naming the file, line and column", () => {
    const dir = tempProject({ broken: "config:\n  monitoring:cluster: {name: dev\n" });
    const r = plan(dir, "broken");
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /Pulumi\.broken\.yaml:\d+:\d+: /);
    assert.equal(fs.existsSync(path.join(dir, "out")), false);
  });

  it("refuses a stack whose chart version has no hook inventory: nothing shows helm.v4.Chart can install it", () => {
    // 88.4.0 ships the same operator as the pinned 88.5.3 (config accepts it), but no inventory was derived.
    const dev = fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8") + "  monitoring:operator:\n    chartVersion: 88.4.0\n";
    const dir = tempProject({ dev });
    const r = plan(dir, "dev");
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /deploy problem: pulumi up would not converge:\n  - dev-operator \(kube-prometheus-stack-88\.4\.0\): no Helm hook inventory for this chart version/);
    assert.equal(fs.existsSync(path.join(dir, "out")), false);
  });

  it("names the available stacks when the stack does not exist", () => {
    const dir = tempProject({ dev: "config:\n  monitoring:cluster:\n    name: dev\n" });
    const r = plan(dir, "qa");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no stack file Pulumi\.qa\.yaml; stacks here: dev/);
  });
});
