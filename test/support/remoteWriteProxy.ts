/**
 * A recording pass-through in front of a remote-write receiver: each sender gets its own proxy port, so the
 * test knows who sent what. For every request it records the tenant header and whether basic auth was
 * sent, decodes the body (snappy block format + the prometheus.WriteRequest protobuf, remote write 1.0) to
 * note which `team` label values its series carry, and forwards the request unchanged to the receiver.
 *
 * This stands in for the hub's door: Thanos Receive files a request's series under the tenant of its
 * THANOS-TENANT header, which a plain Prometheus receiver ignores. Listens on 127.0.0.1, free ports.
 */
import * as http from "http";
import { listenOnLoopback } from "../../scripts/synthetic/listen";

/** Snappy block format decompression (github.com/google/snappy format_description.txt). */
export function snappyDecode(src: Buffer): Buffer {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = src[pos++];
    if (b === undefined) throw new Error("snappy: truncated length");
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = Buffer.alloc(length);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = src.readUIntLE(pos, bytes);
        pos += bytes;
      }
      len += 1;
      src.copy(out, o, pos, pos + len);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | src[pos++];
    } else if (kind === 2) {
      len = (tag >> 2) + 1;
      offset = src.readUInt16LE(pos);
      pos += 2;
    } else {
      len = (tag >> 2) + 1;
      offset = src.readUInt32LE(pos);
      pos += 4;
    }
    if (offset === 0 || offset > o) throw new Error("snappy: bad copy offset");
    // Byte by byte: a copy may overlap its own output (run-length style).
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset];
  }
  if (o !== length) throw new Error(`snappy: decoded ${o} bytes, header said ${length}`);
  return out;
}

/** The protobuf fields of one message: [field number, wire type, value (number or bytes)]. */
function* fields(buf: Buffer): Generator<[number, number, number | Buffer]> {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[pos++];
      if (b === undefined) throw new Error("protobuf: truncated varint");
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield [field, wire, varint()];
    else if (wire === 1) {
      yield [field, wire, buf.subarray(pos, pos + 8)];
      pos += 8;
    } else if (wire === 2) {
      const len = varint();
      yield [field, wire, buf.subarray(pos, pos + len)];
      pos += len;
    } else if (wire === 5) {
      yield [field, wire, buf.subarray(pos, pos + 4)];
      pos += 4;
    } else throw new Error(`protobuf: wire type ${wire} not supported`);
  }
}

/** The label sets of a prometheus.WriteRequest (timeseries = 1; TimeSeries.labels = 1; Label name = 1, value = 2). */
export function writeRequestLabelSets(body: Buffer): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const [f, w, ts] of fields(body)) {
    if (f !== 1 || w !== 2) continue;
    const labels: Record<string, string> = {};
    for (const [lf, lw, label] of fields(ts as Buffer)) {
      if (lf !== 1 || lw !== 2) continue;
      let name = "";
      let value = "";
      for (const [nf, nw, v] of fields(label as Buffer)) {
        if (nw !== 2) continue;
        if (nf === 1) name = (v as Buffer).toString("utf8");
        else if (nf === 2) value = (v as Buffer).toString("utf8");
      }
      labels[name] = value;
    }
    out.push(labels);
  }
  return out;
}

/** What one sender's proxy saw. */
export interface WireRecord {
  requests: number;
  /** THANOS-TENANT header values seen ("" when a request had none). */
  tenants: Set<string>;
  /** Requests without an `Authorization: Basic` header. */
  withoutBasicAuth: number;
  /** `team` label values of the series sent ("" for series without one). */
  teams: Set<string>;
  series: number;
  /** Non-2xx answers of the receiver, and proxy errors. */
  failures: string[];
}

export interface RemoteWriteProxy {
  /** The URL to configure as the sender's remote write endpoint. */
  url: string;
  record: WireRecord;
  close(): Promise<void>;
}

/** A recording proxy on 127.0.0.1:<free port> forwarding /api/v1/write to `receiverWriteUrl`. */
export function startRemoteWriteProxy(receiverWriteUrl: string, tenantHeader = "THANOS-TENANT"): Promise<RemoteWriteProxy> {
  const record: WireRecord = { requests: 0, tenants: new Set(), withoutBasicAuth: 0, teams: new Set(), series: 0, failures: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      record.requests++;
      record.tenants.add(String(req.headers[tenantHeader.toLowerCase()] ?? ""));
      if (!/^Basic /.test(String(req.headers.authorization ?? ""))) record.withoutBasicAuth++;
      try {
        for (const labels of writeRequestLabelSets(snappyDecode(body))) {
          record.series++;
          record.teams.add(labels.team ?? "");
        }
      } catch (e) {
        record.failures.push(`decode: ${(e as Error).message}`);
      }
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !["host", "content-length", "connection"].includes(k)) headers[k] = v;
        const answer = await fetch(receiverWriteUrl, { method: "POST", body, headers });
        const text = await answer.text();
        if (answer.status >= 300) record.failures.push(`receiver answered ${answer.status}: ${text.slice(0, 200)}`);
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" }).end(text);
      } catch (e) {
        record.failures.push(`forward: ${(e as Error).message}`);
        res.writeHead(502).end(String(e));
      }
    });
  });
  return listenOnLoopback(server).then(({ port, close }) => ({ url: `http://127.0.0.1:${port}/api/v1/write`, record, close }));
}
