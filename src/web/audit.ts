import { characterCount } from "../bytes.ts";
import { MAX_USERNAME_CHARS } from "../identity/username.ts";
import { tokenIdHashOnce } from "../state/hash.ts";
import { logEvent } from "./log.ts";

/** What one operation was about, filled in as the engine learns it. */
export interface AuditFacts {
  operation?: string;
  requestor?: string;
  subject?: string;
  target?: string;
  tokenId?: string;
  /**
   * What a successful operation did when its reply cannot say: RFC 7009 answers 200 whether a
   * token was revoked or refused, so the operator learns which only here.
   */
  outcome?: string;
  /** The realm, when it is not the first (a single-realm deployment's lines are unchanged). */
  realm?: string;
  /** A batch's items, each audited on its own, in order. */
  items?: AuditItem[];
}

/** One item of a batch: what it asked for, whose token, for which party, which token, and its error when it failed. */
export interface AuditItem {
  /** As the line's `operation`: `wstrust.cancel`, …, or `wstrust` when its RequestType could not be read. */
  operation: string;
  subject: string | undefined;
  target: string | undefined;
  tokenId: string | undefined;
  error?: string | undefined;
}

/**
 * The name a caller presented, as the audit line's requestor: kept even when authentication then
 * fails (which client or account failed is what an operator acts on), but not when it is longer
 * than any user's, service account's or client's name can be (MAX_USERNAME_CHARS; clientId has
 * the same bound), since such a name authenticates nobody and would let a caller write
 * arbitrary amounts into the log.
 */
export function presentedRequestor(name: string | undefined): string | undefined {
  return name !== undefined && characterCount(name) <= MAX_USERNAME_CHARS ? name : undefined;
}

/**
 * Forgets `name` where the line holds it as presented (the requestor, or the subject of
 * credentials presented for validation) once it is known to name no account: it authenticated
 * nobody, and a name no account has is as often a password typed into the name field as a
 * mistyped or guessed name; the log must not hold a password. The failure is still logged, with
 * its operation, reason and status. Names compare as the password check compares them (NFC).
 */
export function forgetUnknownName(facts: AuditFacts, name: string): void {
  if (facts.requestor?.normalize("NFC") === name) facts.requestor = undefined;
  if (facts.subject?.normalize("NFC") === name) facts.subject = undefined;
}

/**
 * The audit line: one structured JSON log line per operation (docs/audit.md lists the fields).
 * It never holds a token, password or secret: the token ID is logged as its SHA-256 hash,
 * base64url (the state store's key for it, so a line joins its rows; useless to replay).
 */
export async function writeAudit(
  facts: AuditFacts,
  result: { ok: boolean; status: number; error?: string | undefined; reason?: string | undefined },
  startedMs: number,
): Promise<void> {
  logEvent({
    event: "audit",
    ...(facts.realm === undefined ? {} : { realm: facts.realm }),
    operation: facts.operation ?? "unknown",
    requestor: facts.requestor ?? null,
    subject: facts.subject ?? null,
    target: facts.target ?? null,
    result: result.ok ? "success" : "failure",
    status: result.status,
    error: result.error ?? null,
    reason: result.ok ? null : (result.reason ?? null),
    outcome: facts.outcome ?? null,
    // The same hash the state objects key their rows by, so a log line and a row correlate.
    // A token checked against the state store was hashed (and remembered) by the state client.
    token_id_hash: facts.tokenId ? await tokenIdHashOnce(facts.tokenId) : null,
    ...(facts.items === undefined ? {} : { items: await Promise.all(facts.items.map(auditItem)) }),
    duration_ms: Date.now() - startedMs,
  });
}

async function auditItem(i: AuditItem): Promise<Record<string, unknown>> {
  return {
    operation: i.operation,
    subject: i.subject ?? null,
    target: i.target ?? null,
    result: i.error === undefined ? "success" : "failure",
    error: i.error ?? null,
    token_id_hash: i.tokenId ? await tokenIdHashOnce(i.tokenId) : null,
  };
}
