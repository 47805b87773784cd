// Builds the exporter into one CommonJS file for a stock Node 20 image. The Pulumi component ships `code`
// in a ConfigMap (limit: 1 MiB of data) and puts `sha256` in a pod annotation so a new build rolls the pods.
import { createHash } from "node:crypto";
import * as path from "node:path";
import { buildSync } from "esbuild";

export interface ExporterBundle {
  code: string;
  /** Hex SHA-256 of `code` (UTF-8). */
  sha256: string;
  /** Size of `code` in bytes (UTF-8). */
  bytes: number;
}

/** A ConfigMap's data may hold at most 1 MiB (Kubernetes validation, MaxSecretSize-style limit). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

export function buildExporterBundle(): ExporterBundle {
  const root = path.resolve(__dirname, "..");
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: [path.join(__dirname, "src", "main.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    sourcemap: false,
    write: false,
    // Keep the bundled packages' license notices, at the end of the file.
    legalComments: "eof",
    charset: "utf8",
    logLevel: "silent",
    banner: { js: "// kueue-exporter: built from exporter/src by exporter/bundle.ts; do not edit." },
  });
  if (result.outputFiles.length !== 1) {
    throw new Error(`Unable to bundle the exporter: esbuild produced ${result.outputFiles.length} files, expected 1`);
  }
  const code = result.outputFiles[0].text;
  const bytes = Buffer.byteLength(code, "utf8");
  const sha256 = createHash("sha256").update(code, "utf8").digest("hex");
  return { code, sha256, bytes };
}
