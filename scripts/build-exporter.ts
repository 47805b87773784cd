// Writes the exporter bundle to out/exporter/kueue-exporter.js and prints its size and hash.
// Run: npx tsx scripts/build-exporter.ts (or npm run build:exporter)
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIGMAP_LIMIT_BYTES, buildExporterBundle } from "../exporter/bundle";

const bundle = buildExporterBundle();
const outDir = path.resolve(__dirname, "..", "out", "exporter");
fs.mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, "kueue-exporter.js");
fs.writeFileSync(file, bundle.code);
const pct = ((bundle.bytes / CONFIGMAP_LIMIT_BYTES) * 100).toFixed(1);
console.log(`${path.relative(process.cwd(), file)}: ${bundle.bytes} bytes (${pct}% of a ConfigMap's 1 MiB), sha256 ${bundle.sha256}`);
if (bundle.bytes >= CONFIGMAP_LIMIT_BYTES) {
  console.error("The bundle does not fit in a ConfigMap; remove a dependency or split it.");
  process.exit(1);
}
