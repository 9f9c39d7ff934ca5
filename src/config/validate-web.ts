/** Validation of the browser sign-in settings: relying parties' reply URLs and the session secret (see `validate.ts`). */
import { type Issues, type Obj, secretRef, show, strList } from "./check.ts";

/** The HMAC key of the sign-in session cookie and form tokens must be at least this long. */
const MIN_SESSION_SECRET_BYTES = 32;

/**
 * A reply URL in the form it is compared in: the WHATWG serialisation (lower-case scheme and
 * host, default port dropped, path escaped), so a `wreply` matches whatever spelling the operator
 * wrote. Undefined when `s` is not an absolute http(s) URL without credentials or fragment.
 */
export function normaliseReplyUrl(s: string): string | undefined {
  if (!URL.canParse(s)) return undefined;
  const u = new URL(s);
  if ((u.protocol !== "http:" && u.protocol !== "https:") || u.username !== "" || u.password !== "" || u.hash !== "" || s.includes("#")) return undefined;
  return u.href;
}

/** `relyingParties[i].replyUrls`: absolute http(s) URLs, stored normalised, no duplicates. */
export function validateReplyUrls(x: Issues, r: Obj, p: string): string[] {
  return strList(x, r, "replyUrls", p, {
    each: (v, up) => {
      const n = typeof v === "string" ? normaliseReplyUrl(v) : undefined;
      if (n === undefined) x.add(up, `expected an absolute http(s) URL without credentials or fragment, got ${show(v)}`);
      return n;
    },
  }) ?? [];
}

/** `webSessionSecret`: the binding holding the HMAC key of browser sessions (≥ 32 bytes). */
export function validateWebSessionSecret(x: Issues, o: Obj, root: string, secrets: Record<string, unknown>): string | undefined {
  const value = secretRef(x, o, "webSessionSecret", root, secrets);
  if (value !== undefined && new TextEncoder().encode(value).length < MIN_SESSION_SECRET_BYTES) {
    x.add(`${root}.webSessionSecret`, `secret binding must hold at least ${MIN_SESSION_SECRET_BYTES} bytes`);
    return undefined;
  }
  return value;
}
