/**
 * User passwords: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) on WebCrypto, stored as
 * `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>` with a 16-byte salt and a 32-byte
 * derived key. Slow by design: passwords are low-entropy, so each guess must cost work.
 */
import { constantTimeEqual, fromBase64, toBase64, utf8 } from "../bytes.ts";

/** Algorithm label that starts every stored password hash. */
export const PASSWORD_HASH_PREFIX = "pbkdf2-sha256";
/** Default (and maximum) iteration count. */
export const DEFAULT_PBKDF2_ITERATIONS = 100_000;
/**
 * Cloudflare's deployed runtime refuses PBKDF2 with more than 100,000 iterations
 * (NotSupportedError; local workerd does not enforce it, so tests cannot show it), so a hash
 * made with more could never be verified on the edge; configuration validation rejects it.
 */
export const MAX_PBKDF2_ITERATIONS = 100_000;
/** Below this a stored hash is too cheap to brute-force-protect anything. */
export const MIN_PBKDF2_ITERATIONS = 10_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** The bounds a password given to a user must keep, in characters (code points: `characterCount`). */
export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 1024;

/** A parsed stored hash. */
export interface ParsedPasswordHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

/**
 * Parses a stored hash. Returns a reason string (for configuration errors) when malformed;
 * never throws.
 */
export function parsePasswordHash(stored: string): ParsedPasswordHash | string {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== PASSWORD_HASH_PREFIX) {
    return `expected ${PASSWORD_HASH_PREFIX}$<iterations>$<salt base64>$<hash base64>`;
  }
  const [, it, saltB64, hashB64] = parts as [string, string, string, string];
  if (!/^[1-9][0-9]{0,9}$/.test(it)) return `iterations "${it.slice(0, 20)}" is not a positive integer`;
  const iterations = Number(it);
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    return `iterations ${iterations} exceed the Workers PBKDF2 limit of ${MAX_PBKDF2_ITERATIONS}`;
  }
  if (iterations < MIN_PBKDF2_ITERATIONS) {
    return `iterations ${iterations} are below the minimum of ${MIN_PBKDF2_ITERATIONS}`;
  }
  const salt = fromBase64(saltB64);
  if (!salt || salt.length < SALT_BYTES) return `salt must be at least ${SALT_BYTES} bytes of base64`;
  const hash = fromBase64(hashB64);
  if (!hash || hash.length !== HASH_BYTES) return `hash must be ${HASH_BYTES} bytes of base64`;
  return { iterations, salt, hash };
}

/**
 * Raw PBKDF2-HMAC-SHA256 (RFC 8018 §5.2). Exposed for known-answer tests and tooling.
 * Passwords are Unicode-normalised to NFC first (RFC 8265 §4.2 OpaqueString) so that the same
 * typed password matches whichever composition form a client sends.
 */
export async function pbkdf2Sha256(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  lengthBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", utf8(password.normalize("NFC")), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    lengthBytes * 8,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password for storage with a fresh random salt.
 * @throws RangeError if `iterations` is outside [MIN, MAX] (tooling input, not request input).
 */
export async function hashPassword(
  password: string,
  options: { iterations?: number } = {},
): Promise<string> {
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(
      `iterations must be an integer from ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS}`,
    );
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await pbkdf2Sha256(password, salt, iterations, HASH_BYTES);
  return `${PASSWORD_HASH_PREFIX}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** The salt of the derivation that stands in for a missing hash (its result is never compared). */
const DUMMY_SALT = new Uint8Array(SALT_BYTES);

/**
 * Verifies a password against a stored hash in constant time (with respect to the hash).
 * Never throws: a malformed stored hash verifies as `false` (configuration validation already
 * rejects malformed hashes at start). Pass `undefined` for an unknown user: a derivation of
 * `unknownIterations` (default {@link DEFAULT_PBKDF2_ITERATIONS}) still runs, so that the
 * answer costs what a known user's does and response time does not reveal which names exist.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
  unknownIterations: number = DEFAULT_PBKDF2_ITERATIONS,
): Promise<boolean> {
  try {
    const parsed = stored === undefined ? undefined : parsePasswordHash(stored);
    if (parsed === undefined || typeof parsed === "string") {
      await pbkdf2Sha256(password, DUMMY_SALT, unknownIterations, HASH_BYTES);
      return false;
    }
    const derived = await pbkdf2Sha256(password, parsed.salt, parsed.iterations, parsed.hash.length);
    return constantTimeEqual(derived, parsed.hash);
  } catch {
    return false;
  }
}
