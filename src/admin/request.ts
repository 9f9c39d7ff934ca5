/**
 * The body of `POST /admin/revoke-subject`, read strictly: a JSON object with a `subject` and
 * an optional `before`, nothing else. Each refusal is invalid_request naming the field, so a
 * malformed body is the caller's 400, never the generic 500.
 */
import { invalidRequest } from "../errors.ts";
import { parseXsDateTime } from "../xml/datetime.ts";
import { readJsonRequest } from "./json-body.ts";

/** What a revocation asks for. */
export interface RevokeSubjectRequest {
  subject: string;
  /** Epoch ms: tokens issued before it are revoked; absent: before now (the state client's "now"). */
  before?: number;
}

/** As the subject of a token of ours may be (state keys hash it; the bound is the audit's). */
const MAX_SUBJECT_CHARS = 1024;
/** RFC 3339 §5.6 `date-time`: a full date, a time and a time zone, nothing looser. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const FIELDS = ["subject", "before"];
const SHAPE = '{"subject": "...", "before"?: "<RFC 3339 date-time>"}';

/**
 * Reads the request body (JSON, under `maxBytes`).
 * @param now epoch ms: `before` may not be after it.
 * @throws StsError invalid_request naming the field
 */
export async function readRevokeSubjectRequest(req: Request, maxBytes: number, now: number): Promise<RevokeSubjectRequest> {
  const body = await readJsonRequest(req, maxBytes, FIELDS, SHAPE);
  const { subject, before } = body as { subject?: unknown; before?: unknown };
  if (typeof subject !== "string" || subject === "" || subject.length > MAX_SUBJECT_CHARS) {
    throw invalidRequest(`'subject' must be a non-empty string of at most ${MAX_SUBJECT_CHARS} characters.`);
  }
  if (before === undefined) return { subject };
  // A date the runtime cannot hold (year 300000), one it can hold but no token of ours can
  // predate (before 1970, whose arithmetic would leave the runtime's range) and one in the
  // future (a revocation of tokens not yet issued) are all refused here, not downstream.
  const at = typeof before === "string" && DATE_TIME.test(before) ? parseXsDateTime(before)?.getTime() : undefined;
  if (at === undefined || at < 0 || at > now) {
    throw invalidRequest("'before' must be an RFC 3339 date-time with a time zone, from 1970 on and not in the future.");
  }
  return { subject, before: at };
}
