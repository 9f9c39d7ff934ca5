// Browser sign-in (WS-Federation passive requestor profile) in a real browser: Debian's
// Chromium, driven by playwright-core, signs in through /wsfed to two small test relying
// parties (Node http servers on 127.0.0.1:9780 for urn:example:rp and 127.0.0.1:9781 for
// urn:example:secure-rp, the development reply URLs). Each takes the posted wresult apart (the
// one on 9781 first decrypts its EncryptedAssertion with xmlsec1 and the party's key), verifies
// the assertion's signature with xmlsec1 against the federation metadata certificates, and
// checks its audience, times and wctx. A stand-in federation partner on 127.0.0.1:9783 (the
// development partner's passive address) answers the STS's sign-in with an assertion xmlsec1
// signs with the partner's published key. Screenshots go to <work>/screenshots/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { signInForm } from "../bench/wsfed.mjs";
import { xmlsecDecrypt, xmlsecVerify } from "./verifiers.mjs";
import { RP_KEY } from "./xmlenc.mjs";
import { xmlsecSignAssertion } from "./partner-assertions.mjs";

const PARTNER = "urn:example:partner-idp";

const CHROMIUM = "/usr/bin/chromium";
const PARTIES = [
  { port: 9780, realm: "urn:example:rp" },
  { port: 9781, realm: "urn:example:secure-rp" },
];

function unescapeXml(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** What a relying party decides about one posted sign-in: every check with its outcome. */
function judge(party, form, certs, work, expectedCtx, subject = "alice") {
  const checks = [];
  const wresult = form.get("wresult") ?? "";
  checks.push(["wa is wsignin1.0", form.get("wa") === "wsignin1.0"]);
  checks.push(["wctx returned unchanged", form.get("wctx") === expectedCtx]);
  checks.push(["wresult is a WS-Trust 2005 RSTR", /^<wst:RequestSecurityTokenResponse xmlns:wst="http:\/\/schemas\.xmlsoap\.org\/ws\/2005\/02\/trust"/.test(wresult)]);
  const applies = /<wsa:Address>([^<]*)<\/wsa:Address>/.exec(wresult)?.[1];
  checks.push(["AppliesTo names this party", applies !== undefined && unescapeXml(applies) === party.realm]);
  let assertion;
  const file = join(work, `wsfed-assertion-${party.port}.xml`);
  if (party.port === 9781) {
    // This party opens its token as any party would: xmlsec1 with the party's own (published,
    // development) private key, then the signature of what it decrypted.
    const encrypted = /<saml:EncryptedAssertion[\s\S]*?<\/saml:EncryptedAssertion>/.exec(wresult)?.[0];
    checks.push(["the token is encrypted for this party", encrypted !== undefined && !wresult.includes("alice@example.com")]);
    if (!encrypted) return checks;
    const sealed = join(work, `wsfed-encrypted-${party.port}.xml`);
    writeFileSync(sealed, encrypted);
    const d = xmlsecDecrypt(sealed, file, RP_KEY);
    checks.push([`xmlsec1 decrypts it with the party's key (${d.detail})`, d.ok]);
    if (!d.ok) return checks;
    assertion = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(readFileSync(file, "utf8"))?.[0];
  } else {
    assertion = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(wresult)?.[0];
    if (assertion) writeFileSync(file, assertion);
  }
  if (!assertion) return [...checks, ["wresult carries a SAML 2.0 assertion", false]];
  const x = xmlsecVerify(file, certs, "saml2");
  checks.push([`xmlsec1 verifies the assertion (${x.detail})`, x.ok]);
  checks.push(["Audience is this party", /<saml:Audience>([^<]*)<\/saml:Audience>/.exec(assertion)?.[1] === party.realm]);
  const nb = Date.parse(/NotBefore="([^"]+)"/.exec(assertion)?.[1] ?? "");
  const na = Date.parse(/NotOnOrAfter="([^"]+)"/.exec(assertion)?.[1] ?? "");
  const now = Date.now();
  // The assertion's times against this machine's clock, with the usual five minutes of skew.
  checks.push(["NotBefore ≤ now < NotOnOrAfter", nb - 300_000 <= now && now < na + 300_000 && nb < na]);
  checks.push([`NameID is ${subject}`, new RegExp(`<saml:NameID[^>]*>${subject}</saml:NameID>`).test(assertion)]);
  return checks;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One test relying party: /login sends the browser to the STS; /wsfed receives tokens and clean-up calls. */
function startParty(party, base, certs, work) {
  const state = { posts: [], cleanups: 0, ctx: "", subject: "alice" };
  const server = createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${party.port}`);
    // /login-adfs: a party still configured with AD FS's passive address (/adfs/ls/);
    // /login-partner: a party whose users sign in at the federation partner (whr).
    if (req.method === "GET" && ["/login", "/login-adfs", "/login-partner"].includes(url.pathname)) {
      state.ctx = `ctx-${party.port}-${Math.random().toString(36).slice(2)}&<x>`;
      state.subject = url.pathname === "/login-partner" ? `${PARTNER}#carol` : "alice";
      const to = new URL(url.pathname === "/login-adfs" ? "/adfs/ls/" : "/wsfed", base);
      to.search = new URLSearchParams({ wa: "wsignin1.0", wtrealm: party.realm, wreply: `http://127.0.0.1:${party.port}/wsfed`, wctx: state.ctx }).toString();
      if (url.pathname === "/login-partner") to.searchParams.set("whr", PARTNER);
      res.writeHead(302, { location: to.href }).end();
      return;
    }
    // /login-post: a party that posts its sign-in request (WS-Federation allows GET or POST),
    // from http://localhost:<port>, another site than the STS's 127.0.0.1: the post carries no
    // SameSite=Lax session cookie of the STS.
    if (req.method === "GET" && url.pathname === "/login-post") {
      state.ctx = `ctx-post-${party.port}-${Math.random().toString(36).slice(2)}&<x>`;
      state.subject = "alice";
      const field = (name, value) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
        `<!doctype html><title>Test RP ${party.port}: signing in</title><form id="go" method="post" action="${escapeHtml(new URL("/wsfed", base).href)}">` +
          `${field("wa", "wsignin1.0")}${field("wtrealm", party.realm)}${field("wreply", `http://localhost:${party.port}/wsfed`)}${field("wctx", state.ctx)}<button>Sign in</button></form>` +
          `<script>document.getElementById("go").submit()</script>`,
      );
      return;
    }
    if (req.method === "GET" && url.pathname === "/wsfed" && url.searchParams.get("wa") === "wsignoutcleanup1.0") {
      state.cleanups++;
      // A 1×1 transparent GIF: the STS's sign-out page loads this address as an image.
      res.writeHead(200, { "content-type": "image/gif" }).end(Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
      return;
    }
    if (req.method === "POST" && url.pathname === "/wsfed") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        const checks = judge(party, form, certs, work, state.ctx, state.subject);
        state.posts.push(checks);
        const ok = checks.every(([, v]) => v);
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
          `<!doctype html><title>Test RP ${party.port}</title><h1 id="result" data-ok="${ok}">${ok ? "Signed in" : "Refused"}</h1><ul>${checks.map(([n, v]) => `<li>${v ? "ok" : "FAIL"}: ${escapeHtml(n)}</li>`).join("")}</ul>`,
        );
      });
      return;
    }
    // Browsers ask every origin for one; a 404 would show as a console error.
    res.writeHead(url.pathname === "/favicon.ico" ? 204 : 404).end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(party.port, "127.0.0.1", () => resolve({ server, state }));
  });
}

/**
 * The development federation partner's stand-in (urn:example:partner-idp, its passive address
 * 127.0.0.1:9783/wsfed): it takes the STS's wsignin1.0, signs in "carol" without asking, and
 * posts back a WS-Trust 2005 RSTR with an assertion xmlsec1 signed with the partner's published
 * key, for the audience the STS named, as a WS-Federation identity provider does.
 */
function startPartner(base, work) {
  const state = { requests: [] };
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1:9783");
    // The partner's own sign-out: a page that calls the STS's clean-up as an image (cross-site).
    if (req.method === "GET" && url.pathname === "/signout") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
        `<!doctype html><title>Partner IdP: signed out</title><p>Signed out.</p><img id="cleanup" alt="" src="${escapeHtml(new URL("/wsfed?wa=wsignoutcleanup1.0", base).href)}">`,
      );
      return;
    }
    if (req.method !== "GET" || url.pathname !== "/wsfed" || url.searchParams.get("wa") !== "wsignin1.0") {
      res.writeHead(url.pathname === "/favicon.ico" ? 204 : 404).end();
      return;
    }
    const p = Object.fromEntries(url.searchParams);
    state.requests.push(p);
    let assertion;
    try {
      assertion = xmlsecSignAssertion(work, "saml2", { audience: p.wtrealm });
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(e.message);
      return;
    }
    const wresult = `<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>`;
    const field = (name, value) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
      `<!doctype html><title>Partner IdP</title><form id="back" method="post" action="${escapeHtml(p.wreply ?? "")}">` +
        `${field("wa", "wsignin1.0")}${field("wresult", wresult)}${field("wctx", p.wctx ?? "")}<button>Continue</button></form>` +
        `<script>document.getElementById("back").submit()</script>`,
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(9783, "127.0.0.1", () => resolve({ server, state }));
  });
}

/**
 * @param {{ base: string, work: string, certs: string[], report: (name: string, ok: boolean, detail?: string) => void,
 *   skip: (name: string, why: string) => void }} o
 */
export async function wsfedCheck({ base, work, certs, report, skip }) {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) report("wsfed: Chromium available", false, `${CHROMIUM} not found`);
    else skip("wsfed: browser sign-in", `${CHROMIUM} not installed`);
    return;
  }
  if (!certs.length) {
    report("wsfed: metadata certificates to verify with", false, "none");
    return;
  }
  const { chromium } = await import("playwright-core");
  const shots = join(work, "screenshots");
  mkdirSync(shots, { recursive: true });
  const rps = [];
  try {
    for (const p of PARTIES) rps.push(await startParty(p, base, certs, work));
  } catch (e) {
    report("wsfed: test relying parties listen on 9780 and 9781", false, e.message);
    for (const r of rps) r.server.close();
    return;
  }
  const [rp1, rp2] = rps;
  let partner;
  try {
    partner = await startPartner(base, work);
    rps.push(partner);
  } catch (e) {
    report("wsfed: the stand-in partner listens on 9783", false, e.message);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    const stsRequests = [];
    page.on("request", (r) => stsRequests.push(r.url()));

    // 1. The relying party sends the browser to the STS; the sign-in page; a wrong password.
    await page.goto("http://127.0.0.1:9780/login");
    const form = page.getByLabel("Password");
    report("wsfed: the RP's redirect shows the sign-in page", (await form.count()) === 1 && page.url().startsWith(base), page.url());
    await page.screenshot({ path: join(shots, "wsfed-signin.png"), fullPage: true });
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    report("wsfed: a wrong password shows the form again with a generic error", (await alert.textContent())?.includes("username or password is incorrect") === true && rp1.state.posts.length === 0, await alert.textContent());
    await page.screenshot({ path: join(shots, "wsfed-signin-error.png"), fullPage: true });

    // 2. The right password: the auto-post page carries the token to the RP, which checks it.
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("wonderland");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("http://127.0.0.1:9780/wsfed", { timeout: 15_000 });
    const first = rp1.state.posts[0] ?? [];
    report("wsfed: the auto-posted wresult reaches the RP (urn:example:rp), which verifies it with xmlsec1 and checks audience, times and wctx",
      first.length > 0 && first.every(([, v]) => v), first.map(([n, v]) => `${v ? "ok" : "FAIL"} ${n}`).join("; "));
    await page.screenshot({ path: join(shots, "wsfed-rp-signed-in.png"), fullPage: true });
    const cookie = (await context.cookies(base)).find((c) => c.name === "sts_session");
    report("wsfed: the session cookie is HttpOnly and SameSite=Lax", cookie?.httpOnly === true && cookie.sameSite === "Lax", JSON.stringify(cookie && { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path }));

    // 3. The second relying party signs in from the session, without the form.
    await page.goto("http://127.0.0.1:9781/login");
    await page.waitForURL("http://127.0.0.1:9781/wsfed", { timeout: 15_000 }).catch(() => undefined);
    const second = rp2.state.posts[0] ?? [];
    report("wsfed: a second RP (urn:example:secure-rp) signs in without the form, its token encrypted for it",
      page.url() === "http://127.0.0.1:9781/wsfed" && second.length > 0 && second.every(([, v]) => v), `${page.url()}; ${second.map(([n, v]) => `${v ? "ok" : "FAIL"} ${n}`).join("; ")}`);

    // 3b. The first party posts its sign-in request from another site (localhost): the STS sends
    // it on as a GET, which carries the session cookie, so no form is shown.
    await page.goto("http://localhost:9780/login-post");
    await page.waitForURL("http://localhost:9780/wsfed", { timeout: 15_000 }).catch(() => undefined);
    const postedRequest = rp1.state.posts[1] ?? [];
    report("wsfed: a party posting its sign-in request cross-site signs in from the session, without the form",
      page.url() === "http://localhost:9780/wsfed" && postedRequest.length > 0 && postedRequest.every(([, v]) => v),
      `${page.url()}; ${postedRequest.map(([n, v]) => `${v ? "ok" : "FAIL"} ${n}`).join("; ")}`);

    // 4. Sign-out: the cookie goes, and the parties' clean-up addresses are called (the first
    //    party's at both reply URLs signed in through, 127.0.0.1 and localhost).
    await page.goto(new URL("/wsfed?wa=wsignout1.0&wreply=" + encodeURIComponent("http://127.0.0.1:9780/wsfed"), base).href);
    await page.waitForLoadState("load");
    const gone = !(await context.cookies(base)).some((c) => c.name === "sts_session");
    report("wsfed: sign-out clears the session and calls wsignoutcleanup1.0 at both RPs, at each reply URL signed in through", gone && rp1.state.cleanups === 2 && rp2.state.cleanups === 1,
      `cookie cleared ${gone}, cleanups ${rp1.state.cleanups}/${rp2.state.cleanups}`);
    await page.screenshot({ path: join(shots, "wsfed-signed-out.png"), fullPage: true });
    await page.goto("http://127.0.0.1:9780/login");
    report("wsfed: after sign-out the RP's redirect shows the form again", (await page.getByLabel("Password").count()) === 1, page.url());

    // 4b. A party that still sends browsers to AD FS's /adfs/ls/ signs in the same way.
    await page.goto("http://127.0.0.1:9780/login-adfs");
    const atForm = page.url();
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("wonderland");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("http://127.0.0.1:9780/wsfed", { timeout: 15_000 }).catch(() => undefined);
    const viaAdfs = rp1.state.posts[2] ?? [];
    report("wsfed: an RP sending the browser to AD FS's /adfs/ls/ gets the sign-in form at /wsfed and then its verified token",
      atForm.startsWith(new URL("/wsfed?", base).href) && viaAdfs.length > 0 && viaAdfs.every(([, v]) => v), `${atForm}; ${viaAdfs.map(([n, v]) => `${v ? "ok" : "FAIL"} ${n}`).join("; ")}`);

    // 4c. A party whose users sign in at the federation partner (whr): the STS sends the browser
    // there, the partner posts its token back, the party gets its token for the partner's user.
    if (partner) {
      const before = rp1.state.posts.length;
      await page.goto("http://127.0.0.1:9780/login-partner");
      await page.waitForURL("http://127.0.0.1:9780/wsfed", { timeout: 15_000 }).catch(() => undefined);
      const asked = partner.state.requests.at(-1);
      const viaPartner = rp1.state.posts[before] ?? [];
      report("wsfed: whr naming the partner: the browser signs in there (wtrealm this STS, wreply its /wsfed), and the party's verified token names the partner's user",
        asked?.wtrealm === base.replace(/\/$/, "") && asked?.wreply === new URL("/wsfed", base).href && viaPartner.length > 0 && viaPartner.every(([, v]) => v),
        `${JSON.stringify(asked && { wtrealm: asked.wtrealm, wreply: asked.wreply })}; ${viaPartner.map(([n, v]) => `${v ? "ok" : "FAIL"} ${n}`).join("; ")}`);
      const bindingGone = !(await context.cookies(base)).some((c) => c.name === "__Host-sts_partner");
      report("wsfed: the partner sign-in's browser binding cookie is gone afterwards", bindingGone, "");
      // The session it left signs the user in at the second party without another trip.
      const trips = partner.state.requests.length;
      const before2 = rp2.state.posts.length;
      await page.goto("http://127.0.0.1:9781/login-partner");
      await page.waitForURL("http://127.0.0.1:9781/wsfed", { timeout: 15_000 }).catch(() => undefined);
      const second = rp2.state.posts[before2] ?? [];
      report("wsfed: the partner sign-in's session signs the partner's user in at a second party (token encrypted for it) without another trip",
        partner.state.requests.length === trips && second.length > 0 && second.every(([, v]) => v),
        `trips ${trips} → ${partner.state.requests.length}; ${second.map(([n, v]) => `${v ? "ok" : "FAIL"} ${n}`).join("; ")}`);
      // The partner signs the user out and calls the STS's clean-up as a cross-site image: the
      // session it began ends, so the first party's next sign-in shows the form.
      await page.goto("http://127.0.0.1:9783/signout");
      await page.waitForLoadState("load");
      await page.goto("http://127.0.0.1:9780/login");
      report("wsfed: the partner's own sign-out (its cross-site clean-up image) ends the session it began here: the next sign-in shows the form",
        (await page.getByLabel("Password").count()) === 1, page.url());
    }

    // 5. An unregistered wreply: a 400 page, and the browser goes nowhere else.
    const before = stsRequests.length;
    const evil = new URL("/wsfed", base);
    evil.search = new URLSearchParams({ wa: "wsignin1.0", wtrealm: "urn:example:rp", wreply: "http://127.0.0.1:9782/steal" }).toString();
    const refused = await page.goto(evil.href);
    const later = stsRequests.slice(before);
    report("wsfed: an unregistered wreply is refused with 400 and no redirect",
      refused?.status() === 400 && page.url() === evil.href && !later.some((u) => new URL(u).port === "9782"), `HTTP ${refused?.status()} at ${page.url()}`);
    await page.screenshot({ path: join(shots, "wsfed-refused.png"), fullPage: true });
    // The refusals' own 400 / 401 statuses are expected; anything else (a CSP violation, a script error) is not.
    report("wsfed: no script errors or CSP violations in the pages", errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|401)\b/.test(e)).length === 0, errors.join("; "));

    // 6. A replayed form post (its one-time token used twice) is refused, and so is a form
    //    posted without the binding cookie of the browser it was shown to (login CSRF).
    const { fields, binding } = await signInForm(base, "/wsfed?wa=wsignin1.0&wtrealm=urn:example:rp");
    const body = new URLSearchParams({ ...fields, username: "alice", password: "wonderland" }).toString();
    const post = (cookie) => fetch(new URL("/wsfed", base), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) }, body });
    const unbound = await post(undefined);
    report("wsfed: a sign-in form posted without its browser's binding cookie (login CSRF) is refused", unbound.status === 403 && !(await unbound.text()).includes("wresult"), `HTTP ${unbound.status}`);
    const once = await post(binding);
    const twice = await post(binding);
    report("wsfed: a replayed sign-in form (CSRF token used twice) is refused", once.status === 200 && (await once.text()).includes("wresult") && twice.status === 403 && !(await twice.text()).includes("wresult"),
      `first HTTP ${once.status}, replay HTTP ${twice.status}`);
    console.log(`wsfed: screenshots in ${shots}`);
  } catch (e) {
    report("wsfed: browser sign-in flow", false, e.message);
  } finally {
    await browser.close();
    for (const r of rps) r.server.close();
  }
}
