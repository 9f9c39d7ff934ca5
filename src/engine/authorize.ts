/**
 * The one authorization rule: may this requestor obtain, or manage, a token for subject S at
 * relying party R by route X? Every route that mints or manages a token asks here, through
 * `decide` (an answer) or `authorize` (an answer that throws), so no door carries its own copy
 * of the rule.
 *
 * The rule, by requestor:
 * - a user obtains tokens for itself (Issue, Validate-transformation of its own token) and
 *   manages its own tokens (Validate, Renew, Cancel);
 * - a service account holds operations per relying party: `issue` lets it obtain tokens for
 *   other subjects (OnBehalfOf, ActAs, Validate-transformation) at those relying parties;
 *   `validate`, `renew` and `cancel` let it manage their tokens (`validate` also lets it check a
 *   username and password, or a certificate, its own callers sent it, for any relying party:
 *   anyone may test a password at Issue, under the same failure limits, and a certificate is
 *   public); `revoke-subject` lets it revoke
 *   everything a subject holds; `manage-users` lets it create, change and delete the users of
 *   the user directory;
 * - an OAuth client obtains tokens by exchange for its allowed audiences (and presents only its
 *   allowed actors); when allowed to introspect, it revokes the tokens issued to it and no
 *   other (RFC 7009 §2.1), and sees those, the tokens meant for it (audience = its client ID)
 *   and the tokens of the relying parties the configuration names it the resource server of
 *   (RFC 7662 §2.1). Being allowed to obtain tokens for an audience is not a right to see or
 *   revoke the tokens other clients obtained for it.
 * Beyond that, the party a presented token's `may_act` names may act for its subject (RFC 8693
 * §4.4), over WS-Trust OnBehalfOf and ActAs — when that `may_act` may grant at all (a trusted
 * issuer's configured to grant delegation; never one our own tokens carry on from the token
 * they were made from), which the caller decides before asking.
 */
import { uriKey } from "../config/uri-key.ts";
import { notAuthorized, invalidScope } from "../errors.ts";
import type { StsError } from "../errors.ts";
import type { Requestor } from "./types.ts";

/** The routes that mint or manage a token. */
export type Route =
  /** WS-Trust Issue for the requestor itself. */
  | "issue"
  /** WS-Trust OnBehalfOf (impersonation) and ActAs (delegation). */
  | "on-behalf-of"
  | "act-as"
  /** WS-Trust Validate with a TokenType other than Status: an issuance for the target. */
  | "validate-transform"
  /** WS-Trust Validate (status) and OAuth introspection. */
  | "validate"
  | "renew"
  /** WS-Trust Cancel and OAuth revocation. */
  | "cancel"
  /** OAuth token exchange. */
  | "exchange"
  /** Revoke everything a subject holds (admin API). */
  | "revoke-subject"
  /** Create, read, change or delete directory users (admin API). */
  | "manage-users";

/** The facts the answer depends on. */
export interface Question {
  route: Route;
  /** The subject the token is, or will be, about. */
  subject?: string | undefined;
  /** The relying party the token is, or will be, for (identifier or alias). */
  relyingParty?: string | undefined;
  /** The OAuth client a managed token was issued to. */
  tokenClient?: string | undefined;
  /**
   * A presented token's `may_act` names this requestor (RFC 8693 §4.4), and that token is one
   * whose `may_act` may grant delegation (src/engine/delegation.ts).
   */
  namedByMayAct?: boolean | undefined;
  /** Exchange: the actor (subject of the actor token) the client presents. */
  actor?: string | undefined;
  /**
   * Validate: what is presented is a credential its holder authenticates with elsewhere too — a
   * username and password, or a certificate (src/engine/types.ts `PresentedCredentials`,
   * `PresentedCertificate`) — not a token issued for a relying party.
   */
  credentials?: boolean | undefined;
}

export type Decision = { allowed: true } | { allowed: false; reason: string; error: "not_authorized" | "invalid_scope" };

const ALLOWED: Decision = Object.freeze({ allowed: true });

function refuse(reason: string, error: "not_authorized" | "invalid_scope" = "not_authorized"): Decision {
  return { allowed: false, reason, error };
}

/**
 * Each configured list's parties in comparison form, made once per list (a configuration's lists
 * never change): a client or service account allowed hundreds of parties, as one migrated from
 * AD FS may be, is checked with one lookup instead of a comparison per entry, each a `uriKey`
 * that the isolate's small key cache cannot hold for so many.
 */
const listed = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The list names the relying party (identifiers compared as relying-party lookup does). */
function lists(list: readonly string[], rp: string | undefined): boolean {
  if (rp === undefined) return false;
  let keys = listed.get(list);
  if (keys === undefined) listed.set(list, (keys = new Set(list.map(uriKey))));
  return keys.has(uriKey(rp));
}

const MANAGE = { validate: "validate", renew: "renew", cancel: "cancel" } as const;

/** Decides one question. Pure: no I/O, no clock. */
export function decide(who: Requestor, q: Question): Decision {
  switch (q.route) {
    case "issue":
      if (who.kind === "user") return ALLOWED;
      return refuse(
        who.kind === "service"
          ? "Service accounts cannot request tokens for themselves here."
          : "OAuth clients obtain tokens by token exchange.",
      );
    case "on-behalf-of":
    case "act-as":
      if (who.kind === "client") return refuse("OAuth clients obtain tokens by token exchange.");
      if (q.namedByMayAct) return ALLOWED;
      if (who.kind === "service" && who.account.operations.includes("issue") && lists(who.account.allowedRelyingParties, q.relyingParty)) return ALLOWED;
      return refuse(`The caller may not request tokens ${q.route === "act-as" ? "acting as" : "on behalf of"} another party.`);
    case "validate-transform":
      // A transformation is an issuance for the target relying party: the same right as
      // OnBehalfOf, never merely the right to validate.
      if (who.kind === "user" && who.identity.subject === q.subject) return ALLOWED;
      if (who.kind === "service" && who.account.operations.includes("issue") && lists(who.account.allowedRelyingParties, q.relyingParty)) return ALLOWED;
      return refuse("The caller may not obtain tokens for this subject at the target relying party.");
    case "validate":
    case "renew":
    case "cancel": {
      const op = MANAGE[q.route];
      if (who.kind === "user") {
        return who.identity.subject === q.subject ? ALLOWED : refuse(`The caller may not ${op} tokens for this subject or relying party.`);
      }
      if (who.kind === "service") {
        const anyParty = op === "validate" && q.credentials === true;
        return who.account.operations.includes(op) && (anyParty || lists(who.account.allowedRelyingParties, q.relyingParty))
          ? ALLOWED
          : refuse(`The caller may not ${op} tokens for this subject or relying party.`);
      }
      // Renewal is WS-Trust's alone.
      if (op === "renew") return refuse("OAuth clients cannot renew tokens.");
      if (!who.client.mayIntrospect) return refuse("This client may not introspect or revoke tokens.");
      if (q.tokenClient !== undefined && q.tokenClient === who.client.clientId) return ALLOWED;
      // RFC 7009 §2.1: "the authorization server ... verifies whether the token was issued to the
      // client making the revocation request"; a WS-Trust token was issued to no client.
      if (op === "cancel") return refuse("This client may revoke only tokens issued to it.");
      // RFC 7662 §2.1: the protected resource the token is meant for may introspect it.
      if (q.relyingParty !== undefined && uriKey(q.relyingParty) === uriKey(who.client.clientId)) return ALLOWED;
      return lists(who.client.resourceServerFor, q.relyingParty) ? ALLOWED : refuse("This client may not introspect this token.");
    }
    case "exchange":
      if (who.kind !== "client") return refuse("Token exchange is for OAuth clients.");
      if (!lists(who.client.allowedAudiences, q.relyingParty)) {
        return refuse("This client may not obtain tokens for the requested audience.", "invalid_scope");
      }
      if (q.actor !== undefined && !who.client.allowedActors.includes("*") && !who.client.allowedActors.includes(q.actor)) {
        return refuse("This client may not present this actor.");
      }
      return ALLOWED;
    case "revoke-subject":
      return who.kind === "service" && who.account.operations.includes("revoke-subject") ? ALLOWED : refuse("This account may not revoke subjects.");
    case "manage-users":
      return who.kind === "service" && who.account.operations.includes("manage-users") ? ALLOWED : refuse("This account may not manage users.");
  }
}

/**
 * Whether a route is open to this requestor at all, before any token is seen: the part of the
 * rule that does not depend on a token's subject or relying party (a client not allowed to
 * introspect or revoke is refused before its token is read).
 */
export function mayUse(who: Requestor, route: Route): Decision {
  if (who.kind === "client" && (route === "validate" || route === "cancel") && !who.client.mayIntrospect) {
    return refuse("This client may not introspect or revoke tokens.");
  }
  return ALLOWED;
}

/**
 * Asks the one rule and throws its refusal: `not_authorized` (wst:RequestFailed,
 * unauthorized_client), or `invalid_scope` for a target the client may not obtain tokens for.
 */
export function authorize(who: Requestor, q: Question): void {
  const d = decide(who, q);
  if (!d.allowed) throw refusal(d);
}

function refusal(d: { reason: string; error: "not_authorized" | "invalid_scope" }): StsError {
  return d.error === "invalid_scope" ? invalidScope(d.reason) : notAuthorized(d.reason);
}
