/**
 * The signed values of browser sign-in: the single-sign-on session cookie and the sign-in
 * form's one-time token. Both are HMAC-SHA256 under the configured `webSessionSecret`, keep no
 * server state (the form token's single use is the replay cache's), and carry a label inside
 * the MAC naming their purpose and their realm's issuer, so one can never be passed off as the
 * other, nor a value made in one realm as one of another realm that shares the secret.
 *
 * The form token is also bound to the browser that was shown the form: to a random value in a
 * SameSite=Lax cookie set with the form. Without that binding anyone could fetch a form and
 * have a victim's browser post it with the attacker's credentials (login CSRF): the victim
 * would land at the relying party signed in as the attacker. A cross-site post carries no
 * Lax cookie, and nobody else can set one for this origin (wsfed-cookies.ts). Lax, not
 * Strict: the relying party's cross-site redirect to the form must carry the binding the
 * browser already has, or each form shown would replace it and void the forms already open in
 * other tabs.
 */
import { fromBase64Url, randomBytes, strictUtf8, toBase64Url, utf8 } from "../bytes.ts";
import { macOf, macValid } from "../keys/hmac.ts";
import type { CookieSpec } from "./wsfed-cookies.ts";

/**
 * What browser sign-in's values are MAC'd with: the realm's `webSessionSecret`, and the realm's
 * issuer and name, which every label names. Realms may share a secret; a session of one realm's
 * alice must not sign in another realm's alice. The issuer alone does not tell realms apart: a
 * realm without `issuer` takes the origin the request came to, which another realm may have
 * configured as its own explicit issuer (validation compares explicit issuers only).
 */
export interface WebKey {
  secret: string;
  /** The realm's issuer. */
  realm: string;
  /** The realm's name; undefined for the first realm. */
  name?: string | undefined;
}

/**
 * A MAC's label: the value's purpose and the realm (as JSON: no line break can end it early).
 * The first realm's label names only its issuer, as a single-realm deployment's always has, so
 * its sessions and forms outlive an upgrade.
 */
function label(key: WebKey, purpose: string): string {
  return `${purpose} ${JSON.stringify(key.realm)}${key.name === undefined ? "" : ` ${JSON.stringify(key.name)}`}`;
}

/** The cookie's name. */
export const SESSION_COOKIE: CookieSpec = { name: "sts_session", sameSite: "Lax" };
/** The cookie binding sign-in forms to the browser that was shown them. */
export const FORM_BINDING_COOKIE: CookieSpec = { name: "sts_signin", sameSite: "Lax" };
/** A session lasts at most this long from sign-in. */
export const SESSION_MAX_MS = 8 * 60 * 60 * 1000;
/** A sign-in form must be posted within this long. */
export const FORM_TOKEN_MS = 10 * 60 * 1000;
/** The relying parties (with their reply URLs) remembered per session, sign-out calls each: bounds the cookie's size. */
const MAX_SESSION_PARTIES = 16;

/** A relying party signed in to during a session, and the reply URL its token went to (sign-out cleans up there). */
export interface SessionParty {
  id: string;
  reply: string;
}

/** What a session cookie says. */
export interface Session {
  /** Random ({@link newSessionId}); undefined in a cookie sealed before sessions had one. */
  id?: string | undefined;
  subject: string;
  /** Sign-in time and method (SAML AuthnInstant / AuthnContextClassRef). */
  authTime: number;
  method: string;
  expires: number;
  /** The relying parties signed in to during the session (and before it, in this browser), oldest first. */
  parties: SessionParty[];
  /**
   * A session begun at a federation partner (wsfed-partner.ts): the partner's issuer, and the
   * claims its token stated, which nothing here holds for its user. Undefined: one of our users.
   */
  partner?: { issuer: string; claims: Record<string, string[]> } | undefined;
  /**
   * One of our users' session: the {@link credentialStamp} of the password hash the sign-in was
   * checked against. The session is honoured only while the user's stored hash still has it.
   */
  credential?: string | undefined;
}

/** Sessions are cookies: one larger than this is not kept (a partner's many claims), and none is read. */
export const MAX_SESSION_CHARS = 4096;

/**
 * The cookie that names a session begun at a partner, SameSite=None: the partner ends it with a
 * cross-site clean-up call (an image), which carries no SameSite=Lax session cookie.
 */
export const PARTNER_SESSION_COOKIE: CookieSpec = { name: "sts_partner_session", sameSite: "None" };

/**
 * The cookie that carries the session a partner sign-in will replace over the partner's
 * cross-site post back, which carries no SameSite=Lax session cookie (SameSite=None, for as long
 * as the trip may take): the replaced session must end, and its parties carry over.
 */
export const REPLACED_SESSION_COOKIE: CookieSpec = { name: "sts_replaced_session", sameSite: "None" };

/** What ends a session on the server: its ID, the subject, when it began, until when it lasts. */
export interface SessionRef {
  id?: string | undefined;
  subject: string;
  authTime: number;
  expires: number;
}

/**
 * A new session's ID: 128 random bits. The subject and the sign-in time do not tell sessions
 * apart — one user signing in from two browsers in one millisecond would get one ID, and
 * signing out of one (or signing in over it) would end the other — and server state to number
 * them is what a session cookie avoids.
 */
export function newSessionId(): string {
  return toBase64Url(randomBytes(16));
}

/**
 * The ID the state store knows a session by: ending it there refuses the cookie everywhere. The
 * subject and sign-in time stay in it, so that a cookie sealed before sessions had an ID of their
 * own is still known by the ID it had (the random part, base64url, holds no ':').
 */
export function sessionStateId(s: SessionRef): string {
  const base = `wsfed-session:${s.subject}:${s.authTime}`;
  return s.id === undefined ? base : `${base}:${s.id}`;
}

/** The partner-session cookie's value for a session. */
export function sealSessionRef(key: WebKey, s: SessionRef): Promise<string> {
  return sealJson(key, "session-ref", s.id === undefined ? [s.subject, s.authTime, s.expires] : [s.subject, s.authTime, s.expires, s.id]);
}

/** The session a partner-session cookie names, if its MAC verifies and the session has not expired. */
export async function openSessionRef(key: WebKey, value: string | undefined, now: number): Promise<SessionRef | undefined> {
  const j = await openJson(key, "session-ref", value, 2048);
  if (!Array.isArray(j) || (j.length !== 3 && j.length !== 4)) return undefined;
  const [subject, authTime, expires, id] = j as unknown[];
  if (typeof subject !== "string" || typeof authTime !== "number" || typeof expires !== "number" || expires <= now) return undefined;
  if (id !== undefined && !isSessionId(id)) return undefined;
  return { ...(id === undefined ? {} : { id }), subject, authTime, expires };
}

/** Whether `v` has the shape {@link newSessionId} gives. */
function isSessionId(v: unknown): v is string {
  return typeof v === "string" && /^[A-Za-z0-9_-]{22}$/.test(v);
}

/**
 * `wctx` is the relying party's own state, echoed back: bounded so it cannot bloat pages and
 * forms, in characters (code points, as the README states it), not UTF-16 units.
 */
export const MAX_WCTX = 2048;

/** The parameters a sign-in form carries and its token is bound to. */
export interface SignInParams {
  wtrealm: string;
  wreply: string;
  wctx: string;
}

/** `payload.mac`: a JSON value, base64url, MACed for `purpose` in the key's realm. */
export async function sealJson(key: WebKey, purpose: string, value: unknown): Promise<string> {
  const payload = toBase64Url(utf8(JSON.stringify(value)));
  return `${payload}.${await macOf(key.secret, label(key, purpose), payload)}`;
}

/** The JSON value `sealJson` sealed for `purpose`, if its MAC verifies; otherwise undefined. */
export async function openJson(key: WebKey, purpose: string, sealed: string | null | undefined, maxChars: number): Promise<unknown> {
  if (!sealed || sealed.length > maxChars) return undefined;
  const [payload, tag, extra] = sealed.split(".");
  if (!payload || !tag || extra !== undefined || !(await macValid(key.secret, label(key, purpose), payload, tag))) return undefined;
  const bytes = fromBase64Url(payload);
  if (!bytes) return undefined;
  try {
    return JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * What a session remembers of the password its sign-in was checked against: a MAC of the stored
 * hash under the realm's key (so the cookie tells nothing about the hash), 128 bits. Setting a
 * new password changes the hash, so the sessions begun with the old one end with it: a password
 * is reset because someone else may know it, and their browser's session must not outlive it.
 */
export async function credentialStamp(key: WebKey, passwordHash: string): Promise<string> {
  return (await macOf(key.secret, label(key, "credential"), passwordHash)).slice(0, 22);
}

/** The cookie value of a session. */
export async function sealSession(key: WebKey, s: Session): Promise<string> {
  const parties = s.parties.slice(-MAX_SESSION_PARTIES).map((q) => [q.id, q.reply]);
  const partner = s.partner ? { p: s.partner.issuer, c: s.partner.claims } : {};
  const credential = s.credential === undefined ? {} : { k: s.credential };
  const id = s.id === undefined ? {} : { i: s.id };
  return sealJson(key, "session", { ...id, s: s.subject, t: s.authTime, m: s.method, e: s.expires, r: parties, ...partner, ...credential });
}

/** The session a cookie value holds, if its MAC verifies and it has not expired; otherwise undefined. */
export async function openSession(key: WebKey, value: string | undefined, now: number): Promise<Session | undefined> {
  const j = await openJson(key, "session", value, MAX_SESSION_CHARS);
  if (typeof j !== "object" || j === null) return undefined;
  const o = j as { i?: unknown; s?: unknown; t?: unknown; m?: unknown; e?: unknown; r?: unknown; p?: unknown; c?: unknown; k?: unknown };
  if (typeof o.s !== "string" || typeof o.t !== "number" || typeof o.m !== "string" || typeof o.e !== "number") return undefined;
  if (o.k !== undefined && typeof o.k !== "string") return undefined;
  if (o.i !== undefined && !isSessionId(o.i)) return undefined;
  if (!Array.isArray(o.r) || !o.r.every((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === "string" && typeof x[1] === "string")) return undefined;
  if (o.e <= now || o.t > now) return undefined;
  const parties = (o.r as [string, string][]).map(([id, reply]) => ({ id, reply }));
  const session: Session = { ...(o.i === undefined ? {} : { id: o.i }), subject: o.s, authTime: o.t, method: o.m, expires: o.e, parties, ...(o.k === undefined ? {} : { credential: o.k }) };
  if (o.p === undefined) return session;
  const claims = o.c as Record<string, unknown> | null;
  if (typeof o.p !== "string" || typeof claims !== "object" || claims === null || Array.isArray(claims)) return undefined;
  if (!Object.values(claims).every((v) => Array.isArray(v) && v.every((x) => typeof x === "string"))) return undefined;
  return { ...session, partner: { issuer: o.p, claims: claims as Record<string, string[]> } };
}

function formPayload(expires: number, nonce: string, binding: string, p: SignInParams): string {
  return JSON.stringify([expires, nonce, binding, p.wtrealm, p.wreply, p.wctx]);
}

/**
 * A fresh random value that binds something to one browser through a cookie: a sign-in form
 * (the form-binding cookie), a trip to a partner (wsfed-partner.ts).
 */
export function newBrowserBinding(): string {
  return toBase64Url(randomBytes(16));
}

/** A binding cookie's value as a browser sent it, if it has the shape `newBrowserBinding` gives it. */
export function readBrowserBinding(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9_-]{22}$/.test(value) ? value : undefined;
}

/**
 * A one-time form token bound to the sign-in parameters and to the browser's form-binding
 * value; its nonce is what the replay cache remembers.
 */
export async function formToken(key: WebKey, p: SignInParams, binding: string, now: number): Promise<string> {
  const expires = now + FORM_TOKEN_MS;
  const nonce = toBase64Url(randomBytes(16));
  return `${expires}.${nonce}.${await macOf(key.secret, label(key, "form"), formPayload(expires, nonce, binding, p))}`;
}

/**
 * Checks a posted form token against the posted parameters and the posting browser's
 * form-binding value: its MAC, and that it has not expired. Returns its nonce and expiry (for
 * the replay cache); "expired" for a token this STS made for this browser and these parameters
 * whose time has run out (the person took longer than the form lasts: they get the form again);
 * undefined for anything else.
 */
export async function checkFormToken(
  key: WebKey,
  token: string | undefined,
  p: SignInParams,
  binding: string,
  now: number,
): Promise<{ nonce: string; expires: number } | "expired" | undefined> {
  if (!token || token.length > 256) return undefined;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const expires = Number(m[1]);
  if (expires > now + FORM_TOKEN_MS) return undefined;
  if (!(await macValid(key.secret, label(key, "form"), formPayload(expires, m[2]!, binding, p), m[3]!))) return undefined;
  return expires <= now ? "expired" : { nonce: m[2]!, expires };
}
