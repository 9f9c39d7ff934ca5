/**
 * The body of `POST /admin/revoke-subject`, read strictly: a JSON object naming whom to revoke —
 * a `subject` by its name, or a pairwise `pseudonym` with the `relying_party` or `sector` it was
 * issued for — and an optional `before`, nothing else. Each refusal is invalid_request naming
 * the field, so a malformed body is the caller's 400, never the generic 500.
 */
import { invalidRequest } from "../errors.ts";
import { PSEUDONYM_FORM } from "../identity/pairwise.ts";
import type { PseudonymSite } from "../engine/pairwise.ts";
import { parseXsDateTime } from "../xml/datetime.ts";
import { type Obj, readJsonRequest } from "./json-body.ts";

/**
 * Whom a revocation is for. A name and a pseudonym are told apart by the field that carries
 * them, never by their form: any name may look like a pseudonym (a directory user's, a partner's
 * subject), and a pseudonym means someone only within its sector.
 */
export type RevokedWhom = { subject: string } | ({ pseudonym: string } & PseudonymSite);

/** What a revocation asks for. */
export interface RevokeSubjectRequest {
  whom: RevokedWhom;
  /** Epoch ms: tokens issued before it are revoked; absent: before now (the state client's "now"). */
  before?: number;
}

/** As the subject of a token of ours may be (state keys hash it; the bound is the audit's). */
const MAX_SUBJECT_CHARS = 1024;
/** Relying party identifiers and sectors are URIs; the bound keeps a message or audit line short. */
const MAX_SITE_CHARS = 1024;
/**
 * RFC 3339 §5.6 `date-time`: a full date, a time and a time zone, nothing looser. Its NOTE lets
 * the "T" and "Z" be lower case (ISO 8601 and ABNF strings are case-insensitive); read upper case.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const FIELDS = ["subject", "pseudonym", "relying_party", "sector", "before"];
const SHAPE =
  '{"subject": "..."} or {"pseudonym": "...", "relying_party" or "sector": "..."}, with "before"?: "<RFC 3339 date-time>"';

/**
 * Reads the request body (JSON, under `maxBytes`).
 * @param now epoch ms: `before` may not be after it.
 * @throws StsError invalid_request naming the field
 */
export async function readRevokeSubjectRequest(req: Request, maxBytes: number, now: number): Promise<RevokeSubjectRequest> {
  const body = await readJsonRequest(req, maxBytes, FIELDS, SHAPE);
  const whom = readWhom(body);
  const { before } = body as { before?: unknown };
  if (before === undefined) return { whom };
  // A date the runtime cannot hold (year 300000), one it can hold but no token of ours can
  // predate (before 1970, whose arithmetic would leave the runtime's range) and one in the
  // future (a revocation of tokens not yet issued) are all refused here, not downstream.
  const at = typeof before === "string" && DATE_TIME.test(before) ? parseXsDateTime(before.toUpperCase())?.getTime() : undefined;
  if (at === undefined || at < 0 || at > now) {
    throw invalidRequest("'before' must be an RFC 3339 date-time with a time zone, from 1970 on and not in the future.");
  }
  // Token times have millisecond precision at most and the parser truncates past it: a token
  // stated as issued at .123 may be before .1235, so such a cut-off is taken up to the next
  // millisecond (over-revoking within it, never under).
  const subMs = /\.\d{3}(\d+)/.exec(before as string)?.[1];
  return { whom, before: subMs !== undefined && /[1-9]/.test(subMs) ? at + 1 : at };
}

function readWhom(body: Obj): RevokedWhom {
  const { subject, pseudonym, relying_party: relyingParty, sector } = body as Record<string, unknown>;
  if (pseudonym === undefined) {
    if (typeof subject !== "string" || subject === "" || subject.length > MAX_SUBJECT_CHARS) {
      throw invalidRequest(`'subject' must be a non-empty string of at most ${MAX_SUBJECT_CHARS} characters.`);
    }
    if (relyingParty !== undefined || sector !== undefined) {
      throw invalidRequest(`'${relyingParty !== undefined ? "relying_party" : "sector"}' goes with a 'pseudonym': a 'subject' is a name, the same at every relying party.`);
    }
    return { subject };
  }
  if (subject !== undefined) throw invalidRequest("Send either 'subject' (a name) or 'pseudonym' (a pairwise pseudonym), not both.");
  if (typeof pseudonym !== "string" || !PSEUDONYM_FORM.test(pseudonym)) {
    throw invalidRequest("'pseudonym' must be a pairwise pseudonym as tokens state it: 43 base64url characters.");
  }
  if ((relyingParty === undefined) === (sector === undefined)) {
    throw invalidRequest("A 'pseudonym' needs exactly one of 'relying_party' (a token's audience) or 'sector' (its SPNameQualifier): it means someone only there.");
  }
  const field = relyingParty !== undefined ? "relying_party" : "sector";
  const site = relyingParty ?? sector;
  if (typeof site !== "string" || site === "" || site.length > MAX_SITE_CHARS) {
    throw invalidRequest(`'${field}' must be a non-empty string of at most ${MAX_SITE_CHARS} characters.`);
  }
  return field === "relying_party" ? { pseudonym, relyingParty: site } : { pseudonym, sector: site };
}
