/**
 * Browser sign-in at a federation partner (WS-Federation 1.2 §13 with a home realm, as AD FS
 * signs users in through a claims provider trust). `whr` — or the partner's link on the sign-in
 * page — names a trusted SAML issuer configured with a `passiveSignInUrl`; the browser goes there
 * with this STS's own wsignin1.0 (wtrealm: our issuer; wreply: our /wsfed; wctx: the sealed
 * request it came with). The partner posts its token back, which is verified as any partner
 * assertion is (its pinned certificates, its times, audience this STS; opened first when it is
 * encrypted for us), accepted once, and must be the partner's own.
 *
 * The state that rides in wctx is MACed with `webSessionSecret` for this realm, lives ten minutes, is used once,
 * and is bound to the browser that set out by a cookie: without that binding, anyone could have a
 * victim's browser post the attacker's partner token (login CSRF). The partner's post is a
 * cross-site POST, which carries only a SameSite=None cookie. The session that follows remembers
 * the partner and the claims its token stated (wsfed-session.ts), and signing out calls the
 * partner's clean-up.
 */
import { replayKey } from "../state/state-key.ts";
import type { Element } from "@xmldom/xmldom";
import type { TrustedIssuer } from "../config/types.ts";
import { openEncryptedAssertion } from "../engine/open-encrypted.ts";
import { partyFromSaml } from "../engine/presented-party.ts";
import { uriKey } from "../config/uri-key.ts";
import type { Identity, StsContext } from "../engine/types.ts";
import { isEncryptedToken } from "../engine/verify-own.ts";
import { badRequest, invalidToken } from "../errors.ts";
import { confirmsBearerOnly, readAssertion } from "../saml/parse.ts";
import { isSamlAssertion } from "../saml/ns.ts";
import type { StateClient } from "../state/client.ts";
import { childElements } from "../xml/dom.ts";
import { XmlSecurityError, parseXml } from "../xml/parse.ts";
import { PASSIVE_REQUESTOR_PATH } from "../wstrust/federation-metadata.ts";
import { TRUST13, TRUST2005 } from "../wstrust/ns.ts";
import type { CookieSpec } from "./wsfed-cookies.ts";
import { MAX_WCTX, type SignInParams, type WebKey, openJson, sealJson } from "./wsfed-session.ts";

/** The cookie binding a partner sign-in to the browser that set out on it. */
export const PARTNER_COOKIE: CookieSpec = { name: "sts_partner", sameSite: "None" };
/** A partner sign-in must come back within this long. */
export const PARTNER_STATE_MS = 10 * 60 * 1000;
const PURPOSE = "partner-signin";
/**
 * The longest sealed trip read back: the party's wctx at its longest with every character at
 * its longest in JSON (six bytes: `\u0001`, or a lone surrogate's escape), and the rest
 * (partner, party, reply URL: configured names, as the request spelled them), in base64url
 * with its MAC.
 */
const MAX_STATE_CHARS = Math.ceil(((MAX_WCTX * 6 + 8192) * 4) / 3) + 64;

/** The partners browser sign-in can send a user to. */
export function passivePartners(ctx: StsContext): TrustedIssuer[] {
  return ctx.config.trustedIssuers.filter((t) => t.kind === "saml" && t.passiveSignInUrl !== undefined);
}

/** The partner `whr` names (compared as relying-party identifiers are), if it is one. */
export function partnerNamed(ctx: StsContext, whr: string): TrustedIssuer | undefined {
  const want = uriKey(whr);
  return passivePartners(ctx).find((t) => uriKey(t.issuer) === want);
}

/** What a partner sign-in carries through the partner and back. */
export interface PartnerState {
  partner: string;
  params: SignInParams;
  expires: number;
  /** The browser's binding value (its cookie); also what makes the state usable once. */
  binding: string;
}

/** The wctx sent to the partner: the state, MACed. */
export function sealPartnerState(key: WebKey, s: PartnerState): Promise<string> {
  return sealJson(key, PURPOSE, [s.partner, s.params.wtrealm, s.params.wreply, s.params.wctx, s.expires, s.binding]);
}

/** The state a wctx that came back holds, if its MAC verifies and it has not expired. */
export async function openPartnerState(key: WebKey, value: string | null, now: number): Promise<PartnerState | undefined> {
  const j = await openJson(key, PURPOSE, value, MAX_STATE_CHARS);
  if (!Array.isArray(j) || j.length !== 6) return undefined;
  const [partner, wtrealm, wreply, wctx, expires, binding] = j as unknown[];
  if (typeof partner !== "string" || typeof wtrealm !== "string" || typeof wreply !== "string" || typeof wctx !== "string") return undefined;
  if (typeof expires !== "number" || typeof binding !== "string" || expires <= now || expires > now + PARTNER_STATE_MS) return undefined;
  return { partner, params: { wtrealm, wreply, wctx }, expires, binding };
}

/**
 * Where the browser goes to sign in at the partner: its passive address with our wsignin1.0
 * (and the party's `wfresh`, when it asked for a recent sign-in).
 */
export function partnerSignInUrl(ctx: StsContext, partner: TrustedIssuer, wctx: string, wfresh?: number): string {
  const u = new URL(partner.passiveSignInUrl!);
  u.searchParams.set("wa", "wsignin1.0");
  u.searchParams.set("wtrealm", ctx.issuer);
  u.searchParams.set("wreply", ctx.origin + PASSIVE_REQUESTOR_PATH);
  u.searchParams.set("wctx", wctx);
  if (wfresh !== undefined) u.searchParams.set("wfresh", String(wfresh));
  return u.href;
}

/** The partner's clean-up address, called (as an image) when a session begun there ends here. */
export function partnerSignOutUrl(partner: TrustedIssuer): string {
  const u = new URL(partner.passiveSignInUrl!);
  u.searchParams.set("wa", "wsignoutcleanup1.0");
  return u.href;
}

/** A partner's wresult is an RSTR with one token: far below the body limit, but not tiny (claims, certificates, encryption). */
const MAX_WRESULT_CHARS = 256 * 1024;

/**
 * The identity a partner's wresult signs in: its one token (an RSTR, WS-Trust February 2005 as
 * passive sign-in sends it, or 1.3, possibly in an RSTRC), opened when encrypted for us, verified
 * as the partner's own bearer assertion for this STS, and accepted once.
 * @throws StsError invalid_token (the token does not verify, is not the partner's, or was used), bad_request
 */
export async function partnerIdentity(
  ctx: StsContext,
  state: Pick<StateClient, "status" | "rememberNonce">,
  partner: TrustedIssuer,
  wresult: string,
): Promise<Identity> {
  const what = "partner's token";
  if (wresult.length > MAX_WRESULT_CHARS) throw badRequest("The partner's answer (wresult) is too large.");
  const l = ctx.config.limits;
  let root: Element | null;
  try {
    root = parseXml(wresult, { maxBytes: MAX_WRESULT_CHARS * 3, maxDepth: l.maxXmlDepth, maxElements: l.maxXmlElements, maxAttributesPerElement: l.maxXmlAttributesPerElement }).documentElement;
  } catch (e) {
    if (e instanceof XmlSecurityError) throw badRequest(`The partner's answer (wresult) is not acceptable XML: ${e.message}`);
    throw e;
  }
  const presented = tokenIn(root);
  const el = isEncryptedToken(presented) ? await openEncryptedAssertion(ctx, presented, what) : presented;
  const party = await partyFromSaml(ctx, state, el, what);
  if (party.own || party.issuer !== partner.issuer) throw invalidToken(`The ${what} was not issued by the partner the sign-in went to.`);
  // The element verified in place (no wrapping), so what it states can be read from it.
  const facts = readAssertion(el);
  if (!confirmsBearerOnly(facts)) throw invalidToken(`The ${what} must confirm its subject as bearer: a browser holds no key.`);
  const until = facts.expires?.getTime() ?? ctx.now().getTime() + PARTNER_STATE_MS;
  // Remembered for as long as it is accepted: to its expiry plus the skew it was judged with,
  // the partner's own (src/engine/partner-saml.ts), which may be wider than the STS's.
  if (!(await state.rememberNonce(replayKey("wsfed-partner-token", partner.issuer, facts.id), until + partner.clockSkewSeconds * 1000))) {
    throw invalidToken(`This ${what} has been used before.`);
  }
  return party.identity;
}

/** The one token of the one RSTR in a wresult. */
function tokenIn(root: Element | null): Element {
  let rstr = root;
  if (rstr?.localName === "RequestSecurityTokenResponseCollection" && rstr.namespaceURI === TRUST13.ns) {
    const inner = childElements(rstr, TRUST13.ns, "RequestSecurityTokenResponse");
    rstr = inner.length === 1 ? inner[0]! : null;
  }
  const ns = rstr?.namespaceURI;
  if (!rstr || rstr.localName !== "RequestSecurityTokenResponse" || (ns !== TRUST2005.ns && ns !== TRUST13.ns)) {
    throw badRequest("The partner's answer (wresult) is not one WS-Trust RequestSecurityTokenResponse.");
  }
  const holders = childElements(rstr, ns, "RequestedSecurityToken");
  const tokens = holders.length === 1 ? childElements(holders[0]!) : [];
  const token = tokens.length === 1 ? tokens[0]! : undefined;
  if (!token || !(isSamlAssertion(token.namespaceURI, token.localName ?? "") || isEncryptedToken(token))) {
    throw badRequest("The partner's answer (wresult) must carry exactly one SAML assertion in its RequestedSecurityToken.");
  }
  return token;
}
