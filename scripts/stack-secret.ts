/**
 * Encrypts a value for a stack file the way the Pulumi CLI's passphrase secrets provider does, so secret
 * config can be written without the CLI (`pulumi config set --secret` does the same):
 *
 *   PULUMI_CONFIG_PASSPHRASE=... npx tsx scripts/stack-secret.ts <stack> <value>     → prints `secure: v1:...`
 *
 * The stack file's `encryptionsalt` (`v1:<salt>:<"pulumi" encrypted>`) is read, or made and written when
 * missing. Format and key derivation: pulumi/pulumi sdk/go/common/resource/config/crypt.go (PBKDF2-SHA256,
 * 1,000,000 iterations, 32-byte key; AES-256-GCM, 12-byte nonce; `v1:<nonce b64>:<ciphertext+tag b64>`) and
 * pkg/secrets/passphrase/manager.go (the salt state); checked against manager_test.go's test vector in
 * test/foundation/stackSecrets.test.ts.
 *
 * The committed example stacks (staging, prod, hub) use the passphrase in EXAMPLE_PASSPHRASE: it is public,
 * so their secrets are examples only. A real cluster's stack uses its own passphrase or secrets provider
 * (`pulumi stack change-secrets-provider`).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

export const EXAMPLE_PASSPHRASE = "monitoring-stack-example";

export function deriveKey(passphrase: string, salt: Buffer): Buffer {
  return crypto.pbkdf2Sync(passphrase, salt, 1_000_000, 32, "sha256");
}

export function encryptValue(key: Buffer, value: string, nonce: Buffer = crypto.randomBytes(12)): string {
  const c = crypto.createCipheriv("aes-256-gcm", key, nonce);
  const data = Buffer.concat([c.update(value, "utf8"), c.final(), c.getAuthTag()]);
  return `v1:${nonce.toString("base64")}:${data.toString("base64")}`;
}

/** The plaintext, or throws (a wrong passphrase fails the GCM tag check, as in the CLI). */
export function decryptValue(key: Buffer, value: string): string {
  const [v, nonce, data] = value.split(":");
  if (v !== "v1" || nonce === undefined || data === undefined) throw new Error(`not a v1 ciphertext: ${value}`);
  const raw = Buffer.from(data, "base64");
  const d = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
  d.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]).toString("utf8");
}

/** The key of a stack's `encryptionsalt` state, checked against the "pulumi" message it carries. */
export function keyFromSalt(passphrase: string, encryptionsalt: string): Buffer {
  const m = /^v1:([^:]+):(v1:.+)$/.exec(encryptionsalt);
  if (!m) throw new Error(`encryptionsalt ${JSON.stringify(encryptionsalt)} is not v1:<salt>:<message>`);
  const key = deriveKey(passphrase, Buffer.from(m[1], "base64"));
  let msg: string;
  try {
    msg = decryptValue(key, m[2]);
  } catch {
    throw new Error("incorrect passphrase");
  }
  if (msg !== "pulumi") throw new Error("incorrect passphrase");
  return key;
}

export function newSalt(passphrase: string): { encryptionsalt: string; key: Buffer } {
  const salt = crypto.randomBytes(8);
  const key = deriveKey(passphrase, salt);
  return { encryptionsalt: `v1:${salt.toString("base64")}:${encryptValue(key, "pulumi")}`, key };
}

if (require.main === module) {
  const [stack, value] = process.argv.slice(2);
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (!stack || value === undefined || !passphrase) {
    console.error("usage: PULUMI_CONFIG_PASSPHRASE=... npx tsx scripts/stack-secret.ts <stack> <value>");
    process.exit(1);
  }
  const file = path.resolve(__dirname, "..", `Pulumi.${stack}.yaml`);
  const text = fs.readFileSync(file, "utf8");
  const doc = YAML.parse(text) ?? {};
  let key: Buffer;
  if (doc.encryptionsalt) key = keyFromSalt(passphrase, doc.encryptionsalt);
  else {
    const s = newSalt(passphrase);
    key = s.key;
    fs.writeFileSync(file, `encryptionsalt: ${s.encryptionsalt}\n${text}`);
    console.error(`wrote encryptionsalt to ${path.basename(file)}`);
  }
  console.log(`secure: ${encryptValue(key, value)}`);
}
