/**
 * Every config mistake is a clear error, all at once, and nothing is declared (issue 11 item 6).
 *
 * One bad stack file per class of mistake that used to slip through, each run both ways a user meets it:
 * `npm run plan` (a child process: exit code, its whole stderr, no stack trace, nothing written) and the
 * program itself under mocks, as `pulumi up` runs it (the config the CLI would pass, and the stack file in
 * the project root: the error it throws, a RunError so the CLI prints no stack trace, and zero resources).
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PulumiCliError, readStackConfig } from "../../components/config/stackFiles";
import { REPO } from "../harness/program";
import { runWithMocks } from "../harness/mocks";
// Internal SDK state: the project root the CLI passes the program (--root-directory), which mocks leave unset.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkState = require("@pulumi/pulumi/runtime/state");

const RUNBOOKS = "  monitoring:alerting:\n    runbookBaseUrl: https://github.com/example-org/monitoring-stack/blob/main/\n";
const BASE = `config:\n  monitoring:cluster:\n    name: dev\n${RUNBOOKS}`;
const SEMVER = `is not an exact chart version; use a semantic version such as "1.2.3" (no range, no leading "v")`;
const QTY = `use a positive quantity, e.g. "500m", "2", "256Mi" or "10Gi"`;

interface Mistake {
  /** The class of issue 11 item 6 it belongs to, and what it is. */
  what: string;
  /** Pulumi.<stack>.yaml. */
  file: string;
  /** Config problems (the program's ConfigError), or … */
  problems?: string[];
  /** … where the stack file itself is refused (PulumiCliError), given the file's path as printed. */
  cli?: (file: string) => string;
}

const mistakes: Mistake[] = [
  {
    what: "1. chart versions no chart repository could serve (not semver 2.0: a leading v, two parts, a tag, a range)",
    file:
      BASE +
      "  monitoring:operator:\n    chartVersion: v88.5.3\n  monitoring:tempo:\n    chartVersion: '2.26'\n" +
      "  monitoring:spegel:\n    chartVersion: latest\n  monitoring:grafana:\n    chartVersion: ^12.11.1\n",
    problems: [
      `operator.chartVersion: "v88.5.3" ${SEMVER}`,
      `tempo.chartVersion: "2.26" ${SEMVER}`,
      `spegel.chartVersion: "latest" ${SEMVER}`,
      `grafana.chartVersion: "^12.11.1" ${SEMVER}`,
    ],
  },
  {
    what: "2. sizes, durations and quantities of zero or without a number",
    file:
      BASE +
      "  monitoring:operator:\n    resources:\n      requests: { cpu: '0', memory: 0Mi }\n" +
      "  monitoring:platformPrometheus:\n    retention: 0d\n    retentionSize: GB\n    storage: { size: 0Gi }\n" +
      "  monitoring:teams:\n    - name: payments\n      namespaces: [payments]\n      retentionSize: 0GB\n      scrapeInterval: '0'\n      storage: { size: Gi }\n" +
      "  monitoring:tempo:\n    retention: 0h\n    storage:\n      minio: { size: '0' }\n" +
      "  monitoring:grafana:\n    persistence: { size: 0.0Gi }\n",
    problems: [
      `operator.resources.requests.cpu: "0" is zero; ${QTY}`,
      `operator.resources.requests.memory: "0Mi" is zero; ${QTY}`,
      `platformPrometheus.retention: "0d" is zero; use a positive duration, e.g. "15d" or "12h"`,
      `platformPrometheus.retentionSize: "GB" is not a size; use e.g. "50GB" or "500MB" (units B, KB, MB, GB, TB, PB, EB)`,
      `platformPrometheus.storage.size: "0Gi" is zero; ${QTY}`,
      `teams[0].retentionSize: "0GB" is zero; use a positive size, e.g. "50GB" or "500MB"`,
      `teams[0].scrapeInterval: "0" is zero; use a positive duration, e.g. "15d" or "12h"`,
      `teams[0].storage.size: "Gi" is not a Kubernetes quantity; use e.g. "500m", "2", "256Mi" or "10Gi"`,
      `tempo.storage.minio.size: "0" is zero; ${QTY}`,
      `tempo.retention: "0h" is zero; use a positive Go duration, e.g. "48h" or "336h"`,
      `grafana.persistence.size: "0.0Gi" is zero; ${QTY}`,
    ],
  },
  {
    what: "3. a plaintext credential next to a secure one in the same key",
    file:
      "config:\n  monitoring:cluster:\n    name: dev\n  monitoring:alerting:\n    runbookBaseUrl: https://github.com/example-org/monitoring-stack/blob/main/\n" +
      "    contactPoints:\n      - name: hook\n        type: webhook\n        settings:\n          url: https://hooks.example.com/T0KEN\n          username: alertmanager\n" +
      "          password:\n            secure: AAABAJk1aW1x\n    defaultContactPoint: hook\n",
    problems: [
      "alerting.contactPoints[0].settings.url: is a credential and must be secret config; set it with: pulumi config set --secret --path 'alerting.contactPoints[0].settings.url' <value>",
    ],
  },
  {
    what: "4. field problems, duplicates and cross-key rules together",
    file:
      BASE.replace(RUNBOOKS, "") +
      "  monitoring:namespaces:\n    tempo: monitoring\n  monitoring:features:\n    tempo: yes please\n" +
      "  monitoring:teams:\n    - name: payments\n      namespaces: [payments]\n    - name: payments\n      namespaces: [search, payments]\n      retention: 2 weeks\n" +
      "  monitoring:alerting:\n    runbookBaseUrl: https://github.com/example-org/monitoring-stack/blob/main/\n    defaultContactPoint: pager\n",
    problems: [
      `features.tempo: "yes please" is not a boolean (true or false)`,
      `teams[1].retention: "2 weeks" is not a duration; use e.g. "15d" or "12h"`,
      `teams[1]: "payments" is a duplicate of teams[0]; values must be unique`,
      `teams[1].namespaces[1]: "payments" already belongs to team "payments"; a namespace can belong to one team only`,
      `namespaces.tempo: "monitoring" is already namespaces.monitoring; every component namespace must be distinct`,
      `alerting.defaultContactPoint: "pager" is not a defined contact point; defined: none defined`,
    ],
  },
  {
    what: "5. empty strings in required (and defaulted, optional) fields",
    file:
      BASE +
      "  monitoring:kubernetes:\n    context: ''\n  monitoring:features:\n    tempo: true\n" +
      "  monitoring:teams:\n    - name: ''\n      namespaces: ['']\n" +
      "  monitoring:tempo:\n    storage:\n      backend: s3\n      s3:\n        bucket: ''\n        endpoint: s3.eu-west-1.amazonaws.com\n" +
      "  monitoring:kueue:\n    metricsPort: ''\n",
    problems: [
      `kubernetes.context: "" is empty; set a value or leave the key out`,
      `teams[0].name: "" is empty; a value is required`,
      `teams[0].namespaces[0]: "" is empty; a value is required`,
      `tempo.storage.s3.bucket: "" is empty; a value is required`,
      `kueue.metricsPort: "" is empty; set a value or leave the key out for the default "https"`,
    ],
  },
  {
    what: "6. a YAML syntax error",
    file: "config:\n  monitoring:cluster: {name: dev\n",
    cli: (f) => `YAML syntax error:\n  ${f}:3:1: Flow map in block collection must be sufficiently indented and end with a }`,
  },
  {
    what: "6. an alias without its anchor (a YAML error found only when the value is built)",
    file: BASE + "  monitoring:teams:\n    - *payments\n",
    cli: (f) => `YAML syntax error:\n  ${f}:7:7: alias *payments has no anchor &payments before it`,
  },
  {
    what: "7. a stack file that is not a mapping",
    file: "- monitoring:cluster:\n    name: dev\n",
    cli: (f) => `${f}: expected the stack file to be a mapping (config:, secretsprovider:, …), found a list`,
  },
  {
    what: "7. a `config` that is not a mapping",
    file: "config: monitoring:cluster=dev\n",
    cli: (f) => `${f}: \`config\` must be a mapping of <namespace>:<key> to values; found the string "monitoring:cluster=dev" (the CLI cannot unmarshal it into a config map)`,
  },
  {
    what: "7. config keys outside `config:` (which the CLI would ignore, and then report `cluster` missing)",
    file: "config:\nmonitoring:cluster:\n  name: dev\nmonitoring:features:\n  tempo: true\n",
    cli: (f) =>
      `${f}: top-level keys "monitoring:cluster", "monitoring:features" are not a stack file attribute (config, environment, secretsprovider, encryptedkey, encryptionsalt), and the CLI would ignore them; config keys go under \`config:\`, indented`,
  },
];

const stackName = (i: number) => `mistake${i}`;

function configMessage(problems: string[], stack: string): string {
  return `${problems.length} problem${problems.length === 1 ? "" : "s"} in the stack config (Pulumi.${stack}.yaml):\n${problems.map((p) => `  - ${p}`).join("\n")}`;
}

function planAsync(dir: string, stack: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "scripts/plan.ts"), stack, "--dir", dir], { cwd: REPO });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The program (index.ts) under mocks with the project root at `dir`: what it threw, and what it declared. */
async function runProgram(dir: string, stack: string, config: Record<string, string>, secretKeys: string[]) {
  const options = sdkState.getStore().settings.options;
  const root = options.rootDirectory;
  options.rootDirectory = dir;
  try {
    return await runWithMocks(
      async () => {
        const program: () => Promise<unknown> = (await import("../../index")).default ?? (await import("../../index"));
        try {
          await program();
        } catch (e) {
          return e;
        }
        return undefined;
      },
      { project: "monitoring", stack, config, secretKeys },
    );
  } finally {
    options.rootDirectory = root;
  }
}

describe("config mistakes: a clear error, every problem at once, nothing declared", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mistakes-"));
  fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  mistakes.forEach((m, i) => fs.writeFileSync(path.join(dir, `Pulumi.${stackName(i)}.yaml`), m.file));
  const shown = (i: number) => path.relative(REPO, path.join(dir, `Pulumi.${stackName(i)}.yaml`));
  let plans: Awaited<ReturnType<typeof planAsync>>[] = [];

  before(async () => {
    plans = await Promise.all(mistakes.map((_, i) => planAsync(dir, stackName(i))));
  });

  mistakes.forEach((m, i) => {
    const stack = stackName(i);
    const expected = m.problems ? configMessage(m.problems, stack) : m.cli!(shown(i));

    it(`plan refuses ${m.what}: exit 1, the exact message, no stack trace, nothing written`, () => {
      const r = plans[i];
      const stderr = m.problems ? `${expected}\nNothing was written.\n` : `pulumi up would stop before the program runs:\n  ${expected.replace(/\n/g, "\n  ")}\nNothing was written.\n`;
      assert.equal(r.stderr, stderr);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.equal(fs.existsSync(path.join(dir, "out")), false);
    });

    it(`the program refuses ${m.what} with the same message, as a RunError (no stack trace), declaring nothing`, async () => {
      // The config the CLI passes: what it reads from the stack file; where it would refuse the file
      // itself, a valid one, so that only the program's own reading of the stack file can refuse it.
      let raw: { config: Record<string, string>; secretKeys: string[] };
      try {
        raw = readStackConfig(dir, stack);
        assert.ok(m.problems, "expected the stack file to be refused");
      } catch (e) {
        assert.ok(e instanceof PulumiCliError && m.cli, `unexpected ${e}`);
        assert.equal(e.message, expected);
        raw = { config: { "monitoring:cluster": JSON.stringify({ name: "dev" }), "monitoring:alerting": JSON.stringify({ runbookBaseUrl: "https://example.com/" }) }, secretKeys: [] };
      }
      const { value: error, resources } = await runProgram(dir, stack, raw.config, raw.secretKeys);
      assert.ok(error instanceof Error, "the program did not refuse the config");
      assert.ok(pulumi.RunError.isInstance(error), `${error.name} is not a RunError: the CLI would print its stack trace`);
      assert.equal(error.message, expected);
      assert.deepEqual(resources, []);
    });
  });

  it("the program still applies the key-level rule where it finds no stack file (mocks, a moved project)", async () => {
    const config = {
      "monitoring:cluster": JSON.stringify({ name: "dev" }),
      "monitoring:alerting": JSON.stringify({ runbookBaseUrl: "https://example.com/", deadMansSwitch: { url: "https://hc-ping.com/uuid" } }),
    };
    const { value: error, resources } = await runProgram(path.join(dir, "nowhere"), "dev", config, []);
    assert.ok(pulumi.RunError.isInstance(error));
    assert.equal(
      (error as Error).message,
      configMessage(["alerting.deadMansSwitch.url: is a credential and must be secret config; set it with: pulumi config set --secret --path 'alerting.deadMansSwitch.url' <value>"], "dev"),
    );
    assert.deepEqual(resources, []);
  });

  it("the program does not refuse a stack importing ESC environments for that (the CLI resolves them; plan cannot)", async () => {
    fs.writeFileSync(path.join(dir, "Pulumi.esc.yaml"), `environment:\n  - example-org/monitoring\n${BASE}`);
    const config = { "monitoring:cluster": JSON.stringify({ name: "dev" }), "monitoring:alerting": JSON.stringify({ runbookBaseUrl: "https://example.com/" }) };
    const { value: error, resources } = await runProgram(dir, "esc", config, []);
    fs.rmSync(path.join(dir, "Pulumi.esc.yaml"));
    assert.equal(error, undefined);
    assert.ok(resources.length > 0);
  });

  it("accepts what these rules must not refuse: a zero `for` of an alert override, fractional and exponent quantities, a credential secure itself", async () => {
    const dev = fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8");
    const ok =
      dev.replace(/  monitoring:alerting:\n    runbookBaseUrl: (\S+)\n/, (_, u) =>
        `  monitoring:alerting:\n    runbookBaseUrl: ${u}\n    defaultRules:\n      overrides:\n        KubePodCrashLooping: { for: 0s }\n` +
        `    deadMansSwitch:\n      url:\n        secure: AAABAJk1aW1x\n`,
      ) + "  monitoring:operator:\n    resources:\n      requests: { cpu: 0.25, memory: '2e8' }\n";
    assert.notEqual(ok, dev);
    fs.writeFileSync(path.join(dir, "Pulumi.fine.yaml"), ok);
    const r = await planAsync(dir, "fine");
    assert.equal(r.status, 0, r.stderr);
    fs.rmSync(path.join(dir, "out"), { recursive: true, force: true });
    fs.rmSync(path.join(dir, "Pulumi.fine.yaml"));
  });
});
