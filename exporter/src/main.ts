// kueue-exporter: polls Kueue's visibility API and serves pending-workload metrics for Prometheus.
// Configuration and metrics: exporter/README.md. Exit codes: 0 after SIGTERM/SIGINT, 1 when the port
// cannot be bound, 2 on invalid configuration.
import type { AddressInfo } from "node:net";
import { loadConfig } from "./config";
import { AbortedError, KubeClient } from "./kube";
import { describeError, log } from "./log";
import { ExporterMetrics } from "./metrics";
import { Poller } from "./poller";
import { createServer } from "./server";

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

function main(): void {
  // A fault anywhere must not take the exporter down: log it and keep serving the last snapshot.
  process.on("unhandledRejection", (reason) => log("error", "unhandled rejection", { error: describeError(reason) }));
  process.on("uncaughtException", (err) => log("error", "uncaught exception", { error: describeError(err), stack: err.stack }));

  const { config, errors } = loadConfig(process.env);
  if (config === undefined) {
    log("error", `invalid configuration: ${errors.join("; ")}`, { errors });
    process.exit(2);
  }

  const metrics = new ExporterMetrics();
  const client = new KubeClient(config.api, config.requestTimeoutSeconds * 1000, config.concurrency + 1);
  const poller = new Poller(config, client, metrics);
  const controller = new AbortController();
  let ready = false;
  const server = createServer(metrics, () => ready);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "shutting down", { signal });
    controller.abort();
    client.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  server.on("error", (err) => {
    log("error", `cannot serve on port ${config.port}: ${describeError(err)}`);
    process.exit(1);
  });
  server.listen(config.port, config.listenHost, () => {
    const address = server.address() as AddressInfo;
    log("info", "listening", {
      port: address.port,
      address: address.address,
      apiServer: config.api.baseUrl,
      apiSource: config.api.source,
      pollIntervalSeconds: config.pollIntervalSeconds,
      topN: config.topN,
      pageSize: config.pageSize,
      concurrency: config.concurrency,
      requestTimeoutSeconds: config.requestTimeoutSeconds,
    });
  });

  const loop = async () => {
    while (!controller.signal.aborted) {
      const started = Date.now();
      try {
        await poller.pollOnce(controller.signal);
      } catch (err) {
        if (!(err instanceof AbortedError)) log("error", "poll failed unexpectedly", { error: describeError(err) });
      }
      ready = true;
      await sleep(Math.max(0, config.pollIntervalSeconds * 1000 - (Date.now() - started)), controller.signal);
    }
  };
  void loop();
}

main();
