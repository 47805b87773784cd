/**
 * Writes a synthetic cluster's metrics as OpenMetrics, ready for
 * `promtool tsdb create-blocks-from openmetrics <file> <dir>`.
 *
 *   npx tsx scripts/synthetic/generate.ts <out.om> [live|bench] [end-unix-seconds]
 *
 * `live` (default): 3 nodes, the fixed workloads, 90 min; `bench`: 150 nodes, >= 10k containers, 6 h.
 * Data ends at `end` (default: now rounded down to the step), so a Prometheus serves it as recent.
 */
import { benchOptions, generateCluster, liveOptions } from "./cluster";

function main(): void {
  const [out, profile = "live", endArg] = process.argv.slice(2);
  if (!out || !["live", "bench"].includes(profile)) {
    console.error("usage: tsx scripts/synthetic/generate.ts <out.om> [live|bench] [end-unix-seconds]");
    process.exit(2);
  }
  const end = endArg ? Number(endArg) : Math.floor(Date.now() / 1000 / 30) * 30;
  const summary = generateCluster(out, profile === "bench" ? benchOptions(end) : liveOptions(end));
  console.log(JSON.stringify(summary, null, 2));
}

main();
