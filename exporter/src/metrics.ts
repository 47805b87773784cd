// Metric definitions and exposition. Names start with kueuex_: Kueue itself owns kueue_* (e.g.
// kueue_pending_workloads, kueue_admission_wait_time_seconds) and we must never collide with it.
//
// Two parts:
// - the data: everything derived from the last poll. It is rendered to text once per poll, so a scrape
//   never waits on the API server, never recomputes 100k workloads, and always sees one consistent poll
//   (the text is swapped in one assignment). It is written directly (renderData below) rather than through
//   prom-client gauges: setting ~20k labelled series and rendering them cost more CPU than the rest of the
//   poll's own work; the text is byte for byte what a prom-client Registry of these gauges renders
//   (test/exporter/paging.test.ts compares them).
// - `self`: the exporter's own health (up, stale, errors, poll durations) and prom-client's default
//   process metrics, rendered on every scrape.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { AGE_BUCKETS, ClusterQueueSummary } from "./snapshot";

/** A data metric: all are gauges. Order here is exposition order. */
export interface DataMetric {
  name: string;
  help: string;
  labelNames: readonly string[];
}

const WORKLOAD_LABELS = ["cluster_queue", "namespace", "local_queue", "workload"] as const;
const LOCAL_QUEUE_LABELS = ["cluster_queue", "namespace", "local_queue"] as const;

export const DATA_METRICS = {
  clusterQueues: {
    name: "kueuex_cluster_queues",
    help: "ClusterQueues found by the last successful ClusterQueue list.",
    labelNames: [],
  },
  cqPending: {
    name: "kueuex_cluster_queue_pending_workloads",
    help: "Pending workloads in the ClusterQueue (all pages of the visibility API).",
    labelNames: ["cluster_queue"],
  },
  lqPending: {
    name: "kueuex_local_queue_pending_workloads",
    help: "Pending workloads per LocalQueue; absent for a LocalQueue with none pending.",
    labelNames: LOCAL_QUEUE_LABELS,
  },
  cqOldest: {
    name: "kueuex_cluster_queue_oldest_pending_age_seconds",
    help: "Age (now - creationTimestamp) of the oldest pending workload in the ClusterQueue; absent when none is pending.",
    labelNames: ["cluster_queue"],
  },
  lqOldest: {
    name: "kueuex_local_queue_oldest_pending_age_seconds",
    help: "Age of the oldest pending workload per LocalQueue; absent when none is pending.",
    labelNames: LOCAL_QUEUE_LABELS,
  },
  // A snapshot distribution of the *current* pending population, exposed as gauges with histogram names so
  // histogram_quantile() works on it. A prom-client Histogram would accumulate every observation since
  // start, i.e. count the same waiting workload again on every poll.
  ageBucket: {
    name: "kueuex_pending_workload_age_seconds_bucket",
    help: "Currently pending workloads whose age is <= le (cumulative; a snapshot, not a counter).",
    labelNames: ["cluster_queue", "le"],
  },
  ageCount: {
    name: "kueuex_pending_workload_age_seconds_count",
    help: "Currently pending workloads (the +Inf bucket of kueuex_pending_workload_age_seconds_bucket).",
    labelNames: ["cluster_queue"],
  },
  ageSum: {
    name: "kueuex_pending_workload_age_seconds_sum",
    help: "Sum of the ages of the currently pending workloads.",
    labelNames: ["cluster_queue"],
  },
  wlPosition: {
    name: "kueuex_pending_workload_position",
    help: "positionInClusterQueue (0 = next) of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: WORKLOAD_LABELS,
  },
  wlLqPosition: {
    name: "kueuex_pending_workload_local_queue_position",
    help: "positionInLocalQueue (0 = next) of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: WORKLOAD_LABELS,
  },
  wlPriority: {
    name: "kueuex_pending_workload_priority",
    help: "Priority of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: WORKLOAD_LABELS,
  },
  wlCreated: {
    name: "kueuex_pending_workload_created_timestamp_seconds",
    help: "metadata.creationTimestamp (Unix seconds) of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: WORKLOAD_LABELS,
  },
  truncated: {
    name: "kueuex_series_truncated_workloads",
    help: "Pending workloads of the ClusterQueue beyond KUEUEX_TOP_N, i.e. without per-workload series.",
    labelNames: ["cluster_queue"],
  },
} as const satisfies Record<string, DataMetric>;

type DataKey = keyof typeof DATA_METRICS;
const DATA_KEYS = Object.keys(DATA_METRICS) as DataKey[];

/** Text format escaping, as prom-client does it: `\` and newline in HELP; also `"` in label values. */
function escapeHelp(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
const NEEDS_ESCAPE = /[\\\n"]/;
function escapeLabelValue(s: string): string {
  return NEEDS_ESCAPE.test(s) ? escapeHelp(s).replace(/"/g, '\\"') : s;
}
/** Sample values as prom-client writes them (NaN as `Nan`, infinities as `+Inf`/`-Inf`). */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return "Nan";
  if (!Number.isFinite(v)) return v < 0 ? "-Inf" : "+Inf";
  return `${v}`;
}

const HEADERS = Object.fromEntries(
  DATA_KEYS.map((k) => [k, `# HELP ${DATA_METRICS[k].name} ${escapeHelp(DATA_METRICS[k].help)}\n# TYPE ${DATA_METRICS[k].name} gauge`]),
) as Record<DataKey, string>;
const LES = [...AGE_BUCKETS.map(String), "+Inf"];

/**
 * Renders the data metrics of one poll. Every section collects its sample lines (each after a "\n") in
 * ClusterQueue order, then the sections are joined: exactly the layout of prom-client's Registry.metrics()
 * (HELP, TYPE, samples, sections separated by an empty line, a final newline).
 */
export async function renderData(clusterQueues: number | undefined, summaries: readonly ClusterQueueSummary[]): Promise<string> {
  const m = DATA_METRICS;
  const out = Object.fromEntries(DATA_KEYS.map((k) => [k, ""])) as Record<DataKey, string>;
  out.clusterQueues = `\n${m.clusterQueues.name} ${formatValue(clusterQueues ?? 0)}`;
  for (let n = 0; n < summaries.length; n++) {
    // Yield now and then so scrapes are answered (from the previous text) while a big snapshot is built.
    if (n % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    const s = summaries[n];
    const cq = `{cluster_queue="${escapeLabelValue(s.clusterQueue)}"`;
    out.cqPending += `\n${m.cqPending.name}${cq}} ${formatValue(s.pending)}`;
    if (s.oldestAgeSeconds !== undefined) out.cqOldest += `\n${m.cqOldest.name}${cq}} ${formatValue(s.oldestAgeSeconds)}`;
    for (let i = 0; i < LES.length; i++) out.ageBucket += `\n${m.ageBucket.name}${cq},le="${LES[i]}"} ${formatValue(s.bucketCounts[i])}`;
    out.ageCount += `\n${m.ageCount.name}${cq}} ${formatValue(s.pending)}`;
    out.ageSum += `\n${m.ageSum.name}${cq}} ${formatValue(s.ageSumSeconds)}`;
    out.truncated += `\n${m.truncated.name}${cq}} ${formatValue(s.truncated)}`;
    for (const lq of s.localQueues) {
      const labels = `${cq},namespace="${escapeLabelValue(lq.namespace)}",local_queue="${escapeLabelValue(lq.localQueue)}"}`;
      out.lqPending += `\n${m.lqPending.name}${labels} ${formatValue(lq.pending)}`;
      out.lqOldest += `\n${m.lqOldest.name}${labels} ${formatValue(lq.oldestAgeSeconds)}`;
    }
    for (const w of s.top) {
      const labels = `${cq},namespace="${escapeLabelValue(w.namespace)}",local_queue="${escapeLabelValue(w.localQueue)}",workload="${escapeLabelValue(w.name)}"}`;
      out.wlPosition += `\n${m.wlPosition.name}${labels} ${formatValue(w.positionInClusterQueue)}`;
      out.wlLqPosition += `\n${m.wlLqPosition.name}${labels} ${formatValue(w.positionInLocalQueue)}`;
      out.wlPriority += `\n${m.wlPriority.name}${labels} ${formatValue(w.priority)}`;
      out.wlCreated += `\n${m.wlCreated.name}${labels} ${formatValue(w.createdMs / 1000)}`;
    }
  }
  return DATA_KEYS.map((k) => HEADERS[k] + out[k]).join("\n\n") + "\n";
}

export class ExporterMetrics {
  readonly self = new Registry();
  /** The data part of the exposition, encoded once per poll. */
  private dataBytes: Buffer = Buffer.alloc(0);

  readonly up = new Gauge({
    name: "kueuex_up",
    help: "1 if the last poll of the Kueue APIs fully succeeded, else 0.",
    registers: [this.self],
  });
  readonly stale = new Gauge({
    name: "kueuex_data_stale",
    help: "1 when the latest poll failed (wholly or for some ClusterQueues) and data from an earlier poll is served.",
    registers: [this.self],
  });
  readonly lastSuccess = new Gauge({
    name: "kueuex_last_successful_poll_timestamp_seconds",
    help: "Unix time of the end of the last fully successful poll; 0 before the first one.",
    registers: [this.self],
  });
  readonly pollDuration = new Histogram({
    name: "kueuex_poll_duration_seconds",
    help: "Duration of poll cycles (ClusterQueue discovery plus every pendingworkloads page), successful or not.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.self],
  });
  readonly apiErrors = new Counter({
    name: "kueuex_api_errors_total",
    help: 'Failed Kubernetes API requests by cause: HTTP status ("401", "403", "404", "500", ...), "timeout", "network" or "malformed".',
    labelNames: ["code"],
    registers: [this.self],
  });

  constructor() {
    collectDefaultMetrics({ register: this.self });
    this.up.set(0);
    this.stale.set(0);
    this.lastSuccess.set(0);
  }

  /**
   * Replaces all data series. `clusterQueues` is the number of ClusterQueues listed; `summaries` holds one
   * entry per ClusterQueue whose workloads are known (a ClusterQueue that never answered has none).
   */
  async publish(clusterQueues: number | undefined, summaries: readonly ClusterQueueSummary[]): Promise<void> {
    this.dataBytes = Buffer.from(await renderData(clusterQueues, summaries), "utf8");
  }

  get contentType(): string {
    return this.self.contentType;
  }

  /** The full exposition: live self metrics followed by the last published data. */
  async render(): Promise<Buffer[]> {
    let self = await this.self.metrics();
    if (self !== "" && !self.endsWith("\n")) self += "\n";
    return [Buffer.from(self, "utf8"), this.dataBytes];
  }
}
