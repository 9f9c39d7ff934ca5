/**
 * Response headers built once and reused: a Response copies its init headers, and copying a
 * Headers object costs workerd about half of what filling one from a plain object does (three
 * headers: ~8 against ~15 µs per response, measured), on every token response.
 */

/**
 * Every answer says its Content-Type is the truth: a browser never sniffs a JSON error or a SOAP
 * fault that echoes a caller's text into something it would render or run.
 */
export const NOSNIFF: Readonly<Record<string, string>> = Object.freeze({ "X-Content-Type-Options": "nosniff" });

/** Token, fault and metadata responses are never cached by intermediaries. */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ "Cache-Control": "no-store", ...NOSNIFF });

/**
 * Lets a page on any origin read the answer, without credentials: only on the public documents
 * (cors.ts says which, and why no other answer carries it).
 */
export const ANY_ORIGIN: Readonly<Record<string, string>> = Object.freeze({ "Access-Control-Allow-Origin": "*" });

/**
 * Published documents (metadata, keys): cached a few minutes, so a key rotation is seen soon,
 * and readable by a page on any origin (cors.ts).
 */
export const PUBLIC_DOCUMENT: Readonly<Record<string, string>> = Object.freeze({ "Cache-Control": "public, max-age=300", ...NOSNIFF, ...ANY_ORIGIN });

/** RFC 6749 §5.1: OAuth token responses and errors also carry `Pragma: no-cache`. */
export const NO_STORE_PRAGMA: Readonly<Record<string, string>> = Object.freeze({ ...NO_STORE, Pragma: "no-cache" });

const cache = new Map<string, Headers>();

/**
 * `Content-Type: <type>` and `Cache-Control: no-store`, plus `Pragma: no-cache` where RFC 6749
 * §5.1 asks for it (OAuth token responses). For our own content types only (JSON, SOAP 1.1,
 * SOAP 1.2 per action: a handful), never a value taken from a request.
 */
export function noStoreHeaders(contentType: string, pragma = false): Headers {
  const key = (pragma ? "p " : "- ") + contentType;
  let h = cache.get(key);
  if (!h) {
    h = new Headers({ "Content-Type": contentType, ...(pragma ? NO_STORE_PRAGMA : NO_STORE) });
    cache.set(key, h);
  }
  return h;
}
