/**
 * A team's own applications, as a team Prometheus scrapes them through the team's ServiceMonitors: per
 * namespace one Deployment `api` of two pods, exposing client_golang's HTTP histogram
 * (`http_request_duration_seconds`, the same name as Spegel's on the platform side, so that a query by name
 * alone would mix teams and platform) and `process_cpu_seconds_total`, plus each target's `up`.
 * Target labels as a ServiceMonitor gives them (job, instance, namespace, pod, service, endpoint).
 * Small on purpose (~30 series per pod); deterministic for a given team, seed and grid.
 */
import { Labels, OpenMetricsWriter } from "./openmetrics";
import { DEF_BUCKETS, Grid, Random, hash32, logUniform, writeCounter, writeGauge, writeHistogram } from "./series";

export interface TeamOptions {
  team: string;
  /** The team's namespaces (each gets its own `api`). */
  namespaces: string[];
  /** Last sample time and span, Unix seconds; scrape step in seconds. */
  end: number;
  durationSeconds: number;
  step: number;
  seed: number;
}

export interface TeamSummary {
  file: string;
  start: number;
  end: number;
  step: number;
  series: number;
  /** The namespaces the series live in. */
  namespaces: string[];
}

/** Writes the team's application metrics to `file` (OpenMetrics text). */
export function generateTeam(file: string, o: TeamOptions): TeamSummary {
  const grid: Grid = { start: o.end - o.durationSeconds, end: o.end, step: o.step };
  const rng = new Random(o.seed ^ hash32(o.team));
  const pods = o.namespaces.flatMap((ns, n) =>
    [0, 1].map((k): Labels => {
      const pod = `api-${rng.chars(9)}-${rng.chars(5)}`;
      return { job: `${ns}/api`, instance: `10.${200 + (n % 50)}.${k}.${rng.int(2, 250)}:8080`, namespace: ns, pod, service: "api", endpoint: "http" };
    }),
  );
  const w = new OpenMetricsWriter(file);
  w.family("up", "gauge", "Whether the target was reachable.");
  for (const t of pods) writeGauge(w, grid, "up", t, () => 1);
  w.family("http_request_duration_seconds", "histogram", "The latency of the HTTP requests.");
  for (const t of pods) {
    for (const [code, rate] of [["200", 20], ["500", 0.2]] as const) {
      writeHistogram(w, grid, { ...t, handler: "/api", method: "GET", code }, { name: "http_request_duration_seconds", buckets: DEF_BUCKETS, perSecond: () => rate, quantile: logUniform(0.002, 2) });
    }
  }
  w.family("process_cpu_seconds", "counter", "Total user and system CPU time spent in seconds.");
  for (const t of pods) writeCounter(w, grid, "process_cpu_seconds_total", t, () => 0.2, { integer: false });
  w.close();
  return { file, start: grid.start, end: grid.end, step: grid.step, series: w.series, namespaces: [...o.namespaces] };
}
