/** Raw config keys every test config needs besides the section under test (what `parseConfig` requires). */
export const RUNBOOKS = { "monitoring:alerting": JSON.stringify({ runbookBaseUrl: "https://github.com/example-org/monitoring-stack/blob/main/" }) };

/** A minimal valid raw config for cluster `name`. */
export function minimal(name = "test", extra: Record<string, unknown> = {}): Record<string, string> {
  return { "monitoring:cluster": JSON.stringify({ name, ...extra }), ...RUNBOOKS };
}
