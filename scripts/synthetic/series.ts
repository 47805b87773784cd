/**
 * Deterministic synthetic series over a time grid: gauges, counters (monotonic), and classic histograms
 * (cumulative `le` buckets + `_count` + `_sum`). Randomness is a hash of (series key, step), so a series can
 * be regenerated identically for each of its buckets without keeping it in memory.
 */
import type { Labels, OpenMetricsWriter } from "./openmetrics";

/** Sample timestamps: `start`, `start + step`, ... `end` (Unix seconds, inclusive). */
export interface Grid {
  start: number;
  end: number;
  step: number;
}

/** A series' lifetime within the grid (inclusive); default: the whole grid. */
export interface Life {
  from?: number;
  to?: number;
}

export function* times(grid: Grid, life: Life = {}): Generator<number> {
  const from = Math.max(grid.start, life.from ?? grid.start);
  const to = Math.min(grid.end, life.to ?? grid.end);
  const first = grid.start + Math.ceil((from - grid.start) / grid.step) * grid.step;
  for (let t = first; t <= to; t += grid.step) yield t;
}

/** 32-bit FNV-1a hash of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) determined by (seed, i). */
export function rand(seed: number, i: number): number {
  let x = (seed ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

/** A deterministic generator of numbers in [0, 1), for building models. */
export class Random {
  private i = 0;
  constructor(private readonly seed: number) {}
  next(): number {
    return rand(this.seed, this.i++);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** `n` characters of `alphabet`. */
  chars(n: number, alphabet = "bcdfghjklmnpqrstvwxz2456789"): string {
    let s = "";
    for (let k = 0; k < n; k++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  hex(n: number): string {
    return this.chars(n, "0123456789abcdef");
  }
}

const key = (name: string, labels: Labels): number => hash32(name + JSON.stringify(labels));

/** A gauge: `value(t, r)` with r uniform in [0,1) per sample. */
export function writeGauge(w: OpenMetricsWriter, grid: Grid, name: string, labels: Labels, value: (t: number, r: number) => number, life: Life = {}): void {
  const seed = key(name, labels);
  w.write(
    name,
    labels,
    (function* () {
      let i = 0;
      for (const t of times(grid, life)) yield [t, value(t, rand(seed, i++))] as const;
    })(),
  );
}

/**
 * A counter (sample name should end in `_total` unless upstream's does not): increments of
 * `perSecond(t) * step * (0.5 + r)` accumulate from `initial`.
 */
export function writeCounter(w: OpenMetricsWriter, grid: Grid, name: string, labels: Labels, perSecond: (t: number) => number, opts: { initial?: number; integer?: boolean; life?: Life } = {}): void {
  const seed = key(name, labels);
  w.write(
    name,
    labels,
    (function* () {
      // Accumulate exactly; integer counters expose the floor, so a rate below one event per step still
      // shows as occasional increments.
      let acc = opts.initial ?? 0;
      let i = 0;
      for (const t of times(grid, opts.life)) {
        if (i > 0) acc += perSecond(t) * grid.step * (0.5 + rand(seed, i));
        i++;
        yield [t, opts.integer === false ? acc : Math.floor(acc)] as const;
      }
    })(),
  );
}

export interface HistogramSpec {
  /** Family name, e.g. `spegel_resolve_duration_seconds`. */
  name: string;
  /** Upper bounds, ascending, without +Inf. */
  buckets: readonly number[];
  /** Observations per second at t. */
  perSecond: (t: number) => number;
  /**
   * Distribution of one observation: a value from a uniform r in [0,1) (inverse CDF). Each step's
   * observations are spread over the buckets by this distribution.
   */
  quantile: (r: number) => number;
  /** The series' lifetime. */
  life?: Life;
}

/**
 * Writes `<name>_bucket{le}` for every bound and +Inf, `<name>_count` and `<name>_sum`, as counters
 * (the writer's current family must be `name`, type histogram). Bucket increments per step are computed by
 * sampling the distribution at a handful of points, so cumulative buckets are consistent with count and sum.
 */
export function writeHistogram(w: OpenMetricsWriter, grid: Grid, labels: Labels, spec: HistogramSpec): void {
  const seed = key(spec.name, labels);
  const bounds = [...spec.buckets, Infinity];
  const ts = [...times(grid, spec.life)];
  // Per step: number of observations and their split over buckets (8 representative observations).
  const steps = ts.map((t, i) => {
    if (i === 0) return { n: 0, perBucket: bounds.map(() => 0), sum: 0 };
    const n = Math.round(spec.perSecond(t) * grid.step * (0.5 + rand(seed, i)));
    const perBucket = bounds.map(() => 0);
    let sum = 0;
    const reps = 8;
    for (let k = 0; k < reps; k++) {
      const v = spec.quantile(rand(seed ^ 0x5bd1e995, i * reps + k));
      const b = bounds.findIndex((ub) => v <= ub);
      const share = Math.floor(n / reps) + (k < n % reps ? 1 : 0);
      perBucket[b] += share;
      sum += v * share;
    }
    return { n, perBucket, sum };
  });
  const le = (b: number): string => (b === Infinity ? "+Inf" : String(b));
  for (let b = 0; b < bounds.length; b++) {
    let acc = 0;
    w.write(
      `${spec.name}_bucket`,
      { ...labels, le: le(bounds[b]) },
      ts.map((t, i) => {
        for (let k = 0; k <= b; k++) acc += steps[i].perBucket[k];
        return [t, acc] as const;
      }),
    );
  }
  let count = 0;
  w.write(`${spec.name}_count`, labels, ts.map((t, i) => [t, (count += steps[i].n)] as const));
  let sum = 0;
  w.write(`${spec.name}_sum`, labels, ts.map((t, i) => [t, (sum += steps[i].sum)] as const));
}

/** An inverse CDF of a log-uniform distribution between `lo` and `hi`. */
export function logUniform(lo: number, hi: number): (r: number) => number {
  return (r) => lo * Math.pow(hi / lo, r);
}

/** Client libraries' default buckets (client_golang prometheus.DefBuckets). */
export const DEF_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** client_golang prometheus.ExponentialBuckets(start, factor, count). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * Math.pow(factor, i));
}
