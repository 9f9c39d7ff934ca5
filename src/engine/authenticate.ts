import { verifyPassword } from "../identity/password.ts";
import { verifySecret } from "../identity/secret.ts";
import { AC_PASSWORD_PROTECTED_TRANSPORT } from "../saml/ns.ts";
import { authenticationFailed } from "../errors.ts";
import type { Identity, Requestor, StsContext } from "./types.ts";

/** The result of checking a username and password: a user, or a service account. */
export type Authenticated = Exclude<Requestor, { kind: "client" }>;

/**
 * Authenticates a WS-Security UsernameToken: service accounts first (their high-entropy
 * secrets are checked against SHA-256 hashes, cheap by design), then users (PBKDF2, slow by
 * design). Every failure is the same wst:FailedAuthentication, whatever went wrong.
 */
export async function authenticatePassword(ctx: StsContext, username: string, password: string): Promise<Authenticated> {
  const account = ctx.config.serviceAccounts.get(username);
  if (account) {
    if (await verifySecret(password, account.secretHash)) return { kind: "service", account };
    throw authenticationFailed();
  }
  const user = ctx.config.users.get(username);
  // verifyPassword runs a full-cost derivation for unknown users too (no enumeration by timing).
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!user || !ok) throw authenticationFailed();
  return {
    kind: "user",
    identity: {
      subject: user.username,
      claims: user.claims,
      authnInstant: ctx.now(),
      authnMethod: AC_PASSWORD_PROTECTED_TRANSPORT,
    },
  };
}

/** Builds the identity the STS knows for a subject named in a token (used by renew/exchange). */
export function identityFor(ctx: StsContext, subject: string, authnInstant: Date, authnMethod: string): Identity {
  const user = ctx.config.users.get(subject);
  return { subject, claims: user ? user.claims : {}, authnInstant, authnMethod };
}
