/** Browser sign-in refuses what a hostile page or person sends: no open redirect, no forged or replayed form, no echoed markup. */
import { describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { DEV_REALM2 } from "../../src/config/dev-realm2.ts";
import { call } from "../helpers/worker.ts";
import { workerWith } from "./configured.ts";
import { REPLY, RP, type Browser, browser, formFields, get, post, query, sessionCookie, signIn, signInForm } from "../helpers/wsfed.ts";
import { STS_ADMIN } from "../helpers/credentials.ts";

const MARKUP = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;

async function refused(res: Response, status = 400): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("set-cookie")).toBeNull();
  const html = await res.text();
  expect(html).not.toContain("<script>alert");
  expect(html).not.toContain("wresult");
  return html;
}

/** A sign-in form as a new browser is shown it, and a way to post it from that browser. */
async function freshForm(p: Record<string, string> = {}): Promise<{ f: Record<string, string>; post: Browser["post"]; browser: Browser }> {
  const { fields, browser: b } = await signInForm({ wtrealm: RP, ...p });
  return { f: fields, post: b.post, browser: b };
}

describe("WS-Federation sign-in: hostile requests", () => {
  it("refuses an unregistered wreply (no redirect), an unknown or reply-less wtrealm, a bad wa, a foreign whr, a bad wfresh", async () => {
    for (const wreply of ["https://evil.example/wsfed", "http://127.0.0.1:9780/wsfed/../evil", "http://127.0.0.1:9780/wsfed#x", "javascript:alert(1)", "//evil.example"]) {
      await refused(await get({ wa: "wsignin1.0", wtrealm: RP, wreply }));
    }
    await refused(await get({ wa: "wsignin1.0", wtrealm: "urn:example:unknown" }));
    await refused(await get({ wa: "wsignin1.0", wtrealm: "https://api.example.com/" }));
    await refused(await get({ wa: "wsignin1.0" }));
    await refused(await get({ wa: "wsignin2.0", wtrealm: RP }));
    await refused(await get({ wa: "wsignin1.0", wtrealm: RP, whr: "urn:example:stranger" }));
    await refused(await get({ wa: "wsignin1.0", wtrealm: RP, wfresh: "-1" }));
    // A whole number past the bound is told the bound, not that it is no whole number.
    expect(await refused(await get({ wa: "wsignin1.0", wtrealm: RP, wfresh: "99999999999999999999" }))).toContain("wfresh must be a whole number of minutes from 0 to 9999999.");
    await refused(await get({ wa: "wsignin1.0", wtrealm: RP, wctx: "x".repeat(2049) }));
    await refused(await get({ wa: "wsignin1.0", wtrealm: RP, wctx: "😀".repeat(2049) }));
    // An unregistered wreply posted with a valid-looking form is refused the same way.
    const { f, post: send } = await freshForm();
    await refused(await send({ ...f, wreply: "https://evil.example/", username: "alice", password: "wonderland" }));
  });

  it("escapes markup in wctx, wtrealm and the username it shows again", async () => {
    const b = browser();
    const page = await (await b.get({ wa: "wsignin1.0", wtrealm: RP, wctx: MARKUP })).text();
    expect(page).not.toContain("<script>alert");
    expect(formFields(page).wctx).toBe(MARKUP);
    const again = await (await b.post({ ...formFields(page), username: MARKUP, password: "wrong" })).text();
    expect(again).not.toContain("<script>alert");
    expect(again).not.toContain("<img src=x");
    await refused(await get({ wa: "wsignin1.0", wtrealm: MARKUP }));
    await refused(await get({ wa: "wsignin1.0", wtrealm: RP, wreply: `http://127.0.0.1:9780/${MARKUP}` }));
  });

  it("refuses a form without its token, with a forged one, one bound to other parameters, and a replayed one", async () => {
    const { f, post: send } = await freshForm({ wctx: "a" });
    const creds = { username: "alice", password: "wonderland" };
    const { csrf, ...noToken } = f;
    // Without a token the POST is just a sign-in request again: sent on as a GET of its sign-in
    // parameters (the credentials never go into an address), never a token.
    const again = await send({ ...noToken, ...creds });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`./wsfed?${new URLSearchParams({ wa: "wsignin1.0", wtrealm: noToken.wtrealm!, wreply: noToken.wreply!, wctx: "a" })}`);
    const [e, n, mac] = csrf!.split(".");
    await refused(await send({ ...f, ...creds, csrf: `${e}.${n}.${"A".repeat(43)}` }), 403);
    await refused(await send({ ...f, ...creds, csrf: `${Number(e) + 1000}.${n}.${mac}` }), 403);
    await refused(await send({ ...f, ...creds, csrf: "" }), 403);
    await refused(await send({ ...f, ...creds, wctx: "b" }), 403);
    const ok = await send({ ...f, ...creds });
    expect(ok.status).toBe(200);
    await refused(await send({ ...f, ...creds }), 403);
  });

  it("refuses a form posted from another browser than the one it was shown to (login CSRF)", async () => {
    // The attacker fetches a valid form for themselves and has the victim's browser post it with
    // the attacker's credentials: without the form's binding cookie, or with the victim's own
    // binding from an earlier form, it is refused and signs nobody in.
    const attacker = await freshForm();
    const victim = browser();
    await victim.get({ wa: "wsignin1.0", wtrealm: RP });
    expect(victim.cookie()).toMatch(/^sts_signin=/);
    const creds = { username: "bob", password: "builder" };
    expect(await refused(await post({ ...attacker.f, ...creds }), 403)).toContain("start again");
    // The victim's browser is shown a form of its own (as two tabs of one browser would be),
    // empty: nothing of the refused form, the attacker's username included, is carried over.
    const html = await refused(await victim.post({ ...attacker.f, ...creds }), 403);
    expect(html).toContain("This form is out of date.");
    expect(html).not.toContain(`value="bob"`);
    expect(formFields(html).csrf).not.toBe(attacker.f.csrf);
    expect(victim.cookie()).not.toContain("sts_session");
    // The attacker's own browser still can (the form was not used up by the refusals).
    expect((await attacker.post({ ...attacker.f, ...creds })).status).toBe(200);
  });

  it("a form is spent by the sign-in it makes, not by a failed one (which writes no state)", async () => {
    const { f, post: send } = await freshForm();
    expect((await send({ ...f, username: "alice", password: "not-her-password" })).status).toBe(401);
    // Had the failure spent the form, this would be "already submitted".
    expect((await send({ ...f, username: "alice", password: "wonderland" })).status).toBe(200);
    await refused(await send({ ...f, username: "alice", password: "wonderland" }), 403);
  });

  it("refuses an expired form token", async () => {
    const { f, post: send } = await freshForm();
    const [, n, mac] = f.csrf!.split(".");
    await refused(await send({ ...f, username: "alice", password: "wonderland", csrf: `${Date.now() - 1}.${n}.${mac}` }), 403);
  });

  it("a wrong password or unknown user gets the same generic error and counts as a failed authentication", async () => {
    const first = await freshForm();
    const second = await freshForm();
    const wrong = await first.post({ ...first.f, username: "alice", password: "nope" });
    const unknown = await second.post({ ...second.f, username: "nobody", password: "nope" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const a = await wrong.text();
    const b = await unknown.text();
    expect(a).toContain('role="alert"');
    expect(a).toContain("The username or password is incorrect.");
    expect(b).toContain("The username or password is incorrect.");
    expect(sessionCookie(wrong)).toBeUndefined();
    // Service accounts cannot sign in to a browser session (answered as a wrong password).
    const third = await freshForm();
    const svc = await third.post({ ...third.f, username: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" });
    expect(svc.status).toBe(401);
  });

  it("a revoked subject's session no longer signs in", async () => {
    const cookie = sessionCookie(await signIn({ wtrealm: RP }, "bob", "builder"))!;
    expect(await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie)).text()).toContain("wresult");
    await new Promise((r) => setTimeout(r, 5));
    const r = await call("/admin/revoke-subject", { method: "POST", headers: { authorization: STS_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ subject: "bob" }) });
    expect(r.status).toBe(200);
    const page = await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie)).text();
    expect(page).toContain('name="password"');
    expect(page).not.toContain("wresult");
  });

  // Runs last among bob's sign-ins: bob stays locked out for the rest of this file.
  it("locks a name out after the configured number of failures, as WS-Trust does", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 12 && last?.status !== 429; i++) {
      const { f, browser: b } = await freshForm();
      last = await call("/wsfed", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "203.0.113.9", cookie: b.cookie()! },
        body: new URLSearchParams({ ...f, username: "bob", password: `wrong-${i}` }).toString(),
      });
    }
    expect(last!.status).toBe(429);
    const wait = Number(last!.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    // The page says when to try again, in the unit the wait is best read in.
    expect(await last!.text()).toMatch(wait < 120 ? new RegExp(`Try again in ${wait} seconds`) : /Try again in \d+ minutes/);
  });

  it("ignores a tampered, foreign or expired session cookie: the form is shown again", async () => {
    const cookie = sessionCookie(await signIn({ wtrealm: RP }))!;
    const [name, value] = cookie.split("=");
    const [payload, mac] = value!.split(".");
    const forged = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")));
    const swapped = btoa(JSON.stringify({ ...forged, s: "bob" })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const expired = btoa(JSON.stringify({ ...forged, e: Date.now() - 1 })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    for (const c of [`${name}=${swapped}.${mac}`, `${name}=${expired}.${mac}`, `${name}=${payload}.${mac}x`, `${name}=garbage`]) {
      const page = await (await get({ wa: "wsignin1.0", wtrealm: RP }, c)).text();
      expect(page).toContain('name="password"');
      expect(page).not.toContain("wresult");
    }
  });

  it("refuses a form that is not urlencoded, and sign-out without a session names no party", async () => {
    const r = await call("/wsfed", { method: "POST", headers: { "content-type": "text/xml" }, body: "<x/>" });
    expect(r.status).toBe(415);
    const out = await get({ wa: "wsignout1.0", wreply: "https://evil.example/" });
    expect(out.status).toBe(200);
    const html = await out.text();
    expect(html).not.toContain("evil.example");
    expect(html).not.toContain("<img");
    expect(html).not.toContain(REPLY);
  });
});

describe("realms that share a webSessionSecret", () => {
  // realm2 with the first realm's secret, browser sign-in, and a user of its own named alice.
  const f = workerWith({
    ...DEV_CONFIG,
    realms: [{
      ...DEV_REALM2,
      webSessionSecret: "DEV_WEB_SESSION_SECRET",
      users: [...(DEV_REALM2.users ?? []), { username: "alice", passwordHashSecret: "DEV_REALM2_CAROL_PASSWORD_HASH", claims: {} }],
      relyingParties: [{ identifier: RP, defaultTokenType: "saml2", replyUrls: [REPLY] }],
    }],
  });
  const R2 = "/realms/realm2";
  const form = (body: Record<string, string>, cookie: string) =>
    f(`${R2}/wsfed`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams(body).toString() });

  it("a session cookie of one realm signs nobody in at the other; the other's own sign-in still works", async () => {
    const shown = await f(query({ wa: "wsignin1.0", wtrealm: RP }));
    const binding = shown.headers.get("set-cookie")!.split(";")[0]!;
    const first = await f("/wsfed", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie: binding }, body: new URLSearchParams({ ...formFields(await shown.text()), username: "alice", password: "wonderland" }).toString() });
    expect(first.status).toBe(200);
    const cookie = sessionCookie(first)!;
    // The same cookie still signs in at its own realm...
    expect(await (await f(query({ wa: "wsignin1.0", wtrealm: RP }), { headers: { cookie } })).text()).toContain("wresult");
    // ...but realm2's alice is another user: she gets the form, not a token.
    const there = await (await f(`${R2}${query({ wa: "wsignin1.0", wtrealm: RP })}`, { headers: { cookie } })).text();
    expect(there).not.toContain("wresult");
    expect(there).toContain('name="password"');
  });

  it("a form token of one realm is refused by the other", async () => {
    // The same party, reply address and browser binding in both: only the realm differs.
    const shown = await f(query({ wa: "wsignin1.0", wtrealm: RP }));
    const binding = shown.headers.get("set-cookie")!.split(";")[0]!;
    await refused(await form({ ...formFields(await shown.text()), username: "alice", password: "wonderland2" }, binding), 403);
    // The same post with a form realm2 showed signs realm2's alice in.
    const own = await f(`${R2}${query({ wa: "wsignin1.0", wtrealm: RP })}`);
    const ownBinding = own.headers.get("set-cookie")!.split(";")[0]!;
    const ok = await form({ ...formFields(await own.text()), username: "alice", password: "wonderland2" }, ownBinding);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("wresult");
  });
});

describe("cookie tossing: a cookie of our name set by someone else", () => {
  const fetchAt = async (url: string, init?: RequestInit) => {
    const { exports } = await import("cloudflare:workers");
    return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(url, { redirect: "manual", ...init }));
  };
  // bob is locked out by now (above): the attacker here is dave.
  /** Signs `user` in at `origin` from a new browser: the session cookie's value. */
  const sessionAt = async (origin: string, user: string, password: string) => {
    const shown = await fetchAt(`${origin}${query({ wa: "wsignin1.0", wtrealm: RP })}`);
    const binding = shown.headers.get("set-cookie")!.split(";")[0]!;
    const res = await fetchAt(`${origin}/wsfed`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: binding },
      body: new URLSearchParams({ ...formFields(await shown.text()), username: user, password }).toString(),
    });
    return /=([^;]*)/.exec(res.headers.getSetCookie().find((c) => c.includes("sts_session"))!)![1]!;
  };

  it("over https only a __Host- cookie counts: a session tossed under the plain name (by a sibling host or over http) signs nobody in", async () => {
    const origin = "https://sts.example.org";
    const daves = await sessionAt(origin, "dave", "directory-pass-1");
    const tossed = await (await fetchAt(`${origin}${query({ wa: "wsignin1.0", wtrealm: RP })}`, { headers: { cookie: `sts_session=${daves}` } })).text();
    expect(tossed).not.toContain("wresult");
    expect(tossed).toContain('name="password"');
    // The cookie the STS set itself, under its own name, signs in.
    const own = await (await fetchAt(`${origin}${query({ wa: "wsignin1.0", wtrealm: RP })}`, { headers: { cookie: `__Host-sts_session=${daves}` } })).text();
    expect(own).toContain("wresult");
  });

  it("on loopback http, where no prefix applies, a name sent twice counts as neither: no session, no form binding", async () => {
    // The attacker's cookie comes first (a more specific Path, an older cookie): neither wins.
    const daves = await sessionAt("http://127.0.0.1:8787", "dave", "directory-pass-1");
    const alices = await sessionAt("http://127.0.0.1:8787", "alice", "wonderland");
    const both = await (await get({ wa: "wsignin1.0", wtrealm: RP }, `sts_session=${daves}; sts_session=${alices}`)).text();
    expect(both).not.toContain("wresult");
    expect(both).toContain('name="password"');
    // An attacker's form, bound to the attacker's binding tossed in beside the victim's own: refused.
    const attacker = await freshForm();
    const victim = browser();
    await victim.get({ wa: "wsignin1.0", wtrealm: RP });
    const res = await post({ ...attacker.f, username: "dave", password: "directory-pass-1" }, `${attacker.browser.cookie()!}; ${victim.cookie()!}`);
    const html = await refused(res, 403);
    expect(html).toContain("did not send back the sign-in form");
  });

  it("a realm reached through its path prefix keeps its cookies apart by name, all with Path=/ (as __Host- requires)", async () => {
    const f = workerWith({ ...DEV_CONFIG, realms: [{ ...DEV_REALM2, webSessionSecret: "DEV_WEB_SESSION_SECRET", relyingParties: [{ identifier: RP, defaultTokenType: "saml2", replyUrls: [REPLY] }] }] });
    const shown = await f(`/realms/realm2${query({ wa: "wsignin1.0", wtrealm: RP })}`);
    expect(shown.headers.get("set-cookie")).toMatch(/^sts_signin\.realm2=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
  });
});
