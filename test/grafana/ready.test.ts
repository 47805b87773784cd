/** The readiness wait before the Grafana provider: a real HTTP server on 127.0.0.1 that answers late, wrongly, or never. */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { waitForGrafanaHealth } from "../../components/grafana/ready";

function server(answer: (n: number) => { status: number; body: string }): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let n = 0;
  const s = http.createServer((req, res) => {
    n++;
    const a = req.url === "/api/health" ? answer(n) : { status: 404, body: "not found" };
    res.writeHead(a.status, { "content-type": "application/json" });
    res.end(a.body);
  });
  return new Promise((resolve) =>
    s.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits: () => n, close: () => new Promise((r) => s.close(() => r())) }),
    ),
  );
}

const healthy = { status: 200, body: '{"commit":"abc","database":"ok","version":"13.2.0"}' };

describe("waiting for Grafana before pushing content", () => {
  it("polls /api/health until Grafana answers healthy", async () => {
    const s = await server((n) => (n < 3 ? { status: 503, body: '{"database":"failing"}' } : healthy));
    try {
      const w = await waitForGrafanaHealth(`${s.url}/`, 10, 0.05);
      assert.equal(w.attempts, 3);
      assert.equal(s.hits(), 3);
    } finally {
      await s.close();
    }
  });

  it("does not take a 200 without a healthy database for ready, and says what it saw last", async () => {
    const s = await server(() => ({ status: 200, body: "<html>login</html>" }));
    try {
      await assert.rejects(waitForGrafanaHealth(s.url, 0.3, 0.05), (e: Error) => {
        assert.match(e.message, new RegExp(`^Grafana at ${s.url} did not answer GET ${s.url}/api/health within 0.3 s \\(\\d+ attempts; last: HTTP 200 without "database": "ok"\\)`));
        assert.match(e.message, /check the DNS record and address of the ingress, its TLS certificate, or the local port mapping/);
        return true;
      });
    } finally {
      await s.close();
    }
  });

  it("names the connection error when nothing listens", async () => {
    const s = await server(() => healthy);
    const url = s.url;
    await s.close();
    await assert.rejects(waitForGrafanaHealth(url, 0.2, 0.05), /last: ECONNREFUSED/);
  });
});
