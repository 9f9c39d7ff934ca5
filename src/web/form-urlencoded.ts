/**
 * The WHATWG application/x-www-form-urlencoded parser (URL Standard §5.1), for request bodies
 * and query strings alike, in JavaScript for the common case: names and most values need no
 * decoding at all and are used as sliced, which in workerd costs about half of
 * URLSearchParams' parse and iteration (measured: ~9 against ~14 µs for a token-exchange
 * body). A '%' that starts no escape stays as written, as the standard says. Where the escapes
 * spell bytes that are not UTF-8 the standard substitutes U+FFFD; here that is refused, as a
 * body that is not UTF-8 is: a value silently changed (a `wctx` handed back altered, a name
 * that matches another's) is worse than a 400 the sender can see.
 */

import { StsError } from "../errors.ts";

/**
 * The most fields a form or query may have. Ours have a handful (a token exchange with every
 * optional parameter and a few repeated audiences, a sign-in form, a WS-Federation query); a
 * megabyte of empty fields ("a&a&…") would make half a million pairs, each decoded and kept,
 * about a tenth of a second of one request's CPU for nothing.
 */
export const MAX_FORM_FIELDS = 1000;

/** What a form or query whose escapes are not UTF-8 is refused with. */
export const NOT_UTF8 = "The form or query has a percent-encoded value that is not UTF-8.";

/**
 * The name/value pairs of `text`, in order, as URLSearchParams would read them.
 * @throws StsError bad_request when there are more than {@link MAX_FORM_FIELDS}, or an escape
 *   sequence is not UTF-8
 */
export function formPairs(text: string): Iterable<[string, string]> {
  let pairs: ReturnType<typeof splitForm>;
  try {
    pairs = splitForm(text, formDecode);
  } catch {
    // Only an escape decodeURIComponent cannot read: a stray '%', or bytes that are not UTF-8.
    pairs = splitForm(text, repairedDecode);
  }
  if (pairs === TOO_MANY) throw new StsError("bad_request", `The form has more than ${MAX_FORM_FIELDS} fields.`);
  return pairs;
}

/** The pairs of a request URL's query (the runtime hands it serialized: no fragment, `?` starts it). */
export function queryPairs(url: string): Iterable<[string, string]> {
  const q = url.indexOf("?");
  return q < 0 ? [] : formPairs(url.slice(q + 1));
}

/** {@link formDecode} with a '%' that starts no escape kept as written (URL Standard §5.1). */
function repairedDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " ").replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
  } catch {
    throw new StsError("bad_request", NOT_UTF8);
  }
}

const TOO_MANY = Symbol("too many fields");

function splitForm(text: string, decode: (s: string) => string): [string, string][] | typeof TOO_MANY {
  const out: [string, string][] = [];
  const n = text.length;
  // The next '=' at or after i (n when none is left): searched again only once i has passed it,
  // so each character is scanned once. A fresh search from every pair would read on to the next
  // '=' each time, quadratic in a body of pairs without one ("a&a&a&…": seconds for 1 MiB).
  let eq = -1;
  for (let i = 0; i < n; ) {
    let end = text.indexOf("&", i);
    if (end < 0) end = n;
    if (end > i) {
      if (out.length === MAX_FORM_FIELDS) return TOO_MANY;
      if (eq < i) {
        eq = text.indexOf("=", i);
        if (eq < 0) eq = n;
      }
      out.push(eq >= end ? [decode(text.slice(i, end)), ""] : [decode(text.slice(i, eq)), decode(text.slice(eq + 1, end))]);
    }
    i = end + 1;
  }
  return out;
}

/** '+' is a space, then percent-decoding and UTF-8 (throws URIError where the standard would repair). */
export function formDecode(s: string): string {
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0) return s;
  return decodeURIComponent(s.replace(/\+/g, " "));
}

/** A form's first value of each name, as URLSearchParams.get reads it (null when absent). */
export interface FirstValues {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** The first value of each name in `text`, or in a request URL's query with `{ query: url }`. */
export function firstValues(text: string | { query: string }): FirstValues {
  const values = new Map<string, string>();
  for (const [k, v] of typeof text === "string" ? formPairs(text) : queryPairs(text.query)) if (!values.has(k)) values.set(k, v);
  return { get: (name) => values.get(name) ?? null, has: (name) => values.has(name) };
}
