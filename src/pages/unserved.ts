/**
 * What a browser gets when this STS cannot serve a page at the address it asked: a page, where
 * the other doors answer in their own wire format (a SOAP fault, an OAuth JSON error) — 503 when
 * the STS is not configured or misconfigured, 404 when no realm is served at that host and path.
 */
import { StsError, type StsErrorCode } from "../errors.ts";
import { escapeHtml, page, PAGE_HEADERS } from "./html.ts";

/** Refusals are never cached: the configuration, or the realms served, may change. */
const HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...PAGE_HEADERS, "Cache-Control": "no-store" });

/**
 * Each refusal's status, title, and the base its links resolve against: where no realm is served,
 * the page's own folder is no realm's either (its stylesheet and home link would be this same
 * 404), so they point at the host's root, where the realm most likely to be served is mounted.
 */
const TITLES: Partial<Record<StsErrorCode, [number, string, string]>> = {
  not_configured: [503, "Service unavailable", "./"],
  unknown_realm: [404, "Not found", "/"],
};

/** The page for a request this STS does not serve here; undefined for any other error. */
export function unservedPage(e: unknown): Response | undefined {
  if (!(e instanceof StsError)) return undefined;
  const known = TITLES[e.code];
  if (known === undefined) return undefined;
  const [status, title, base] = known;
  const body = `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(e.message)}</p>`;
  return new Response(page(title, base, body), { status, headers: HEADERS });
}

/**
 * A browser that navigates to an address no route answers (a mistyped page, `/wsfed/` with its
 * slash) gets a page saying so, linking to the home page of the realm it asked in (`base`).
 */
export function notFoundPage(base: string): Response {
  const body = `<h1>Not found</h1><p class="error" role="alert">Nothing is served at this address. The <a href="${escapeHtml(base)}">home page</a> lists what this STS serves.</p>`;
  return new Response(page("Not found", base, body), { status: 404, headers: HEADERS });
}
