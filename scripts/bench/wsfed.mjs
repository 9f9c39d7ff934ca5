// Browser sign-in (/wsfed) scenarios: the sign-in page, and the auto-post page a browser with a
// session cookie gets (a token issued and signed per request), each against /healthz of the
// same worker as its floor.

const SIGN_IN = "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp";

/**
 * The sign-in form a new browser is shown at `base` + `path`: its hidden fields (the one-time
 * token among them) and the form-binding cookie (`name=value`) it must be posted with.
 */
export async function signInForm(base, path = SIGN_IN) {
  const shown = await fetch(new URL(path, base));
  const binding = /sts_signin=[^;]+/.exec(shown.headers.get("set-cookie") ?? "")?.[0] ?? "";
  const html = await shown.text();
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))]));
  return { fields, binding };
}

/** Signs alice in once (not measured): the session cookie the auto-post scenario presents. */
async function sessionCookie(base) {
  const { fields, binding } = await signInForm(base);
  const res = await fetch(base + "/wsfed", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: binding },
    body: new URLSearchParams({ ...fields, username: "alice", password: "wonderland" }).toString(),
  });
  const cookie = /sts_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (res.status !== 200 || !cookie) throw new Error(`bench: wsfed sign-in failed: HTTP ${res.status}`);
  return cookie;
}

/** The floor row (/healthz on the STS) and the /wsfed rows. */
export async function wsfedScenarios(base) {
  const cookie = await sessionCookie(base);
  return [
    { name: "floor: GET /healthz of the STS", key: "healthz", vs: "noop", group: "baseline", method: "GET", path: "/healthz", bodies: [""], expect: "ok" },
    { name: "WS-Fed sign-in page, first visit (GET /wsfed?wa=wsignin1.0&wtrealm=urn:example:rp: form token HMAC, form-binding cookie set)", id: "wsfed-signin-page", vs: "noop", floor: "healthz", req: { method: "GET", path: SIGN_IN, headers: {} }, bodies: [""], expect: 'name="csrf"' },
    // A browser that was shown a form before sends its binding back and is not sent a new one.
    { name: "WS-Fed sign-in page, returning browser (its form-binding cookie sent)", id: "wsfed-signin-page-returning", vs: "noop", floor: "healthz", req: { method: "GET", path: SIGN_IN, headers: { cookie: "sts_signin=returningBrowserBindin" } }, bodies: [""], expect: 'name="csrf"' },
    { name: "WS-Fed auto-post page from a session cookie (HMAC, revocation check, SAML 2.0 issued and RSA-signed)", id: "wsfed-autopost", vs: "noop", floor: "healthz", req: { method: "GET", path: SIGN_IN, headers: { cookie } }, bodies: [""], expect: 'name="wresult"' },
  ];
}
