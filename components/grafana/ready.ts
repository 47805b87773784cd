/**
 * GrafanaReady: a step of `pulumi up` that waits until Grafana answers at the URL the provider will dial,
 * before any Grafana resource is created.
 *
 * Why: the Grafana provider dials `grafana.url` from the machine running `pulumi up`. On a first deploy
 * that URL answers only once the pod is ready, the ingress has an address, its DNS record resolves and
 * its certificate is issued. The provider's own retries (terraform-provider-grafana v4.45.1: 3 retries,
 * 2/4/8 s backoff, pkg/provider/configure_clients.go + grafana-openapi-client-go transport.go) give up
 * after ~14 s, and a transport error on creating a contact point then reaches an unchecked type cast
 * (resource_alerting_contact_point.go). So the program polls `GET <url>/api/health` (the chart's own
 * readiness path, values.yaml readinessProbe) until it answers 200 with `"database": "ok"`, for at most
 * `grafana.readinessTimeoutSeconds`, and fails with what it saw last.
 *
 * It is a Pulumi dynamic resource: its provider runs in the process of `pulumi up` (the machine that the
 * Grafana provider dials from, too). It waits again whenever the URL or the Grafana release changes.
 */
import * as pulumi from "@pulumi/pulumi";

export interface HealthWait {
  attempts: number;
  seconds: number;
}

/** Polls `<url>/api/health` until Grafana is healthy or `timeoutSeconds` pass; throws naming the last answer. */
export async function waitForGrafanaHealth(url: string, timeoutSeconds: number, intervalSeconds = 5): Promise<HealthWait> {
  const start = Date.now();
  const health = `${url.replace(/\/+$/, "")}/api/health`;
  let attempts = 0;
  let last = "no answer";
  for (;;) {
    attempts++;
    try {
      const res = await fetch(health, { signal: AbortSignal.timeout(10_000), redirect: "manual" });
      const body = await res.text();
      if (res.status === 200 && /"database"\s*:\s*"ok"/.test(body)) return { attempts, seconds: Math.round((Date.now() - start) / 1000) };
      last = `HTTP ${res.status}${res.status === 200 ? ` without "database": "ok"` : ""}`;
    } catch (e) {
      const err = e as { cause?: { code?: string; message?: string }; name?: string; message?: string };
      last = err.cause?.code ?? err.cause?.message ?? (err.name === "TimeoutError" ? "timed out after 10 s" : err.message ?? String(e));
    }
    if (Date.now() - start + intervalSeconds * 1000 > timeoutSeconds * 1000) {
      throw new Error(
        `Grafana at ${url} did not answer GET ${health} within ${timeoutSeconds} s (${attempts} attempts; last: ${last}). ` +
          `The provider dials this URL from this machine: check the DNS record and address of the ingress, its TLS certificate, or the local port mapping (docs/DEPLOY.md, troubleshooting)`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalSeconds * 1000));
  }
}

interface ReadyInputs {
  url: string;
  timeoutSeconds: number;
  /** Changes when the Grafana behind the URL is re-deployed (chart version, release). */
  trigger: string;
}

const readyProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ReadyInputs) {
    const w = await waitForGrafanaHealth(inputs.url, inputs.timeoutSeconds);
    return { id: inputs.url, outs: { ...inputs, waitedSeconds: w.seconds } };
  },
  async diff(_id: string, olds: ReadyInputs, news: ReadyInputs) {
    const changes = olds.url !== news.url || olds.trigger !== news.trigger || olds.timeoutSeconds !== news.timeoutSeconds;
    return { changes, replaces: olds.url !== news.url ? ["url"] : [], deleteBeforeReplace: false };
  },
  async update(_id: string, _olds: ReadyInputs, news: ReadyInputs) {
    const w = await waitForGrafanaHealth(news.url, news.timeoutSeconds);
    return { outs: { ...news, waitedSeconds: w.seconds } };
  },
};

export interface GrafanaReadyArgs {
  url: pulumi.Input<string>;
  timeoutSeconds: number;
  trigger: pulumi.Input<string>;
}

export class GrafanaReady extends pulumi.dynamic.Resource {
  constructor(name: string, args: GrafanaReadyArgs, opts?: pulumi.CustomResourceOptions) {
    super(readyProvider, name, { ...args, waitedSeconds: undefined }, opts, "monitoring", "GrafanaReady");
  }
}
