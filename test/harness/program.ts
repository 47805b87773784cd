/** Evaluates the real program (index.ts) for a stack file of this repo under mocks. */
import * as path from "node:path";
import { readStackConfig } from "../../components/config/stackFiles";
import { parseConfig, type StackConfig } from "../../components/config";
import { runWithMocks, RunResult } from "./mocks";

export const REPO = path.resolve(__dirname, "../..");

/** `dir` holds Pulumi.yaml and the stack files (the repo by default); `overrides` replace raw config keys. */
export async function runStack(stack: string, overrides: Record<string, string> = {}, dir = REPO): Promise<RunResult<Record<string, unknown>>> {
  const raw = readStackConfig(dir, stack);
  return runWithMocks(
    async () => {
      // Imported only after setMocks (FACTS.md): a resource constructed before it would not be recorded.
      const program: () => Promise<Record<string, unknown>> = (await import("../../index")).default ?? (await import("../../index"));
      return program();
    },
    { project: raw.project, stack, config: { ...raw.config, ...overrides }, secretKeys: raw.secretKeys },
  );
}

/** A committed stack's config as the program parses it (secrets as the placeholder). */
export function stackConfig(stack: string, dir = REPO): StackConfig {
  const raw = readStackConfig(dir, stack);
  return parseConfig(raw.config, raw.secretKeys, stack);
}
