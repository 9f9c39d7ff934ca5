/**
 * RFC 8693 token exchange: form parameters in, one engine call (`exchange`), RFC 8693 §2.2.1
 * response out. The engine decides the target, the client's rights, delegation, claims,
 * lifetime and scope; this file decides only what is OAuth's wire format.
 */
import type { OAuthClient, TokenKind } from "../config/types.ts";
import { exchange } from "../engine/exchange.ts";
import type { StsContext } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { type DpopRequest, verifyDpopProof } from "./dpop.ts";
import { OAuthError, oauthInvalidRequest, oauthInvalidTarget } from "./errors.ts";
import type { FormParams } from "./form.ts";
import { encodeBase64Url } from "./presented.ts";
import { presentedToken } from "./subject-token.ts";
import { TOKEN_EXCHANGE_GRANT, requestedKind, tokenTypeUri } from "./token-types.ts";

/** RFC 8693 §2.2.1 successful response. */
export interface TokenExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: "Bearer" | "DPoP" | "N_A";
  expires_in: number;
  scope?: string;
}

/**
 * Handles a token request for an authenticated client. With a DPoP proof (RFC 9449) in `http`,
 * the issued token is bound to the proof's key.
 * @throws OAuthError or StsError (mapped at the edge by `toOAuthError`)
 */
export async function exchangeToken(
  ctx: StsContext,
  state: Pick<StateClient, "status" | "rememberNonce">,
  client: OAuthClient,
  params: FormParams,
  http: DpopRequest,
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
  const resources = params.all("resource");
  for (const r of resources) {
    // RFC 8707 §2: an absolute URI without a fragment.
    if (!URL.canParse(r) || r.includes("#")) throw oauthInvalidTarget("A resource must be an absolute URI without a fragment.");
  }
  // RFC 9449 §6: SAML output cannot carry `cnf.jkt`; refused before the proof's jti is spent.
  if (http.headers.has("dpop") && (kind === "saml2" || kind === "saml1")) {
    throw oauthInvalidRequest("DPoP binding is for JWT tokens: request a JWT or access token, or send no DPoP proof.");
  }
  const dpop = await verifyDpopProof(ctx, state, http);
  const issued = await exchange(ctx, state, { kind: "client", client }, {
    subject: presentedToken(ctx, subjectToken, subjectType, "subject_token"),
    actor: actorToken === undefined ? undefined : presentedToken(ctx, actorToken, actorType!, "actor_token"),
    targets: [...params.all("audience"), ...resources],
    tokenType: kind,
    scope: params.get("scope")?.split(" ").filter(Boolean),
    dpop,
  });
  const saml = issued.kind === "saml2" || issued.kind === "saml1";
  const res: TokenExchangeResponse = {
    // RFC 8693 §2.2.1: a SAML token travels base64url-encoded in access_token.
    // An encrypting relying party gets the encrypted form; issued_token_type still names what is inside.
    access_token: saml ? encodeBase64Url(issued.encrypted ?? issued.value) : issued.encrypted ?? issued.value,
    issued_token_type: tokenTypeUri(issued.kind),
    // RFC 9449 §5: a DPoP-bound token is of type DPoP, whatever its format (only a proof makes
    // it usable). Otherwise RFC 8693 §2.2.1: "N_A" when the issued token is not an access token.
    token_type: issued.confirmation?.method === "dpop" ? "DPoP" : issued.kind === "access_token" ? "Bearer" : "N_A",
    expires_in: Math.max(0, Math.round((issued.expires.getTime() - ctx.now().getTime()) / 1000)),
  };
  // RFC 6749 §5.1: scope is required in the response when it differs from the request.
  if (issued.scope.length > 0) res.scope = issued.scope.join(" ");
  return res;
}
