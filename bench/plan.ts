/**
 * Benchmark (prints figures, asserts nothing): evaluating the whole program under mocks, per stack file,
 * as `npm run plan` and the stack tests do. Figures: resources, wall time per evaluation (median of runs)
 * and per resource, and the process' peak RSS.
 *
 *   npx tsx bench/plan.ts [runs=5]
 */
import * as fs from "node:fs";
import { listStacks } from "../components/config/stackFiles";
import { REPO, runStack } from "../test/harness/program";

function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  const rows: string[] = [];
  for (const stack of listStacks(REPO)) {
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < runs + 1; i++) {
      const t0 = process.hrtime.bigint();
      const { resources } = await runStack(stack);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i > 0) times.push(ms); // the first run pays module loading
      n = resources.length;
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    rows.push(`${stack.padEnd(10)} ${String(n).padStart(9)} ${med.toFixed(0).padStart(10)} ${(med / n).toFixed(2).padStart(12)} ${times[times.length - 1].toFixed(0).padStart(8)}`);
  }
  console.log(`runs per stack: ${runs} (after one warm-up)\n`);
  console.log(`${"stack".padEnd(10)} ${"resources".padStart(9)} ${"median ms".padStart(10)} ${"ms/resource".padStart(12)} ${"max ms".padStart(8)}`);
  for (const r of rows) console.log(r);
  console.log(`\npeak RSS: ${peakRssMiB().toFixed(0)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
