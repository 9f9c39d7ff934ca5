// The token inspector page in a real browser (Debian's Chromium, driven by playwright-core):
// tokens the STS issued are pasted into /inspect, and the page, checking them with the STS's
// published keys in the browser, must call each valid, and each one-byte-altered copy invalid.
// Screenshots of the page go to <work>/screenshots/ for review.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
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
      await page.getByLabel("Token").fill(token);
      await page.getByRole("button", { name: "Inspect" }).click();
      const v = page.locator("#verdict");
      await v.waitFor();
      return { valid: await v.getAttribute("data-valid"), text: await v.textContent() };
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
    // Markup in a pasted token is shown as text, never run or rendered.
    const hostile = await inspect(`<x><img src=x onerror="document.title='pwned'"></x>`);
    report("inspector: markup in a pasted token is not rendered", hostile.valid === "false" && (await page.title()) === "Token inspector" && (await page.locator("#result img").count()) === 0, hostile.text ?? "");
    report("inspector: no script errors or CSP violations in the page", errors.length === 0, errors.join("; "));
    console.log(`inspector: screenshots in ${shots}`);
  } finally {
    await browser.close();
  }
}
