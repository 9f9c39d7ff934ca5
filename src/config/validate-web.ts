/** Validation of the browser sign-in settings: relying parties' reply URLs (see `validate.ts`). */
import { type Issues, type Obj, show, strList } from "./check.ts";
import { isLoopbackHost } from "./loopback.ts";

/**
 * A reply URL in the form it is compared in: the WHATWG serialisation (lower-case scheme and
 * host, default port dropped, path escaped), so a `wreply` matches whatever spelling the operator
 * wrote. Undefined when `s` is not an absolute https URL without credentials or fragment: the
 * browser posts a bearer token to it, so plain http only reaches this machine (local testing),
 * as for every other URL in the configuration.
 */
export function normaliseReplyUrl(s: string): string | undefined {
  if (!URL.canParse(s)) return undefined;
  const u = new URL(s);
  if (!(u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname)))) return undefined;
  if (u.username !== "" || u.password !== "" || u.hash !== "" || s.includes("#")) return undefined;
  return u.href;
}

/** `relyingParties[i].replyUrls`: absolute https URLs (http for localhost), stored normalised, no duplicates. */
export function validateReplyUrls(x: Issues, r: Obj, p: string): string[] {
  return strList(x, r, "replyUrls", p, {
    each: (v, up) => {
      const n = typeof v === "string" ? normaliseReplyUrl(v) : undefined;
      if (n === undefined) x.add(up, `expected an https:// URL (http:// only for localhost) without credentials or fragment, got ${show(v)}`);
      return n;
    },
  }) ?? [];
}
