/** tsx runs the tests without type checking; this makes a type error fail `npm test` too. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO } from "../harness/program";

describe("TypeScript", () => {
  it("the whole project type-checks in strict mode (tsc --noEmit)", () => {
    const tsc = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", REPO], { encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
