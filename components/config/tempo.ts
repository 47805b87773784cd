/** Config of the Tempo (tempo-distributed) component. */
import { dflt, obj, oneOf, opt, str, strMap } from "./schema";

export const TEMPO_BACKENDS = ["local", "s3", "gcs", "azure"] as const;

export const tempoSection = obj("Tempo distributed (when `features.tempo`).", {
  chartVersion: opt(str("Override the pinned tempo-distributed chart version (components/versions.ts)")),
  storage: obj("Trace storage", {
    backend: dflt(oneOf("Trace storage backend; `local` keeps traces on the ingesters' disks (dev only)", TEMPO_BACKENDS), "local"),
  }),
  extraServiceAnnotations: dflt(strMap("Annotations added to every Service of the chart, besides the scrape annotations"), {}),
});
