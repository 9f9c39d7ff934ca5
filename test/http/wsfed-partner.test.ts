/**
 * Browser sign-in at a federation partner: `whr` (or the sign-in page's link) sends the browser to
 * the partner's passive address; the partner posts its token back to /wsfed, and the relying party
 * gets its token for the partner's user. Here the test plays the browser and the partner.
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { NS } from "../helpers/soap.ts";
import { byTag, call } from "../helpers/worker.ts";
import { type Browser, REPLY, RP, SECURE_RP, browser, field, get, post, sessionCookie, signInForm, unescapeHtml } from "../helpers/wsfed.ts";
import { PARTNER, encrypted, partnerAssertion } from "../helpers/partner.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { hashPassword } from "../../src/identity/password.ts";
import { UserDirectory } from "../../src/state/directory.ts";
import { workerWith } from "../hostile/configured.ts";
import { STS_ADMIN } from "../helpers/credentials.ts";

const ORIGIN = "http://127.0.0.1:8787";
const PARTNER_URL = "http://127.0.0.1:9783/wsfed";
const T2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust";

/** The partner's wresult: its token in a WS-Trust 2005 RSTR (or a 1.3 RSTRC). */
function rstr(token: string, version: "2005" | "13" = "2005"): string {
  if (version === "13") {
    return `<t:RequestSecurityTokenResponseCollection xmlns:t="${NS.t13}"><t:RequestSecurityTokenResponse><t:RequestedSecurityToken>${token}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse></t:RequestSecurityTokenResponseCollection>`;
  }
  return `<t:RequestSecurityTokenResponse xmlns:t="${T2005}"><t:RequestedSecurityToken>${token}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>`;
}

/** A browser sent by the relying party with `whr` naming the partner: the redirect, and the wctx the partner will return. */
async function setOut(appContext = "app-state-1"): Promise<{ b: Browser; res: Response; wctx: string; to: URL }> {
  const b = browser();
  const res = await b.get({ wa: "wsignin1.0", wtrealm: RP, wctx: appContext, whr: PARTNER });
  const to = new URL(res.headers.get("location") ?? "http://invalid/");
  return { b, res, wctx: to.searchParams.get("wctx") ?? "", to };
}

/** The partner posts its wresult back from the browser. */
function back(b: Browser, wresult: string, wctx: string): Promise<Response> {
  return b.post({ wa: "wsignin1.0", wresult, wctx });
}

function tokenPosted(html: string) {
  return new DOMParser().parseFromString(field(html, "wresult") ?? "<none/>", "text/xml");
}

describe("sign-in at a federation partner", () => {
  it("the sign-in page offers the partner: a link to the same request with whr naming it", async () => {
    const page = await (await browser().get({ wa: "wsignin1.0", wtrealm: RP, wctx: "x&y" })).text();
    const m = /<nav class="partners"[\s\S]*?<a href="([^"]+)">Partner IdP \(development\)<\/a>/.exec(page);
    expect(m).not.toBeNull();
    const link = new URL(unescapeHtml(m![1]!), `${ORIGIN}/wsfed`);
    expect(Object.fromEntries(link.searchParams)).toEqual({ wa: "wsignin1.0", wtrealm: RP, wreply: REPLY, wctx: "x&y", whr: PARTNER });
  });

  it("whr naming the partner sends the browser there, with this STS's own sign-in request and a cookie binding the trip", async () => {
    const { res, to, wctx } = await setOut();
    expect(res.status).toBe(302);
    expect(`${to.origin}${to.pathname}`).toBe(PARTNER_URL);
    expect(to.searchParams.get("wa")).toBe("wsignin1.0");
    expect(to.searchParams.get("wtrealm")).toBe(ORIGIN);
    expect(to.searchParams.get("wreply")).toBe(`${ORIGIN}/wsfed`);
    expect(wctx).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const set = res.headers.getSetCookie().find((c) => c.startsWith("__Host-sts_partner="))!;
    expect(set).toMatch(/; HttpOnly; SameSite=None; Secure$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  for (const [what, make] of [
    ["SAML 2.0 in a WS-Trust 2005 RSTR", async () => rstr(await partnerAssertion())],
    ["SAML 1.1", async () => rstr(await partnerAssertion({ kind: "saml1" }))],
    ["SAML 2.0 in a WS-Trust 1.3 RSTRC", async () => rstr(await partnerAssertion(), "13")],
    ["SAML 2.0 encrypted for this STS", async () => rstr(await encrypted(await partnerAssertion()))],
  ] as const) {
    it(`the partner's token (${what}) comes back; the relying party gets its token for the partner's user, with its wctx`, async () => {
      const { b, wctx } = await setOut("app-state-2");
      const res = await back(b, await make(), wctx);
      const html = await res.text();
      expect(res.status, html.slice(0, 400)).toBe(200);
      expect(html).toContain(`action="${REPLY}"`);
      expect(field(html, "wctx")).toBe("app-state-2");
      const doc = tokenPosted(html);
      expect(byTag(doc, NS.saml2, "NameID")[0]?.textContent).toBe(`${PARTNER}#carol`);
      expect(byTag(doc, NS.saml2, "Audience")[0]?.textContent).toBe(RP);
      expect(res.headers.getSetCookie().some((c) => /^__Host-sts_partner=;.*Max-Age=0/.test(c))).toBe(true);
      expect(res.headers.getSetCookie().some((c) => c.startsWith("sts_session="))).toBe(true);
    });
  }

  it("the party's longest wctx comes back through the partner, in any characters (the trip sealed with it is read back whole)", async () => {
    // 2,048 characters, each six bytes of the trip's JSON (a control character: \u0001) or three of UTF-8.
    for (const appContext of ["\u0001".repeat(2048), "中".repeat(2048)]) {
      const { b, wctx } = await setOut(appContext);
      const res = await back(b, rstr(await partnerAssertion()), wctx);
      const html = await res.text();
      expect(res.status, html.slice(0, 600)).toBe(200);
      expect(field(html, "wctx")).toBe(appContext);
    }
  });

  it("the session a partner sign-in leaves signs the user in again without another trip, with the partner's claims", async () => {
    const { b, wctx } = await setOut();
    expect((await back(b, rstr(await partnerAssertion()), wctx)).status).toBe(200);
    for (const p of [{ wtrealm: RP, wctx: "second" }, { wtrealm: RP, whr: PARTNER }] as Record<string, string>[]) {
      const again = await b.get({ wa: "wsignin1.0", ...p });
      const html = await again.text();
      expect(again.status, JSON.stringify(p)).toBe(200);
      const doc = tokenPosted(html);
      expect(byTag(doc, NS.saml2, "NameID")[0]?.textContent).toBe(`${PARTNER}#carol`);
      expect(html).toContain("carol@partner.example");
    }
  });

  it("wfresh=0 on a partner's session sends the browser back to the partner, asking it for a fresh sign-in", async () => {
    const { b, wctx } = await setOut();
    await back(b, rstr(await partnerAssertion()), wctx);
    const res = await b.get({ wa: "wsignin1.0", wtrealm: RP, wfresh: "0" });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!);
    expect(`${to.origin}${to.pathname}`).toBe(PARTNER_URL);
    expect(to.searchParams.get("wfresh")).toBe("0");
  });

  it("signing out of a partner's session calls the partner's clean-up as well as the parties'", async () => {
    const { b, wctx } = await setOut();
    await back(b, rstr(await partnerAssertion()), wctx);
    const page = await (await b.get({ wa: "wsignout1.0" })).text();
    expect(page).toContain(`src="${PARTNER_URL}?wa=wsignoutcleanup1.0"`);
    expect(page).toContain(`src="${REPLY}?wa=wsignoutcleanup1.0"`);
  });

  it("the partner's own clean-up call — a cross-site image, carrying only the SameSite=None partner-session cookie — ends the session", async () => {
    const { b, wctx } = await setOut();
    const res = await back(b, rstr(await partnerAssertion()), wctx);
    const ref = res.headers.getSetCookie().find((c) => c.startsWith("__Host-sts_partner_session="))!;
    expect(ref).toMatch(/; HttpOnly; SameSite=None; Secure$/);
    const cleanup = await call("/wsfed?wa=wsignoutcleanup1.0", { headers: { cookie: ref.split(";")[0]! } });
    expect(cleanup.status).toBe(200);
    // The browser still holds its session cookie (the cross-site answer cannot clear a Lax one): refused all the same.
    expect(b.cookie()).toContain("sts_session=");
    const after = await b.get({ wa: "wsignin1.0", wtrealm: RP });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('name="password"');
  });

  it("a partner sign-in over a session ends that session and keeps its parties, though the partner's post carries no Lax cookie", async () => {
    const { fields, browser: b } = await signInForm({ wtrealm: SECURE_RP });
    expect((await b.post({ ...fields, username: "alice", password: "wonderland" })).status).toBe(200);
    const copy = b.cookie()!;
    const res = await b.get({ wa: "wsignin1.0", wtrealm: RP, whr: PARTNER });
    expect(res.status).toBe(302);
    const wctx = new URL(res.headers.get("location")!).searchParams.get("wctx")!;
    // The partner's cross-site post carries only the browser's SameSite=None cookies.
    const crossSite = b.cookie()!.split("; ").filter((c) => /^__Host-sts_(partner|replaced_session)=/.test(c));
    expect(crossSite).toHaveLength(2);
    const done = await post({ wa: "wsignin1.0", wresult: rstr(await partnerAssertion()), wctx }, crossSite.join("; "));
    expect(done.status).toBe(200);
    expect(done.headers.getSetCookie().some((c) => /^__Host-sts_replaced_session=;.*Max-Age=0/.test(c))).toBe(true);
    // alice's session is over: a copy of its cookie gets the form.
    expect(await (await get({ wa: "wsignin1.0", wtrealm: SECURE_RP }, copy)).text()).toContain('name="password"');
    // The new session's sign-out cleans up where alice's session signed in too.
    const out = await (await get({ wa: "wsignout1.0" }, sessionCookie(done)!)).text();
    expect(out).toContain('src="http://127.0.0.1:9781/wsfed?wa=wsignoutcleanup1.0"');
    expect(out).toContain(`src="${REPLY}?wa=wsignoutcleanup1.0"`);
  });

  it("revoking the partner's user ends the session it left", async () => {
    const subject = `${PARTNER}#carol`;
    const { b, wctx } = await setOut();
    await back(b, rstr(await partnerAssertion()), wctx);
    await new Promise((r) => setTimeout(r, 1100)); // the revocation's instant falls after the sign-in's second
    const revoked = await call("/admin/revoke-subject", {
      method: "POST",
      headers: { authorization: STS_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ subject }),
    });
    expect(revoked.status).toBe(200);
    const after = await b.get({ wa: "wsignin1.0", wtrealm: RP });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('name="password"'); // the form again, no token
  });

  // Defect: a partner whose subjects are ours (localSubjects) kept signing in, and kept the
  // browser session of, a user of ours who had been disabled.
  it("a partner whose subjects are ours signs in no disabled user of ours, and the session it left ends when the user is disabled", async () => {
    const withCarol = (enabled: boolean) =>
      workerWith({
        ...DEV_CONFIG,
        users: [...DEV_CONFIG.users!, { username: "carol", passwordHashSecret: "DEV_BOB_PASSWORD_HASH", enabled }],
        trustedIssuers: DEV_CONFIG.trustedIssuers!.map((t) => ({ ...t, localSubjects: true })),
      });
    const [enabled, disabled] = [withCarol(true), withCarol(false)];
    const tripAt = async (f: typeof enabled) => {
      const b = browser(f);
      const out = new URL((await b.get({ wa: "wsignin1.0", wtrealm: RP, whr: PARTNER })).headers.get("location")!);
      return { b, res: await back(b, rstr(await partnerAssertion()), out.searchParams.get("wctx")!) };
    };
    const signedIn = await tripAt(enabled);
    expect(signedIn.res.status).toBe(200);
    expect(byTag(tokenPosted(await signedIn.res.text()), NS.saml2, "NameID")[0]?.textContent).toBe("carol");
    const cookie = signedIn.b.cookie();
    // The session carol left: honoured while she is enabled, not once she is disabled.
    expect(field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie, enabled)).text(), "wresult")).toBeDefined();
    const afterDisable = await get({ wa: "wsignin1.0", wtrealm: RP }, cookie, disabled);
    const page = await afterDisable.text();
    expect(field(page, "wresult")).toBeUndefined();
    expect(page).toContain('name="password"'); // the form again, no token
    // And a fresh trip to the partner signs her in nowhere.
    const refused = await tripAt(disabled);
    expect(refused.res.status).toBe(403);
    expect(field(await refused.res.text(), "wresult")).toBeUndefined();
  });

  it("a partner whose subjects are ours: a directory user disabled and enabled again does not get back the session it left", async () => {
    const name = `pd-${crypto.randomUUID().slice(0, 8)}`;
    const directory = new UserDirectory(env.USERS_DB, "");
    expect(await directory.create({ username: name, passwordHash: await hashPassword("partner-user-pass-1", { iterations: 10_000 }), enabled: true, claims: {} }, Date.now())).toBeDefined();
    const f = workerWith({ ...DEV_CONFIG, trustedIssuers: DEV_CONFIG.trustedIssuers!.map((t) => ({ ...t, localSubjects: true })) });
    const trip = async () => {
      const b = browser(f);
      const out = new URL((await b.get({ wa: "wsignin1.0", wtrealm: RP, whr: PARTNER })).headers.get("location")!);
      const res = await back(b, rstr(await partnerAssertion({ subject: name })), out.searchParams.get("wctx")!);
      expect(res.status).toBe(200);
      return b.cookie();
    };
    const sso = async (cookie: string | undefined) => field(await (await get({ wa: "wsignin1.0", wtrealm: RP }, cookie, f)).text(), "wresult") !== undefined;
    const cookie = await trip();
    expect(await sso(cookie)).toBe(true);
    await new Promise((r) => setTimeout(r, 2)); // the disable falls after the sign-in's millisecond
    expect(await directory.update(name, { enabled: false }, Date.now())).toMatchObject({ enabled: false });
    expect(await directory.update(name, { enabled: true }, Date.now())).toMatchObject({ enabled: true });
    expect(await sso(cookie)).toBe(false);
    // A sign-in after it has single sign-on.
    expect(await sso(await trip())).toBe(true);
  });

  it("refuses a post from a browser that did not set out (login CSRF) and a changed wctx", async () => {
    const token = rstr(await partnerAssertion());
    const { b, wctx } = await setOut();
    const elsewhere = await back(browser(), token, wctx);
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toContain("not started in this browser");
    const changed = await back(b, token, wctx.replace(/^./, (c) => (c === "A" ? "B" : "A")));
    expect(changed.status).toBe(403);
    // The browser that set out, with the wctx unchanged, completes it.
    expect((await back(b, token, wctx)).status).toBe(200);
  });

  it("refuses a trip completed before, even with its cookie kept and a fresh partner token", async () => {
    const { res, wctx } = await setOut();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-sts_partner="))!.split(";")[0]!;
    const post = async (wresult: string) =>
      call("/wsfed", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams({ wa: "wsignin1.0", wresult, wctx }).toString() });
    expect((await post(rstr(await partnerAssertion()))).status).toBe(200);
    const again = await post(rstr(await partnerAssertion()));
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("already been completed");
  });

  for (const [what, make] of [
    ["a forged token (subject changed after signing)", async () => rstr((await partnerAssertion()).replace(">carol<", ">alice<"))],
    ["a token for another audience", async () => rstr(await partnerAssertion({ audience: "https://elsewhere.example/" }))],
    ["an expired token", async () => rstr((await partnerAssertion()).replace(/NotOnOrAfter="[^"]+"/g, 'NotOnOrAfter="2020-01-01T00:00:00.000Z"'))],
    ["a token of an issuer nobody trusts", async () => rstr(await partnerAssertion({ issuer: "urn:example:stranger" }))],
  ] as const) {
    it(`refuses ${what}: a page, no token, and the relying party is not posted to`, async () => {
      const { b, wctx } = await setOut();
      const res = await back(b, await make(), wctx);
      const html = await res.text();
      expect(res.status).toBe(403);
      expect(html).toContain("could not be accepted");
      expect(html).not.toContain("wresult");
      expect(html).not.toContain(REPLY);
    });
  }

  it("refuses a partner token presented a second time, in another trip", async () => {
    const token = rstr(await partnerAssertion());
    const one = await setOut();
    expect((await back(one.b, token, one.wctx)).status).toBe(200);
    const two = await setOut();
    const res = await back(two.b, token, two.wctx);
    expect(res.status).toBe(403);
  });

  it("refuses a partner token presented again for as long as the partner's own clock skew accepts it", async () => {
    // The partner's skew (an hour) is wider than the STS's (five minutes): its token, expired ten
    // minutes ago, is still accepted, and must be remembered as used until the partner's skew ends.
    const f = workerWith({ ...DEV_CONFIG, trustedIssuers: DEV_CONFIG.trustedIssuers!.map((t) => ({ ...t, clockSkewSeconds: 3600 })) });
    const token = rstr(await partnerAssertion({ expiresInSeconds: -600 }));
    const trip = async () => {
      const b = browser(f);
      const out = new URL((await b.get({ wa: "wsignin1.0", wtrealm: RP, whr: PARTNER })).headers.get("location")!);
      return back(b, token, out.searchParams.get("wctx")!);
    };
    const first = await trip();
    expect(first.status, (await first.text()).slice(0, 400)).toBe(200);
    const again = await trip();
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("could not be accepted");
  });

  it("refuses a token naming this STS as its issuer posted as the partner's", async () => {
    const { b, wctx } = await setOut();
    const ours = await partnerAssertion({ issuer: ORIGIN });
    const res = await back(b, rstr(ours), wctx);
    expect(res.status).toBe(403);
  });

  it("a wresult that is not one RSTR with one assertion is a 400 page", async () => {
    for (const bad of ["not xml", `<t:RequestSecurityTokenResponse xmlns:t="${T2005}"/>`, rstr("<x/>"), `<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>`]) {
      const { b, wctx } = await setOut();
      const res = await back(b, bad, wctx);
      expect(res.status, bad).toBe(400);
      expect(await res.text()).not.toContain("wresult");
    }
  });

  it("the audit lines: the browser sent to the partner (302), then the partner's user signed in at the party", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    try {
      const { b, wctx } = await setOut();
      await back(b, rstr(await partnerAssertion()), wctx);
    } finally {
      spy.mockRestore();
    }
    const audits = lines.filter((l) => l.includes('"event":"audit"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({ operation: "wsfed.signin", target: RP, result: "success", status: 302, outcome: `sent to ${PARTNER}` });
    expect(audits[1]).toMatchObject({ operation: "wsfed.signin", target: RP, requestor: `${PARTNER}#carol`, subject: `${PARTNER}#carol`, result: "success", status: 200 });
  });

  it("whr naming no partner is still refused", async () => {
    const res = await browser().get({ wa: "wsignin1.0", wtrealm: RP, whr: "urn:example:stranger" });
    expect(res.status).toBe(400);
  });
});
