/**
 * Client authentication at the token, introspection and revocation endpoints: exactly one of
 * client_secret_basic (RFC 6749 §2.3.1), client_secret_post (same section) and private_key_jwt
 * (RFC 7523 §2.2 and §3, OIDC Core §9). Every failure is the same `invalid_client`, whatever
 * went wrong, so a caller learns nothing about which clients exist.
 */
import { type ReplayKey, replayKey } from "../state/state-key.ts";
import { constantTimeEqualText } from "../bytes.ts";
import { parseBasicAuthorization } from "../web/basic-auth.ts";
import type { OAuthClient } from "../config/types.ts";
import type { StsContext } from "../engine/types.ts";
import { verifySecret } from "../identity/secret.ts";
import { clientKeys, peekJwt, verifyJwt } from "../jwt/verify.ts";
import { oauthInvalidClient, oauthInvalidRequest } from "./errors.ts";
import { formDecode } from "../web/form-urlencoded.ts";
import type { FormParams } from "./form.ts";

export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * Longest accepted client-assertion lifetime from now; bounds the jti replay cache. An hour:
 * Authlib's PrivateKeyJWT (and other clients that follow its defaults) sets `exp` to `iat` +
 * 3600, and RFC 7523 §3 sets no shorter limit; single use of the jti, not a short life, is
 * what stops a replay.
 */
const MAX_ASSERTION_LIFETIME_S = 3600;
/** RFC 7523 §3: an expiry, and a jti for single use. */
const ASSERTION_REQUIRED = ["exp", "jti"];

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

export interface AuthenticatedClient {
  client: OAuthClient;
  method: ClientAuthMethod;
}

export interface ClientAuthDeps {
  /** Replay cache (Durable Object): true the first time a key is seen before `expiresAt`. */
  rememberNonce(key: ReplayKey, expiresAt: number): Promise<boolean>;
  /**
   * Audiences a client assertion may name: our token endpoint URL, our issuer, this endpoint.
   * A function: only private_key_jwt needs them, so secret-based requests never build them.
   */
  audiences(): string[];
}

/** Decodes one half of a Basic credential: RFC 6749 §2.3.1 form-urlencodes id and secret. */
function basicDecode(s: string): string | undefined {
  try {
    return formDecode(s);
  } catch {
    return undefined;
  }
}

type Credentials = Readonly<{ id: string; secret: string }>;

/**
 * The readings of a Basic credential, most likely first: RFC 6749 §2.3.1 form-decoded, then the
 * text as sent where that differs. Many clients skip the §2.3.1 encoding (authlib before 1.3,
 * requests' HTTPBasicAuth, curl -u), so a secret holding '+' or '%' reaches us as written, and
 * decoding it would turn '+' into a space or fail on a '%' that starts no escape. Taking the
 * literal reading as well lets no one in who does not hold the secret: each reading is checked
 * against the hash of the client it names, as any presented secret is.
 */
function parseBasic(header: string): Credentials[] {
  const basic = parseBasicAuthorization(header);
  if (!basic) return [];
  const id = basicDecode(basic.user);
  const secret = basicDecode(basic.secret);
  const literal: Credentials = Object.freeze({ id: basic.user, secret: basic.secret });
  if (id === undefined || secret === undefined) return [literal];
  if (id === basic.user && secret === basic.secret) return [literal];
  return [Object.freeze({ id, secret }), literal];
}

/** The Authorization header as client authentication reads it, decoded once per request. */
export interface PresentedAuthorization {
  /** The header uses the Basic scheme. */
  readonly basic: boolean;
  /** Every reading of its id and secret to try, most likely first ({@link parseBasic}); none when not Basic or malformed. */
  readonly readings: readonly Credentials[];
}

/**
 * The last header read and what it said. A client sends the same header on every call, and
 * decoding it (a regex, base64, strict UTF-8, two form-decodes) showed in exchange profiles;
 * the result is a pure function of the exact header text, frozen, so it can be handed out again.
 */
let lastAuthorization: { header: string; value: PresentedAuthorization } | undefined;
const NO_AUTHORIZATION: PresentedAuthorization = Object.freeze({ basic: false, readings: Object.freeze([]) });

/** Reads the Authorization header (or null). The result is frozen. */
export function readAuthorization(header: string | null): PresentedAuthorization {
  if (header === null) return NO_AUTHORIZATION;
  // Constant time, as secrets are compared (src/identity/secret.ts): the remembered header
  // carries another request's credentials, and `===` stops at the first differing character.
  if (lastAuthorization !== undefined && constantTimeEqualText(header, lastAuthorization.header)) return lastAuthorization.value;
  const h = header.trim();
  const basic = /^basic\b/i.test(h);
  const readings = Object.freeze(basic ? parseBasic(h) : []);
  const value: PresentedAuthorization = Object.freeze({ basic, readings });
  lastAuthorization = { header, value };
  return value;
}

/**
 * The client a request claims to be (Basic user, the client_id parameter, or else a client
 * assertion's unverified iss), before any verification — only for keying abuse counters and
 * the audit line. `registered` says whether an id names a configured client.
 *
 * A Basic id is read two ways ({@link parseBasic}: `a+b` sent as written is also `a b`
 * form-decoded), and the one a client is looked up under is the one whose failures count: keyed
 * by the first reading whatever it named, one client's secret could be guessed under two
 * counters, once sent encoded (`a%2Bb`, counted as `a+b`) and once as written (counted as `a b`),
 * twice the guesses the limit allows.
 */
export function claimedClientId(authorization: PresentedAuthorization, params: FormParams, registered: (id: string) => boolean): string | undefined {
  if (authorization.basic) {
    const readings = authorization.readings;
    // The readings authenticateClient tries: those client_id names, when it names one.
    const paramId = params.get("client_id");
    const tried = paramId === undefined ? readings : readings.filter((r) => r.id === paramId);
    return (tried.find((r) => registered(r.id)) ?? readings[0])?.id;
  }
  const id = params.get("client_id");
  if (id !== undefined) return id;
  // RFC 7523 §3 names the client by the assertion's iss, and client_id is optional (§2.2): were
  // such requests counted under no name, they would share one counter with every request that
  // names no client, and anyone could lock every client that leaves client_id out.
  const assertion = params.get("client_assertion");
  const peek = assertion === undefined ? undefined : peekJwt(assertion);
  return peek?.ok && typeof peek.iss === "string" ? peek.iss : undefined;
}

/**
 * Authenticates the calling client from its Authorization header ({@link readAuthorization})
 * and form parameters.
 * @throws OAuthError invalid_client (401) or invalid_request when more than one method is used (RFC 6749 §2.3).
 */
export async function authenticateClient(
  ctx: StsContext,
  authorization: PresentedAuthorization,
  params: FormParams,
  deps: ClientAuthDeps,
): Promise<AuthenticatedClient> {
  const basic = authorization.basic;
  const post = params.has("client_secret");
  const jwt = params.has("client_assertion") || params.has("client_assertion_type");
  if (Number(basic) + Number(post) + Number(jwt) > 1) {
    throw oauthInvalidRequest("Use exactly one client authentication method (RFC 6749 §2.3).");
  }
  const paramId = params.get("client_id");
  if (basic) {
    const readings = authorization.readings;
    if (readings.length === 0) throw oauthInvalidClient("The Basic authorization header is malformed.");
    const named = paramId === undefined ? readings : readings.filter((r) => r.id === paramId);
    if (named.length === 0) throw oauthInvalidRequest("client_id does not match the authenticated client.");
    for (const r of named) {
      const client = await bySecret(ctx, r.id, r.secret);
      if (client) return { client, method: "client_secret_basic" };
    }
    throw oauthInvalidClient();
  }
  if (post) {
    if (paramId === undefined) throw oauthInvalidClient("client_secret needs client_id.");
    const client = await bySecret(ctx, paramId, params.get("client_secret")!);
    if (!client) throw oauthInvalidClient();
    return { client, method: "client_secret_post" };
  }
  if (jwt) return { client: await byAssertion(ctx, params, paramId, deps), method: "private_key_jwt" };
  throw oauthInvalidClient("Client authentication is required.");
}

/** The client `id` names when `secret` is its secret, else undefined. */
async function bySecret(ctx: StsContext, id: string, secret: string): Promise<OAuthClient | undefined> {
  const client = ctx.config.oauthClients.get(id);
  // verifySecret hashes the presented secret even for unknown clients (no timing oracle); only
  // the secret that last verified for this client's hash skips the hash (docs/security.md).
  const ok = await verifySecret(secret, client?.secretHash);
  return client && ok ? client : undefined;
}

/** Why an assertion that did not verify, or names no client with keys, is refused. */
const UNVERIFIED = "signature, issuer, subject, audience or time window";

/** RFC 7523 §3 checks on a client assertion, then single use of its jti. */
async function byAssertion(ctx: StsContext, params: FormParams, paramId: string | undefined, deps: ClientAuthDeps): Promise<OAuthClient> {
  if (params.get("client_assertion_type") !== JWT_BEARER_ASSERTION) {
    throw oauthInvalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
  }
  const assertion = params.get("client_assertion");
  if (assertion === undefined) throw oauthInvalidRequest("client_assertion is missing.");
  const fail = (why: string) => oauthInvalidClient(`The client assertion is not acceptable: ${why}.`);
  // Unverified: only to find the client whose keys then verify everything. A key-choosing
  // header (RFC 8725 §3.10) is refused before any client is looked up.
  const peek = peekJwt(assertion);
  if (!peek.ok) throw fail(peek.refusal === "key-choosing-header" ? "key-choosing header" : "not a well-formed JWT");
  const claimedId = peek.iss;
  if (typeof claimedId !== "string") throw fail("no iss");
  if (paramId !== undefined && paramId !== claimedId) throw oauthInvalidRequest("client_id does not match the client assertion.");
  const client = ctx.config.oauthClients.get(claimedId);
  const keys = client && clientKeys(client);
  // An unknown client, and one with no keys, are told what a bad signature is told: a
  // different answer would say which client ids exist and which have keys registered.
  if (!client || !keys) throw fail(UNVERIFIED);
  const now = ctx.now();
  const skew = ctx.config.limits.clockSkewSeconds;
  // The client's registered keys with CLIENT_ASSERTION_ALGS (src/config/validate-jwks.ts).
  const r = await verifyJwt(assertion, keys, {
    issuer: client.clientId,
    subject: client.clientId,
    audience: deps.audiences(),
    requiredClaims: ASSERTION_REQUIRED,
    now,
    skewSeconds: skew,
  });
  if (!r.ok) throw fail(UNVERIFIED);
  const payload = r.payload;
  const exp = payload.exp!;
  if (exp * 1000 > now.getTime() + (MAX_ASSERTION_LIFETIME_S + skew) * 1000) throw fail("exp is too far in the future");
  // RFC 7523 §3 item 6 lets the server refuse an iat unreasonably far in the past: the same hour
  // bounds when an assertion was made as how long it may still be used, so no assertion lives
  // longer than one a client following the defaults above makes. An iat ahead of the clock is
  // not a time the assertion was made at all.
  const iat = payload.iat;
  if (iat !== undefined) {
    if (iat * 1000 > now.getTime() + skew * 1000) throw fail("iat lies in the future");
    if (iat * 1000 < now.getTime() - (MAX_ASSERTION_LIFETIME_S + skew) * 1000) throw fail("iat is more than an hour ago");
  }
  if (typeof payload.jti !== "string" || payload.jti.length > 256) throw fail("bad jti");
  // RFC 7523 §3 item 7: the jti may be used once; remember it until the assertion expires.
  const first = await deps.rememberNonce(replayKey("pkjwt", client.clientId, payload.jti), (exp + skew) * 1000);
  if (!first) throw fail("jti already used");
  return client;
}
