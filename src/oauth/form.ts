/**
 * Reading an OAuth request body: `application/x-www-form-urlencoded` only (RFC 6749 §3.2),
 * UTF-8, each parameter at most once (RFC 6749 §3.1/§3.2 "MUST NOT be included more than
 * once") except those the caller names as repeatable (RFC 8693 §2.1 `audience`, RFC 8707
 * `resource`).
 */
import { strictUtf8 } from "../bytes.ts";
import { mediaType, nonUtf8Charset, readBodyLimited } from "../web/body.ts";
import { formPairs } from "../web/form-urlencoded.ts";
import { oauthInvalidRequest } from "./errors.ts";

/** Parsed form parameters: single values, plus every value of the repeatable ones. */
export interface FormParams {
  get(name: string): string | undefined;
  all(name: string): string[];
  has(name: string): boolean;
}

const FORM = "application/x-www-form-urlencoded";
const REPEATABLE = new Set(["audience", "resource"]);

/** Reads and parses the form body of `req`, or throws invalid_request. */
export async function readForm(req: Request, maxBytes: number): Promise<FormParams> {
  if (mediaType(req) !== FORM) throw oauthInvalidRequest(`The request body must be ${FORM}.`);
  const charset = nonUtf8Charset(req.headers.get("content-type") ?? "");
  if (charset !== undefined) throw oauthInvalidRequest(`The request body is read as UTF-8 (RFC 6749 Appendix B), not as charset=${charset}: send it with charset=utf-8 or no charset.`);
  let text: string;
  try {
    text = strictUtf8.decode(await readBodyLimited(req, maxBytes));
  } catch (e) {
    if (e instanceof TypeError) throw oauthInvalidRequest("The request body is not valid UTF-8.");
    throw e;
  }
  return parseForm(text);
}

/** Parses a form-urlencoded string with the rules above (exported for tests). */
export function parseForm(text: string): FormParams {
  const values = new Map<string, string[]>();
  const add = (k: string, v: string) => {
    const list = values.get(k);
    if (list) {
      if (!REPEATABLE.has(k)) throw oauthInvalidRequest(`The parameter '${k.slice(0, 64)}' must not be repeated.`);
      list.push(v);
    } else {
      values.set(k, [v]);
    }
  };
  for (const [k, v] of formPairs(text)) add(k, v);
  return {
    // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted."
    get: (name) => {
      const v = values.get(name)?.[0];
      return v === undefined || v === "" ? undefined : v;
    },
    all: (name) => (values.get(name) ?? []).filter((v) => v !== ""),
    has: (name) => (values.get(name)?.some((v) => v !== "") ?? false),
  };
}
