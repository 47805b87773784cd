/**
 * Remote-write sizing (pure). Each remote write keeps up to maxShards × capacity samples in memory (Prometheus
 * storage/remote/queue_manager.go: one queue of `capacity` per shard), so a small cluster gets a small queue;
 * staging and prod get Prometheus' own defaults (config/config.go DefaultQueueConfig, v3.x: capacity 10000,
 * maxShards 50, maxSamplesPerSend 2000, batchSendDeadline 5s), which push about 1M samples/s.
 */
import { ENVIRONMENT_TIER } from "./config/schema";

export function remoteWriteQueueDefaults(environment: string): { capacity: number; maxShards: number; maxSamplesPerSend: number; batchSendDeadline: string } {
  return ENVIRONMENT_TIER[environment] === "large"
    ? { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000, batchSendDeadline: "5s" }
    : { capacity: 2500, maxShards: 10, maxSamplesPerSend: 2000, batchSendDeadline: "5s" };
}

/** The keys of `o` whose value is set. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
