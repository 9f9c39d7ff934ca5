/**
 * The one strict reader of administration request bodies: a JSON object whose keys are all
 * known fields, with no object naming a member twice, each refusal an invalid_request naming
 * what is wrong, so a malformed body is the caller's 400 and never the generic 500.
 */
import { strictUtf8 } from "../bytes.ts";
import { invalidRequest } from "../errors.ts";
import { mediaType, nonUtf8Charset, readBodyLimited } from "../web/body.ts";
import { duplicateMemberName } from "../web/json-members.ts";

export type Obj = Record<string, unknown>;

/**
 * A request's body, read under `maxBytes`, as `readObject` reads it. It must say it is JSON: a
 * body a browser may send cross-site without asking first (text/plain, a form) is refused before
 * it is read, so a page elsewhere cannot drive these calls with a browser's cached Basic
 * credentials.
 */
export async function readJsonRequest(req: Request, maxBytes: number, fields: readonly string[], shape: string): Promise<Obj> {
  if (mediaType(req) !== "application/json") throw invalidRequest(`Send the body as JSON (Content-Type: application/json): ${shape}.`);
  // RFC 8259 §8.1: JSON between systems is UTF-8, and §11 defines no charset for it; a sender
  // that labels its body otherwise believes it is something else, and is told so.
  const charset = nonUtf8Charset(req.headers.get("content-type") ?? "");
  if (charset !== undefined) throw invalidRequest(`The Content-Type header's charset=${charset} is not accepted: the body is read as UTF-8 JSON (RFC 8259 §8.1); send it with charset=utf-8 or no charset.`);
  return readObject(await readBodyLimited(req, maxBytes), fields, shape);
}

/**
 * The body (already read under the body limit) as a JSON object with only `fields`; `shape`
 * shows the caller what was expected.
 */
export function readObject(bytes: Uint8Array, fields: readonly string[], shape: string): Obj {
  let text: string;
  let body: unknown;
  try {
    text = strictUtf8.decode(bytes);
    body = JSON.parse(text);
  } catch {
    throw invalidRequest(`The 'body' must be UTF-8 JSON: ${shape}.`);
  }
  // JSON.parse keeps the last of two members with one name; what sits in front of this door (a
  // gateway, a log, a reviewer) may read the first. An administration request means one thing.
  const twice = duplicateMemberName(text);
  if (twice !== undefined) throw invalidRequest(`The body names '${twice.slice(0, 64)}' more than once in one object; send each field once.`);
  return object(body, fields, "body", shape);
}

/** `v` as a JSON object with only `fields`; `path` names it in refusals. */
export function object(v: unknown, fields: readonly string[], path: string, shape: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidRequest(`'${path}' must be a JSON object: ${shape}.`);
  for (const k of Object.keys(v)) {
    if (!fields.includes(k)) throw invalidRequest(`'${field(path, k.slice(0, 64))}' is not a field of this request (expected ${fields.map((f) => `'${f}'`).join(", ")}).`);
  }
  return v as Obj;
}

const field = (path: string, k: string) => (path === "body" ? k : `${path}.${k}`);
