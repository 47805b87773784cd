/** Config of Grafana and the content pushed into it. */
import { dflt, obj, oneOf, opt, str } from "./schema";

export const grafanaSection = obj("Grafana (when `features.grafana`).", {
  mode: dflt(oneOf("`deploy` a Grafana in this cluster, or push into an `external` (central) one", ["deploy", "external"] as const), "deploy"),
  chartVersion: opt(str("Override the pinned grafana chart version (components/versions.ts)")),
});
