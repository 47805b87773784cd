/**
 * The pieces the multi-cluster live test is built from: the time-compressed synthetic scrape target
 * (scripts/synthetic/target.ts) and the remote-write proxy's decoding (test/support/remoteWriteProxy.ts).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OpenMetricsWriter } from "../../scripts/synthetic/openmetrics";
import { writeCounter, writeGauge } from "../../scripts/synthetic/series";
import { CompressedClock, SyntheticExposition, serveSynthetic } from "../../scripts/synthetic/target";
import { snappyDecode, writeRequestLabelSets } from "../support/remoteWriteProxy";
import { tempDir } from "../support/prometheus";

describe("synthetic scrape target and remote-write decoding", () => {
  let work: string;
  const grid = { start: 1000, end: 1300, step: 30 };
  let expo: SyntheticExposition;

  before(() => {
    work = tempDir("target");
    const file = path.join(work, "x.om");
    const w = new OpenMetricsWriter(file);
    w.family("things", "counter", "Things.");
    writeCounter(w, grid, "things_total", { job: "a", note: "with space" }, () => 1);
    w.family("late", "gauge", "Exists from 1150 to 1210.");
    writeGauge(w, grid, "late", { job: "a" }, () => 7, { from: 1150, to: 1210 });
    w.close();
    expo = SyntheticExposition.fromFile(file, grid);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("serves each grid step's samples without timestamps; series exist only during their life", () => {
    assert.strictEqual(expo.seriesCount, 2);
    const at1000 = expo.render(1000);
    assert.match(at1000, /^# HELP things Things\.\n# TYPE things counter\nthings_total\{job="a",note="with space"\} 0\n# EOF\n$/);
    const at1180 = expo.render(1189);
    assert.match(at1180, /late\{job="a"\} 7\n/);
    assert.ok(!/late/.test(expo.render(1240)), "late is gone after 1210");
    const value = (t: number): number => Number(/things_total\{[^}]*\} (\S+)/.exec(expo.render(t))?.[1]);
    const values = [1000, 1030, 1100, 1200, 1300, 5000].map(value);
    assert.deepStrictEqual([...values].sort((a, b) => a - b), values, "the counter never decreases");
    assert.strictEqual(value(5000), value(1300), "clamped to the grid's end");
  });

  it("the clock holds `from` until started, runs `speed`x, and stops at `to`", () => {
    const c = new CompressedClock(100, 400, 10);
    assert.strictEqual(c.now(), 100);
    c.start(50_000);
    assert.strictEqual(c.now(60_000), 200);
    assert.strictEqual(c.now(1_000_000), 400);
    assert.strictEqual(c.endsAt, 80_000);
  });

  it("serves OpenMetrics over HTTP at the clock's time", async () => {
    const clock = new CompressedClock(1180, 1180, 1);
    const target = await serveSynthetic(expo, clock);
    try {
      const res = await fetch(`http://${target.address}/metrics`);
      assert.match(res.headers.get("content-type") ?? "", /^application\/openmetrics-text; version=1\.0\.0/);
      assert.match(await res.text(), /late\{job="a"\} 7\n# EOF\n$/);
      assert.strictEqual(target.scrapes(), 1);
    } finally {
      await target.close();
    }
  });

  it("decodes snappy blocks (literals and overlapping copies) and WriteRequest label sets", () => {
    // "abcabcabcX": literal "abc", copy offset 3 length 6 (1-byte offset form), literal "X".
    const block = Buffer.from([10, (3 - 1) << 2, 0x61, 0x62, 0x63, 0x01 | ((6 - 4) << 2), 3, 0 << 2, 0x58]);
    assert.strictEqual(snappyDecode(block).toString(), "abcabcabcX");
    // WriteRequest{timeseries: [{labels: [{__name__: up}, {team: t}]}]}
    const label = (n: string, v: string): Buffer => Buffer.concat([Buffer.from([0x0a, n.length]), Buffer.from(n), Buffer.from([0x12, v.length]), Buffer.from(v)]);
    const labels = [label("__name__", "up"), label("team", "t")].map((l) => Buffer.concat([Buffer.from([0x0a, l.length]), l]));
    const ts = Buffer.concat(labels);
    const req = Buffer.concat([Buffer.from([0x0a, ts.length]), ts]);
    assert.deepStrictEqual(writeRequestLabelSets(req), [{ __name__: "up", team: "t" }]);
  });
});
