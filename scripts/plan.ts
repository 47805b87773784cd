/**
 * `npm run plan -- <stack>`: the main job with no cluster and no Pulumi CLI.
 *
 * Loads Pulumi.<stack>.yaml (+ Pulumi.yaml), validates it, evaluates the whole program under the SDK's mock
 * runtime, prints the resource tree grouped by component with a summary, and writes every declared
 * resource to out/<stack>/:
 *   resources.json          every resource: type, name, parent, options, inputs (secrets as "[secret]")
 *   manifests/<ns>/*.yaml   Kubernetes objects as manifests
 *   charts/<name>.yaml      Helm charts/releases: chart, version, repository, namespace, values
 *   grafana/*.json          Grafana resources (provider inputs)
 * An invalid stack exits 1 with every config problem on stderr and writes nothing: whatever is wrong (YAML
 * syntax, the file's shape, what the CLI refuses, the config's fields and rules), the same exit code, the
 * message alone (no stack trace), and no resource declared. Exit 2 is for usage (no such stack).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ConfigError, parseConfig } from "../components/config";
import { listStacks, PulumiCliError, readStackConfig } from "../components/config/stackFiles";
import { REPO, runStack } from "../test/harness/program";
import { valueOf, type Recorded } from "../test/harness/mocks";
import * as pulumi from "@pulumi/pulumi";
import { deployProblems } from "../components/mechanics";
import { loadContent, renderedContent } from "../components/charts/content";

let dir = REPO;

/** A stack `pulumi up` would not deploy: exit 1, every problem on stderr, nothing written. */
function refuse(msg: string): never {
  process.stderr.write(`${msg}\nNothing was written.\n`);
  process.exit(1);
}

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: npm run plan -- <stack> [--dir <folder with Pulumi.yaml>]   (stacks: ${listStacks(dir).join(", ")})\n`);
  process.exit(2);
}

/** "kubernetes:monitoring.coreos.com/v1:Prometheus" → "Prometheus"; keeps the package for others. */
function shortType(t: string): string {
  const [pkg, , kind] = t.split(":");
  return pkg === "kubernetes" || pkg === "monitoring" ? kind : `${pkg}:${kind}`;
}

function isK8sObject(r: Recorded): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh") && r.type !== "pulumi:providers:kubernetes";
}

function manifestOf(r: Recorded): Record<string, unknown> {
  const [, group, kind] = r.type.split(":");
  const apiVersion = r.inputs.apiVersion ?? (group.startsWith("core/") ? group.slice(5) : group);
  const { apiVersion: _a, kind: _k, ...rest } = r.masked;
  return { apiVersion, kind: r.inputs.kind ?? kind, ...rest };
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export function renderTree(resources: Recorded[]): string {
  const children = new Map<string, Recorded[]>();
  for (const r of resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string, prefix: string) => {
    const list = (children.get(parent) ?? []).slice().sort((a, b) => Number(a.custom) - Number(b.custom) || a.name.localeCompare(b.name));
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const opts = [r.retainOnDelete && "retainOnDelete", r.protect && "protect"].filter(Boolean).join(", ");
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${shortType(r.type)}  ${r.name}${opts ? `  [${opts}]` : ""}`);
      walk(r.urn, prefix + (last ? "   " : "│  "));
    });
  };
  walk("", "");
  return lines.join("\n");
}

async function main() {
  const args = process.argv.slice(2);
  const d = args.indexOf("--dir");
  if (d >= 0) {
    if (!args[d + 1]) usage("--dir needs a folder");
    dir = path.resolve(args[d + 1]);
    args.splice(d, 2);
  }
  const stack = args[0];
  if (!stack || args.length > 1) usage(stack ? `unexpected arguments: ${args.slice(1).join(" ")}` : "missing stack name");
  if (!fs.existsSync(path.join(dir, `Pulumi.${stack}.yaml`))) usage(`no stack file Pulumi.${stack}.yaml; stacks here: ${listStacks(dir).join(", ") || "none"}`);
  let raw;
  try {
    raw = readStackConfig(dir, stack);
  } catch (e) {
    // Where the Pulumi CLI itself would stop `pulumi up`, before the program runs.
    if (e instanceof PulumiCliError) refuse(`pulumi up would stop before the program runs:\n  ${e.message.replace(/\n/g, "\n  ")}`);
    throw e;
  }
  for (const w of raw.warnings) process.stderr.write(`warning: ${w}\n`);
  try {
    parseConfig(raw.config, raw.secretKeys, stack, raw.securePaths);
  } catch (e) {
    if (e instanceof ConfigError) refuse(e.message);
    throw e;
  }
  const t0 = Date.now();
  const { resources, value } = await runStack(stack, {}, dir);
  const ms = Date.now() - t0;
  // What the engines would do with the declaration (components/mechanics.ts): refuse what would not converge.
  const mechanics = deployProblems(resources);
  if (mechanics.length) refuse(`${mechanics.length} deploy problem${mechanics.length === 1 ? "" : "s"}: pulumi up would not converge:\n${mechanics.map((p) => `  - ${p}`).join("\n")}`);

  const outDir = path.join(dir, "out", stack);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const index = resources.map((r) => ({
    type: r.type,
    name: r.name,
    parent: byUrn.get(r.parent)?.name ?? null,
    options: { protect: r.protect, retainOnDelete: r.retainOnDelete, dependsOn: r.dependsOn.map((u) => byUrn.get(u)?.name ?? u) },
    inputs: r.masked,
  }));
  fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(index, null, 2) + "\n");
  for (const r of resources) {
    if (isK8sObject(r)) {
      const m = manifestOf(r) as any;
      const ns = m.metadata?.namespace ?? "_cluster";
      const dir = path.join(outDir, "manifests", safe(ns));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${safe(m.kind)}-${safe(m.metadata?.name ?? r.name)}.yaml`), YAML.stringify(m));
    } else if (r.type.startsWith("kubernetes:helm.sh")) {
      const dir = path.join(outDir, "charts");
      fs.mkdirSync(dir, { recursive: true });
      const { chart, version, repositoryOpts, namespace, values } = r.masked;
      fs.writeFileSync(path.join(dir, `${safe(r.name)}.yaml`), YAML.stringify({ resource: r.type, chart, version, repository: repositoryOpts?.repo ?? null, namespace, values }));
    } else if (r.type.startsWith("grafana:")) {
      const dir = path.join(outDir, "grafana");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${safe(shortType(r.type))}-${safe(r.name)}.json`), JSON.stringify(r.masked, null, 2) + "\n");
    }
  }

  // Stack outputs as `pulumi stack output` would show them: resolved, secrets masked.
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value ?? {})) {
    const o = pulumi.output(v as pulumi.Input<unknown>) as pulumi.Output<unknown>;
    outputs[k] = (await pulumi.isSecret(o)) ? "[secret]" : await valueOf(o);
  }
  const rules = alertingSummary(resources);
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(shortType(r.type), (counts.get(shortType(r.type)) ?? 0) + 1);
  const summary = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => `  ${String(n).padStart(4)}  ${t}`);
  process.stdout.write(
    `Plan for stack "${stack}" (${raw.secretKeys.length ? `secret keys: ${raw.secretKeys.join(", ")}` : "no secret keys"})\n\n` +
      `${renderTree(resources)}\n\n` +
      `${resources.length} resources (${resources.filter((r) => r.custom).length} custom, ${resources.filter((r) => !r.custom).length} components), evaluated in ${ms} ms:\n${summary.join("\n")}\n\n` +
      `${rules}\n\nOutputs: ${JSON.stringify(outputs, null, 2)}\n\nWritten to ${path.relative(process.cwd(), outDir) || outDir}/\n`,
  );
}

/** The alert rules and dashboards the stack evaluates and shows: the chart's (rendered from its inventory) and the repository's. */
function alertingSummary(resources: Recorded[]): string {
  const lines: string[] = ["Alerting and dashboards:"];
  const op = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack");
  const inv = op && loadContent(String(op.inputs.chart), String(op.inputs.version));
  if (op && inv) {
    const c = renderedContent(inv, op.inputs.values ?? {});
    lines.push(`  kube-prometheus-stack ${inv.version} default rules (platform Prometheus): ${c.groups.length} groups, ${c.alerts} alerts, ${c.records} recording rules`);
    for (const g of c.groups) lines.push(`    ${g.name.padEnd(44)} ${String(g.alerts.length).padStart(3)} alerts ${String(g.records).padStart(3)} records  (${g.valuesKey})`);
    if (c.dashboards.length) lines.push(`  kube-prometheus-stack dashboards (Grafana sidecar, folder Kubernetes): ${c.dashboards.length}`);
  }
  for (const r of resources.filter((x) => x.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")) {
    const groups: { name: string; rules: { alert?: string; record?: string }[] }[] = r.inputs.spec.groups;
    const alerts = groups.reduce((n, g) => n + g.rules.filter((x) => x.alert).length, 0);
    const records = groups.reduce((n, g) => n + g.rules.filter((x) => x.record).length, 0);
    lines.push(`  ${r.inputs.metadata.namespace}/${r.inputs.metadata.name}: ${groups.map((g) => g.name).join(", ")} (${alerts} alerts, ${records} recording rules)`);
  }
  const grafanaGroups = resources.filter((x) => x.type === "grafana:alerting/ruleGroup:RuleGroup");
  if (grafanaGroups.length) lines.push(`  Grafana-managed rule groups: ${grafanaGroups.map((g) => g.inputs.name).join(", ")}`);
  const dashboards = resources.filter((x) => x.type === "grafana:oss/dashboard:Dashboard" || (x.type === "kubernetes:core/v1:ConfigMap" && x.inputs.metadata?.labels?.grafana_dashboard));
  lines.push(`  repository dashboards pushed: ${dashboards.length}`);
  return lines.join("\n");
}

main().catch((e) => {
  // A RunError (the program's refusal of its config, components/config/runtime.ts) is its message alone, as the CLI prints it.
  if (pulumi.RunError.isInstance(e)) refuse(e.message);
  process.stderr.write(`plan failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
