/**
 * Browser sign-in: the WS-Federation 1.2 passive requestor profile (§13) at /wsfed.
 *
 * `wa=wsignin1.0` shows a sign-in form (or, with a valid session cookie, skips it) — or sends the
 * browser to sign in at a federation partner (wsfed-partner.ts) and takes the partner's token
 * back — issues the relying party's token through the same engine call WS-Trust Issue makes,
 * and answers a page that posts `wresult` (a WS-Trust February 2005 RSTR carrying the token) and
 * `wctx` to one of the relying party's registered reply URLs. `wa=wsignout1.0` ends the session.
 * Every refusal is an HTML page with 4xx, never a redirect: a request naming an unknown party or
 * an unregistered reply address goes nowhere.
 */
import { replayKey } from "../state/state-key.ts";
import { endedSince, findEnabledUser, findUser } from "../engine/users.ts";
import { authenticateLimited, withFailureLimit } from "../abuse/guard.ts";
import { failureKeys } from "../abuse/limits.ts";
import { characterCount, strictUtf8 } from "../bytes.ts";
import { MAX_PASSWORD_CHARS } from "../identity/password.ts";
import { MAX_USERNAME_CHARS } from "../identity/username.ts";
import { normaliseReplyUrl } from "../config/validate-web.ts";
import { issue } from "../engine/issue.ts";
import { totalLifetimeEnd } from "../engine/lifetime.ts";
import { lookupRelyingParty, truncate } from "../engine/relying-party.ts";
import { uriKey } from "../config/uri-key.ts";
import type { Identity, RequestServices, StsContext } from "../engine/types.ts";
import { StsError } from "../errors.ts";
import type { RelyingParty, TrustedIssuer } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import { writeAudit } from "../web/audit.ts";
import { mediaType, nonUtf8Charset, readBodyLimited } from "../web/body.ts";
import { trimXmlSpace } from "../xml/xs.ts";
import { type FirstValues, firstValues } from "../web/form-urlencoded.ts";
import { TRUST2005 } from "../wstrust/ns.ts";
import { issuedRstr } from "../wstrust/rstr.ts";
import { type CookieJar, cookieJar } from "./wsfed-cookies.ts";
import { type FormError, PASSIVE_ENDPOINT_PAGE, autoPostPage, signInHeaders, errorPage, pageHeaders, signedOutPage, signInPage } from "./wsfed-html.ts";
import {
  PARTNER_COOKIE, PARTNER_STATE_MS, openPartnerState, partnerIdentity, partnerNamed, partnerSignInUrl, partnerSignOutUrl,
  passivePartners, sealPartnerState,
} from "./wsfed-partner.ts";
import {
  FORM_BINDING_COOKIE, MAX_SESSION_CHARS, MAX_WCTX, PARTNER_SESSION_COOKIE, REPLACED_SESSION_COOKIE, SESSION_COOKIE, SESSION_MAX_MS, type Session, type SignInParams, type WebKey, checkFormToken,
  type SessionRef, credentialStamp, formToken, newBrowserBinding, newSessionId, openSession, openSessionRef, readBrowserBinding, sealSession, sealSessionRef, sessionStateId,
} from "./wsfed-session.ts";

/** A sign-in form post is a handful of short fields; a partner's post carries its token (wresult). */
const MAX_FORM_BYTES = 1024 * 1024;

class Refusal extends Error {
  readonly status: number;
  /**
   * The value the request gave that was refused (an unknown wtrealm, an unregistered wreply),
   * for the audit line only: the operator whose application's sign-in breaks needs it (a
   * trailing slash, another host), and the page does not show text a link's author chose.
   */
  readonly asked: string | undefined;

  constructor(status: number, message: string, asked?: string) {
    super(message);
    this.status = status;
    this.asked = asked;
  }

  /** The audit line's reason: the message, and the value refused, quoted at most 200 characters. */
  get logged(): string {
    return this.asked === undefined ? this.message : `${this.message} Sent: '${truncate(this.asked)}'.`;
  }
}

function refuse(message: string, status = 400, asked?: string): never {
  throw new Refusal(status, message, asked);
}

/** The `wa` actions whose GET does work: shows a form bound to the browser, issues, ends a session. */
const ACTIONS = new Set(["wsignin1.0", "wsignout1.0", "wsignoutcleanup1.0"]);

/**
 * Whether /wsfed answers a HEAD to `url`. HEAD is safe (RFC 9110 §9.2.1: link checkers,
 * prefetchers and scanners send it), but the GET of a sign-in or sign-out does its work to know
 * its own headers — issues a token and re-seals the session, ends the session in the state
 * store — so those are 405, not that work with the body left off. The address by itself and a
 * request the GET refuses (no or an unknown `wa`, a query that cannot be read) change nothing:
 * HEAD answers them as GET does.
 */
export function answersHead(url: string): boolean {
  let wa: string | null;
  try {
    wa = firstValues({ query: url }).get("wa");
  } catch {
    return true;
  }
  return wa === null || !ACTIONS.has(wa);
}

/** One request to /wsfed. */
export async function handleWsFed(req: Request, svc: RequestServices): Promise<Response> {
  const started = Date.now();
  const ctx = await svc.context();
  // Until the request says what it is: a body over the limit or a missing `wa` is still logged.
  ctx.audit.operation = "wsfed";
  try {
    const secret = ctx.config.webSessionSecret;
    if (secret === undefined) refuse("Browser sign-in is not configured on this service.", 404);
    const key: WebKey = { secret, realm: ctx.issuer, name: ctx.config.realm };
    // The address itself, with no query (the home page links it): say what it is for.
    if (req.method !== "POST" && /^[^?]*\??$/.test(req.url)) return html(PASSIVE_ENDPOINT_PAGE);
    const form = req.method === "POST" ? await readForm(req, ctx) : firstValues({ query: req.url });
    const wa = form.get("wa");
    const cookies = cookieJar(req.url, ctx.config.realm, req.headers.get("cookie"));
    const env: Exchange = {
      ctx, svc, state: svc.state(ctx), key, cookies, started,
      cookie: cookies.get(SESSION_COOKIE),
      binding: readBrowserBinding(cookies.get(FORM_BINDING_COOKIE)),
      partnerBinding: readBrowserBinding(cookies.get(PARTNER_COOKIE)),
      partnerSession: cookies.get(PARTNER_SESSION_COOKIE),
      replaced: cookies.get(REPLACED_SESSION_COOKIE),
    };
    if (wa === "wsignin1.0") {
      // A party's posted sign-in request (neither our form nor a partner's token coming back).
      const request = req.method === "POST" && !form.has("csrf") && !form.has("wresult");
      return (request && env.cookie === undefined && asGet(wa, form, SIGN_IN_NAMES)) || (await signIn(env, form, req.method === "POST"));
    }
    if (wa === "wsignout1.0" || wa === "wsignoutcleanup1.0") {
      return (req.method === "POST" && env.cookie === undefined && asGet(wa, form, ["wreply"])) || (await signOut(env, form));
    }
    // An application set up for AD FS may speak SAML 2.0 to it (SAML-P): say so rather than "no wa".
    if (wa === null && (form.has("SAMLRequest") || form.has("SAMLResponse"))) {
      refuse("This sign-in service speaks WS-Federation, not the SAML 2.0 protocol (SAMLRequest): configure the application for WS-Federation (wa=wsignin1.0).");
    }
    refuse("Unsupported or missing wa: this endpoint answers wsignin1.0, wsignout1.0 and wsignoutcleanup1.0.");
  } catch (e) {
    // Every refusal is logged with its reason (an unregistered wreply is what an operator looks
    // for when an application's sign-in breaks); the page says only what the user can act on.
    if (e instanceof Refusal) {
      if (e.status !== 404) await writeAudit(ctx.audit, { ok: false, status: e.status, error: e.status === 403 ? "not_authorized" : "invalid_request", reason: e.logged }, started);
      return html(errorPage(e.message), e.status);
    }
    if (e instanceof StsError && e.code === "rate_limited") {
      await writeAudit(ctx.audit, { ok: false, status: 429, error: e.code, reason: e.message }, started);
      const wait = e.retryAfterSeconds ?? 60;
      const r = html(errorPage(`Too many failed sign-ins for this account or from this network. Try again in ${wait < 120 ? `${wait} seconds` : `${Math.ceil(wait / 60)} minutes`}, from the application.`), 429);
      r.headers.set("Retry-After", String(wait));
      return r;
    }
    if (e instanceof StsError && e.code === "payload_too_large") {
      // RFC 9110 §15.5.14: the form is larger than any sign-in form this page sends.
      await writeAudit(ctx.audit, { ok: false, status: 413, error: e.code, reason: e.message }, started);
      return html(errorPage("The sign-in request is too large."), 413);
    }
    if (e instanceof StsError && e.code !== "not_configured") {
      // A malformed request, or the engine's refusal (its rule, the party's policy): no detail.
      const status = e.code === "bad_request" || e.code === "invalid_request" ? 400 : 403;
      await writeAudit(ctx.audit, { ok: false, status, error: e.code, reason: e.message }, started);
      return html(errorPage(status === 400 ? "The sign-in request is not valid." : "This sign-in cannot be completed for this application."), status);
    }
    // A failure of ours (app.onError answers the generic 500 and logs the detail): still one
    // audit line, naming who was signing in to which application when it failed.
    if (!(e instanceof StsError)) await writeAudit(ctx.audit, { ok: false, status: 500, error: "server_error", reason: "An internal error occurred." }, started);
    throw e;
  }
}

interface Exchange {
  ctx: StsContext;
  svc: RequestServices;
  state: StateClient;
  /** The realm's key for sessions, form tokens and partner trips. */
  key: WebKey;
  /** The request's cookies, and the Set-Cookie values of the answer. */
  cookies: CookieJar;
  /** The session cookie's value. */
  cookie: string | undefined;
  /** The form-binding cookie's value, when the browser has one. */
  binding: string | undefined;
  /** The partner-sign-in binding cookie's value, when the browser has one (wsfed-partner.ts). */
  partnerBinding: string | undefined;
  /** The partner-session cookie's value, when the browser has one. */
  partnerSession: string | undefined;
  /** The session a partner sign-in replaces, carried over the trip (REPLACED_SESSION_COOKIE). */
  replaced: string | undefined;
  started: number;
}

/** A page with the pages' fixed headers (frozen once: the sign-in form is the hot page). */
function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: signInHeaders() });
}

async function readForm(req: Request, ctx: StsContext): Promise<FirstValues> {
  if (mediaType(req) !== "application/x-www-form-urlencoded") refuse("Send the sign-in form as application/x-www-form-urlencoded.", 415);
  const charset = nonUtf8Charset(req.headers.get("content-type") ?? "");
  if (charset !== undefined) refuse(`The sign-in form is read as UTF-8, not as charset=${charset}: send it with charset=utf-8 or no charset.`, 415);
  const bytes = await readBodyLimited(req, Math.min(MAX_FORM_BYTES, ctx.config.limits.maxBodyBytes));
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    refuse("The form is not valid UTF-8.");
  }
  return firstValues(text);
}

/**
 * A value as a browser posts it back from a form field: every line break (CR, LF, CR LF) as CR
 * LF (HTML, "converting an entry list to a list of name-value pairs"), so the form token covers
 * what will come back and the party gets what a browser would send it. Undefined for a value
 * holding NUL, which an HTML page cannot carry (the parser makes it U+FFFD).
 */
function formValue(v: string): string | undefined {
  if (v.includes("\0")) return undefined;
  return /[\r\n]/.test(v) ? v.replace(/\r\n?|\n/g, "\r\n") : v;
}

/**
 * The sign-in parameters, checked: a known party with reply URLs, a registered reply, a bounded
 * context; and the partner `whr` names, when it names one browser sign-in can go to.
 */
function signInParams(ctx: StsContext, form: FirstValues): { rp: RelyingParty; params: SignInParams; wfresh: number | undefined; partner: TrustedIssuer | undefined } {
  const named = form.get("wtrealm");
  if (!named) refuse("wtrealm is required: the application must name itself.");
  // Echoed in the form as a browser will post it back (a party is found with spaces trimmed).
  const wtrealm = formValue(named) ?? refuse("This application is not registered for browser sign-in.", 400, named);
  const rp = lookupRelyingParty(ctx.config, wtrealm);
  if (!rp || rp.replyUrls.length === 0) refuse("This application is not registered for browser sign-in.", 400, wtrealm);
  ctx.audit.target = rp.identifier;
  const asked = form.get("wreply");
  let wreply = rp.replyUrls[0]!;
  if (asked !== null && asked !== "") {
    const n = normaliseReplyUrl(asked);
    if (n === undefined || !rp.replyUrls.includes(n)) refuse("wreply is not a registered reply address of this application.", 400, asked);
    wreply = n;
  }
  const wctx = formValue(form.get("wctx") ?? "") ?? refuse("wctx must not hold a NUL character: a browser cannot post one back.");
  if (characterCount(wctx) > MAX_WCTX) refuse(`wctx is longer than ${MAX_WCTX} characters.`);
  const whr = form.get("whr");
  let partner: TrustedIssuer | undefined;
  if (whr !== null && whr !== "" && uriKey(whr) !== uriKey(ctx.issuer)) {
    partner = partnerNamed(ctx, whr);
    if (!partner) refuse("whr names a home realm this service does not sign in for.", 400, whr);
  }
  const f = form.get("wfresh");
  let wfresh: number | undefined;
  if (f !== null && f !== "") {
    // Bounded so that minutes × 60,000 stays an exact integer; seven digits (19 years) outlast any
    // session. The refusal states the bound: a longer value is a whole number too.
    if (!/^\d{1,7}$/.test(f)) refuse("wfresh must be a whole number of minutes from 0 to 9999999.");
    wfresh = Number(f);
  }
  return { rp, params: { wtrealm, wreply, wctx }, wfresh, partner };
}

async function signIn(x: Exchange, form: FirstValues, posted: boolean): Promise<Response> {
  const { ctx } = x;
  ctx.audit.operation = "wsfed.signin";
  const now = ctx.now().getTime();
  // A partner's post of its token: it names no party itself; the state it returns does.
  if (posted && form.has("wresult")) return partnerReturned(x, form, now);
  const { rp, params, wfresh, partner } = signInParams(ctx, form);
  if (posted && form.has("csrf")) return submitted(x, rp, params, form, now);
  const live = await liveSession(x, now);
  // A session is too old for a party whose tokens may not live that long after the sign-in (the
  // engine would refuse to issue one): the user signs in again, as for a wfresh it exceeds.
  const fresh = live !== undefined && totalLifetimeEnd(rp, live.session.authTime) > now &&
    (wfresh === undefined || (wfresh > 0 && now - live.session.authTime <= wfresh * 60_000));
  // The session answers unless the request names a partner it did not begin at.
  if (live && fresh && (partner === undefined || live.session.partner?.issuer === partner.issuer)) {
    return issueFor(x, rp, params, live.session, live.claims, now);
  }
  // A new sign-in where the session began, or where whr asks for.
  const at = partner ?? (live?.session.partner && partnerNamed(ctx, live.session.partner.issuer));
  if (at) return toPartner(x, at, params, wfresh, now);
  return showForm(x, rp, params, "", undefined, 200);
}

/** The sign-in form, bound to this browser: a browser without a form-binding cookie gets one with it. */
async function showForm(x: Exchange, rp: RelyingParty, p: SignInParams, username: string, error: FormError | undefined, status: number): Promise<Response> {
  const binding = x.binding ?? newBrowserBinding();
  const token = await formToken(x.key, p, binding, x.ctx.now().getTime());
  const partners = passivePartners(x.ctx).map((t) => ({ name: t.displayName, whr: t.issuer }));
  const page = signInPage(rp.identifier, p, token, username, error, partners);
  if (binding === x.binding) return html(page, status);
  const res = html(page, status);
  res.headers.append("Set-Cookie", x.cookies.set(FORM_BINDING_COOKIE, binding));
  return res;
}

/** A posted sign-in form: its one-time token, then the password under the failed-authentication limits. */
async function submitted(x: Exchange, rp: RelyingParty, p: SignInParams, form: FirstValues, now: number): Promise<Response> {
  const { ctx } = x;
  if (x.binding === undefined) {
    refuse("This browser did not send back the sign-in form's cookie. Allow cookies for this site, go back to the application and start again.", 403);
  }
  const checked = await checkFormToken(x.key, form.get("csrf") ?? undefined, p, x.binding, now);
  // Trimmed as a WS-Trust Username is (space, tab, CR and LF only), so a name signs in the same
  // way at either door.
  const username = trimXmlSpace(form.get("username") ?? "");
  // This browser's own form, not taken: shown again with the username it held (cut to the
  // field's length), asking for what is missing — both fields without a username.
  const again = (message: string) =>
    showForm(x, rp, p, [...username].slice(0, MAX_USERNAME_CHARS).join(""), { message, fields: username === "" ? "credentials" : "password" }, 400);
  if (checked === "expired") {
    // Our own form, in this browser, left open too long: nothing is signed in; the form again.
    return again("This form was open too long. Enter your password again.");
  }
  if (!checked) {
    // Not a form this browser was given: most often one of two tabs that first opened the form
    // together, each given its own binding cookie, the later one replacing the other's. Nothing
    // is signed in; a form bound to the cookie the browser holds now lets the user go on. What
    // the refused form held (its username too) may be another site's, so the new one is empty.
    await writeAudit(ctx.audit, { ok: false, status: 403, error: "not_authorized", reason: "The sign-in form is not valid for this browser." }, x.started);
    return showForm(x, rp, p, "", { message: "This form is out of date. Enter your username and password again.", fields: "credentials" }, 403);
  }
  const password = form.get("password") ?? "";
  if (username === "" || password === "" || characterCount(username) > MAX_USERNAME_CHARS || characterCount(password) > MAX_PASSWORD_CHARS) {
    return again("Enter your username and password.");
  }
  ctx.audit.requestor = username;
  try {
    const who = await authenticateLimited(ctx, x.state, x.svc.clientAddress, username, password, (w) => w.kind === "user");
    if (who.kind !== "user") throw new StsError("authentication_failed", "not a user");
    // The form is spent once it signs someone in, not before: a failed or locked-out post
    // writes nothing to state (as a WS-Trust UsernameToken's nonce).
    if (!(await x.state.rememberNonce(replayKey("wsfed-form", checked.nonce), checked.expires))) {
      // Sent twice from this browser: Enter pressed again before the page changed (the browser
      // drops the first answer and shows this one), or Back re-posting it. Nothing is signed in
      // by this post; a fresh form lets the user go on rather than leaving them at a dead end.
      await writeAudit(ctx.audit, { ok: false, status: 403, error: "not_authorized", reason: "the sign-in form was already submitted" }, x.started);
      return showForm(x, rp, p, username, { message: "This form was already sent. Enter your password again to continue.", fields: "password" }, 403);
    }
    const credential = who.passwordHash === undefined ? undefined : await credentialStamp(x.key, who.passwordHash);
    const session = await replacing(x, x.cookie, { id: newSessionId(), subject: who.identity.subject, authTime: now, method: who.identity.authnMethod, expires: sessionEnd(rp, now), parties: [], credential }, now);
    return await issueFor(x, rp, p, session, who.identity.claims, now);
  } catch (e) {
    if (!(e instanceof StsError && e.code === "authentication_failed")) throw e;
    await writeAudit(ctx.audit, { ok: false, status: 401, error: e.code, reason: "wrong username or password" }, x.started);
    // One message whatever was wrong: the form must not tell which usernames exist.
    return showForm(x, rp, p, username, { message: "The username or password is incorrect.", fields: "credentials" }, 401);
  }
}

/**
 * A new session in place of the one `cookie` holds, if any (another user's, or the same user's
 * signing in again): that one ends in the state store, as sign-out ends a session, so a copy of
 * its cookie is refused from now on; and its parties carry over (bounded as a session's are), so
 * sign-out still cleans up every party this browser signed in to.
 */
async function replacing(x: Exchange, cookie: string | undefined, fresh: Session, now: number): Promise<Session> {
  const old = await openSession(x.key, cookie, now);
  if (!old) return fresh;
  await endSession(x, old);
  return { ...fresh, parties: old.parties };
}

/** Ends a session in the state store: every use of it checks that entry. */
function endSession(x: Exchange, s: SessionRef): Promise<unknown> {
  return x.state.cancel({ subject: s.subject }, { id: sessionStateId(s), expiresAt: s.expires });
}

/** A session lasts 8 hours at most, and never longer than the party lets a token family live. */
function sessionEnd(rp: RelyingParty, now: number): number {
  return Math.min(now + SESSION_MAX_MS, totalLifetimeEnd(rp, now));
}

/**
 * The session the cookie holds, and its user's claims, if its MAC verifies, it has not expired,
 * its user still exists, is enabled and has the password the session began with (or, for a session begun at a partner, the partner is
 * still one browser sign-in goes to; the claims are those its token stated), and the subject
 * has not been revoked since it began (the status check tokens get, with the session's sign-in
 * time as issue time).
 */
async function liveSession(x: Exchange, now: number): Promise<{ session: Session; claims: Record<string, string[]> } | undefined> {
  const s = await openSession(x.key, x.cookie, now);
  if (!s) return undefined;
  const user = s.partner ? await partnerUser(x.ctx, s.partner, s.subject, s.authTime) : await localUser(x, s);
  if (!user) return undefined;
  const status = await x.state.status({ subject: s.subject }, { id: sessionStateId(s), issuedAt: s.authTime, expiresAt: s.expires, session: true });
  return status.state === "active" ? { session: s, claims: user.claims } : undefined;
}

/**
 * The user of a session begun here, while enabled, while its stored password hash is the one the
 * session began with, and while it has been neither disabled nor made anew since (endedSince).
 */
async function localUser(x: Exchange, s: Session): Promise<{ claims: Record<string, string[]> } | undefined> {
  const user = await findEnabledUser(x.ctx, s.subject);
  if (!user || s.credential === undefined || endedSince(user, s.authTime, true) || s.credential !== (await credentialStamp(x.key, user.passwordHash))) return undefined;
  return user;
}

/**
 * The user of a session begun at a partner: the claims its token stated, while the partner is
 * still one browser sign-in goes to and — for a partner whose subjects are ours
 * (`localSubjects`) — the user it names is not disabled here, nor has been since the session
 * began (endedSince), as for a session begun here.
 */
async function partnerUser(ctx: StsContext, partner: { issuer: string; claims: Record<string, string[]> }, subject: string, authTime: number): Promise<{ claims: Record<string, string[]> } | undefined> {
  const t = partnerNamed(ctx, partner.issuer);
  if (!t) return undefined;
  if (t.localSubjects) {
    const user = await findUser(ctx, subject);
    if (user && (!user.enabled || endedSince(user, authTime))) return undefined;
  }
  return { claims: partner.claims };
}

/**
 * Issues the party's token for the session's user (with the claims the user has now) and answers
 * the page that posts it, renewing the session cookie (now naming this party too) and setting
 * `setCookies` besides.
 */
async function issueFor(
  x: Exchange,
  rp: RelyingParty,
  p: SignInParams,
  session: Session,
  claims: Record<string, string[]>,
  now: number,
  setCookies: string[] = [],
): Promise<Response> {
  const { ctx } = x;
  ctx.audit.requestor = session.subject;
  const identity = { subject: session.subject, claims, authnInstant: new Date(session.authTime), authnMethod: session.method };
  // Each reply URL signed in through is remembered: a party at two hosts has a session at each to clean up.
  const parties = [...session.parties.filter((q) => q.id !== rp.identifier || q.reply !== p.wreply), { id: rp.identifier, reply: p.wreply }];
  const sealed = await sealSession(x.key, { ...session, parties });
  // A cookie too large to come back is not set: the next sign-in asks again.
  const kept = sealed.length <= MAX_SESSION_CHARS ? [x.cookies.set(SESSION_COOKIE, sealed, Math.floor((session.expires - now) / 1000))] : [];
  return postToken(x, rp, p, identity, [...kept, ...setCookies]);
}

/** Issues the party's token for `identity` and answers the page that posts it to the party, setting `setCookies`. */
async function postToken(x: Exchange, rp: RelyingParty, p: SignInParams, identity: Identity, setCookies: string[]): Promise<Response> {
  const tok = await issue(x.ctx, x.state, { kind: "user", identity }, { target: rp.identifier });
  const rstr = issuedRstr(TRUST2005, tok, { context: undefined, requestType: TRUST2005.requestTypes.issue, keyType: undefined });
  // No form-action here: Chromium and WebKit check it at every redirect of the submission too
  // (w3c/webappsec-csp#8), and a relying party commonly answers the post with a redirect to its
  // application, which may be at another origin (another host, http to https): the user would be
  // left at this page with the token already delivered. The page's one form is ours, its action
  // the registered reply URL, and nothing of the request's reaches the page unescaped.
  const headers = pageHeaders({ name: "form-action", sources: undefined });
  for (const c of setCookies) headers.append("Set-Cookie", c);
  await writeAudit(x.ctx.audit, { ok: true, status: 200 }, x.started);
  return new Response(autoPostPage(p.wreply, rstr.toString(), p.wctx), { status: 200, headers });
}

/**
 * Sends the browser to sign in at `partner` (wsfed-partner.ts), this browser bound to the trip by
 * a cookie the partner's cross-site post back will carry.
 */
async function toPartner(x: Exchange, partner: TrustedIssuer, p: SignInParams, wfresh: number | undefined, now: number): Promise<Response> {
  const binding = newBrowserBinding();
  const wctx = await sealPartnerState(x.key, { partner: partner.issuer, params: p, expires: now + PARTNER_STATE_MS, binding });
  x.ctx.audit.outcome = `sent to ${partner.issuer}`;
  await writeAudit(x.ctx.audit, { ok: true, status: 302 }, x.started);
  const headers = new Headers({ Location: partnerSignInUrl(x.ctx, partner, wctx, wfresh), "Cache-Control": "no-store" });
  headers.append("Set-Cookie", x.cookies.set(PARTNER_COOKIE, binding, PARTNER_STATE_MS / 1000));
  // The session this trip will replace, for the partner's post back (read only as a session, MAC and all).
  if (x.cookie !== undefined && x.cookie.length <= MAX_SESSION_CHARS) {
    headers.append("Set-Cookie", x.cookies.set(REPLACED_SESSION_COOKIE, x.cookie, PARTNER_STATE_MS / 1000));
  }
  return new Response(null, { status: 302, headers });
}

/**
 * A partner posts its token back (wresult, with our wctx): the trip must have started in this
 * browser, within its time, and not have come back before; the token must verify as the
 * partner's (every failure counted against the client's address, as an issued-token sign-in's
 * is). Then the party the trip started for gets its token, and the browser a session that
 * remembers the partner and the claims its token stated, so that other parties sign the user
 * in without another trip.
 */
async function partnerReturned(x: Exchange, form: FirstValues, now: number): Promise<Response> {
  const { ctx } = x;
  const trip = await openPartnerState(x.key, form.get("wctx"), now);
  if (!trip) refuse("This sign-in has expired or was not started here. Go back to the application and start again.", 403);
  if (x.partnerBinding === undefined || x.partnerBinding !== trip.binding) {
    refuse("This sign-in was not started in this browser. Allow cookies for this site, go back to the application and start again.", 403);
  }
  const partner = partnerNamed(ctx, trip.partner);
  if (!partner) refuse("This partner no longer signs users in here.", 403);
  // The party, its reply address and its context as they were checked on the way out, checked again.
  const { rp, params } = signInParams(ctx, new URLSearchParams({ wtrealm: trip.params.wtrealm, wreply: trip.params.wreply, wctx: trip.params.wctx }));
  if (!(await x.state.rememberNonce(replayKey("wsfed-partner-trip", trip.binding), trip.expires))) {
    refuse("This sign-in has already been completed. Go back to the application and start again.", 403);
  }
  const address = x.svc.clientAddress;
  let identity: Identity;
  try {
    identity = await withFailureLimit(
      ctx, x.state, failureKeys(address ?? "-", address, "wsfed-partner"),
      () => partnerIdentity(ctx, x.state, partner, form.get("wresult") ?? ""),
      (e) => e instanceof StsError && e.code === "invalid_token",
    );
  } catch (e) {
    if (!(e instanceof StsError && e.code === "invalid_token")) throw e;
    await writeAudit(ctx.audit, { ok: false, status: 403, error: e.code, reason: e.message }, x.started);
    return html(errorPage(`The sign-in at ${partner.displayName} could not be accepted. Go back to the application and start again.`), 403);
  }
  const session = await replacing(x, x.cookie ?? x.replaced, {
    id: newSessionId(), subject: identity.subject, authTime: now, method: identity.authnMethod, expires: sessionEnd(rp, now), parties: [],
    partner: { issuer: partner.issuer, claims: identity.claims },
  }, now);
  const maxAgeSeconds = Math.floor((session.expires - now) / 1000);
  const replacedCleared = x.replaced === undefined ? [] : [x.cookies.set(REPLACED_SESSION_COOKIE, "", 0)];
  return issueFor(x, rp, params, session, identity.claims, now, [
    x.cookies.set(PARTNER_COOKIE, "", 0),
    x.cookies.set(PARTNER_SESSION_COOKIE, await sealSessionRef(x.key, session), maxAgeSeconds),
    ...replacedCleared,
  ]);
}

/** The parameters a sign-in request is read from (signInParams). */
const SIGN_IN_NAMES = ["wtrealm", "wreply", "wctx", "whr", "wfresh"] as const;

/**
 * The longest query a posted request is sent on with (the origin and path need the rest): RFC
 * 9110 §4.1 asks every recipient to take URIs of 8,000 octets, and Cloudflare's edge refuses a
 * URL over 16 KB, while a wctx of 2,048 characters outside the BMP, percent-encoded, is 24 KB.
 */
const MAX_RESENT_QUERY = 7000;

/**
 * A sign-in request or sign-out posted without the session cookie: a relying party's cross-site
 * form post, which carries no SameSite=Lax cookie, so the session — the single sign-on it
 * would give, the session it is to end and the parties to clean up — is out of sight. The same
 * request as a GET (303, WS-Federation 1.2 §13.2 allows either) is a top-level navigation that
 * carries the cookie; a POST from a browser with no session gets there too, and finds none.
 * Only the parameters the request is read from go into the address, never another field.
 * Undefined when they would make too long an address: the post is then answered as it came.
 */
function asGet(wa: string, form: FirstValues, names: readonly string[]): Response | undefined {
  const q = new URLSearchParams({ wa });
  for (const n of names) {
    const v = form.get(n);
    if (v !== null) q.set(n, v);
  }
  if (q.toString().length > MAX_RESENT_QUERY) return undefined;
  // Relative, as the pages' own form actions are: this endpoint wherever the realm is mounted.
  return new Response(null, { status: 303, headers: { Location: `./wsfed?${q}`, "Cache-Control": "no-store" } });
}

/**
 * Sign-out: ends the session in the state store (a copy of its cookie is refused from then on),
 * clears the cookies and calls each party signed in during the session, and the partner it began
 * at, to clean up. A partner's own clean-up call reaches here as a cross-site image, without the
 * SameSite=Lax session cookie: the SameSite=None partner-session cookie names the session then.
 */
async function signOut(x: Exchange, form: FirstValues): Promise<Response> {
  const now = x.ctx.now().getTime();
  x.ctx.audit.operation = "wsfed.signout";
  const session = await openSession(x.key, x.cookie, now);
  const ended = session ?? (await openSessionRef(x.key, x.partnerSession, now));
  if (ended) await endSession(x, ended);
  const cleanups: string[] = [];
  // A session begun at a partner ends there too (WS-Federation 1.2 §13.2.4: its clean-up).
  const partner = session?.partner && partnerNamed(x.ctx, session.partner.issuer);
  if (partner) cleanups.push(partnerSignOutUrl(partner));
  // Each at the reply URL the user signed in through, while the party still registers it.
  for (const { id, reply } of session?.parties ?? []) {
    if (!lookupRelyingParty(x.ctx.config, id)?.replyUrls.includes(reply)) continue;
    const u = new URL(reply);
    u.searchParams.set("wa", "wsignoutcleanup1.0");
    if (!cleanups.includes(u.href)) cleanups.push(u.href);
  }
  // A way back only to an address some party registered: sign-out must not redirect anywhere else either.
  const asked = form.get("wreply");
  const n = asked ? normaliseReplyUrl(asked) : undefined;
  const back = n !== undefined && x.ctx.config.relyingParties.some((rp) => rp.replyUrls.includes(n)) ? n : undefined;
  const origins = [...new Set(cleanups.map((u) => new URL(u).origin))];
  const headers = pageHeaders(origins.length ? { name: "img-src", sources: ["'self'", ...origins] } : undefined);
  headers.append("Set-Cookie", x.cookies.set(SESSION_COOKIE, "", 0));
  if (x.partnerSession !== undefined) headers.append("Set-Cookie", x.cookies.set(PARTNER_SESSION_COOKIE, "", 0));
  if (ended) {
    x.ctx.audit.requestor = ended.subject;
    await writeAudit(x.ctx.audit, { ok: true, status: 200 }, x.started);
  }
  return new Response(signedOutPage(cleanups, back), { status: 200, headers });
}
