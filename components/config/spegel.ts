/** Config of the Spegel component. */
import { obj, opt, str } from "./schema";

export const spegelSection = obj("Spegel, the P2P OCI image mirror (when `features.spegel`).", {
  chartVersion: opt(str("Override the pinned spegel chart version (components/versions.ts)")),
});
