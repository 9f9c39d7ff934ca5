import { DEFAULT_PBKDF2_ITERATIONS, parsePasswordHash, verifyPassword } from "../identity/password.ts";
import { verifySecret } from "../identity/secret.ts";
import type { User } from "../config/types.ts";
import { AC_PASSWORD_PROTECTED_TRANSPORT, AC_X509 } from "../saml/ns.ts";
import type { ParsedCertificate } from "../keys/x509.ts";
import { authenticationFailed, notAuthorized } from "../errors.ts";
import { findUser, matchDirectoryCost } from "./users.ts";
import { actorSubjects } from "./names.ts";
import { forgetUnknownName } from "../web/audit.ts";
import type { Actor, Identity, Requestor, StsContext } from "./types.ts";

/** The result of checking a username and password: a user, or a service account. */
export type Authenticated = Exclude<Requestor, { kind: "client" }>;

/**
 * Authenticates a username and password (a WS-Security UsernameToken, HTTP Basic at the admin
 * door): service accounts first (their high-entropy secrets are checked against SHA-256
 * hashes, cheap by design), then users (PBKDF2, slow by design). With `admit`, only the
 * requestors it accepts count as authenticated: a door that only some principals may use
 * (the admin door) answers everyone else as it answers a wrong password, so it cannot be
 * used to test passwords of principals it would refuse anyway.
 *
 * Every failure is the same authentication_failed, and costs the same: one PBKDF2 derivation
 * of the iteration count most configured users have. A wrong service-account secret, or a
 * right one that `admit` refuses, pays that derivation before failing, as an unknown name
 * does; otherwise the ~30 ms between a SHA-256 and a PBKDF2 answer would tell which names
 * are service accounts. Only failures pay: hashing service-account secrets with PBKDF2 instead
 * would add that cost to every Validate, Renew and Cancel a service account makes, for no
 * gain (their secrets carry ≥ 128 bits and are not guessed), and legitimate callers rarely
 * fail. No new cost for the STS either: anyone could already make it derive by sending an
 * unknown name, and failures are rate limited (src/abuse/).
 */
export async function authenticatePassword(
  ctx: StsContext,
  username: string,
  password: string,
  admit?: (who: Authenticated) => boolean,
): Promise<Authenticated> {
  const iterations = typicalIterations(ctx.config.users);
  const account = ctx.config.serviceAccounts.get(username);
  if (account) {
    const who: Authenticated = { kind: "service", account };
    if ((await verifySecret(password, account.secretHash)) && (admit === undefined || admit(who))) return who;
    await matchDirectoryCost(ctx, username);
    await verifyPassword(password, undefined, iterations);
    throw authenticationFailed();
  }
  // Taken before the user is read: see authnInstantBeforeLookup.
  const authnInstant = authnInstantBeforeLookup(ctx);
  const user = await findUser(ctx, username);
  const ok = await verifyPassword(password, user?.passwordHash, iterations);
  const who: Authenticated | undefined =
    user && ok && user.enabled
      ? {
          kind: "user",
          identity: {
            subject: user.username,
            claims: user.claims,
            authnInstant,
            authnMethod: AC_PASSWORD_PROTECTED_TRANSPORT,
          },
          passwordHash: user.passwordHash,
        }
      : undefined;
  // A disabled user's right password, and a right one the door does not admit, fail as a wrong
  // one does: same answer, same cost — the derivation is already paid, and a configured user's
  // refusal makes the directory read that an unknown name's lookup made (a user's right password
  // at the admin door must not answer one D1 round trip sooner than a wrong one).
  if (who === undefined || (admit !== undefined && !admit(who))) {
    if (ctx.config.users.has(username)) await matchDirectoryCost(ctx, username);
    if (!user) forgetUnknownName(ctx.audit, username);
    throw authenticationFailed();
  }
  return who;
}

/**
 * The principal a trusted certificate acts as (`requestorCertificates.principals`): the entry
 * pinning exactly this certificate, else — for a certificate an authority issued — the entry
 * naming its subject common name. The name is a service account's, or a user's: configured, or
 * the user directory's, looked up now as a UsernameToken's name is. A trusted certificate that
 * maps to no one, or to a user who does not exist or is disabled, authenticates no one.
 */
export async function authenticateCertificate(
  ctx: StsContext,
  cert: { certificate: ParsedCertificate; thumbprint: string; trustedBy: "pin" | "authority" },
): Promise<Authenticated> {
  const principals = ctx.config.requestorCertificates?.principals ?? [];
  const cn = cert.certificate.subjectCommonName;
  const entry =
    principals.find((p) => p.sha256 === cert.thumbprint) ??
    (cert.trustedBy === "authority" && cn !== undefined ? principals.find((p) => p.subjectCommonName === cn) : undefined);
  if (!entry) throw authenticationFailed("The certificate is trusted but is not mapped to any principal.");
  const account = ctx.config.serviceAccounts.get(entry.principal);
  if (account) return { kind: "service", account };
  const authnInstant = authnInstantBeforeLookup(ctx);
  const user = await findUser(ctx, entry.principal);
  if (!user) throw authenticationFailed("The certificate is trusted but the user it is mapped to does not exist.");
  // Unlike a password's failure, this one may say why: the certificate is trusted (and for a
  // signed message its key was used), as a disabled user presenting a token is told (DISABLED).
  if (!user.enabled) throw authenticationFailed("The certificate is trusted but the account it is mapped to is disabled.");
  return { kind: "user", identity: { subject: user.username, claims: user.claims, authnInstant, authnMethod: AC_X509 } };
}

/**
 * A sign-in's authentication instant: the time before the user's record is read, not after the
 * check. The record read is what the sign-in goes by, and an administrator's change to it (a
 * disable, a new password, a deletion) followed by a subject-wide revocation must catch every
 * token minted from the record as it was — also one minted after the revocation answered, by a
 * sign-in that read the record before the change and was still deriving its password. The
 * subject's cut-off is compared with this instant too (check.ts `tokenRef`), and it lies
 * before the change, so before the cut-off.
 */
function authnInstantBeforeLookup(ctx: StsContext): Date {
  return ctx.now();
}

const iterationsByUsers = new WeakMap<ReadonlyMap<string, User>, number>();

/**
 * The PBKDF2 iteration count most configured users' hashes have (the highest on a tie; the
 * default with no users): the cost a failure for an unknown name or a service account pays,
 * so that it matches most users' failures. A user whose hash has another count answers in
 * another time than an unknown name does: hash every password with the same count.
 */
function typicalIterations(users: ReadonlyMap<string, User>): number {
  let n = iterationsByUsers.get(users);
  if (n !== undefined) return n;
  const counts = new Map<number, number>();
  for (const u of users.values()) {
    const p = parsePasswordHash(u.passwordHash);
    if (typeof p !== "string") counts.set(p.iterations, (counts.get(p.iterations) ?? 0) + 1);
  }
  n = DEFAULT_PBKDF2_ITERATIONS;
  let best = 0;
  for (const [it, c] of counts) {
    if (c > best || (c === best && it > n)) [n, best] = [it, c];
  }
  iterationsByUsers.set(users, n);
  return n;
}

/**
 * The identity the STS knows for a subject named in a token it is asked to issue from
 * (Validate-transformation): a known user's current claims, or `fromToken` for any other subject
 * (a partner's, a client's). A disabled user gets no new token this way either, nor does a token
 * a disabled user acts in (`actor`, its delegation chain). Every route that
 * issues from a token of ours asks this: transformation, token exchange, OnBehalfOf / ActAs and
 * an issued token presented as the requestor's credentials.
 */
export async function currentIdentity(ctx: StsContext, fromToken: Identity, actor?: Actor): Promise<Identity> {
  const [user] = await Promise.all([findUser(ctx, fromToken.subject), refuseDisabledActors(ctx, actor)]);
  if (!user) return fromToken;
  if (!user.enabled) throw notAuthorized(DISABLED);
  return { ...fromToken, claims: user.claims };
}

/** What a disabled subject is told, wherever its token is refused. */
export const DISABLED = "The subject's account is disabled.";

/**
 * Refuses a new token of any kind for a known user whose account is disabled (Renew keeps the
 * token's own claims, so it needs only this half of `currentIdentity`), or made from a token
 * such a user acts in (`actor`).
 */
export async function refuseDisabledSubject(ctx: StsContext, subject: string, actor?: Actor): Promise<void> {
  const [disabled] = await Promise.all([isDisabledUser(ctx, subject), refuseDisabledActors(ctx, actor)]);
  if (disabled) throw notAuthorized(DISABLED);
}

/** Whether `name` is a user of ours whose account is disabled (a name that is no user is not). */
export async function isDisabledUser(ctx: StsContext, name: string): Promise<boolean> {
  const user = await findUser(ctx, name);
  return user !== undefined && !user.enabled;
}

/**
 * A delegated token is its actor's as much as its subject's (docs/security.md §11): no new token
 * is made from one that a disabled user acts in. Service accounts and other issuers' parties are
 * no users of ours and are not looked up.
 */
export async function refuseDisabledActors(ctx: StsContext, actor: Actor | undefined): Promise<void> {
  if (actor === undefined) return;
  const disabled = await Promise.all(actorSubjects(ctx, actor).filter((n) => !ctx.config.serviceAccounts.has(n)).map((n) => isDisabledUser(ctx, n)));
  if (disabled.includes(true)) throw notAuthorized("The account of a party acting in the token is disabled.");
}
