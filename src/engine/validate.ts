import type { RelyingParty, TokenKind } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import type { RenewingMarks } from "../token/renewability.ts";
import { currentIdentity } from "./authenticate.ts";
import { authorize } from "./authorize.ts";
import { certificateStatus } from "./certificate-status.ts";
import { type StatusResult, tokenStatus } from "./check.ts";
import { StsError, invalidRequest, invalidToken } from "../errors.ts";
import { issueToken } from "./issuance.ts";
import { type DerivationLimits, NO_DERIVATION_LIMITS, derivationLimits } from "./lifetime.ts";
import { requireSameSector } from "./pairwise.ts";
import { requireKeyProof } from "./key-proof.ts";
import { ownMayAct } from "./may-act.ts";
import { findRelyingParty } from "./relying-party.ts";
import type { Actor, Confirmation, Identity, IssuedToken, MayAct, PresentedCertificate, PresentedCredentials, RequestedClaim, Requestor, StsContext } from "./types.ts";
import type { PresentedToken } from "./verify-own.ts";

/**
 * Validate with status (WS-Trust 1.3 §7): is this token of ours valid now — for the relying
 * party the request names, when it names one? Or, for presented credentials, are this username
 * and password right (for a user who may sign in now)? A wrong one is an "invalid" answer, as
 * a bad token is; being over the failure limits is an error. Or, for a presented certificate,
 * would this STS accept it from a requestor (certificate-status.ts)?
 * @param target the relying party the request names (AppliesTo), if any: it must be one we
 *   know, as for Issue, and a token issued for another party is invalid for it
 */
export async function validate(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken | PresentedCredentials | PresentedCertificate,
  target?: string,
): Promise<StatusResult> {
  const party = target === undefined ? undefined : findRelyingParty(ctx.config, target);
  if ("certificate" in presented) {
    authorize(who, { route: "validate", relyingParty: party?.identifier, credentials: true });
    return certificateStatus(ctx, presented.certificate);
  }
  if (!("credentials" in presented)) return tokenStatus(ctx, state, who, presented, { party });
  const { username, authenticate } = presented.credentials;
  authorize(who, { route: "validate", subject: username, relyingParty: party?.identifier, credentials: true });
  try {
    await authenticate();
  } catch (e) {
    if (e instanceof StsError && e.code === "authentication_failed") return { valid: false, reason: e.message, token: undefined };
    throw e;
  }
  return { valid: true, reason: CREDENTIALS_VALID, token: undefined };
}

const CREDENTIALS_VALID = "The username and password are valid.";

/** A Validate transformation, with what its wst:Renewing asks of the new token (renewability.ts). */
export interface TransformRequest extends RenewingMarks {
  /** The relying party the new token is for (AppliesTo); default: the token's own audience. */
  target: string | undefined;
  tokenType: TokenKind;
  lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
  /** The new token's proof key; undefined for a bearer token (the presented token's key is not carried over). */
  confirmation?: Confirmation | undefined;
  /** Requested claims (see `TokenRequest`). */
  requestedClaims?: RequestedClaim[] | undefined;
}

/**
 * What a transformation answers: the new token, and the status of the presented one (always
 * valid: an invalid one is refused), which the Validate response states beside the token.
 */
export interface Transformed {
  token: IssuedToken;
  reason: string;
}

/**
 * Validate with token transformation (WS-Trust 1.3 §7): a valid token of ours becomes a new
 * token of another type, possibly for another relying party. That is an issuance for the
 * target: the requestor needs the right to obtain tokens for the subject there (the subject
 * itself, or a service account with `issue` for the target), and the target's policy applies
 * afresh — its token types, lifetime limits and claim release. Claims come from what the STS
 * holds for the subject, never from a token made for another relying party; a subject the STS
 * holds nothing for keeps only what the presented token states, released under the target's
 * policy; a pairwise token is transformed only for its sector (pairwise.ts `sectorRefusal`).
 * The new token keeps the presented one's authentication time, and its end and
 * renewability when that one may not be renewed (lifetime.ts `derivationLimits`). Presented
 * credentials become a token for the user they sign in (`fromCredentials`).
 */
export async function transform(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  who: Requestor,
  presented: PresentedToken | PresentedCredentials,
  req: TransformRequest,
): Promise<Transformed> {
  const from = "credentials" in presented ? fromCredentials(ctx, who, presented, req.target) : await fromToken(ctx, state, who, presented, req.target);
  const rp = from.rp;
  const identity = await from.identify();
  const token = await issueToken(ctx, {
    requestor: who,
    identity,
    appliesTo: rp.identifier,
    tokenType: req.tokenType,
    lifetime: req.lifetime,
    actor: from.actor,
    mayAct: from.mayAct,
    notAfter: from.passesOn.notAfter,
    notRenewable: req.notRenewable || from.passesOn.notRenewable,
    renewableAfterExpiry: req.renewableAfterExpiry,
    scopeCeiling: from.scopeCeiling,
    confirmation: req.confirmation,
    requestedClaims: req.requestedClaims,
  });
  return { token, reason: from.reason };
}

/** What a transformation starts from: whom it names and what it passes on, and how the subject's identity is then had. */
interface TransformSource {
  /** The relying party the new token is for, which the transformation rule allowed. */
  rp: RelyingParty;
  /** The subject's identity, read (or, for credentials, authenticated) once the rule allowed the transformation. */
  identify(): Promise<Identity>;
  actor: Actor | undefined;
  mayAct: MayAct | undefined;
  passesOn: DerivationLimits;
  scopeCeiling: string[] | undefined;
  /** Why the presented token or credentials are valid (the Validate status's Reason). */
  reason: string;
}

/**
 * A valid token of ours: its subject's current identity, its delegation chain and `may_act`,
 * limits and scope.
 * Whether the token may be transformed is the transformation's own rule (an issuance for the
 * target), asked before its status is told; the right to validate the token's own relying party
 * is not needed, as it is not for OnBehalfOf.
 */
async function fromToken(ctx: StsContext, state: Pick<StateClient, "status">, who: Requestor, presented: PresentedToken, target: string | undefined): Promise<TransformSource> {
  let rp: RelyingParty | undefined;
  const r = await tokenStatus(ctx, state, who, presented, {
    mayAsk: (t) => {
      rp = mayTransform(ctx, who, t.subject, target ?? t.audience);
    },
  });
  if (!r.valid || !r.token || !rp) throw invalidToken(r.reason);
  const t = r.token;
  await requireKeyProof(t.confirmation, null, "token to transform");
  requireSameSector(t.pairwise, rp, "ValidateTarget token");
  return {
    rp,
    identify: () => currentIdentity(ctx, { subject: t.subject, claims: t.claims, authnInstant: t.authnInstant, authnMethod: t.authnMethod }, t.actor),
    actor: t.actor,
    mayAct: ownMayAct(ctx, t),
    passesOn: derivationLimits(ctx.config, t),
    scopeCeiling: t.scope.length > 0 ? t.scope : undefined,
    reason: r.reason,
  };
}

/**
 * Presented credentials: the user they sign in, checked only once the rule allowed the
 * transformation (the slow password check is not spent on a caller it refuses). Credentials
 * have no audience to default to: the request must name the relying party.
 */
function fromCredentials(ctx: StsContext, who: Requestor, presented: PresentedCredentials, target: string | undefined): TransformSource {
  if (target === undefined) {
    throw invalidRequest("wsp:AppliesTo is required to turn a username and password into a token: name the relying party it is for.");
  }
  const { username, authenticate } = presented.credentials;
  return { rp: mayTransform(ctx, who, username, target), identify: authenticate, actor: undefined, mayAct: undefined, passesOn: NO_DERIVATION_LIMITS, scopeCeiling: undefined, reason: CREDENTIALS_VALID };
}

/** The transformation's rule: an issuance for the subject at the target, which it returns. */
function mayTransform(ctx: StsContext, who: Requestor, subject: string, target: string): RelyingParty {
  const rp = findRelyingParty(ctx.config, target);
  authorize(who, { route: "validate-transform", subject, relyingParty: rp.identifier });
  return rp;
}
