/** Reads and validates the running program's config (what the Pulumi CLI, or the mocks, provide). */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, StackConfig } from "./index";

// `isConfigSecret` is exported by the SDK's runtime/config module but not declared in its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig: { isConfigSecret(k: string): boolean } = require("@pulumi/pulumi/runtime/config");

export function loadStackConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const secretKeys = Object.keys(raw).filter((k) => runtimeConfig.isConfigSecret(k));
  return parseConfig(raw, secretKeys, pulumi.getStack());
}
