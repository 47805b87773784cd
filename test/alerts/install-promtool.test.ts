import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { INSTALL_HINT, REPO_ROOT, TOOLS_BIN, findTool, tempDir } from "../support/prometheus";

const SCRIPT = path.join(REPO_ROOT, "scripts", "install-promtool.sh");

/** Runs a copy of the script inside a fake repository whose PATH holds only the given commands. */
function runIsolated(opts: { tools: boolean; commands: string[] }): { status: number | null; out: string; root: string } {
  const root = tempDir("install");
  fs.mkdirSync(path.join(root, "scripts"));
  fs.copyFileSync(SCRIPT, path.join(root, "scripts", "install-promtool.sh"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  for (const c of opts.commands) {
    const real = spawnSync("bash", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim();
    fs.symlinkSync(real, path.join(bin, c));
  }
  if (opts.tools) {
    const tools = path.join(root, ".tools", "usr", "bin");
    fs.mkdirSync(tools, { recursive: true });
    for (const t of ["promtool", "prometheus", "prometheus-alertmanager", "amtool"]) fs.writeFileSync(path.join(tools, t), "#!/bin/sh\n", { mode: 0o755 });
    fs.mkdirSync(path.join(root, ".tools", "usr", "sbin"), { recursive: true });
    fs.writeFileSync(path.join(root, ".tools", "usr", "sbin", "nginx"), "#!/bin/sh\n", { mode: 0o755 });
  }
  const r = spawnSync("/bin/bash", [path.join(root, "scripts", "install-promtool.sh")], { env: { PATH: bin }, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr, root };
}

describe("scripts/install-promtool.sh", () => {
  it("is valid bash", () => {
    const r = spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
  });

  it("does nothing when promtool, prometheus, alertmanager and nginx are on PATH", () => {
    // This machine must have them (the other tests need them); the script must then change nothing.
    const before = fs.existsSync(path.join(REPO_ROOT, ".tools"));
    const r = spawnSync("bash", [SCRIPT], { encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^promtool, prometheus, alertmanager and nginx already on PATH: /);
    assert.strictEqual(fs.existsSync(path.join(REPO_ROOT, ".tools")), before);
  });

  it("reuses an unpacked .tools/ copy and prints the PATH to use", () => {
    const { status, out, root } = runIsolated({ tools: true, commands: ["dirname"] });
    fs.rmSync(root, { recursive: true, force: true });
    assert.strictEqual(status, 0, out);
    assert.strictEqual(out, `promtool, prometheus and alertmanager already in ${root}/.tools/usr/bin\nexport PATH="${root}/.tools/usr/bin:$PATH"\n`);
  });

  it("fails with a clear message when it can neither find nor install them", () => {
    const { status, out, root } = runIsolated({ tools: false, commands: ["dirname"] });
    fs.rmSync(root, { recursive: true, force: true });
    assert.strictEqual(status, 1);
    assert.match(out, /neither promtool\/prometheus\/alertmanager nor apt-get found/);
  });
});

describe("test helpers find promtool and prometheus", () => {
  it("on PATH or in .tools/usr/bin, and fail with the install command otherwise", () => {
    const saved = process.env.PATH;
    try {
      process.env.PATH = "";
      if (fs.existsSync(path.join(TOOLS_BIN, "promtool"))) {
        assert.strictEqual(findTool("promtool"), path.join(TOOLS_BIN, "promtool"));
      } else {
        assert.throws(() => findTool("promtool"), { message: `promtool not found on PATH or in .tools/usr/bin/: ${INSTALL_HINT}` });
      }
    } finally {
      process.env.PATH = saved;
    }
    assert.ok(path.isAbsolute(findTool("prometheus")));
  });
});
