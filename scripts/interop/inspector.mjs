// The token inspector page in a real browser (Debian's Chromium, driven by playwright-core):
// tokens the STS issued are pasted into /inspect, and the page, checking them with the STS's
// published keys in the browser, must call each valid, and each one-byte-altered copy invalid;
// the forms a token comes in (base64url from token exchange, decrypted in place by xmlsec1, an
// Authorization header's `Bearer …` value) are
// read, attributes are shown as stated, and a token with a time beyond any date still gets a verdict.
// Screenshots of the page go to <work>/screenshots/ for review.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { exchangeForm, postExchange, presentedToken } from "../cli/exchange.mjs";
import { requestToken } from "../cli/token.mjs";

const CHROMIUM = "/usr/bin/chromium";

/** Changes one character inside the subject's name, keeping the token well-formed. */
function alterOneByte(token, subject) {
  const i = token.indexOf(subject);
  if (i < 0) throw new Error(`the token does not contain ${subject}`);
  return token.slice(0, i) + (subject[0] === "a" ? "b" : "a") + token.slice(i + 1);
}

/**
 * @param {{ base: string, work: string, report: (name: string, ok: boolean, detail?: string) => void,
 *   skip: (name: string, why: string) => void }} o
 */
export async function inspectorCheck({ base, work, report, skip }) {
  if (!existsSync(CHROMIUM)) {
    // CI installs chromium (.ci/run); a missing browser there is a failure, locally a skip.
    if (process.env.CI) report("inspector: Chromium available", false, `${CHROMIUM} not found`);
    else skip("inspector: browser checks", `${CHROMIUM} not installed`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const shots = join(work, "screenshots");
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

    const home = await page.goto(new URL("/", base).href);
    const link = await page.getByRole("link", { name: "Token inspector" }).count();
    report("inspector: the home page links the inspector", home?.status() === 200 && link === 1, `HTTP ${home?.status()}`);
    await page.screenshot({ path: join(shots, "home.png"), fullPage: true });

    await page.getByRole("link", { name: "Token inspector" }).click();
    await page.waitForURL(/\/inspect$/);
    const inspect = async (token) => {
      await page.getByRole("textbox", { name: "Token" }).fill(token);
      await page.getByRole("button", { name: "Inspect" }).click();
      const v = page.locator("#verdict");
      try {
        await v.waitFor({ timeout: 10_000 });
      } catch {
        return { valid: null, text: `no verdict; the page shows: ${await page.locator("#result").textContent()}`, rows: [] };
      }
      const rows = await page.$$eval("#result tr", (trs) => trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelector("td")?.textContent]));
      return { valid: await v.getAttribute("data-valid"), text: await v.textContent(), rows };
    };

    const tokens = [];
    for (const tokenType of ["saml2", "saml1"]) {
      const r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType });
      if (r.ok) tokens.push([tokenType, r.token, "alice<"]);
      else report(`inspector: ${tokenType} token issued`, false, r.message ?? `HTTP ${r.status}`);
    }
    const j = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: "https://api.example.com/", tokenType: "jwt" });
    if (j.ok) tokens.push(["jwt", j.token, null]);
    else report("inspector: jwt token issued", false, j.message ?? `HTTP ${j.status}`);

    for (const [kind, token, subjectMark] of tokens) {
      const good = await inspect(token);
      report(`inspector: Chromium marks a ${kind} token of this STS valid`, good.valid === "true", good.text ?? "");
      await page.screenshot({ path: join(shots, `inspect-${kind}-valid.png`), fullPage: true });
      // A JWT's payload is base64url: alter one character of its signature instead.
      const altered = subjectMark ? alterOneByte(token, subjectMark) : token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
      const bad = await inspect(altered);
      report(`inspector: Chromium marks the one-byte-altered ${kind} token invalid`, bad.valid === "false", bad.text ?? "");
      await page.screenshot({ path: join(shots, `inspect-${kind}-altered.png`), fullPage: true });
    }
    const saml2 = tokens.find(([kind]) => kind === "saml2")?.[1];
    if (j.ok) {
      // An Authorization header's value, copied from a tool: the scheme is not the token.
      const bearer = await inspect(`Bearer ${j.token}`);
      report("inspector: Chromium reads a pasted 'Bearer <JWT>' and marks it valid", bearer.valid === "true", bearer.text ?? "");
    }
    if (j.ok) {
      // RFC 8693 §3: a SAML token from token exchange is base64url, pasted as it comes.
      const form = exchangeForm({ audience: ["urn:example:rp"], "requested-type": "saml2" }, presentedToken(j.token));
      const x = await postExchange(new URL("/oauth2/token", base).href, { id: "demo-client", secret: "demo-secret" }, form);
      const got = typeof x.body?.access_token === "string" ? await inspect(x.body.access_token) : { valid: null, text: x.answer.text.slice(0, 300) };
      report("inspector: Chromium marks a token exchange's base64url SAML token valid", got.valid === "true", got.text ?? "");
      await page.screenshot({ path: join(shots, "inspect-exchange-saml2.png"), fullPage: true });
    }
    if (saml2) {
      // What xmlsec1 --decrypt writes: the EncryptedData replaced by the clear assertion.
      const decrypted = `<?xml version="1.0"?>\n<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${saml2.replace(/^<\?xml[^>]*>\s*/, "")}</saml:EncryptedAssertion>`;
      const got = await inspect(decrypted);
      report("inspector: Chromium reads an assertion decrypted in place, and marks it valid", got.valid === "true", got.text ?? "");
    }
    const EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    const stated = await inspect(
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>urn:someone</saml:Issuer>` +
        `<saml:Subject><saml:NameID>carol</saml:NameID></saml:Subject><saml:AttributeStatement>` +
        `<saml:Attribute Name="${EMAIL}"><saml:AttributeValue>a@example.com</saml:AttributeValue></saml:Attribute>` +
        `<saml:Attribute Name="email"><saml:AttributeValue>b@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`,
    );
    const claimRows = stated.rows.slice(-2);
    report(
      "inspector: attributes are shown as the token states them, none merged",
      stated.valid === "false" && JSON.stringify(claimRows) === JSON.stringify([[EMAIL, "a@example.com"], ["email", "b@example.com"]]),
      JSON.stringify(claimRows),
    );
    await page.screenshot({ path: join(shots, "inspect-attributes.png"), fullPage: true });
    const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const far = await inspect(`${b64url({ alg: "ES256", kid: "x" })}.${b64url({ sub: "a", iat: 9e15, exp: 1e16 })}.AAAA`);
    const farRows = Object.fromEntries(far.rows);
    report(
      "inspector: a JWT time beyond any date shows as invalid, and the page ends with a verdict",
      far.valid === "false" && farRows.Expires === "invalid: 10000000000000000 is not a date" && farRows["Validity now"] === "invalid time stated",
      `${far.text} Expires: ${farRows.Expires}`,
    );
    await page.screenshot({ path: join(shots, "inspect-jwt-far-time.png"), fullPage: true });
    // Markup in a pasted token is shown as text, never run or rendered.
    const hostile = await inspect(`<x><img src=x onerror="document.title='pwned'"></x>`);
    report("inspector: markup in a pasted token is not rendered", hostile.valid === "false" && (await page.title()) === "Token inspector" && (await page.locator("#result img").count()) === 0, hostile.text ?? "");
    report("inspector: no script errors or CSP violations in the page", errors.length === 0, errors.join("; "));
    console.log(`inspector: screenshots in ${shots}`);
  } finally {
    await browser.close();
  }
}
