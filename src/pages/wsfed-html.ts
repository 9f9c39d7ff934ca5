/** The pages of browser sign-in (WS-Federation passive requestor profile): their markup and headers. */
import { MAX_PASSWORD_CHARS } from "../identity/password.ts";
import { MAX_USERNAME_CHARS } from "../identity/username.ts";
import { assetPath, escapeHtml, page, PAGE_HEADERS } from "./html.ts";
import type { SignInParams } from "./wsfed-session.ts";

/**
 * The password field's maxlength: HTML counts it in UTF-16 units, passwords are bounded in
 * characters, and a character takes at most two units.
 */
const PASSWORD_FIELD_UNITS = 2 * MAX_PASSWORD_CHARS;

/** The username field's maxlength, as the password's. */
const USERNAME_FIELD_UNITS = 2 * MAX_USERNAME_CHARS;

/**
 * The auto-post page's script, served as a file: the pages' policy allows no inline script.
 * Change {@link AUTOPOST_SCRIPT_SHA256} with it (test/pages/assets.test.ts says the new value).
 */
export const AUTOPOST_SCRIPT = `document.getElementById("wsfed-post")?.submit();\n`;

/** SHA-256 of {@link AUTOPOST_SCRIPT}, base64url. */
export const AUTOPOST_SCRIPT_SHA256 = "t3qIz7bnQaayxwaY-9UbPxkeZ8gejMorAC_4oMnisQk";

/** Where the auto-post page loads its script from. */
export const AUTOPOST_SCRIPT_PATH = assetPath("autopost", "js", AUTOPOST_SCRIPT_SHA256);

/** Tokens, form tokens and cookies: nothing on these pages may be reused from a cache. */
const SIGN_IN_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...PAGE_HEADERS, "Cache-Control": "no-store" });

let signInHeadersOnce: Headers | undefined;

/**
 * The pages' headers, built once: a Response copies them, which costs workerd less than
 * filling them from an object again (src/web/headers.ts). Add to the Response's own copy.
 */
export function signInHeaders(): Headers {
  return (signInHeadersOnce ??= new Headers(SIGN_IN_HEADERS));
}

/**
 * The pages' headers as a Headers object (for a page that also sets a cookie), with one policy
 * directive changed when given: its sources replaced (a page that loads from relying parties
 * widens its policy for exactly that page and those origins), or, with `sources` undefined, the
 * directive left out, so that it restricts nothing on that page.
 */
export function pageHeaders(directive?: { name: "form-action" | "img-src"; sources: readonly string[] | undefined }): Headers {
  const h = new Headers(SIGN_IN_HEADERS);
  if (directive) {
    const { name, sources } = directive;
    const changed = sources === undefined ? [] : [`${name} ${sources.join(" ")}`];
    const csp = h.get("Content-Security-Policy")!.split("; ").flatMap((d) => (d.startsWith(`${name} `) ? changed : [d]));
    h.set("Content-Security-Policy", csp.join("; "));
  }
  return h;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

/**
 * What the sign-in form shows again when it has to: the message, and which fields it asks the
 * user to fill again (`credentials`: both, the message cannot say which was wrong; `password`:
 * only the password, the username stands).
 */
export interface FormError {
  message: string;
  fields: "credentials" | "password";
}

/**
 * The sign-in form: posts back to this endpoint with the sign-in parameters and its one-time
 * token. Below it, a link per federation partner the user may sign in at instead (the same
 * request, with `whr` naming the partner).
 *
 * Shown again with an error, the page says so in its title (the first thing a screen reader
 * reads, WCAG 2.2 2.4.2), in an alert, and on the fields to fill again: each is described by
 * the message and marked invalid (3.3.1). The focus is in the first empty field: the username
 * if it is, else the password, which is never shown again.
 */
export function signInPage(
  rp: string,
  p: SignInParams,
  token: string,
  username: string,
  error: FormError | undefined,
  partners: readonly { name: string; whr: string }[] = [],
): string {
  const err = error ? `<p id="signin-error" class="error" role="alert">${escapeHtml(error.message)}</p>` : "";
  const marked = (which: "username" | "password"): string =>
    error && (which === "password" || error.fields === "credentials") ? ` aria-invalid="true" aria-describedby="signin-error"` : "";
  const focusUsername = username === "";
  return page(
    error ? "Error: Sign in" : "Sign in",
    "./",
    `<h1>Sign in</h1><p>to <code>${escapeHtml(rp)}</code></p>${err}` +
      `<form class="signin" method="post" action="./wsfed">` +
      hidden("wa", "wsignin1.0") + hidden("wtrealm", p.wtrealm) + hidden("wreply", p.wreply) +
      (p.wctx === "" ? "" : hidden("wctx", p.wctx)) + hidden("csrf", token) +
      `<label for="username">Username</label>` +
      `<input id="username" name="username" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" required maxlength="${USERNAME_FIELD_UNITS}"${marked("username")} value="${escapeHtml(username)}"${focusUsername ? " autofocus" : ""}>` +
      `<label for="password">Password</label>` +
      `<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${PASSWORD_FIELD_UNITS}"${marked("password")}${focusUsername ? "" : " autofocus"}>` +
      `<button type="submit">Sign in</button></form>` +
      (partners.length === 0 ? "" : `<nav class="partners" aria-label="Sign in elsewhere"><p>Or sign in with</p><ul>${partners.map((t) => `<li><a href="${escapeHtml(partnerLink(p, t.whr))}">${escapeHtml(t.name)}</a></li>`).join("")}</ul></nav>`),
  );
}

/** This endpoint with the same sign-in request, sent on to a partner (`whr`). */
function partnerLink(p: SignInParams, whr: string): string {
  const e = encodeURIComponent;
  return `./wsfed?wa=wsignin1.0&wtrealm=${e(p.wtrealm)}&wreply=${e(p.wreply)}${p.wctx === "" ? "" : `&wctx=${e(p.wctx)}`}&whr=${e(whr)}`;
}

/** The page that carries the token to the relying party: a form posted by its script (AUTOPOST_SCRIPT), or by hand. */
export function autoPostPage(reply: string, wresult: string, wctx: string): string {
  return page(
    "Signing in",
    "./",
    `<h1>Signing you in</h1>` +
      `<form id="wsfed-post" method="post" action="${escapeHtml(reply)}">` +
      hidden("wa", "wsignin1.0") + hidden("wresult", wresult) + (wctx === "" ? "" : hidden("wctx", wctx)) +
      `<p>If nothing happens, continue to the application.</p><button type="submit">Continue</button></form>`,
    AUTOPOST_SCRIPT_PATH,
  );
}

/** After sign-out: the relying parties' clean-up addresses loaded as images, and a way back. */
export function signedOutPage(cleanups: readonly string[], back: string | undefined): string {
  const imgs = cleanups.map((u) => `<img class="cleanup" src="${escapeHtml(u)}" alt="" width="1" height="1">`).join("");
  return page(
    "Signed out",
    "./",
    `<h1>Signed out</h1><p role="status">You are signed out of this sign-in service${cleanups.length ? " and the applications you used" : ""}.</p>${imgs}` +
      (back ? `<p><a href="${escapeHtml(back)}">Return to the application</a></p>` : ""),
  );
}

/**
 * The passive requestor address opened by itself (the home page links it): what it is for and
 * how an application uses it. AD FS answers its /adfs/ls/ so with an error page; a person who
 * followed a link here did nothing wrong, so this is a page, not a refusal.
 */
export const PASSIVE_ENDPOINT_PAGE = page(
  "Browser sign-in",
  "./",
  `<h1>Browser sign-in</h1>` +
    `<p>This is the WS-Federation passive requestor endpoint of this STS: the address federation metadata publishes for browser sign-in. It is not a page to open by itself — applications (relying parties) send their users here.</p>` +
    `<p>An application signs a user in by sending the browser to this address with <code>?wa=wsignin1.0&amp;wtrealm=</code> and its identifier (optionally <code>wreply</code>, one of its registered reply URLs, and <code>wctx</code>, returned unchanged). The user signs in here, and the browser posts the application its token. <code>?wa=wsignout1.0</code> signs the user out of this service and of the applications used.</p>` +
    `<p><a href="./">Back to the home page</a></p>`,
);

/** A refusal: says what is wrong, links nowhere the request named. */
export function errorPage(message: string): string {
  return page("Sign-in error", "./", `<h1>Sign-in error</h1><p class="error" role="alert">${escapeHtml(message)}</p>`);
}
