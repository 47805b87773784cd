// HTTP endpoints: /metrics (last snapshot, never waits on the API server), /healthz (process alive),
// /readyz (at least one poll completed, successful or not).
import * as http from "node:http";
import { describeError, log } from "./log";
import type { ExporterMetrics } from "./metrics";

export function createServer(metrics: ExporterMetrics, isReady: () => boolean): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, body: string | Buffer[], type = "text/plain; charset=utf-8") => {
      const parts = typeof body === "string" ? [Buffer.from(body, "utf8")] : body;
      const length = parts.reduce((n, b) => n + b.length, 0);
      res.writeHead(status, { "Content-Type": type, "Content-Length": length });
      if (req.method !== "HEAD") for (const b of parts) res.write(b);
      res.end();
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      reply(405, "method not allowed\n");
      return;
    }
    switch (path) {
      case "/metrics":
        metrics.render().then(
          (parts) => reply(200, parts, metrics.contentType),
          (err) => {
            log("error", "rendering /metrics failed", { error: describeError(err) });
            reply(500, "rendering metrics failed\n");
          },
        );
        return;
      case "/healthz":
        reply(200, "ok\n");
        return;
      case "/readyz":
        if (isReady()) reply(200, "ok\n");
        else reply(503, "no poll has completed yet\n");
        return;
      default:
        reply(404, "not found; try /metrics, /healthz or /readyz\n");
    }
  });
}
