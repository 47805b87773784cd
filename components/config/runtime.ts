/** Reads and validates the running program's config (what the Pulumi CLI, or the mocks, provide). */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig, StackConfig } from "./index";
import type { Problem } from "./schema";
import { PulumiCliError, stackFileSecurePaths } from "./stackFiles";

// `isConfigSecret` is exported by the SDK's runtime/config module but not declared in its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig: { isConfigSecret(k: string): boolean } = require("@pulumi/pulumi/runtime/config");

/**
 * A stack config the program refuses. A RunError, so the CLI prints the message alone (the SDK hides the
 * stack trace of a RunError: @pulumi/pulumi cmd/run/run.ts uncaughtHandler), like every other config error.
 */
export class StackConfigError extends pulumi.RunError {
  constructor(message: string, readonly problems: Problem[] = []) {
    super(message);
    this.name = "StackConfigError";
  }
}

export function loadStackConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const secretKeys = Object.keys(raw).filter((k) => runtimeConfig.isConfigSecret(k));
  const stack = pulumi.getStack();
  try {
    // The CLI says which keys hold a secret, not which values are secure: the stack file does (the project
    // root is where the CLI found it; under mocks there is none, and the key-level check applies).
    const securePaths = stackFileSecurePaths(pulumi.runtime.getRootDirectory(), pulumi.getProject(), stack);
    return parseConfig(raw, secretKeys, stack, securePaths);
  } catch (e) {
    if (e instanceof ConfigError) throw new StackConfigError(e.message, e.problems);
    if (e instanceof PulumiCliError) throw new StackConfigError(e.message);
    throw e;
  }
}
