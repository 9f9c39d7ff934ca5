/**
 * OAuth DPoP proofs (RFC 9449) at the token endpoint: the `DPoP` request header checked in full
 * — its form, an asymmetric algorithm from the allow-list, a public key in its `jwk` header that
 * verifies its signature, `htm` / `htu` naming this request, a fresh `iat`, a `jti` never seen
 * before, and the server's nonce where the deployment hands them out (`dpop-nonce.ts`) — and turned
 * into the thumbprint the issued token is bound to (RFC 9449 §6.1 `cnf.jkt`).
 */
import { replayKey } from "../state/state-key.ts";
import { compactVerify, errors, importJWK } from "jose";
import { fromBase64Url, strictUtf8 } from "../bytes.ts";
import { invalidDpopProof, useDpopNonce } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { MAX_CLOCK_SKEW_SECONDS } from "../state/types.ts";
import { publicJwkProblem } from "../keys/public-jwk.ts";
import { jwkThumbprint } from "../keys/keyring.ts";
import { isCurrentDpopNonce } from "./dpop-nonce.ts";
import { looksLikeJwt } from "./presented.ts";
import { unencodedPayloadHeader } from "../jwt/compact-form.ts";

/**
 * RFC 9449 §4.2 / §5: asymmetric JWS algorithms only — never `none`, never a MAC. EdDSA with
 * Ed25519 (the one EdDSA curve WebCrypto in workerd implements).
 */
export const DPOP_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;

/** A proof is a few hundred bytes (an RSA-4096 `jwk` stays under 1.5 KiB); anything larger is refused unread. */
export const MAX_DPOP_PROOF_BYTES = 8 * 1024;
/** RFC 9449 §4.2 asks for enough randomness in `jti`; a bound on its length keeps replay keys small. */
const MAX_JTI_CHARS = 256;


/** The request a proof must name. */
export interface DpopRequest {
  method: string;
  /** The URL the request came to. */
  url: string;
  headers: Headers;
  /** Other URLs the endpoint is known by (the configured origin), accepted as `htu` too. */
  alsoKnownAs?: readonly string[];
}

const refuse = (why: string) => invalidDpopProof(`The DPoP proof is not acceptable: ${why}.`);

/**
 * Why jose's compactVerify refused a proof, by its error kind: an extension named in `crit`
 * (RFC 7515 §4.1.11: the recipient must understand every one; RFC 9449 defines none, so none is
 * understood here), a JWS that breaks RFC 7515's rules (jose's reason, which names no secret), or
 * the signature itself.
 */
function notVerified(e: unknown): string {
  if (e instanceof errors.JOSENotSupported) {
    return "its crit header names an extension this server does not understand (RFC 7515 §4.1.11: DPoP proofs use none)";
  }
  if (e instanceof errors.JWSInvalid) return `it is not a valid JWS: ${e.message.slice(0, 120)}`;
  return "its signature does not verify with the key in its jwk header";
}

/**
 * Reads and checks the request's DPoP proof, then records its `jti` in the replay cache.
 * @returns the SHA-256 thumbprint of the proof key, or undefined when the request has no `DPoP`
 *   header (a bearer request)
 * @throws StsError invalid_dpop_proof, or use_dpop_nonce when a nonce is required and missing or old
 */
export async function verifyDpopProof(
  ctx: StsContext,
  state: Pick<StateClient, "rememberNonce">,
  req: DpopRequest,
): Promise<{ jkt: string } | undefined> {
  const value = req.headers.get("dpop");
  if (value === null) return undefined;
  // Fetch joins repeated headers with ", "; a compact JWS never holds a comma (RFC 9449 §4.3
  // item 1: exactly one DPoP header).
  if (value.includes(",")) throw refuse("send exactly one DPoP header");
  if (value.length > MAX_DPOP_PROOF_BYTES) throw refuse(`it is longer than ${MAX_DPOP_PROOF_BYTES} bytes`);
  const proof = value.trim();
  if (!looksLikeJwt(proof)) throw refuse("it is not a compact JWS");
  const header = jsonPart(proof.slice(0, proof.indexOf(".")));
  if (!header) throw refuse("its header is not a JSON object");
  if (!isDpopType(header.typ)) throw refuse('its typ header must be "dpop+jwt"');
  // jose reads the payload as base64url whatever a `b64` outside `crit` says; other verifiers
  // honour it (src/jwt/verify.ts): a proof is never read two ways.
  if (unencodedPayloadHeader(header)) throw refuse("its header carries b64 (RFC 7797), which no DPoP proof uses");
  const alg = header.alg;
  if (typeof alg !== "string" || !(DPOP_ALGS as readonly string[]).includes(alg)) {
    throw refuse(`its alg must be one of ${DPOP_ALGS.join(", ")}`);
  }
  const jwk = publicJwkOf(header.jwk, alg);
  let key: CryptoKey;
  try {
    const k = await importJWK(jwk, alg);
    if (k instanceof Uint8Array || k.type !== "public") throw new Error("not a public key");
    key = k;
  } catch {
    throw refuse("its jwk header is not a usable public key for its alg");
  }
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(proof, key, { algorithms: [alg] }));
  } catch (e) {
    throw refuse(notVerified(e));
  }
  const claims = jsonOf(payloadBytes);
  if (!claims) throw refuse("its payload is not a JSON object");
  // RFC 9449 §4.3 items 8-9: the method and the URI (without query and fragment) of this request.
  if (claims.htm !== req.method) throw refuse(`htm must be "${req.method}"`);
  const known = [req.url, ...(req.alsoKnownAs ?? [])].map(normalizedUri);
  // The URL parser reads more than URIs: it drops tabs and line breaks anywhere and spaces and
  // control characters at the ends, and takes a backslash for a slash. An htu is read only
  // when it is a URI, so the checks below judge what the client wrote.
  if (typeof claims.htu === "string" && !URI_CHARACTERS.test(claims.htu)) {
    throw refuse(`htu must be the token endpoint URL, ${known[0]}, written as a URI (RFC 3986 §2: no space, control character, backslash or non-ASCII character)`);
  }
  // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error, refused rather than stripped, as
  // it is the classic way to make a URL read as naming one host while it names another.
  if (typeof claims.htu === "string" && hasUserinfo(claims.htu)) throw refuse("htu must not carry userinfo (a user@ before the host)");
  const htu = typeof claims.htu === "string" ? normalizedUri(claims.htu) : undefined;
  if (htu === undefined || !known.includes(htu)) throw refuse(`htu must be the token endpoint URL, ${known[0]}`);
  // RFC 9449 §4.3 item 11: created within an acceptable window — the configured clock skew
  // either side of now, so a proof made for later is refused as well as a stale one.
  const skew = Math.min(ctx.config.limits.clockSkewSeconds, MAX_CLOCK_SKEW_SECONDS);
  const iat = claims.iat;
  const now = ctx.now().getTime() / 1000;
  // RFC 7519 §2: a NumericDate may have a fraction of a second (clients that take the time as
  // `Date.now() / 1000` or Python's `time.time()` send one); only a number that is no time is refused.
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw refuse("iat must be a NumericDate");
  if (iat < now - skew) throw refuse("iat is too old; make a fresh proof for each request");
  if (iat > now + skew) throw refuse("iat lies in the future");
  // RFC 9449 §8: where nonces are handed out, only a proof naming a current one is taken
  // (checked before its jti is spent, so the client's retry is not a replay).
  const nonceSecret = ctx.config.dpopNonceSecret;
  if (nonceSecret !== undefined && !(await isCurrentDpopNonce(nonceSecret, claims.nonce, ctx.now().getTime()))) {
    throw useDpopNonce(
      claims.nonce === undefined
        ? "This server requires a nonce in DPoP proofs: make a new proof whose nonce claim is the DPoP-Nonce response header."
        : "The DPoP proof's nonce is not current: make a new proof whose nonce claim is the DPoP-Nonce response header.",
    );
  }
  const jti = claims.jti;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > MAX_JTI_CHARS) {
    throw refuse(`jti must be a string of 1 to ${MAX_JTI_CHARS} characters`);
  }
  const jkt = await jwkThumbprint(jwk);
  // RFC 9449 §11.1: a proof is used once. Remembered for as long as its iat would be accepted.
  const first = await state.rememberNonce(replayKey("dpop", jkt, jti), Math.ceil((iat + skew) * 1000));
  if (!first) throw refuse("this proof (its jti) has been used before");
  return { jkt };
}

/**
 * The header's `jwk`: a public key that verifies `alg` (RFC 9449 §4.2: "MUST NOT contain a
 * private key"), judged as every other JWK the STS takes, and reduced to its public members.
 */
function publicJwkOf(v: unknown, alg: string): JsonWebKey {
  const problem = publicJwkProblem(v, [alg]);
  if (problem !== undefined) throw refuse(`its jwk header ${problem}`);
  const { kty, n, e, crv, x, y } = v as Record<string, string>;
  // RFC 7518 §6.3.1.1: n and e in their minimum number of octets. cnf.jkt is the key's RFC 7638
  // thumbprint, taken of the integers; a resource server takes it of the proof's jwk as written
  // (RFC 9449 §7.1). A zero octet written before either would make the two differ, and the
  // token would fail where it is used rather than here. (publicJwkProblem already holds EC
  // coordinates to their full length, RFC 7518 §6.2.1.2, for the same reason.)
  if (kty === "RSA" && [n, e].some((m) => fromBase64Url(m!)?.[0] === 0)) {
    throw refuse("its jwk header writes n or e with a leading zero octet (RFC 7518 §6.3.1.1: the minimum number of octets)");
  }
  return kty === "RSA" ? { kty, n, e } : kty === "OKP" ? { kty, crv, x } : { kty, crv, x, y };
}

/**
 * RFC 9449 §4.3 item 9 with RFC 3986 §6.2.2-6.2.3 normalization: scheme and host compared
 * without case, a default port dropped, the path as the URL parser normalizes it (dot
 * segments removed) with its percent-encoding normalized; query and fragment ignored.
 */
function normalizedUri(s: string): string | undefined {
  if (!URL.canParse(s)) return undefined;
  const u = new URL(s);
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  return `${u.protocol}//${u.host}${normalizedPercentEncoding(u.pathname)}`;
}

/** RFC 3986 §2: the characters a URI is written with — unreserved, reserved and "%". */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/** RFC 3986 §2.3: the characters whose percent-encoding is equivalent to the character. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 3986 §6.2.2.1-6.2.2.2: an unreserved character percent-encoded is that character
 * (`%74oken` is `token`), and the hex digits of every other triplet are upper case. Reserved
 * characters stay encoded: `%2F` is not `/`.
 */
function normalizedPercentEncoding(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/**
 * Whether an http(s) URI's authority holds userinfo. Read from the text, not from a parsed URL,
 * because the URL parser drops an empty one (`http://@host/`) without a trace.
 */
function hasUserinfo(s: string): boolean {
  const authority = /^https?:[/\\]*([^/\\?#]*)/i.exec(s)?.[1];
  return authority !== undefined && authority.includes("@");
}

function jsonPart(b64: string): Record<string, unknown> | undefined {
  const bytes = fromBase64Url(b64);
  return bytes && jsonOf(bytes);
}

function jsonOf(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(strictUtf8.decode(bytes));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 9449 §4.2's `typ`, read as RFC 7515 §4.1.9 says a `typ` is: a media type, compared
 * without regard to letter case, `application/` implied when no '/' is given — as jose's own
 * `typ` check and the DPoP libraries built on it read it, so a client that writes
 * `application/dpop+jwt` is not refused by us alone. Parameters are not part of this type.
 */
function isDpopType(typ: unknown): boolean {
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase();
  return t === "dpop+jwt" || t === "application/dpop+jwt";
}
