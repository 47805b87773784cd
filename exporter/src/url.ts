/** Normalises an http(s) base URL (no query, no fragment, no trailing slash) or returns an error text. */
export function parseBaseUrl(raw: string): { url?: string; problem?: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { problem: "is not a URL; use e.g. https://10.96.0.1:443 or http://127.0.0.1:8001" };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return { problem: `has scheme ${JSON.stringify(u.protocol.slice(0, -1))}; use http or https` };
  }
  if (u.search !== "" || u.hash !== "" || u.username !== "" || u.password !== "") {
    return { problem: "must not carry a query, a fragment or credentials; use KUEUEX_TOKEN for credentials" };
  }
  return { url: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}` };
}
