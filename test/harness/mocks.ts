/**
 * The recording harness for Pulumi mocks.
 *
 * - `newResource` alone sees type, name and inputs; parent and options (protect, retainOnDelete, dependsOn,
 *   provider) only travel on the RegisterResourceRequest, so we wrap the MockMonitor's registerResource and
 *   read them from the request (FACTS.md "Pulumi mocks").
 * - Awaiting one output does not mean every resource is registered: `settle()` drains the SDK's RPC queue
 *   (`waitForRPCs`, internal, hence wrapped here once).
 * - Any invoke fails the run: the program must not depend on cluster look-ups. One is answered: a stack that
 *   does not own a central Grafana's shared content finds the teams' organizations by name
 *   (grafana:oss/getOrganization), answered with the ID `<name>-org-id`; `invokes` lists the calls.
 * - The mock accepts duplicate URNs; we record them and `assertUniqueUrns()` fails on a repeat.
 */
import * as pulumi from "@pulumi/pulumi";
// Internal SDK modules: the only way to reach the mock monitor and the RPC queue.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings");

export interface Recorded {
  urn: string;
  type: string;
  name: string;
  /** Inputs as the SDK serialised them (secrets unwrapped; see `secretPaths`). */
  inputs: Record<string, any>;
  /** Dotted paths of inputs that were registered as secrets. */
  secretPaths: string[];
  /** Inputs with every secret replaced by "[secret]" (what `plan` prints and writes). */
  masked: Record<string, any>;
  parent: string;
  custom: boolean;
  remote: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  dependsOn: string[];
  provider: string;
  providers: Record<string, string>;
  ignoreChanges: string[];
  /** The `import` resource option (ID of an existing object to adopt), "" when unset. */
  importId: string;
}

export interface RunResult<T> {
  value: T;
  resources: Recorded[];
  /** Answered invokes: token and arguments. */
  invokes: { token: string; inputs: Record<string, any> }[];
}

/** The invokes the harness answers (everything else fails the run). */
const ANSWERED_INVOKES: Record<string, (inputs: any) => Record<string, any>> = {
  "grafana:oss/getOrganization:getOrganization": (i) => ({ id: `${i.name}-org-id`, name: i.name, admins: [], editors: [], viewers: [], usersWithoutAccesses: [], adminUser: "admin" }),
};

/** Unwraps serialised secrets, noting their paths; with `mask`, replaces them by "[secret]" instead. */
function unwrapSecrets(v: any, path: string, secrets: string[], mask = false): any {
  if (v && typeof v === "object") {
    if (v[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
      secrets.push(path || "<root>");
      return mask ? "[secret]" : unwrapSecrets(v.value, path, secrets, mask);
    }
    if (Array.isArray(v)) return v.map((x, i) => unwrapSecrets(x, `${path}[${i}]`, secrets, mask));
    const out: Record<string, any> = {};
    for (const [k, x] of Object.entries(v)) out[k] = unwrapSecrets(x, path ? `${path}.${k}` : k, secrets, mask);
    return out;
  }
  return v;
}

/** Provider-computed outputs that programs read (faked here, as the real provider would compute them). */
function fakeState(type: string, name: string, inputs: any): Record<string, any> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      // The mock does not apply additionalSecretOutputs: wrap the result ourselves (FACTS.md).
      return { ...inputs, result: pulumi.secret(`mock-password-${name}`) };
    // @pulumi/tls computes keys and certificates; fake PEM-shaped values (the key as a secret, as the provider marks it).
    case "tls:index/privateKey:PrivateKey":
      return { ...inputs, privateKeyPem: pulumi.secret(`-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`), publicKeyPem: `mock-public-${name}` };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { ...inputs, certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}\n-----END CERTIFICATE-----\n` };
    case "tls:index/certRequest:CertRequest":
      return { ...inputs, certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nmock-${name}\n-----END CERTIFICATE REQUEST-----\n` };
    default:
      return inputs;
  }
}

/**
 * Installs mocks for `project`/`stack` with the given raw config (keys `<namespace>:<key>`, string values),
 * runs `program`, drains registrations, and returns what it registered.
 */
export async function runWithMocks<T>(
  program: () => T | Promise<T>,
  opts: { project?: string; stack?: string; config?: Record<string, string>; secretKeys?: string[] } = {},
): Promise<RunResult<T>> {
  const project = opts.project ?? "monitoring";
  const stack = opts.stack ?? "test";
  pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
  const recorded: Recorded[] = [];
  const unmocked: string[] = [];
  const invokes: RunResult<T>["invokes"] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args: pulumi.runtime.MockResourceArgs) => ({
        id: `${args.name}-id`,
        state: fakeState(args.type, args.name, args.inputs),
      }),
      call: (args: pulumi.runtime.MockCallArgs) => {
        const answer = ANSWERED_INVOKES[args.token];
        if (answer) {
          invokes.push({ token: args.token, inputs: args.inputs });
          return answer(args.inputs);
        }
        // The SDK replaces this error by a bare "Error"; remember the token and fail the run below.
        unmocked.push(args.token);
        throw new Error(`unmocked invoke ${args.token}: the program must not call the cluster or a provider function`);
      },
    },
    project,
    stack,
    false,
  );
  const monitor = settings.getMonitor();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const type: string = req.getType();
    const name: string = req.getName();
    const secretPaths: string[] = [];
    const raw = pulumi.runtime.deserializeProperties(req.getObject());
    const inputs = unwrapSecrets(raw, "", secretPaths);
    const masked = unwrapSecrets(raw, "", [], true);
    const parent: string = req.getParent();
    recorded.push({
      urn: monitor.newUrn(parent, type, name),
      type,
      name,
      inputs,
      secretPaths,
      masked,
      parent,
      custom: req.getCustom(),
      remote: req.getRemote(),
      protect: req.getProtect(),
      retainOnDelete: req.getRetainondelete(),
      dependsOn: req.getDependenciesList(),
      provider: req.getProvider(),
      providers: Object.fromEntries(req.getProvidersMap().toArray()),
      ignoreChanges: req.getIgnorechangesList(),
      importId: req.getImportid(),
    });
    return original(req, callback);
  };
  let value: T;
  try {
    value = await program();
    await settle();
  } finally {
    if (unmocked.length) {
      throw new Error(`unmocked invoke ${unmocked.join(", ")}: the program must not call the cluster or a provider function`);
    }
  }
  return { value, resources: recorded, invokes };
}

/** Waits until every outstanding registration and output resolution has been processed. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await settings.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}

/** Resolves an Output (or plain value) in tests. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

export function assertUniqueUrns(resources: Recorded[]): void {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const r of resources) (seen.has(r.urn) ? dups : seen).add(r.urn);
  if (dups.size) throw new Error(`duplicate URNs: ${[...dups].join(", ")}`);
}

/** The resources of one type (the Pulumi type token, e.g. "kubernetes:core/v1:ServiceAccount"). */
export function ofType(resources: Recorded[], type: string): Recorded[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource of `type` whose name is `name`; fails naming what exists instead. */
export function one(resources: Recorded[], type: string, name: string): Recorded {
  const found = resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = ofType(resources, type).map((r) => r.name);
    throw new Error(`expected one ${type} named ${name}, found ${found.length}; ${type} names: ${names.join(", ") || "none"}`);
  }
  return found[0];
}

/** The URN of the resource registered with `type` and `name`. */
export function urnOf(resources: Recorded[], type: string, name: string): string {
  return one(resources, type, name).urn;
}

/** Is the resource a descendant of (or equal to) `ancestorUrn`? */
export function isUnder(resources: Recorded[], r: Recorded, ancestorUrn: string): boolean {
  const byUrn = new Map(resources.map((x) => [x.urn, x]));
  for (let cur: Recorded | undefined = r; cur; cur = byUrn.get(cur.parent)) {
    if (cur.urn === ancestorUrn) return true;
  }
  return false;
}
