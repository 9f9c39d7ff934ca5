/**
 * A configuration's keys as the worker serves them: every realm's signing keys and decryption
 * keys, each private key checked against its certificate. The worker loads them all before it
 * answers anything and `check-config` runs this same code, so the two refuse the same
 * configurations with the same lines.
 */
import type { ResolvedConfig } from "./types.ts";
import { ConfigError, keyProblem } from "./errors.ts";
import { KeyRing, KeyRingError } from "../keys/keyring.ts";
import { decryptionKeyFor } from "../keys/encryption-keys.ts";

/** The first realm's configuration, then each of `realms[]`'s, in order. */
export function everyRealm(top: ResolvedConfig): ResolvedConfig[] {
  return [top, ...(top.realms ?? []).map((r) => r.config)];
}

/**
 * Loads the keys of every realm of `top`.
 * @returns each realm's key ring, by the realm's configuration
 * @throws ConfigError with a line for each realm whose keys cannot be used
 */
export async function loadKeyRings(top: ResolvedConfig): Promise<Map<ResolvedConfig, KeyRing>> {
  const realms = everyRealm(top);
  const loaded = await Promise.all(
    realms.map((config) =>
      realmKeys(config).catch((e: unknown) => {
        if (!(e instanceof KeyRingError)) throw e;
        return keyProblem(config.root, e.message);
      }),
    ),
  );
  const problems = loaded.filter((r) => typeof r === "string");
  if (problems.length > 0) throw new ConfigError(problems);
  return new Map(realms.map((config, i) => [config, loaded[i] as KeyRing]));
}

/** One realm's signing keys, with its decryption keys loaded beside them (and so checked). */
async function realmKeys(config: ResolvedConfig): Promise<KeyRing> {
  const [ring] = await Promise.all([
    KeyRing.load(config.keys),
    ...config.decryptionKeys.map((k, i) =>
      decryptionKeyFor(k.privateKeyPem, k.certificatePem).catch((e: unknown) => {
        throw new KeyRingError(`decryptionKeys[${i}]: ${e instanceof Error ? e.message.replace(/^decryptionKeys: /, "") : String(e)}`);
      }),
    ),
  ]);
  return ring;
}
