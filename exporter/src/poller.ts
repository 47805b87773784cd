// One poll cycle: list ClusterQueues, fetch every ClusterQueue's pending workloads with bounded concurrency,
// keep the last good data of anything that failed, and publish a new snapshot.
import type { ExporterConfig } from "./config";
import { AbortedError, ApiError, KubeClient } from "./kube";
import { PendingWorkloads, VisibilityVersion, fetchPendingWorkloads, listClusterQueues } from "./kueue";
import { describeError, log } from "./log";
import { ExporterMetrics } from "./metrics";
import { ClusterQueueSummary, summarizeQueue } from "./snapshot";

export interface PollOutcome {
  ok: boolean;
  durationSeconds: number;
  clusterQueues: number;
  failedClusterQueues: string[];
  pendingWorkloads: number;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class Poller {
  /** Last ClusterQueue list that succeeded. */
  private clusterQueues: string[] | undefined;
  /** Last good workloads per ClusterQueue (kept when a later fetch of that ClusterQueue fails). */
  private readonly workloads = new Map<string, PendingWorkloads>();
  private readonly visibilityVersion = new VisibilityVersion();
  polls = 0;

  constructor(
    private readonly config: ExporterConfig,
    private readonly client: KubeClient,
    private readonly metrics: ExporterMetrics,
  ) {}

  /** Error lines logged per poll; the rest are only counted (an outage of 500 ClusterQueues is one story). */
  static readonly ERROR_LOGS_PER_POLL = 20;
  private errorLogsLeft = 0;
  private suppressedErrorLogs = 0;

  private countError(err: ApiError, clusterQueue?: string): void {
    this.metrics.apiErrors.inc({ code: err.code });
    if (this.errorLogsLeft > 0) {
      this.errorLogsLeft--;
      log("error", "Kubernetes API request failed", { code: err.code, path: err.path, clusterQueue, error: err.message });
    } else {
      this.suppressedErrorLogs++;
    }
  }

  /** Never throws except AbortedError (shutdown). */
  async pollOnce(signal: AbortSignal): Promise<PollOutcome> {
    const started = process.hrtime.bigint();
    let ok = true;
    const failed: string[] = [];
    this.errorLogsLeft = Poller.ERROR_LOGS_PER_POLL;
    this.suppressedErrorLogs = 0;

    for (const problem of this.client.refreshCredentials()) {
      log("warn", problem);
    }

    try {
      this.clusterQueues = await listClusterQueues(this.client, signal, (err) => this.countError(err));
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      ok = false;
      if (err instanceof ApiError) this.countError(err);
      else log("error", "ClusterQueue discovery failed", { error: describeError(err) });
    }

    if (ok && this.clusterQueues !== undefined) {
      const listed = new Set(this.clusterQueues);
      for (const cq of [...this.workloads.keys()]) {
        if (!listed.has(cq)) this.workloads.delete(cq);
      }
      await forEachBounded(this.clusterQueues, this.config.concurrency, async (cq) => {
        try {
          const items = await fetchPendingWorkloads(
            this.client,
            signal,
            this.visibilityVersion,
            cq,
            this.config.pageSize,
            this.config.topN,
            (from, to) => log("info", "visibility API version switched", { from, to, clusterQueue: cq }),
          );
          this.workloads.set(cq, items);
        } catch (err) {
          if (err instanceof AbortedError) return;
          failed.push(cq);
          if (err instanceof ApiError) this.countError(err, cq);
          else log("error", "pending workloads fetch failed", { clusterQueue: cq, error: describeError(err) });
        }
      });
      if (signal.aborted) throw new AbortedError();
      if (failed.length > 0) ok = false;
    }

    // Ages are computed now, also for data kept from an earlier poll: those workloads were still pending
    // the last time we could tell, and their age keeps growing.
    const now = Date.now();
    const publishStarted = process.hrtime.bigint();
    const entries = [...this.workloads.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const summaries: ClusterQueueSummary[] = [];
    for (let i = 0; i < entries.length; i++) {
      if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve)); // let scrapes through
      summaries.push(summarizeQueue(entries[i][0], entries[i][1], now));
    }
    await this.metrics.publish(this.clusterQueues?.length, summaries);
    const publishSeconds = Number(process.hrtime.bigint() - publishStarted) / 1e9;

    const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.polls++;
    this.metrics.pollDuration.observe(durationSeconds);
    this.metrics.up.set(ok ? 1 : 0);
    this.metrics.stale.set(!ok && this.workloads.size > 0 ? 1 : 0);
    if (ok) this.metrics.lastSuccess.set(Date.now() / 1000);

    const outcome: PollOutcome = {
      ok,
      durationSeconds,
      clusterQueues: this.clusterQueues?.length ?? 0,
      failedClusterQueues: failed.sort(),
      pendingWorkloads: summaries.reduce((n, s) => n + s.pending, 0),
    };
    const message = ok
      ? "poll complete"
      : failed.length > 0
        ? "poll incomplete: some ClusterQueues failed; their earlier data, if any, is kept"
        : "poll failed: earlier data, if any, is kept";
    log(ok ? "info" : "warn", message, {
      ...outcome,
      failedClusterQueues: outcome.failedClusterQueues.slice(0, 20),
      failedClusterQueueCount: failed.length,
      suppressedErrorLogs: this.suppressedErrorLogs,
      publishSeconds,
      visibilityVersion: this.visibilityVersion.current,
    });
    return outcome;
  }
}
