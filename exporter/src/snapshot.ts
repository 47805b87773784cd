// Pure summaries of a ClusterQueue's pending workloads: counts, ages, the age distribution and the first N
// workloads. Kept free of I/O so it can be tested directly.
import type { PendingWorkloads, WorkloadRecord } from "./kueue";

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

/** `workloads` must be sorted by positionInClusterQueue; the same as summarizeQueue, from records. */
export function summarize(clusterQueue: string, workloads: readonly WorkloadRecord[], nowMs: number, topN: number): ClusterQueueSummary {
  return summarizeQueue(clusterQueue, fromRecords(workloads, topN), nowMs);
}

/** The compact form of records already in queue order (no sorting, no de-duplication). */
export function fromRecords(workloads: readonly WorkloadRecord[], topN: number): PendingWorkloads {
  const createdMs = new Float64Array(workloads.length);
  const localQueueIndex = new Uint32Array(workloads.length);
  const localQueues: PendingWorkloads["localQueues"] = [];
  const index = new Map<string, number>();
  workloads.forEach((w, i) => {
    createdMs[i] = w.createdMs;
    const key = `${w.namespace}\u0000${w.localQueue}`;
    let j = index.get(key);
    if (j === undefined) {
      j = localQueues.length;
      index.set(key, j);
      localQueues.push({ namespace: w.namespace, localQueue: w.localQueue });
    }
    localQueueIndex[i] = j;
  });
  return { count: workloads.length, createdMs, localQueueIndex, localQueues, top: workloads.slice(0, topN) };
}

/** Counts, ages at `nowMs`, the age distribution and the top workloads of one ClusterQueue. */
export function summarizeQueue(clusterQueue: string, workloads: PendingWorkloads, nowMs: number): ClusterQueueSummary {
  const { count, createdMs, localQueueIndex } = workloads;
  const perBucket = new Array<number>(AGE_BUCKETS.length + 1).fill(0);
  const lqPending = new Uint32Array(workloads.localQueues.length);
  const lqOldest = new Float64Array(workloads.localQueues.length);
  let oldest: number | undefined;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const age = ageSeconds(createdMs[i], nowMs);
    sum += age;
    if (oldest === undefined || age > oldest) oldest = age;
    let b = 0;
    while (b < AGE_BUCKETS.length && age > AGE_BUCKETS[b]) b++;
    perBucket[b]++;
    const lq = localQueueIndex[i];
    if (lqPending[lq]++ === 0 || age > lqOldest[lq]) lqOldest[lq] = age;
  }
  const bucketCounts: number[] = [];
  let running = 0;
  for (const c of perBucket) {
    running += c;
    bucketCounts.push(running);
  }
  return {
    clusterQueue,
    pending: count,
    oldestAgeSeconds: oldest,
    bucketCounts,
    ageSumSeconds: sum,
    localQueues: workloads.localQueues.map((lq, j) => ({
      namespace: lq.namespace,
      localQueue: lq.localQueue,
      pending: lqPending[j],
      oldestAgeSeconds: lqOldest[j],
    })),
    top: workloads.top,
    truncated: count - workloads.top.length,
  };
}
