/**
 * What a trusted issuer's JWT and SAML assertion share: its subject as our name (a user of ours
 * when its subjects are ours) checked for that user's account and its revocations here, a name
 * of ours as stored, and the subject as a chain link.
 */
import type { TrustedIssuer } from "../config/types.ts";
import type { StateClient } from "../state/client.ts";
import { invalidToken, notAuthorized } from "../errors.ts";
import { DISABLED, refuseDisabledSubject } from "./authenticate.ts";
import { subjectRevocation } from "./check.ts";
import { subjectOf } from "./names.ts";
import type { Actor, StsContext } from "./types.ts";
import { findUser, localNameLike } from "./users.ts";

/** What the revocation checks read of a trusted issuer's token: its ID and its instants. */
export interface TokenTimes {
  id: string;
  issuedAt: Date;
  authnInstant: Date;
  expires: Date;
}

/**
 * The subject a trusted issuer's token names, once it is neither a disabled user of ours
 * ({@link localSubject}) nor revoked here since the token's authentication
 * ({@link refuseRevokedSubject}).
 * @returns the subject as the issuer's `sub`: our user's stored name when its subjects are ours
 * @throws StsError invalid_token (revoked), not_authorized (disabled)
 */
export async function checkedSubject(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  t: TrustedIssuer,
  sub: string,
  token: TokenTimes,
): Promise<string> {
  const local = await localSubject(ctx, t, sub);
  await refuseRevokedSubject(ctx, state, t, subjectOf(t, local), token);
  return local;
}

/**
 * The subject a trusted issuer names, as that issuer's `sub`. An issuer whose subjects are ours
 * (`localSubjects`) names our users: as the user's own name when it writes one that looks the same
 * (`ALICE`, as AD FS states the name a user typed: Active Directory ignores case) — otherwise the
 * token would state a second name for alice, which neither her revocation state nor her disabled
 * account would reach — and a disabled one gets no token from its tokens either, as from ours
 * (`currentIdentity`). The claims stay the issuer's, which is what mapping its subjects promises.
 * An issuer in its own namespace names no user of ours, so nothing is looked up.
 */
async function localSubject(ctx: StsContext, t: TrustedIssuer, sub: string): Promise<string> {
  if (!t.localSubjects) return sub;
  // The name as written first: a user's own name costs the one look-up it always did.
  const user = await findUser(ctx, sub);
  if (user !== undefined) {
    if (!user.enabled) throw notAuthorized(DISABLED);
    return sub;
  }
  const name = await localNameLike(ctx, sub);
  if (name === undefined) return sub;
  await refuseDisabledSubject(ctx, name);
  return name;
}

/**
 * The name a user of ours is stored under, for a name an issuer whose subjects are ours writes
 * (`ALICE` → `alice`, as {@link localSubject}); as written when it looks like no user of ours.
 */
export async function storedName(ctx: StsContext, name: string): Promise<string> {
  if ((await findUser(ctx, name)) !== undefined) return name;
  return (await localNameLike(ctx, name)) ?? name;
}

/**
 * A trusted issuer's token authenticated its subject before that subject's tokens were revoked
 * here (check.ts `subjectRevocation`): refused as a revoked token of ours is, rather than made
 * into a token revoked from birth. The ID is the issuer's, kept apart from ours by the issuer.
 */
async function refuseRevokedSubject(
  ctx: StsContext,
  state: Pick<StateClient, "status">,
  t: TrustedIssuer,
  subject: string,
  token: TokenTimes,
): Promise<void> {
  const s = await subjectRevocation(ctx, state, subject, { ...token, id: `${t.issuer} ${token.id}` });
  if (s.state === "revoked") throw invalidToken("The token's subject has had its tokens revoked here since this token's authentication: present a token of a newer sign-in.");
}

/** A trusted issuer's subject as a chain link: with its issuer, unless its names are ours. */
export function externalActor(t: TrustedIssuer, sub: string): Actor {
  return t.localSubjects ? { sub } : { sub, iss: t.issuer };
}
