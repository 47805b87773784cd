/** Config of the Kueue pending-workloads exporter component (env contract: exporter/README.md). */
import { dflt, duration, int, num, obj, opt, resources, str } from "./schema";

export const kueueExporterSection = obj("The Kueue pending-workloads exporter (when `features.kueueExporter`).", {
  image: opt(str("Container image with Node.js ≥ 20 that runs the bundled exporter; pinned in components/versions.ts by default")),
  pollIntervalSeconds: dflt(num("Seconds between polls of the visibility API (KUEUEX_POLL_INTERVAL_SECONDS)", 5, 3600), 30),
  topN: dflt(int("Per-workload series kept per ClusterQueue, lowest positions first (KUEUEX_TOP_N); bounds the series count", 0, 1000), 20),
  pageSize: dflt(int("Workloads per visibility API request (KUEUEX_PAGE_SIZE)", 1, 100000), 500),
  concurrency: dflt(int("ClusterQueues polled at once (KUEUEX_CONCURRENCY)", 1, 64), 4),
  requestTimeoutSeconds: dflt(num("Timeout of one API request (KUEUEX_REQUEST_TIMEOUT_SECONDS)", 1, 300), 10),
  scrapeInterval: dflt(duration("How often the platform Prometheus scrapes the exporter"), "30s"),
  resources: resources("Exporter container resources", { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "512Mi" } }),
});
