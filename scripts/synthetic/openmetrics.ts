/**
 * A streaming OpenMetrics writer for backfilling with `promtool tsdb create-blocks-from openmetrics`.
 *
 * Memory stays bounded: lines are buffered up to `flushBytes` and written synchronously. OpenMetrics wants
 * every metric family in one contiguous block and each series' samples in time order; the writer enforces
 * the first (a family can be opened once) and callers write one series at a time, oldest sample first.
 * Timestamps are Unix seconds.
 */
import * as fs from "fs";

export type Labels = Readonly<Record<string, string>>;
export type FamilyType = "counter" | "gauge" | "histogram" | "unknown";

export class OpenMetricsWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  private readonly families = new Set<string>();
  private current: { name: string; type: FamilyType } | undefined;
  /** Samples and series written so far. */
  samples = 0;
  series = 0;
  bytes = 0;

  constructor(
    readonly file: string,
    private readonly flushBytes = 4 * 1024 * 1024,
  ) {
    this.fd = fs.openSync(file, "w");
  }

  /**
   * Starts a metric family. `name` is the family name: without `_total` for counters, without
   * `_bucket`/`_count`/`_sum` for histograms. Throws if the family was already written (not contiguous).
   */
  family(name: string, type: FamilyType, help: string): void {
    if (this.families.has(name)) throw new Error(`OpenMetrics family ${name} written twice: families must be contiguous`);
    this.families.add(name);
    this.current = { name, type };
    this.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}\n`);
  }

  /** Writes one series: `name` is the full sample name (e.g. `foo_total`, `foo_bucket`); samples oldest first. */
  write(name: string, labels: Labels, samples: Iterable<readonly [number, number]>): void {
    if (!this.current) throw new Error(`series ${name} written before any family`);
    if (!name.startsWith(this.current.name)) throw new Error(`series ${name} does not belong to family ${this.current.name}`);
    const prefix = `${name}${formatLabels(labels)} `;
    let n = 0;
    for (const [t, v] of samples) {
      this.push(`${prefix}${formatValue(v)} ${t}\n`);
      n++;
    }
    if (n > 0) this.series++;
    this.samples += n;
  }

  /** Writes `# EOF` and closes the file. */
  close(): void {
    this.push("# EOF\n");
    this.flush();
    fs.closeSync(this.fd);
  }

  private push(s: string): void {
    this.buffer.push(s);
    this.buffered += s.length;
    if (this.buffered >= this.flushBytes) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("");
    fs.writeSync(this.fd, chunk);
    this.bytes += Buffer.byteLength(chunk);
    this.buffer = [];
    this.buffered = 0;
  }
}

/** `{k="v",...}`; empty values are left out, as Prometheus stores them (a label with an empty value does not exist). */
export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
}
