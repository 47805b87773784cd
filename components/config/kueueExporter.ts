/** Config of the Kueue pending-workloads exporter component. */
import { obj, opt, str } from "./schema";

export const kueueExporterSection = obj("The Kueue pending-workloads exporter (when `features.kueueExporter`).", {
  image: opt(str("Container image running the bundled exporter; a stock Node.js image by default (components/versions.ts)")),
});
