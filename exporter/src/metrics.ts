// Metric definitions and exposition. Names start with kueuex_: Kueue itself owns kueue_* (e.g.
// kueue_pending_workloads, kueue_admission_wait_time_seconds) and we must never collide with it.
//
// Two registries:
// - `data`: everything derived from the last poll. It is rebuilt and rendered to text once per poll, so a
//   scrape never waits on the API server, never recomputes 100k workloads, and always sees one consistent
//   poll (the text is swapped in one assignment).
// - `self`: the exporter's own health (up, stale, errors, poll durations) and prom-client's default
//   process metrics, rendered on every scrape.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { AGE_BUCKETS, ClusterQueueSummary } from "./snapshot";

export class ExporterMetrics {
  readonly self = new Registry();
  private readonly data = new Registry();
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

  private readonly clusterQueues = new Gauge({
    name: "kueuex_cluster_queues",
    help: "ClusterQueues found by the last successful ClusterQueue list.",
    registers: [this.data],
  });
  private readonly cqPending = new Gauge({
    name: "kueuex_cluster_queue_pending_workloads",
    help: "Pending workloads in the ClusterQueue (all pages of the visibility API).",
    labelNames: ["cluster_queue"],
    registers: [this.data],
  });
  private readonly lqPending = new Gauge({
    name: "kueuex_local_queue_pending_workloads",
    help: "Pending workloads per LocalQueue; absent for a LocalQueue with none pending.",
    labelNames: ["cluster_queue", "namespace", "local_queue"],
    registers: [this.data],
  });
  private readonly cqOldest = new Gauge({
    name: "kueuex_cluster_queue_oldest_pending_age_seconds",
    help: "Age (now - creationTimestamp) of the oldest pending workload in the ClusterQueue; absent when none is pending.",
    labelNames: ["cluster_queue"],
    registers: [this.data],
  });
  private readonly lqOldest = new Gauge({
    name: "kueuex_local_queue_oldest_pending_age_seconds",
    help: "Age of the oldest pending workload per LocalQueue; absent when none is pending.",
    labelNames: ["cluster_queue", "namespace", "local_queue"],
    registers: [this.data],
  });
  // A snapshot distribution of the *current* pending population, exposed as gauges with histogram names so
  // histogram_quantile() works on it. A prom-client Histogram would accumulate every observation since
  // start, i.e. count the same waiting workload again on every poll.
  private readonly ageBucket = new Gauge({
    name: "kueuex_pending_workload_age_seconds_bucket",
    help: "Currently pending workloads whose age is <= le (cumulative; a snapshot, not a counter).",
    labelNames: ["cluster_queue", "le"],
    registers: [this.data],
  });
  private readonly ageCount = new Gauge({
    name: "kueuex_pending_workload_age_seconds_count",
    help: "Currently pending workloads (the +Inf bucket of kueuex_pending_workload_age_seconds_bucket).",
    labelNames: ["cluster_queue"],
    registers: [this.data],
  });
  private readonly ageSum = new Gauge({
    name: "kueuex_pending_workload_age_seconds_sum",
    help: "Sum of the ages of the currently pending workloads.",
    labelNames: ["cluster_queue"],
    registers: [this.data],
  });
  private readonly wlPosition = new Gauge({
    name: "kueuex_pending_workload_position",
    help: "positionInClusterQueue (0 = next) of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: ["cluster_queue", "namespace", "local_queue", "workload"],
    registers: [this.data],
  });
  private readonly wlLqPosition = new Gauge({
    name: "kueuex_pending_workload_local_queue_position",
    help: "positionInLocalQueue (0 = next) of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: ["cluster_queue", "namespace", "local_queue", "workload"],
    registers: [this.data],
  });
  private readonly wlPriority = new Gauge({
    name: "kueuex_pending_workload_priority",
    help: "Priority of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: ["cluster_queue", "namespace", "local_queue", "workload"],
    registers: [this.data],
  });
  private readonly wlCreated = new Gauge({
    name: "kueuex_pending_workload_created_timestamp_seconds",
    help: "metadata.creationTimestamp (Unix seconds) of the first KUEUEX_TOP_N pending workloads per ClusterQueue.",
    labelNames: ["cluster_queue", "namespace", "local_queue", "workload"],
    registers: [this.data],
  });
  private readonly truncated = new Gauge({
    name: "kueuex_series_truncated_workloads",
    help: "Pending workloads of the ClusterQueue beyond KUEUEX_TOP_N, i.e. without per-workload series.",
    labelNames: ["cluster_queue"],
    registers: [this.data],
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
    this.data.resetMetrics();
    if (clusterQueues !== undefined) this.clusterQueues.set(clusterQueues);
    const les = [...AGE_BUCKETS.map(String), "+Inf"];
    for (let n = 0; n < summaries.length; n++) {
      // Yield now and then so scrapes are answered (from the previous text) while a big snapshot is built.
      if (n % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
      const s = summaries[n];
      const cq = s.clusterQueue;
      this.cqPending.set({ cluster_queue: cq }, s.pending);
      if (s.oldestAgeSeconds !== undefined) this.cqOldest.set({ cluster_queue: cq }, s.oldestAgeSeconds);
      for (let i = 0; i < les.length; i++) this.ageBucket.set({ cluster_queue: cq, le: les[i] }, s.bucketCounts[i]);
      this.ageCount.set({ cluster_queue: cq }, s.pending);
      this.ageSum.set({ cluster_queue: cq }, s.ageSumSeconds);
      this.truncated.set({ cluster_queue: cq }, s.truncated);
      for (const lq of s.localQueues) {
        const labels = { cluster_queue: cq, namespace: lq.namespace, local_queue: lq.localQueue };
        this.lqPending.set(labels, lq.pending);
        this.lqOldest.set(labels, lq.oldestAgeSeconds);
      }
      for (const w of s.top) {
        const labels = { cluster_queue: cq, namespace: w.namespace, local_queue: w.localQueue, workload: w.name };
        this.wlPosition.set(labels, w.positionInClusterQueue);
        this.wlLqPosition.set(labels, w.positionInLocalQueue);
        this.wlPriority.set(labels, w.priority);
        this.wlCreated.set(labels, w.createdMs / 1000);
      }
    }
    this.dataBytes = Buffer.from(await this.data.metrics(), "utf8");
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
