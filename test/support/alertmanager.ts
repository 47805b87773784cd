/**
 * A real Alertmanager (Debian's prometheus-alertmanager 0.25, installed by scripts/install-promtool.sh) on
 * 127.0.0.1, and a webhook receiver that records what it is sent. Never the system one (the package may
 * start it on :9093).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { findTool, freePort, stopChild, tempDir, ToolResult, waitReady } from "./prometheus";

/** `amtool check-config <file>` (never throws on a non-zero exit). */
export function amtoolCheck(file: string): ToolResult {
  const r = spawnSync(findTool("amtool"), ["check-config", file], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface AlertmanagerProcess {
  /** host:port, for a Prometheus' alerting config. */
  target: string;
  url: string;
  stop(): Promise<void>;
}

export async function startAlertmanager(configYaml: string): Promise<AlertmanagerProcess> {
  const work = tempDir("alertmanager");
  const config = path.join(work, "alertmanager.yml");
  fs.writeFileSync(config, configYaml);
  const logFile = path.join(work, "alertmanager.log");
  const port = await freePort();
  const log = fs.openSync(logFile, "w");
  const child = spawn(
    findTool("prometheus-alertmanager"),
    [`--config.file=${config}`, `--storage.path=${path.join(work, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", "--log.level=warn"],
    { stdio: ["ignore", log, log] },
  );
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, 30_000, logFile);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return {
    target: `127.0.0.1:${port}`,
    url,
    stop: async () => {
      await stopChild(child);
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** One alert of an Alertmanager webhook notification (its JSON payload, version 4). */
export interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface WebhookReceiver {
  /** Base URL; POSTs to `<url>/<path>` are recorded under `<path>`. */
  url: string;
  /** Alerts received per path. */
  received: Map<string, WebhookAlert[]>;
  /** Resolves once `test(received)` holds, or rejects after `timeoutMs` naming what arrived. */
  waitFor(test: (r: Map<string, WebhookAlert[]>) => boolean, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export function webhookReceiver(): Promise<WebhookReceiver> {
  const received = new Map<string, WebhookAlert[]>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const key = (req.url ?? "/").replace(/^\//, "");
      try {
        const payload = JSON.parse(body) as { alerts: WebhookAlert[] };
        received.set(key, [...(received.get(key) ?? []), ...payload.alerts]);
      } catch {
        received.set(key, [...(received.get(key) ?? []), { status: "unparsable", labels: {}, annotations: { body } }]);
      }
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        url,
        received,
        waitFor: async (test, timeoutMs) => {
          const deadline = Date.now() + timeoutMs;
          while (Date.now() < deadline) {
            if (test(received)) return;
            await new Promise((r) => setTimeout(r, 200));
          }
          const seen = [...received].map(([k, v]) => `${k}: ${[...new Set(v.map((a) => a.labels.alertname))].join(", ")}`).join("; ");
          throw new Error(`not delivered within ${timeoutMs} ms; received: ${seen || "nothing"}`);
        },
        close: () => new Promise((r) => server.close(() => r())),
      });
    }),
  );
}
