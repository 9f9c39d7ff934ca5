/** The frame every page of the STS shares, the headers pages are served with, and the files they load. */
import { STYLESHEET_SHA256 } from "./style.ts";

/**
 * Pages load their script and style from this origin only, talk only to it, cannot be framed,
 * and send no referrer (a pasted token must not leak through one). Framing is refused twice:
 * `frame-ancestors` for browsers with CSP level 2, X-Frame-Options for those without (Internet
 * Explorer 11, and Edge's IE mode, which enterprises keep for exactly the applications that
 * sign in with WS-Federation): the sign-in form is what clickjacking goes after.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
});

/**
 * The address, under a realm's root, of a file the pages load (stylesheet, script), named by its
 * content's SHA-256: served with {@link ASSET_CACHE}, so a browser fetches it once and a
 * returning browser's sign-in page costs the worker one request, not two; a changed file is a
 * new name no cache holds.
 */
export function assetPath(stem: string, extension: string, sha256: string): string {
  return `assets/${stem}.${sha256.slice(0, 16)}.${extension}`;
}

/** A file under {@link assetPath}'s name never changes (RFC 8246 `immutable`: not even a reload revalidates it). */
export const ASSET_CACHE = "public, max-age=31536000, immutable";

/** The stylesheet every page links. */
export const STYLESHEET_PATH = assetPath("sts", "css", STYLESHEET_SHA256);

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  // Most values (identifiers, URLs, tokens) have nothing to escape: a test costs less than a replace.
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => `&#${c.charCodeAt(0)};`) : s;
}
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/**
 * A complete page. `base` is the path the page's links are relative to (its realm's root), so
 * every link works wherever the STS is mounted. `body` must already be escaped markup; `script`,
 * the path of the page's script under that root.
 */
export function page(title: string, base: string, body: string, script?: string): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${escapeHtml(base)}${STYLESHEET_PATH}"></head>` +
    `<body><header><a href="${escapeHtml(base)}">Security Token Service</a></header>` +
    `<main id="main">${body}</main>` +
    (script ? `<script type="module" src="${escapeHtml(base)}${escapeHtml(script)}"></script>` : "") +
    `</body></html>\n`
  );
}
