// Pure summaries of a ClusterQueue's pending workloads: counts, ages, the age distribution and the first N
// workloads. Kept free of I/O so it can be tested directly.
import type { WorkloadRecord } from "./kueue";

/** Upper bounds (seconds) of the pending-age distribution: 1 min … 1 week; "+Inf" is added on exposition. */
export const AGE_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800] as const;

export interface LocalQueueSummary {
  namespace: string;
  localQueue: string;
  pending: number;
  oldestAgeSeconds: number;
}

export interface ClusterQueueSummary {
  clusterQueue: string;
  pending: number;
  /** undefined when nothing is pending (the gauge is then absent). */
  oldestAgeSeconds?: number;
  /** Cumulative counts, one per AGE_BUCKETS entry, then +Inf (= pending). */
  bucketCounts: number[];
  ageSumSeconds: number;
  localQueues: LocalQueueSummary[];
  /** The first `topN` workloads by positionInClusterQueue. */
  top: WorkloadRecord[];
  /** Pending workloads beyond `topN` (not exported one by one). */
  truncated: number;
}

/** Age in seconds at `nowMs`; a creation time in the future (clock skew) counts as 0. */
export function ageSeconds(createdMs: number, nowMs: number): number {
  return Math.max(0, (nowMs - createdMs) / 1000);
}

/** `workloads` must be sorted by positionInClusterQueue (fetchPendingWorkloads does it). */
export function summarize(clusterQueue: string, workloads: readonly WorkloadRecord[], nowMs: number, topN: number): ClusterQueueSummary {
  const perBucket = new Array<number>(AGE_BUCKETS.length + 1).fill(0);
  const lqs = new Map<string, LocalQueueSummary>();
  let oldest: number | undefined;
  let sum = 0;
  for (const w of workloads) {
    const age = ageSeconds(w.createdMs, nowMs);
    sum += age;
    if (oldest === undefined || age > oldest) oldest = age;
    let b = 0;
    while (b < AGE_BUCKETS.length && age > AGE_BUCKETS[b]) b++;
    perBucket[b]++;
    const key = `${w.namespace}\u0000${w.localQueue}`;
    const lq = lqs.get(key);
    if (lq === undefined) {
      lqs.set(key, { namespace: w.namespace, localQueue: w.localQueue, pending: 1, oldestAgeSeconds: age });
    } else {
      lq.pending++;
      if (age > lq.oldestAgeSeconds) lq.oldestAgeSeconds = age;
    }
  }
  const bucketCounts: number[] = [];
  let running = 0;
  for (const c of perBucket) {
    running += c;
    bucketCounts.push(running);
  }
  return {
    clusterQueue,
    pending: workloads.length,
    oldestAgeSeconds: oldest,
    bucketCounts,
    ageSumSeconds: sum,
    localQueues: [...lqs.values()],
    top: workloads.slice(0, topN),
    truncated: Math.max(0, workloads.length - topN),
  };
}
