import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { KeyRing } from "../../src/keys/keyring.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { NS } from "../helpers/soap.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { credentialStamp, sealSession } from "../../src/pages/wsfed-session.ts";
import { AUTOPOST_SCRIPT_PATH } from "../../src/pages/wsfed-html.ts";
import { ORIGIN, call } from "../helpers/worker.ts";
import { assertionIn, trustWith, workerWith } from "../hostile/configured.ts";
import { UserDirectory } from "../../src/state/directory.ts";
import { REPLY, RP, SECURE_RP, browser, field, formFields, get, post, query, sessionCookie, signIn } from "../helpers/wsfed.ts";
import { USER_ADMIN } from "../helpers/credentials.ts";

const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";

/** The assertion inside a page's wresult RSTR, and whether its signature verifies with our key ring. */
async function assertionOf(html: string) {
  const wresult = field(html, "wresult")!;
  const rstr = parseXml(wresult).documentElement!;
  expect(rstr.localName).toBe("RequestSecurityTokenResponse");
  expect(rstr.namespaceURI).toBe(NS.t05);
  expect(rstr.getElementsByTagNameNS(NS.t05, "TokenType")[0]!.textContent).toBe("http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0");
  // The assertion's own bytes, as the relying party verifies them.
  const text = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(wresult)![0];
  const assertion = parseXml(text).documentElement!;
  const keys = await KeyRing.load(DEV_KEY_MATERIALS);
  const v = await verifyEnveloped(assertion, { keys: keys.all() });
  const tampered = await verifyEnveloped(parseXml(text.replace(">alice<", ">mallory<")).documentElement!, { keys: keys.all() });
  return { wresult, assertion, signed: v.ok && !tampered.ok };
}

describe("WS-Federation passive sign-in", () => {
  it("GET shows an accessible sign-in form with a one-time token; POST answers a page posting a signed assertion for the party", async () => {
    const b = browser();
    const res = await b.get({ wa: "wsignin1.0", wtrealm: RP, wctx: "rm=0&id=42" });
    expect(res.status).toBe(200);
    // The form is bound to this browser by a Lax cookie (loopback http: not Secure): a cross-site
    // post does not carry it, the party's cross-site redirect to a form in another tab does.
    expect(res.headers.get("set-cookie")).toMatch(/^sts_signin=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('autocomplete="username"');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).toContain('<label for="password">');
    const f = formFields(html);
    expect(f).toMatchObject({ wa: "wsignin1.0", wtrealm: RP, wreply: REPLY, wctx: "rm=0&id=42" });
    expect(f.csrf).toMatch(/^\d+\.[\w-]{22}\.[\w-]{43}$/);

    const before = Date.now();
    const done = await b.post({ ...f, username: "alice", password: "wonderland" });
    expect(done.status).toBe(200);
    // No form-action: a browser checks it at the party's redirect after the post too, and the
    // party may send its user on to another origin. Everything else stays as strict as on every page.
    const csp = done.headers.get("content-security-policy")!;
    expect(csp).toBe("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'");
    const page = await done.text();
    expect(page).toContain(`action="${REPLY}"`);
    expect(page).toContain(`src="./${AUTOPOST_SCRIPT_PATH}"`);
    expect(page).toContain(">Continue</button>");
    expect(field(page, "wa")).toBe("wsignin1.0");
    expect(field(page, "wctx")).toBe("rm=0&id=42");
    const { assertion, signed } = await assertionOf(page);
    expect(signed).toBe(true);
    expect(assertion.getElementsByTagNameNS(SAML2, "Audience")[0]!.textContent).toBe(RP);
    expect(assertion.getElementsByTagNameNS(SAML2, "NameID")[0]!.textContent).toBe("alice");
    const cond = assertion.getElementsByTagNameNS(SAML2, "Conditions")[0]!;
    const nb = Date.parse(cond.getAttribute("NotBefore")!);
    const na = Date.parse(cond.getAttribute("NotOnOrAfter")!);
    expect(nb).toBeLessThanOrEqual(Date.now());
    expect(na).toBeGreaterThan(before);

    const cookie = done.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^sts_session=[\w-]+\.[\w-]+; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/;");
    // The test origin is http://127.0.0.1: no Secure there, so the cookie works locally.
    expect(cookie).not.toContain("Secure");
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(8 * 3600);
  });

  it("serves the auto-post script as a file", async () => {
    const r = await call(`/${AUTOPOST_SCRIPT_PATH}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("javascript");
    expect(await r.text()).toContain("wsfed-post");
  });

  it("a second party signs the user in from the session cookie, encrypted as that party wants; wfresh=0 forces the form", async () => {
    const first = await signIn({ wtrealm: RP });
    const cookie = sessionCookie(first)!;
    const second = await get({ wa: "wsignin1.0", wtrealm: SECURE_RP, wctx: "x" }, cookie);
    expect(second.status).toBe(200);
    const page = await second.text();
    expect(page).toContain('action="http://127.0.0.1:9781/wsfed"');
    const wresult = field(page, "wresult")!;
    expect(wresult).toContain("EncryptedAssertion");
    expect(wresult).not.toContain("<saml:NameID");
    // The session now names both parties.
    const both = sessionCookie(second)!;
    const payload = JSON.parse(atob(both.split("=")[1]!.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(payload.r).toEqual([[RP, REPLY], [SECURE_RP, "http://127.0.0.1:9781/wsfed"]]);

    const forced = await get({ wa: "wsignin1.0", wtrealm: RP, wfresh: "0" }, cookie);
    expect(await forced.text()).toContain('name="password"');
    const recent = await get({ wa: "wsignin1.0", wtrealm: RP, wfresh: "5" }, cookie);
    expect(field(await recent.text(), "wresult")).toBeDefined();
  });

  it("a directory user signs in; disabling them ends their single sign-on at once", async () => {
    const admin = (path: string, method: string, body: unknown) =>
      call(path, { method, headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
    const name = `web-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/admin/users", "POST", { username: name, password: "browser-pass-1", claims: { email: `${name}@example.org` } })).status).toBe(201);
    const first = await signIn({ wtrealm: RP }, name, "browser-pass-1");
    const page = await first.text();
    const { assertion } = await assertionOf(page);
    expect(assertion.toString()).toContain(`>${name}<`);
    expect(assertion.toString()).toContain(`${name}@example.org`);
    const cookie = sessionCookie(first)!;
    expect(field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie)).text(), "wresult")).toBeDefined();

    expect((await admin(`/admin/users/${name}`, "PATCH", { enabled: false })).status).toBe(200);
    const after = await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie)).text();
    expect(field(after, "wresult")).toBeUndefined();
    expect(after).toContain('name="password"');
  });

  it("enabling a disabled directory user again does not bring back the sessions the disable ended, nor does making a deleted user anew with the same password; a new sign-in has single sign-on", async () => {
    const admin = (path: string, method: string, body?: unknown) =>
      call(path, { method, headers: { authorization: USER_ADMIN, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const sso = async (cookie: string) => field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie)).text(), "wresult") !== undefined;
    const name = `web-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/admin/users", "POST", { username: name, password: "browser-pass-1" })).status).toBe(201);
    const old = sessionCookie(await signIn({ wtrealm: RP }, name, "browser-pass-1"))!;
    expect(await sso(old)).toBe(true);

    expect((await admin(`/admin/users/${name}`, "PATCH", { enabled: false })).status).toBe(200);
    expect((await admin(`/admin/users/${name}`, "PATCH", { enabled: true })).status).toBe(200);
    expect(await sso(old)).toBe(false);
    // A change that is no disable (claims, enabling the enabled) ends nothing.
    const fresh = sessionCookie(await signIn({ wtrealm: RP }, name, "browser-pass-1"))!;
    expect((await admin(`/admin/users/${name}`, "PATCH", { enabled: true, claims: { email: [`${name}@example.org`] } })).status).toBe(200);
    expect(await sso(fresh)).toBe(true);

    // Deleted, and made again with the stored hash it had (an import): the name's new holder.
    const directory = new UserDirectory(env.USERS_DB, "");
    const stored = (await directory.get(name))!;
    expect(await directory.delete(name)).toBeDefined();
    expect(await directory.create({ username: name, passwordHash: stored.passwordHash, enabled: true, claims: {} }, Date.now() + 1)).toBeDefined();
    expect(await sso(fresh)).toBe(false);
  });

  it("a configured user disabled in the configuration and enabled again does not get back the sessions from before the disable, and keeps the tokens; a new sign-in has single sign-on; revoking the subject still ends it", async () => {
    const name = `cfg-${crypto.randomUUID().slice(0, 8)}`;
    const configured = (enabled: boolean) => workerWith({ ...DEV_CONFIG, users: [...DEV_CONFIG.users!, { username: name, passwordHashSecret: "DEV_BOB_PASSWORD_HASH", enabled }] });
    const sso = async (f: typeof call, cookie: string) => field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie, f)).text(), "wresult") !== undefined;
    const signInAt = async (f: typeof call) => {
      const b = browser(f);
      const fields = formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text());
      return sessionCookie(await b.post({ ...fields, username: name, password: "builder" }))!;
    };
    const on = configured(true);
    const old = await signInAt(on);
    expect(await sso(on, old)).toBe(true);
    const issued = await trustWith(on, { user: name, password: "builder", appliesTo: RP });
    expect(issued.status).toBe(200);

    const off = configured(false);
    expect(await sso(off, old)).toBe(false);
    // The same configuration as before the disable, read anew (another deployment of it).
    const again = workerWith({ ...DEV_CONFIG, users: [{ username: name, passwordHashSecret: "DEV_BOB_PASSWORD_HASH", enabled: true }, ...DEV_CONFIG.users!] });
    expect(await sso(again, old)).toBe(false);
    expect(await sso(on, old)).toBe(false);
    // Its tokens are not revoked by it (as a directory user's disable without revokeTokens).
    const validated = await trustWith(again, { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${assertionIn(issued.text)!}</wst:ValidateTarget>` });
    expect(validated.text).toMatch(/<wst:Code>[^<]*status\/valid<\/wst:Code>/);

    const fresh = await signInAt(again);
    expect(await sso(again, fresh)).toBe(true);
    const revoked = await again("/admin/revoke-subject", { method: "POST", headers: { authorization: "Basic " + btoa("sts-admin:sts-admin-secret-5e4d3c2b1a0f9e8d"), "content-type": "application/json" }, body: JSON.stringify({ subject: name }) });
    expect(revoked.status).toBe(200);
    expect(await sso(again, fresh)).toBe(false);
  });

  it("setting a directory user's password ends the browser sessions begun with the old one; a sign-in with the new one has single sign-on again", async () => {
    const admin = (path: string, method: string, body: unknown) =>
      call(path, { method, headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
    const name = `web-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/admin/users", "POST", { username: name, password: "browser-pass-1" })).status).toBe(201);
    const old = sessionCookie(await signIn({ wtrealm: RP }, name, "browser-pass-1"))!;
    expect(field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, old)).text(), "wresult")).toBeDefined();

    expect((await admin(`/admin/users/${name}/password`, "PUT", { password: "browser-pass-2" })).status).toBe(204);
    const after = await (await get({ wa: "wsignin1.0", wtrealm: RP }, old)).text();
    expect(field(after, "wresult")).toBeUndefined();
    expect(after).toContain('name="password"');

    const fresh = sessionCookie(await signIn({ wtrealm: RP }, name, "browser-pass-2"))!;
    expect(field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, fresh)).text(), "wresult")).toBeDefined();
  });

  it("a password of 1,024 characters that take two UTF-16 units each signs in, as the directory accepted it", async () => {
    const admin = (path: string, method: string, body: unknown) =>
      call(path, { method, headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
    const name = `key-${crypto.randomUUID().slice(0, 8)}`;
    const password = "\u{1F511}".repeat(1024);
    expect((await admin("/admin/users", "POST", { username: name, password })).status).toBe(201);
    const shown = await (await browser().get({ wa: "wsignin1.0", wtrealm: RP })).text();
    expect(shown).toContain('maxlength="2048"');
    const res = await signIn({ wtrealm: RP }, name, password);
    expect(res.status).toBe(200);
    expect((await assertionOf(await res.text())).assertion.toString()).toContain(`>${name}<`);
  });

  it("a username typed with spaces around it signs in as at WS-Trust (which trims the Username)", async () => {
    const res = await signIn({ wtrealm: RP }, "  dave ", "directory-pass-1");
    expect(res.status).toBe(200);
    const { assertion } = await assertionOf(await res.text());
    expect(assertion.toString()).toContain(">dave<");
    // As there, only space, tab, CR and LF: a no-break space is part of the name typed.
    const nbsp = await signIn({ wtrealm: RP }, "\u00a0dave", "directory-pass-1");
    expect(nbsp.status).not.toBe(200);
    expect(await nbsp.text()).not.toContain("SAMLResponse");
  });

  it("a wctx with line breaks survives the form as a browser posts it (every break as CR LF); a NUL, which no form can carry, is refused at once", async () => {
    // HTML form submission sends every CR, LF and CR LF of a field as CR LF.
    const posted = (v: string) => v.replace(/\r\n?|\n/g, "\r\n");
    for (const wctx of ["a\nb", "a\rb", "a\r\nb\n\rc"]) {
      const b = browser();
      const f = formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP, wctx })).text());
      const done = await b.post({ ...f, wctx: posted(f.wctx!), username: "alice", password: "wonderland" });
      expect(done.status, JSON.stringify(wctx)).toBe(200);
      expect(field(await done.text(), "wctx")).toBe(posted(wctx));
    }
    const nul = await get({ wa: "wsignin1.0", wtrealm: RP, wctx: "a\u0000b" });
    expect(nul.status).toBe(400);
    expect(nul.headers.get("set-cookie")).toBeNull();
    expect(await nul.text()).toContain("wctx must not hold a NUL character");
  });

  it("a wctx of 2,048 characters outside the BMP (4,096 UTF-16 units) signs in and comes back whole, as the README bounds it in characters", async () => {
    const wctx = "😀".repeat(2048);
    const b = browser();
    const shown = await b.get({ wa: "wsignin1.0", wtrealm: RP, wctx });
    expect(shown.status).toBe(200);
    const done = await b.post({ ...formFields(await shown.text()), username: "alice", password: "wonderland" });
    expect(done.status).toBe(200);
    expect(field(await done.text(), "wctx")).toBe(wctx);
  });

  it("honours a registered wreply, and a whr naming this STS", async () => {
    const r = await signIn({ wtrealm: RP, wreply: "http://localhost:9780/wsfed", whr: "http://127.0.0.1:8787" });
    expect(await r.text()).toContain('action="http://localhost:9780/wsfed"');
  });

  it("sign-out clears the cookie and calls each party's clean-up address, with the CSP widened for exactly those origins", async () => {
    const first = await signIn({ wtrealm: RP });
    const second = await get({ wa: "wsignin1.0", wtrealm: SECURE_RP }, sessionCookie(first)!);
    const cookie = sessionCookie(second)!;
    const out = await get({ wa: "wsignout1.0", wreply: REPLY }, cookie);
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/^sts_session=; Path=\/; Max-Age=0; HttpOnly/);
    const csp = out.headers.get("content-security-policy")!;
    expect(csp).toContain("img-src 'self' http://127.0.0.1:9780 http://127.0.0.1:9781;");
    const html = await out.text();
    expect(html).toContain('src="http://127.0.0.1:9780/wsfed?wa=wsignoutcleanup1.0"');
    expect(html).toContain('src="http://127.0.0.1:9781/wsfed?wa=wsignoutcleanup1.0"');
    expect(html).toContain(`href="${REPLY}"`);
  });

  // HEAD is safe (RFC 9110 §9.2.1): a link checker or prefetcher following a sign-out or sign-in
  // link must neither end the session nor sign in.
  it("HEAD changes nothing: sign-in and sign-out are 405 (Allow: GET, POST), the address itself and a refused request are answered as GET", async () => {
    const signedIn = await signIn({ wtrealm: RP });
    const cookie = sessionCookie(signedIn)!;
    const actions: Record<string, string>[] = [{ wa: "wsignout1.0" }, { wa: "wsignoutcleanup1.0" }, { wa: "wsignin1.0", wtrealm: SECURE_RP }, { wa: "wsignin1.0", wtrealm: RP, wreply: REPLY }];
    for (const p of actions) {
      const head = await call(query(p), { method: "HEAD", headers: { cookie } });
      expect([head.status, head.headers.get("allow")], p.wa).toEqual([405, "GET, POST"]);
      expect(head.headers.get("set-cookie"), p.wa).toBeNull();
      // The same address to any other method it does not answer names the same two.
      expect((await call(query(p), { method: "PUT", headers: { cookie } })).headers.get("allow"), p.wa).toBe("GET, POST");
    }
    // The session lives on: the second party signs the user in without the form.
    const sso = await get({ wa: "wsignin1.0", wtrealm: SECURE_RP }, cookie);
    expect(field(await sso.text(), "wresult"), "session ended by a HEAD").toBeDefined();
    // Nothing to do: answered as GET, without a body.
    for (const path of ["/wsfed", "/wsfed?wa=nonsense", "/wsfed?wtrealm=urn:example:rp"]) {
      const [head, got] = [await call(path, { method: "HEAD", headers: { cookie } }), await call(path, { headers: { cookie } })];
      expect([head.status, head.headers.get("content-type")], path).toEqual([got.status, got.headers.get("content-type")]);
      expect(await head.text(), path).toBe("");
    }
    expect((await call("/wsfed", { method: "PUT" })).headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("sign-out cleans up at the reply URL the user signed in through, and at each one when there were several", async () => {
    const OTHER = "http://localhost:9780/wsfed";
    const first = await signIn({ wtrealm: RP, wreply: OTHER });
    const out = await get({ wa: "wsignout1.0" }, sessionCookie(first)!);
    expect(out.headers.get("content-security-policy")).toContain("img-src 'self' http://localhost:9780;");
    const html = await out.text();
    expect(html).toContain(`src="${OTHER}?wa=wsignoutcleanup1.0"`);
    expect(html).not.toContain("127.0.0.1:9780");

    const again = await signIn({ wtrealm: RP, wreply: OTHER });
    const both = await get({ wa: "wsignin1.0", wtrealm: RP, wreply: REPLY }, sessionCookie(again)!);
    expect(field(await both.text(), "wresult")).toBeDefined();
    const out2 = await get({ wa: "wsignout1.0" }, sessionCookie(both)!);
    expect(out2.headers.get("content-security-policy")).toContain("img-src 'self' http://localhost:9780 http://127.0.0.1:9780;");
    const html2 = await out2.text();
    expect(html2).toContain(`src="${OTHER}?wa=wsignoutcleanup1.0"`);
    expect(html2).toContain(`src="${REPLY}?wa=wsignoutcleanup1.0"`);
  });
});

describe("sign-out posted by a relying party", () => {
  it("without the Lax session cookie (a cross-site post) is sent on as a GET, which carries it and ends the session", async () => {
    const b = browser();
    await signInThrough(b);
    const copy = b.cookie()!;
    // A cross-site form post carries no SameSite=Lax cookie, so nothing of the browser's here.
    const posted = await post({ wa: "wsignout1.0", wreply: REPLY });
    expect(posted.status).toBe(303);
    const to = new URL(posted.headers.get("location")!, `${ORIGIN}/wsfed`);
    expect(to.href).toBe(`${ORIGIN}/wsfed?${new URLSearchParams({ wa: "wsignout1.0", wreply: REPLY })}`);
    expect(posted.headers.get("set-cookie")).toBeNull();
    // The browser follows it as a top-level GET, with the session cookie.
    const out = await call(to.pathname + to.search, { headers: { cookie: copy } });
    expect(out.status).toBe(200);
    const html = await out.text();
    expect(html).toContain(`src="${REPLY}?wa=wsignoutcleanup1.0"`);
    expect(html).toContain(`href="${REPLY}"`);
    expect(await (await get({ wa: "wsignin1.0", wtrealm: RP }, copy)).text()).toContain('name="password"');
  });

  it("with the session cookie (posted from a page of the same site) is answered at once", async () => {
    const b = browser();
    await signInThrough(b);
    const out = await post({ wa: "wsignout1.0" }, b.cookie());
    expect(out.status).toBe(200);
    expect(await out.text()).toContain(`src="${REPLY}?wa=wsignoutcleanup1.0"`);
  });
});

describe("sign-in request posted by a relying party", () => {
  it("without the Lax session cookie (a cross-site post) is sent on as a GET of the request's own parameters, which carries the cookie and signs in from the session", async () => {
    const b = browser();
    await signInThrough(b);
    const request = { wa: "wsignin1.0", wtrealm: RP, wreply: REPLY, wctx: "line 1\r\nα & <b>", wfresh: "5" };
    // A cross-site form post carries no SameSite=Lax cookie; a field that is no sign-in parameter never reaches the address.
    const posted = await post({ ...request, password: "not-for-a-url" });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("cache-control")).toBe("no-store");
    expect(posted.headers.get("set-cookie")).toBeNull();
    const to = new URL(posted.headers.get("location")!, `${ORIGIN}/wsfed`);
    expect(to.href).toBe(`${ORIGIN}/wsfed?${new URLSearchParams(request)}`);
    // The browser follows it as a top-level GET, with the session cookie: no form, the party's token.
    const html = await (await call(to.pathname + to.search, { headers: { cookie: b.cookie()! } })).text();
    expect(html).not.toContain('name="password"');
    expect(field(html, "wresult")).toContain("<saml:Assertion");
    expect(field(html, "wctx")).toBe(request.wctx);
  });

  it("whose parameters would make too long an address (a wctx of 2,048 characters outside the BMP) is answered as it came: the form, its wctx whole", async () => {
    const wctx = "😀".repeat(2048);
    const out = await post({ wa: "wsignin1.0", wtrealm: RP, wctx });
    expect(out.status).toBe(200);
    const html = await out.text();
    expect(html).toContain('name="password"');
    expect(formFields(html).wctx).toBe(wctx);
  });

  it("with the session cookie (posted from a page of the same site) is answered at once", async () => {
    const b = browser();
    await signInThrough(b);
    const out = await post({ wa: "wsignin1.0", wtrealm: RP, wctx: "x" }, b.cookie());
    expect(out.status).toBe(200);
    expect(field(await out.text(), "wctx")).toBe("x");
  });
});

/** Signs alice in to the party in browser `b`. */
async function signInThrough(b: ReturnType<typeof browser>): Promise<void> {
  const fields = formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text());
  expect((await b.post({ ...fields, username: "alice", password: "wonderland" })).status).toBe(200);
}

describe("a session older than a party lets its tokens live", () => {
  // A party whose tokens may not outlive one minute after the sign-in (renewal.maxTotalLifetimeSeconds).
  const SHORT = "urn:example:short-rp";
  const f = workerWith({
    ...DEV_CONFIG,
    relyingParties: [...DEV_CONFIG.relyingParties, { identifier: SHORT, defaultTokenType: "saml2", tokenLifetimeSeconds: 60, renewal: { maxTotalLifetimeSeconds: 60 }, replyUrls: ["http://127.0.0.1:9782/wsfed"] }],
  });

  it("asks for the password again at that party, and still signs the user in at the others", async () => {
    const now = Date.now();
    const key = { secret: DEV_SECRETS.DEV_WEB_SESSION_SECRET!, realm: ORIGIN };
    const credential = await credentialStamp(key, DEV_SECRETS.DEV_ALICE_PASSWORD_HASH!);
    const sealed = await sealSession(
      key,
      { subject: "alice", authTime: now - 120_000, method: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", expires: now + 3_600_000, parties: [], credential },
    );
    const at = (wtrealm: string) => f(`/wsfed?${new URLSearchParams({ wa: "wsignin1.0", wtrealm })}`, { headers: { cookie: `sts_session=${sealed}` } });
    const other = await at(RP);
    expect(other.status).toBe(200);
    expect(field(await other.text(), "wresult")).toContain("<saml:Assertion");
    // Two minutes after the sign-in no token of SHORT may be issued: the form, not a dead end.
    const short = await at(SHORT);
    const html = await short.text();
    expect(short.status, html.slice(0, 600)).toBe(200);
    expect(html).toContain('name="password"');
    expect(html).not.toContain("wresult");
  });
});

describe("sign-out on the server", () => {
  it("ends only its own session: two browsers of one user signed in within the same millisecond keep two sessions", async () => {
    const [a, b] = [browser(), browser()];
    const forms = [formFields(await (await a.get({ wa: "wsignin1.0", wtrealm: RP })).text()), formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text())];
    // One instant for both sign-ins: only Date is frozen, the worker's I/O runs as ever.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      expect((await a.post({ ...forms[0]!, username: "alice", password: "wonderland" })).status).toBe(200);
      expect((await b.post({ ...forms[1]!, username: "alice", password: "wonderland" })).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    const payload = (c: string) => JSON.parse(atob(/sts_session=([^.;]*)/.exec(c)![1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { t: number };
    expect(payload(a.cookie()!).t).toBe(payload(b.cookie()!).t);
    expect((await a.get({ wa: "wsignout1.0" })).status).toBe(200);
    expect(field(await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text(), "wresult")).toBeDefined();
  });

  it("still ends a session whose cookie was sealed without an ID of its own", async () => {
    const now = Date.now();
    const key = { secret: DEV_SECRETS.DEV_WEB_SESSION_SECRET!, realm: ORIGIN };
    const credential = await credentialStamp(key, DEV_SECRETS.DEV_ALICE_PASSWORD_HASH!);
    const old = `sts_session=${await sealSession(key, { subject: "alice", authTime: now - 1000, method: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", expires: now + 3_600_000, parties: [], credential })}`;
    expect(field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, old)).text(), "wresult")).toBeDefined();
    expect((await get({ wa: "wsignout1.0" }, old)).status).toBe(200);
    expect(field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, old)).text(), "wresult")).toBeUndefined();
  });

  it("ends the session in the state store: a copy of its cookie kept from before is refused afterwards", async () => {
    const b = browser();
    const fields = formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text());
    expect((await b.post({ ...fields, username: "alice", password: "wonderland" })).status).toBe(200);
    const copy = b.cookie()!;
    expect(copy).toContain("sts_session=");
    expect((await b.get({ wa: "wsignout1.0" })).status).toBe(200);
    const replayed = await get({ wa: "wsignin1.0", wtrealm: RP }, copy);
    expect(await replayed.text()).toContain('name="password"');
  });
});

describe("signing in again over a session", () => {
  for (const [what, user, password] of [["the same user (wfresh=0)", "alice", "wonderland"], ["another user", "bob", "builder"]] as const) {
    it(`as ${what} ends the session it replaces and keeps its parties for sign-out`, async () => {
      const b = browser();
      const fields = formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text());
      expect((await b.post({ ...fields, username: "alice", password: "wonderland" })).status).toBe(200);
      expect(field(await (await b.get({ wa: "wsignin1.0", wtrealm: SECURE_RP })).text(), "wresult")).toBeDefined();
      const copy = b.cookie()!;
      const again = formFields(await (await b.get({ wa: "wsignin1.0", wtrealm: RP, wfresh: "0" })).text());
      expect((await b.post({ ...again, username: user, password })).status).toBe(200);
      // The replaced session is over: a copy of its cookie gets the form, not a token.
      const replayed = await (await get({ wa: "wsignin1.0", wtrealm: RP }, copy)).text();
      expect(replayed).not.toContain("wresult");
      expect(replayed).toContain('name="password"');
      // Sign-out cleans up at every party this browser signed in to, in either session.
      const out = await (await b.get({ wa: "wsignout1.0" })).text();
      expect(out).toContain(`src="${REPLY}?wa=wsignoutcleanup1.0"`);
      expect(out).toContain('src="http://127.0.0.1:9781/wsfed?wa=wsignoutcleanup1.0"');
    });
  }
});

describe("where browser sign-in is published", () => {
  it("federation metadata names the passive requestor endpoint; the home page links it", async () => {
    const md = await (await call("/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    expect(md).toContain("<fed:PassiveRequestorEndpoint><wsa:EndpointReference><wsa:Address>http://127.0.0.1:8787/wsfed</wsa:Address>");
    // Schema order (WS-Federation 1.2 §3.1.2.2): after the STS endpoints, inside the STS role.
    expect(md.indexOf("PassiveRequestorEndpoint")).toBeGreaterThan(md.lastIndexOf("SecurityTokenServiceEndpoint>"));
    expect(await (await call("/")).text()).toContain('href="./wsfed"');
  });

  it("federation metadata also describes this STS as a partner's relying party: its realm, where tokens come back, what to encrypt them for", async () => {
    const md = await (await call("/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    const role = /<md:RoleDescriptor xsi:type="fed:ApplicationServiceType"[\s\S]*?<\/md:RoleDescriptor>/.exec(md)?.[0] ?? "";
    expect(role).toContain('<md:KeyDescriptor use="encryption">');
    expect(role).not.toContain('use="signing"');
    expect(role).toContain("<fed:TargetScopes><wsa:EndpointReference><wsa:Address>http://127.0.0.1:8787</wsa:Address>");
    expect(role).toContain("<fed:ApplicationServiceEndpoint><wsa:EndpointReference><wsa:Address>http://127.0.0.1:8787/trust/13/issuedtokenmixedasymmetricbasic256</wsa:Address>");
    expect(role).toContain("<fed:PassiveRequestorEndpoint><wsa:EndpointReference><wsa:Address>http://127.0.0.1:8787/wsfed</wsa:Address>");
  });

  it("a realm without browser sign-in (realm2) publishes no passive endpoint and its home page does not offer one", async () => {
    expect((await call("/realms/realm2/wsfed?wa=wsignin1.0&wtrealm=urn:example:rp")).status).toBe(404);
    const md = await (await call("/realms/realm2/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    expect(md).toContain("<fed:SecurityTokenServiceEndpoint>");
    expect(md).not.toContain("PassiveRequestorEndpoint");
    const home = await (await call("/realms/realm2/")).text();
    expect(home).toContain('href="./trust/mex"');
    expect(home).not.toContain("wsfed");
  });
});

describe("the form-binding cookie's scope", () => {
  const shownAt = async (url: string) => {
    const { exports } = await import("cloudflare:workers");
    const res = await (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(url));
    expect(res.status).toBe(200);
    return res.headers.get("set-cookie")!;
  };
  const query = "wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp";

  it("leaves out Secure (and so the __Host- prefix) only for loopback names over http", async () => {
    for (const origin of ["http://localhost:8787", "http://127.0.0.1", "http://[::1]:8787"]) {
      expect(await shownAt(`${origin}/${query}`)).toMatch(/^sts_signin=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
    }
    for (const origin of ["http://localhost.example.com", "http://127.0.0.1.example.com:8787", "https://localhost:8787"]) {
      expect(await shownAt(`${origin}/${query}`)).toMatch(/^__Host-sts_signin=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    }
  });

  it("has Path=/, whatever the query holds", async () => {
    expect(await shownAt(`http://127.0.0.1/${query}&wctx=a/b/c`)).toContain("; Path=/;");
  });
});

describe("the session cookie outside loopback", () => {
  it("is Secure and __Host- when the STS is reached over https or by a non-loopback name", async () => {
    const { exports } = await import("cloudflare:workers");
    const fetchIt = (r: Request) => (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(r);
    for (const origin of ["https://sts.example.org", "http://sts.example.org"]) {
      const shown = await fetchIt(new Request(`${origin}/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp`));
      const binding = shown.headers.get("set-cookie")!;
      expect(binding).toMatch(/^__Host-sts_signin=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
      const res = await fetchIt(new Request(`${origin}/wsfed`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: binding.split(";")[0]! },
        body: new URLSearchParams({ ...formFields(await shown.text()), username: "alice", password: "wonderland" }).toString(),
      }));
      expect(res.status).toBe(200);
      expect(res.headers.get("set-cookie")).toMatch(/^__Host-sts_session=[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    }
  });
});

describe("a long name of characters outside the BMP", () => {
  it("signs in: the form bounds a username in characters, as the directory does, not in UTF-16 units", async () => {
    const name = "\u{20000}".repeat(150) + crypto.randomUUID().slice(0, 6);
    const created = await call("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username: name, password: "correct-horse-1" }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const b = browser();
    const page = await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text();
    expect(page).toContain('maxlength="512"');
    const res = await b.post({ ...formFields(page), username: name, password: "correct-horse-1" });
    expect(res.status).toBe(200);
    expect(field(await res.text(), "wresult")).toBeDefined();
  });
});
