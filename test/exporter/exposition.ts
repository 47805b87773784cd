// A small parser for the Prometheus text exposition format (what prom-client writes), for assertions.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` per metric family. */
  types: Map<string, string>;
  text: string;
}

function parseValue(raw: string): number {
  if (raw === "+Inf") return Infinity;
  if (raw === "-Inf") return -Infinity;
  // prom-client writes NaN as "Nan"; Prometheus parses it case-insensitively (Go's strconv.ParseFloat).
  if (/^nan$/i.test(raw)) return NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`bad sample value ${JSON.stringify(raw)}`);
  return n;
}

function parseLabels(s: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf("=", i);
    if (eq < 0 || s[eq + 1] !== '"') throw new Error(`bad labels in ${JSON.stringify(line)}`);
    const name = s.slice(i, eq).trim();
    let j = eq + 2;
    let value = "";
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === "\\") {
        j++;
        value += s[j] === "n" ? "\n" : s[j];
      } else {
        value += s[j];
      }
    }
    if (j >= s.length) throw new Error(`unterminated label value in ${JSON.stringify(line)}`);
    if (name in labels) throw new Error(`duplicate label ${name} in ${JSON.stringify(line)}`);
    labels[name] = value;
    i = j + 1;
    if (s[i] === ",") i++;
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m) {
        if (types.has(m[1])) throw new Error(`metric family ${m[1]} declared twice`);
        types.set(m[1], m[2]);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line ${JSON.stringify(line)}`);
    samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3]) });
  }
  return { samples, types, text };
}

/** Samples of `name` whose labels include all of `labels`. */
export function select(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The value of the single sample of `name` with `labels`; undefined if absent; throws if ambiguous. */
export function value(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = select(e, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
