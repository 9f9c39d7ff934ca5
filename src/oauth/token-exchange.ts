/**
 * RFC 8693 token exchange: form parameters in, `TokenRequest` to the engine, RFC 8693 §2.2.1
 * response out. The engine decides claims, lifetime and scope; this file decides only what is
 * OAuth's: parameters, targets (RFC 8707), delegation (`act`, `may_act`) and the client's policy.
 */
import type { OAuthClient, RelyingParty, TokenKind } from "../config/types.ts";
import { issueToken } from "../engine/issue.ts";
import { lookupRelyingParty } from "../engine/relying-party.ts";
import type { Actor, StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { OAuthError, oauthInvalidGrant, oauthInvalidRequest, oauthInvalidTarget, oauthUnauthorizedClient } from "./errors.ts";
import type { FormParams } from "./form.ts";
import { encodeBase64Url } from "./presented.ts";
import { type PresentedParty, readPresentedToken } from "./subject-token.ts";
import { TOKEN_EXCHANGE_GRANT, requestedKind, tokenTypeUri } from "./token-types.ts";

/** RFC 8693 §2.2.1 successful response. */
export interface TokenExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: "Bearer" | "N_A";
  expires_in: number;
  scope?: string;
}

/**
 * Handles a token request for an authenticated client.
 * @throws OAuthError or StsError (mapped at the edge by `toOAuthError`)
 */
export async function exchangeToken(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  client: OAuthClient,
  params: FormParams,
): Promise<TokenExchangeResponse> {
  const grant = params.get("grant_type");
  if (grant === undefined) throw oauthInvalidRequest("grant_type is missing.");
  if (grant !== TOKEN_EXCHANGE_GRANT) throw new OAuthError("unsupported_grant_type", `Only ${TOKEN_EXCHANGE_GRANT} is supported.`);

  const subjectToken = params.get("subject_token");
  const subjectType = params.get("subject_token_type");
  if (subjectToken === undefined) throw oauthInvalidRequest("subject_token is missing.");
  if (subjectType === undefined) throw oauthInvalidRequest("subject_token_type is missing.");
  const actorToken = params.get("actor_token");
  const actorType = params.get("actor_token_type");
  // RFC 8693 §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT appear without it.
  if ((actorToken === undefined) !== (actorType === undefined)) {
    throw oauthInvalidRequest("actor_token and actor_token_type must be sent together.");
  }
  let kind: TokenKind | undefined;
  const requested = params.get("requested_token_type");
  if (requested !== undefined) {
    kind = requestedKind(requested);
    if (!kind) throw oauthInvalidRequest("The requested_token_type is not one this server issues.");
  }
  const rp = target(ctx, client, params);
  const scope = params.get("scope")?.split(" ").filter(Boolean);
  // Scope only narrows (the engine drops what policy does not allow); a request left with
  // nothing at all is RFC 6749 §5.2 invalid_scope rather than a silently scopeless token.
  if (scope && scope.length > 0 && !scope.some((s) => rp.scopes.includes(s))) {
    throw new OAuthError("invalid_scope", "None of the requested scopes is available for this audience.");
  }

  // Cheap checks first; the tokens (signatures, one state RPC each) after.
  const subject = await readPresentedToken(ctx, state, subjectToken, subjectType, "subject_token");
  let actor: Actor | undefined = subject.act;
  if (actorToken !== undefined) {
    const a = await readPresentedToken(ctx, state, actorToken, actorType!, "actor_token");
    actor = delegate(client, subject, a);
  }
  // A SAML result carries the actor as the WIF actor claim (src/engine/mint.ts).
  const issuedKind = kind ?? rp.defaultTokenType;

  const issued = await issueToken(ctx, {
    requestor: { kind: "client", name: client.clientId },
    identity: subject.identity,
    appliesTo: rp.identifier,
    tokenType: issuedKind,
    actor,
    clientId: client.clientId,
    scope,
  });
  const saml = issued.kind === "saml2" || issued.kind === "saml1";
  const res: TokenExchangeResponse = {
    // RFC 8693 §2.2.1: a SAML token travels base64url-encoded in access_token.
    access_token: saml ? encodeBase64Url(issued.value) : issued.value,
    issued_token_type: tokenTypeUri(issued.kind),
    // RFC 8693 §2.2.1: "N_A" when the issued token is not an access token.
    token_type: issued.kind === "access_token" ? "Bearer" : "N_A",
    expires_in: Math.max(0, Math.round((issued.expires.getTime() - ctx.now().getTime()) / 1000)),
  };
  // RFC 6749 §5.1: scope is required in the response when it differs from the request.
  if (issued.scope.length > 0) res.scope = issued.scope.join(" ");
  return res;
}

/**
 * RFC 8693 §2.1 `audience` and RFC 8707 `resource` name the target; every value must map to the
 * same relying party, one the client may obtain tokens for. No value → the client's only
 * audience, when it has exactly one.
 */
function target(ctx: StsContext, client: OAuthClient, params: FormParams): RelyingParty {
  const resources = params.all("resource");
  for (const r of resources) {
    // RFC 8707 §2: an absolute URI without a fragment.
    if (!URL.canParse(r) || r.includes("#")) throw oauthInvalidTarget("A resource must be an absolute URI without a fragment.");
  }
  const names = [...params.all("audience"), ...resources];
  if (names.length === 0) {
    if (client.allowedAudiences.length === 1) names.push(client.allowedAudiences[0]!);
    else throw oauthInvalidTarget("Name the target with audience or resource.");
  }
  let rp: RelyingParty | undefined;
  for (const n of names) {
    const found = lookupRelyingParty(ctx.config, n);
    if (!found) throw oauthInvalidTarget("The requested audience or resource is not known here.");
    if (rp && rp !== found) throw oauthInvalidTarget("All audience and resource values must name the same relying party.");
    rp = found;
  }
  if (!client.allowedAudiences.includes(rp!.identifier)) {
    throw oauthInvalidTarget("This client may not obtain tokens for the requested audience.");
  }
  return rp!;
}

/**
 * Delegation (RFC 8693 §1.1, §4.1, §4.4): the client's policy names which actors it may present;
 * a subject token's `may_act` names who may act for its subject. The new `act` nests the
 * earlier chain: `{ sub: actor, act: subject.act }`.
 */
function delegate(client: OAuthClient, subject: PresentedParty, a: PresentedParty): Actor {
  const sub = a.identity.subject;
  if (!client.allowedActors.includes("*") && !client.allowedActors.includes(sub)) {
    throw oauthUnauthorizedClient("This client may not present this actor.");
  }
  if (subject.mayAct) {
    const m = subject.mayAct;
    if (m.sub !== sub || (m.iss !== undefined && m.iss !== a.issuer)) {
      throw oauthInvalidGrant("The subject token's may_act does not allow this actor.");
    }
  }
  return { sub, ...(a.own ? {} : { iss: a.issuer }), ...(subject.act ? { act: subject.act } : {}) };
}
