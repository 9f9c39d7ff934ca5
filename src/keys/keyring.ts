/**
 * The key ring: signing keys imported once per isolate (never per request: an import costs more
 * than a signature),
 * addressed by kid, by status (current / next / previous) and by exact certificate bytes.
 */
import type { NamedCurve } from "./ecdsa-sig.ts";
import { fromBase64Url } from "../bytes.ts";
import { pemToDer, toBase64, toBase64Url } from "./pem.ts";
import { parseCertificate } from "./x509.ts";
import type { Confirmation } from "../token/confirmation.ts";

export type JwsAlg = "RS256" | "RS384" | "RS512" | "PS256" | "ES256" | "ES384" | "ES512";
/**
 * The algorithm a key is used with. XML-DSig callers map their URI to the JWS name with the
 * same primitive and hash (rsa-sha256 → RS256, ecdsa-sha384 → ES384). For EC the import does
 * not depend on the hash, so ES384 on a P-256 key is allowed here (XML-DSig permits it);
 * JOSE's curve/hash pairing (RFC 7518 §3.4) is the JWT code's to enforce.
 */
export type SignatureAlg = JwsAlg | LegacyVerifyAlg;
/**
 * SHA-1 forms (XML-DSig rsa-sha1 / ecdsa-sha1): not JOSE names, accepted by `publicKeyFor` only
 * so that a verifier that explicitly allows SHA-1 can check legacy signatures; never for signing.
 */
export type LegacyVerifyAlg = "RS1" | "ES1";

/** One configured key, as PEM text. */
export interface KeyMaterial {
  kid?: string;
  status: "current" | "next" | "previous";
  /** PKCS#8 PEM ("PRIVATE KEY"); required for `current`, optional otherwise. */
  privateKeyPem?: string;
  certificatePem: string;
}

/** A loaded key. `privateKeyFor`/`publicKeyFor` import lazily and cache per (key, alg). */
export interface SigningKey {
  /** Configured kid, or the RFC 7638 SHA-256 thumbprint of the public JWK (base64url). */
  kid: string;
  status: KeyMaterial["status"];
  kty: "RSA" | "EC";
  namedCurve?: NamedCurve;
  modulusBits?: number;
  certificateDer: Uint8Array;
  /** The certificate's validity (RFC 5280 §4.1.2.5): relying parties may refuse tokens signed outside it. */
  notBefore: Date;
  notAfter: Date;
  /** Standard base64 of the DER, as ds:X509Certificate and JWK x5c (RFC 7517 §4.7) carry it. */
  certificateBase64: string;
  /** base64url SHA-256 of the certificate DER (RFC 7517 §4.9 x5t#S256). */
  x5tS256: string;
  /**
   * Public JWK with kid, use "sig", x5c, x5t#S256 (a relying party that pins a certificate, or
   * reads one from a SAML token's KeyInfo, finds its key by it), and alg for EC keys (whose
   * curve fixes it).
   */
  publicJwk: JsonWebKey & { kid: string; use: "sig"; x5c: string[]; "x5t#S256": string; alg?: string };
  hasPrivateKey: boolean;
  privateKeyFor(alg: SignatureAlg): Promise<CryptoKey>;
  publicKeyFor(alg: SignatureAlg): Promise<CryptoKey>;
}

/** Configuration or lookup problems; messages name the kid and never contain key material. */
export class KeyRingError extends Error {
  readonly code = "ERR_KEYRING";
  constructor(message: string) {
    super(message);
    this.name = "KeyRingError";
  }
}

/** WebCrypto import parameters (structural, so the file also type-checks outside workerd). */
interface ImportParams {
  name: string;
  hash?: string;
  namedCurve?: string;
}

const CURVE_ALG: Record<NamedCurve, JwsAlg> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/**
 * WebCrypto import parameters for `alg` on a key of type `kty`; the string is the cache key.
 * @throws KeyRingError when the key type does not fit the algorithm.
 */
export function importParams(alg: SignatureAlg, kty: "RSA" | "EC", curve?: NamedCurve): [string, ImportParams] {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith("ES")) {
    if (kty !== "EC" || !curve) throw new KeyRingError(`${alg} needs an EC key`);
    return ["ECDSA", { name: "ECDSA", namedCurve: curve }];
  }
  if (kty !== "RSA") throw new KeyRingError(`${alg} needs an RSA key`);
  const name = alg.startsWith("PS") ? "RSA-PSS" : "RSASSA-PKCS1-v1_5";
  return [`${name}/${hash}`, { name, hash }];
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA, EC or OKP (RFC 8037) public JWK: the
 * one thumbprint every binding is compared by — a DPoP proof's key (RFC 9449 §6.1 `cnf.jkt`), a
 * `cnf.jwk`, a WS-Trust UseKey — so a key has the same thumbprint whichever door it came through.
 */
export async function jwkThumbprint(jwk: JsonWebKey): Promise<string> {
  // RFC 7638 §3.2: required members only, lexicographic order, no whitespace; RFC 8037 §2: an
  // OKP key's are crv, kty and x.
  const json = jwk.kty === "RSA"
    ? JSON.stringify({ e: minimalUInt(jwk.e), kty: "RSA", n: minimalUInt(jwk.n) })
    : jwk.kty === "OKP"
      ? JSON.stringify({ crv: jwk.crv, kty: "OKP", x: jwk.x })
      : JSON.stringify({ crv: jwk.crv, kty: "EC", x: jwk.x, y: jwk.y });
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(json))));
}

/**
 * RFC 7518 §6.3.1.1: an RSA `n` or `e` is its minimum number of octets; libraries that prepend a
 * zero octet write the same integer, and the thumbprint is of the integer (RFC 8555 erratum 7565:
 * prepended zero octets are stripped before RFC 7638's computation). EC coordinates are fixed
 * length and are not touched.
 */
function minimalUInt(v: string | undefined): string | undefined {
  const bytes = v === undefined ? undefined : fromBase64Url(v);
  if (!bytes || bytes.length < 2 || bytes[0] !== 0) return v;
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return toBase64Url(bytes.subarray(i));
}

/**
 * The RFC 7638 thumbprint of the key a token is bound to, as a proof made with that key is
 * compared with it: a public key's (holder-of-key SAML, JWT `cnf.jwk`) or a DPoP binding's
 * `cnf.jkt` (RFC 9449 §6.1, the same thumbprint). Undefined for a symmetric key, which no
 * public-key proof can stand for.
 */
export async function confirmationThumbprint(c: Confirmation): Promise<string | undefined> {
  if (c.method === "dpop") return c.jkt;
  if (c.method === "public-key") return jwkThumbprint(c.jwk);
  return undefined;
}

async function loadOne(m: KeyMaterial, index: number): Promise<SigningKey> {
  const label = m.kid ?? `#${index}`;
  let cert;
  try {
    cert = parseCertificate(pemToDer(m.certificatePem, "CERTIFICATE"));
  } catch (e) {
    throw new KeyRingError(`key ${label}: bad certificate: ${(e as Error).message}`);
  }
  const { kty, namedCurve } = cert;
  const probeAlg: JwsAlg = kty === "EC" ? CURVE_ALG[namedCurve!] : "RS256";
  const [, probeParams] = importParams(probeAlg, kty, namedCurve);
  const exportable = await crypto.subtle.importKey("spki", cert.spki, probeParams, true, ["verify"]);
  const jwk = (await crypto.subtle.exportKey("jwk", exportable)) as JsonWebKey;
  const kid = m.kid ?? (await jwkThumbprint(jwk));
  if (m.status === "current" && !m.privateKeyPem) throw new KeyRingError(`key ${kid}: a current key needs a private key`);
  const pkcs8 = m.privateKeyPem ? pemToDerOrThrow(m.privateKeyPem, kid) : undefined;
  const priv = new Map<string, Promise<CryptoKey>>();
  const pub = new Map<string, Promise<CryptoKey>>();
  const cached = (cache: Map<string, Promise<CryptoKey>>, alg: SignatureAlg, make: (p: ImportParams) => Promise<CryptoKey>) => {
    let ck: string, params: ImportParams;
    try {
      [ck, params] = importParams(alg, kty, namedCurve);
    } catch (e) {
      return Promise.reject(e); // always a promise, never a synchronous throw
    }
    let p = cache.get(ck);
    if (!p) {
      p = make(params);
      cache.set(ck, p);
      p.catch(() => cache.delete(ck)); // do not cache failures
    }
    return p;
  };
  const certificateBase64 = toBase64(cert.der);
  const x5tS256 = toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", cert.der)));
  const key: SigningKey = {
    kid,
    status: m.status,
    kty,
    ...(namedCurve ? { namedCurve } : {}),
    ...(cert.modulusBits ? { modulusBits: cert.modulusBits } : {}),
    certificateDer: cert.der,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    certificateBase64,
    x5tS256,
    publicJwk: {
      kty: jwk.kty!,
      ...(kty === "RSA" ? { n: jwk.n!, e: jwk.e! } : { crv: jwk.crv!, x: jwk.x!, y: jwk.y!, alg: CURVE_ALG[namedCurve!] }),
      kid,
      use: "sig",
      x5c: [certificateBase64],
      "x5t#S256": x5tS256,
    },
    hasPrivateKey: pkcs8 !== undefined,
    privateKeyFor(alg) {
      if (!pkcs8) return Promise.reject(new KeyRingError(`key ${kid} has no private key`));
      if (alg === "RS1" || alg === "ES1") return Promise.reject(new KeyRingError(`${alg} is verify-only`));
      return cached(priv, alg, (p) => crypto.subtle.importKey("pkcs8", pkcs8, p, false, ["sign"]));
    },
    publicKeyFor(alg) {
      return cached(pub, alg, (p) => crypto.subtle.importKey("spki", cert.spki, p, false, ["verify"]));
    },
  };
  if (pkcs8) await probe(key, probeAlg);
  return key;
}

function pemToDerOrThrow(pem: string, kid: string): Uint8Array {
  try {
    return pemToDer(pem, "PRIVATE KEY");
  } catch (e) {
    throw new KeyRingError(`key ${kid}: bad private key: ${(e as Error).message}`);
  }
}

/** Signs and verifies a probe so a key/certificate mismatch fails at load, not at first use. */
async function probe(key: SigningKey, alg: JwsAlg): Promise<void> {
  const params = alg.startsWith("ES") ? { name: "ECDSA", hash: `SHA-${alg.slice(2)}` } : { name: "RSASSA-PKCS1-v1_5" };
  const data = new TextEncoder().encode("edge-sts key probe");
  let ok = false;
  try {
    const sig = await crypto.subtle.sign(params, await key.privateKeyFor(alg), data);
    ok = await crypto.subtle.verify(params, await key.publicKeyFor(alg), sig, data);
  } catch (e) {
    throw new KeyRingError(`key ${key.kid}: private key unusable with its certificate (${(e as Error).message})`);
  }
  if (!ok) throw new KeyRingError(`key ${key.kid}: private key does not match its certificate`);
}

const STATUS_ORDER = { current: 0, next: 1, previous: 2 } as const;

/** Loaded signing keys. Build once per isolate with {@link KeyRing.load}. */
export class KeyRing {
  readonly #keys: SigningKey[];

  private constructor(keys: SigningKey[]) {
    this.#keys = keys;
  }

  /**
   * Parses, imports and cross-checks every key; throws KeyRingError naming the bad entry of
   * `field`, the configuration list the materials come from (`keys[1]: key k2: …`).
   */
  static async load(materials: KeyMaterial[], field = "keys"): Promise<KeyRing> {
    const keys = await Promise.all(materials.map((m, i) => loadOne(m, i).catch((e: unknown) => {
      throw new KeyRingError(`${field}[${i}]: ${e instanceof Error ? e.message : String(e)}`);
    })));
    const seen = new Map<string, number>();
    keys.forEach((k, i) => {
      const first = seen.get(k.kid);
      // Without a configured kid, the kid is the key's thumbprint: the same key listed twice.
      if (first !== undefined) throw new KeyRingError(`${field}[${i}].kid: ${k.kid} is also the kid of ${field}[${first}] (a key listed twice, say as both current and previous, has one kid: list each key once)`);
      seen.set(k.kid, i);
    });
    return new KeyRing(keys);
  }

  /** The first current key (of the given type); throws if there is none. */
  current(kty?: "RSA" | "EC"): SigningKey {
    const k = this.#keys.find((x) => x.status === "current" && (!kty || x.kty === kty));
    if (!k) throw new KeyRingError(`no current ${kty ?? ""} signing key`.replace("  ", " "));
    return k;
  }

  /**
   * The current key a JWS with `alg` is signed with: the RSA one for RS* and PS*, and for ES* the
   * current EC key on the curve RFC 7518 §3.4 pairs with the algorithm (ES384: P-384). One
   * current EC key per curve may be configured (a relying party moving from ES256 to ES384
   * keeps its P-256 key while another already uses the P-384 one), so the first EC key is not
   * necessarily the one; a JWS verifier refuses an ES384 signature made with a P-256 key.
   * @throws KeyRingError when no current key fits.
   */
  currentFor(alg: JwsAlg): SigningKey {
    if (!alg.startsWith("ES")) return this.current("RSA");
    const k = this.#keys.find((x) => x.status === "current" && x.kty === "EC" && CURVE_ALG[x.namedCurve!] === alg);
    if (!k) throw new KeyRingError(`no current EC signing key for ${alg}`);
    return k;
  }

  /** The key with this kid (JWS `kid` header lookup). */
  byKid(kid: string): SigningKey | undefined {
    return this.#keys.find((k) => k.kid === kid);
  }

  /** The key whose certificate DER equals `der` byte for byte. */
  byCertificate(der: Uint8Array): SigningKey | undefined {
    return this.#keys.find((k) => bytesEqual(k.certificateDer, der));
  }

  /** Every key, in configuration order (verification tries all of them). */
  all(): SigningKey[] {
    return [...this.#keys];
  }

  /** Keys to publish in metadata / JWKS: current, then next, then previous. */
  published(): SigningKey[] {
    return [...this.#keys].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  }
}

/** Byte equality (not secret-dependent: certificates are public). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
