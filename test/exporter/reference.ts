// The exporter's data path as it was before issue 12 item 7 (commit 2d8f59d), kept as the oracle the
// faster path is compared with: one WorkloadRecord per workload, de-duplication on "namespace/name",
// a stable sort by positionInClusterQueue, summaries from the records, and prom-client gauges rendered by a
// Registry. Test code only; nothing here runs in the exporter.
import { Gauge, Registry } from "prom-client";
import { WorkloadRecord, parsePendingWorkloadsSummary } from "../../exporter/src/kueue";
import { DATA_METRICS } from "../../exporter/src/metrics";
import { AGE_BUCKETS, ClusterQueueSummary, LocalQueueSummary, ageSeconds } from "../../exporter/src/snapshot";

/** Pages of one ClusterQueue (already fetched) → its workloads, as fetchPendingWorkloads returned them. */
export function referenceWorkloads(pages: Array<{ path: string; body: unknown }>): WorkloadRecord[] {
  const out: WorkloadRecord[] = [];
  const seen = new Set<string>();
  for (const { path, body } of pages) {
    for (const w of parsePendingWorkloadsSummary(path, body)) {
      const key = `${w.namespace}/${w.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
    }
  }
  out.sort((a, b) => a.positionInClusterQueue - b.positionInClusterQueue);
  return out;
}

/** The summary as summarize() computed it from sorted records. */
export function referenceSummary(clusterQueue: string, workloads: readonly WorkloadRecord[], nowMs: number, topN: number): ClusterQueueSummary {
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

/** The data text as ExporterMetrics.publish rendered it through a prom-client Registry of gauges. */
export async function referenceDataText(clusterQueues: number | undefined, summaries: readonly ClusterQueueSummary[]): Promise<string> {
  const registry = new Registry();
  const g = Object.fromEntries(
    Object.entries(DATA_METRICS).map(([k, m]) => [k, new Gauge({ name: m.name, help: m.help, labelNames: [...m.labelNames], registers: [registry] })]),
  ) as Record<keyof typeof DATA_METRICS, Gauge>;
  registry.resetMetrics();
  if (clusterQueues !== undefined) g.clusterQueues.set(clusterQueues);
  const les = [...AGE_BUCKETS.map(String), "+Inf"];
  for (const s of summaries) {
    const cq = s.clusterQueue;
    g.cqPending.set({ cluster_queue: cq }, s.pending);
    if (s.oldestAgeSeconds !== undefined) g.cqOldest.set({ cluster_queue: cq }, s.oldestAgeSeconds);
    for (let i = 0; i < les.length; i++) g.ageBucket.set({ cluster_queue: cq, le: les[i] }, s.bucketCounts[i]);
    g.ageCount.set({ cluster_queue: cq }, s.pending);
    g.ageSum.set({ cluster_queue: cq }, s.ageSumSeconds);
    g.truncated.set({ cluster_queue: cq }, s.truncated);
    for (const lq of s.localQueues) {
      const labels = { cluster_queue: cq, namespace: lq.namespace, local_queue: lq.localQueue };
      g.lqPending.set(labels, lq.pending);
      g.lqOldest.set(labels, lq.oldestAgeSeconds);
    }
    for (const w of s.top) {
      const labels = { cluster_queue: cq, namespace: w.namespace, local_queue: w.localQueue, workload: w.name };
      g.wlPosition.set(labels, w.positionInClusterQueue);
      g.wlLqPosition.set(labels, w.positionInLocalQueue);
      g.wlPriority.set(labels, w.priority);
      g.wlCreated.set(labels, w.createdMs / 1000);
    }
  }
  return registry.metrics();
}
