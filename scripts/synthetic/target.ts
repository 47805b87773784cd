/**
 * A live scrape target over synthetic data: serves, at each scrape, the samples an OpenMetrics file
 * (cluster.ts / team.ts output) holds for the synthetic time a compressed clock shows, without timestamps,
 * so a real Prometheus scrapes it as a live exporter (remote write only sends what a Prometheus appends to
 * its WAL; backfilled blocks are never remote-written).
 *
 * The clock maps wall time onto the synthetic timeline at a fixed speed (`speed` synthetic seconds per wall
 * second) from `from` to `to`, then stays at `to`: values advance with time (counters stay monotonic), and
 * a series exists only while the file has samples for it (pods come and go, and Prometheus marks the
 * vanished ones stale). Listens on 127.0.0.1, on a free port.
 */
import * as fs from "fs";
import * as http from "http";
import { listenOnLoopback } from "./listen";

interface Family {
  header: string;
  series: { prefix: string; values: (string | undefined)[] }[];
}

/** The samples of an OpenMetrics file on its grid (`start + i * step`), ready to be served at any grid time. */
export class SyntheticExposition {
  private constructor(
    private readonly families: Family[],
    readonly start: number,
    readonly step: number,
    readonly steps: number,
  ) {}

  /** Reads a file written by OpenMetricsWriter over the grid [start, end] at `step` (Unix seconds). */
  static fromFile(file: string, grid: { start: number; end: number; step: number }): SyntheticExposition {
    const steps = Math.round((grid.end - grid.start) / grid.step) + 1;
    const families: Family[] = [];
    const byPrefix = new Map<string, Family["series"][number]>();
    let family: Family | undefined;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (!line || line === "# EOF") continue;
      if (line.startsWith("# HELP ")) {
        family = { header: `${line}\n`, series: [] };
        families.push(family);
        continue;
      }
      if (line.startsWith("#")) {
        if (family) family.header += `${line}\n`;
        continue;
      }
      if (!family) throw new Error(`${file}: sample before any family: ${line.slice(0, 80)}`);
      // `<name>{labels} <value> <timestamp>`: label values may hold spaces, value and timestamp do not.
      const tsAt = line.lastIndexOf(" ");
      const valueAt = line.lastIndexOf(" ", tsAt - 1);
      const prefix = line.slice(0, valueAt);
      const i = Math.round((Number(line.slice(tsAt + 1)) - grid.start) / grid.step);
      if (!(i >= 0 && i < steps)) throw new Error(`${file}: sample outside the grid: ${line.slice(0, 120)}`);
      let s = byPrefix.get(prefix);
      if (!s) {
        s = { prefix, values: new Array(steps) };
        byPrefix.set(prefix, s);
        family.series.push(s);
      }
      s.values[i] = line.slice(valueAt + 1, tsAt);
    }
    return new SyntheticExposition(families, grid.start, grid.step, steps);
  }

  /** Number of distinct series in the file. */
  get seriesCount(): number {
    return this.families.reduce((n, f) => n + f.series.length, 0);
  }

  /** The grid index at synthetic time `t` (the last sample at or before it, clamped to the grid). */
  index(t: number): number {
    return Math.min(this.steps - 1, Math.max(0, Math.floor((t - this.start) / this.step)));
  }

  /** OpenMetrics text of the samples at synthetic time `t`, without timestamps; families without a sample are left out. */
  render(t: number): string {
    const i = this.index(t);
    const out: string[] = [];
    for (const f of this.families) {
      const lines: string[] = [];
      for (const s of f.series) {
        const v = s.values[i];
        if (v !== undefined) lines.push(`${s.prefix} ${v}\n`);
      }
      if (lines.length) out.push(f.header, ...lines);
    }
    out.push("# EOF\n");
    return out.join("");
  }
}

/** Wall time → synthetic time: `from` until started, then `speed`× faster than wall time, stopping at `to`. */
export class CompressedClock {
  private startedAt: number | undefined;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly speed: number,
  ) {
    if (!(to >= from) || !(speed > 0)) throw new Error(`CompressedClock: need from <= to and speed > 0 (got ${from}, ${to}, ${speed})`);
  }

  /** Starts the clock at `wallMs` (default now). */
  start(wallMs = Date.now()): void {
    this.startedAt = wallMs;
  }

  /** Synthetic Unix seconds at wall time `wallMs`. */
  now(wallMs = Date.now()): number {
    if (this.startedAt === undefined) return this.from;
    return Math.min(this.to, this.from + ((wallMs - this.startedAt) / 1000) * this.speed);
  }

  /** Wall time (ms) at which synthetic time `t` is shown (the clock must be started). */
  wallAt(t: number): number {
    if (this.startedAt === undefined) throw new Error("CompressedClock: not started");
    return this.startedAt + ((Math.min(this.to, Math.max(this.from, t)) - this.from) / this.speed) * 1000;
  }

  /** Wall time (ms) at which the clock reaches `to`. */
  get endsAt(): number {
    return this.wallAt(this.to);
  }
}

export interface SyntheticTarget {
  /** host:port to scrape (path /metrics). */
  address: string;
  /** Scrapes served so far. */
  scrapes(): number;
  close(): Promise<void>;
}

/** Serves `exposition` at the clock's current synthetic time on http://127.0.0.1:<free port>/metrics. */
export function serveSynthetic(exposition: SyntheticExposition, clock: CompressedClock): Promise<SyntheticTarget> {
  let scrapes = 0;
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    const body = exposition.render(clock.now());
    res.writeHead(200, { "content-type": "application/openmetrics-text; version=1.0.0; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  return listenOnLoopback(server).then(({ port, close }) => ({ address: `127.0.0.1:${port}`, scrapes: () => scrapes, close }));
}
