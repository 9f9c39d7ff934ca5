// The pages as an accessibility auditor checks them in a real browser (Debian's Chromium, driven
// by playwright-core): what only a browser can judge — layout, computed colours, forced colours.
// At 320 CSS px (a phone, or 1280 px at 400% zoom) no page scrolls sideways (WCAG 2.2 1.4.10),
// the token inspector with a result on it included, its tables named for a screen reader; in the dark scheme the button's label and
// the fields' borders keep their contrast as the browser computes it (1.4.3, 1.4.11); under
// forced colours (Windows high contrast) the focus ring still shows; the sign-in form sent twice
// comes back as a fresh form rather than a dead end. The relying party's reply
// URL is answered inside the browser (a route), so nothing listens on its port.
//
// usage (alone): node scripts/interop/pages.mjs --url http://127.0.0.1:8788
import { existsSync } from "node:fs";
import { requestToken } from "../cli/token.mjs";
import { runAlone } from "./verifiers.mjs";

const CHROMIUM = "/usr/bin/chromium";
const SIGN_IN = "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp";

/** WCAG 2.2 contrast ratio of two computed `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** How far the page scrolls sideways, and the widest elements that make it. */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .map((e) => `${e.tagName.toLowerCase()} "${(e.textContent ?? "").slice(0, 40)}"`);
    return { extra: document.documentElement.scrollWidth - width, wide: wide.slice(-3) };
  });
}

/**
 * @param {{ base: string, report: (name: string, ok: boolean, detail?: string) => void,
 *   skip: (name: string, why: string) => void }} o
 */
export async function pagesCheck({ base, report, skip }) {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) report("pages: Chromium available", false, `${CHROMIUM} not found`);
    else skip("pages: browser checks", `${CHROMIUM} not installed`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const errors = [];
  const watch = (page) => {
    page.on("pageerror", (e) => errors.push(e.message));
    // A refusal page's own status (400, 401, 403, 404) is expected; anything else (a CSP violation) is not.
    page.on("console", (m) => m.type() === "error" && !/status of (400|401|403|404)\b/.test(m.text()) && errors.push(m.text()));
  };
  try {
    // ---- Reflow at 320 CSS px ----
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await narrow.newPage();
    watch(page);
    const paths = ["/", "/inspect", SIGN_IN, "/wsfed", "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Anobody", "/wsfed?wa=wsignout1.0"];
    const wide = [];
    for (const path of paths) {
      await page.goto(new URL(path, base).href);
      const o = await overflow(page);
      if (o.extra > 0) wide.push(`${path}: ${o.extra} px too wide (${o.wide.join(", ")})`);
    }
    report("pages: at 320 CSS px (400% zoom) no page scrolls sideways", wide.length === 0, wide.join("; "));
    const saml = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: "saml2" });
    if (saml.ok) {
      await page.goto(new URL("/inspect", base).href);
      await page.getByRole("textbox", { name: "Token" }).fill(saml.token);
      await page.getByRole("button", { name: "Inspect" }).click();
      await page.locator("#verdict").waitFor({ timeout: 10_000 });
      const o = await overflow(page);
      report("pages: at 320 CSS px the inspector's result (long claim URIs, key ids) does not scroll sideways", o.extra <= 0, `${o.extra} px too wide: ${o.wide.join(", ")}`);
      // The accessibility tree a screen reader reads: each result table named by its heading.
      const named = [];
      for (const name of ["Token", "Claims"]) named.push(`${name}: ${await page.getByRole("table", { name, exact: true }).count()}`);
      report("pages: the inspector's result tables are named Token and Claims in the accessibility tree", named.join(", ") === "Token: 1, Claims: 1", named.join(", "));
    } else report("pages: a SAML token to inspect", false, saml.message ?? `HTTP ${saml.status}`);
    await narrow.close();

    // ---- Colours as the browser computes them, in the dark scheme ----
    const dark = await browser.newContext({ colorScheme: "dark" });
    const dp = await dark.newPage();
    watch(dp);
    await dp.goto(new URL(SIGN_IN, base).href);
    const c = await dp.evaluate(() => {
      const s = (sel) => getComputedStyle(document.querySelector(sel));
      return { label: s("button").color, face: s("button").backgroundColor, border: s("#username").borderTopColor, bg: s("body").backgroundColor };
    });
    const label = contrast(c.label, c.face);
    const border = contrast(c.border, c.bg);
    report("pages: dark scheme: the button's label reaches 4.5:1 and the fields' borders 3:1", label >= 4.5 && border >= 3,
      `label ${c.label} on ${c.face} ${label.toFixed(2)}:1, border ${c.border} on ${c.bg} ${border.toFixed(2)}:1`);
    await dark.close();

    // ---- Forced colours: the keyboard focus still shows ----
    const forced = await browser.newContext({ forcedColors: "active" });
    const fp = await forced.newPage();
    watch(fp);
    await fp.goto(new URL(SIGN_IN, base).href);
    await fp.locator("#username").focus();
    await fp.keyboard.press("Tab");
    const ring = await fp.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { id: document.activeElement.id, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    report("pages: forced colours: the field Tab moves to has a visible focus outline", ring.id === "password" && ring.style !== "none" && ring.width >= 2, JSON.stringify(ring));
    await forced.close();

    // ---- The sign-in form sent twice (Enter pressed again before the page changed) ----
    // The first post reaches the STS, which signs in and spends the form; its answer is held
    // back until the second Enter, so the browser drops it, as it does when the STS is slow.
    const twice = await browser.newContext();
    const tp = await twice.newPage();
    watch(tp);
    const reached = [];
    await twice.route("http://127.0.0.1:9780/**", (route) => {
      reached.push(route.request().method());
      return route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Test RP</title><h1>Signed in</h1>" });
    });
    let firstAnswered, firstReleased;
    const firstDone = new Promise((resolve) => (firstAnswered = resolve));
    const released = new Promise((resolve) => (firstReleased = resolve));
    let posts = 0;
    await twice.route((url) => url.href.startsWith(new URL("/wsfed", base).href), async (route) => {
      if (route.request().method() !== "POST" || posts++ > 0) return route.continue();
      const answer = await route.fetch();
      firstAnswered(answer.status());
      await new Promise((r) => setTimeout(r, 1500));
      await route.fulfill({ response: answer }).catch(() => undefined);
      firstReleased();
    });
    await tp.goto(new URL(SIGN_IN, base).href);
    await tp.getByLabel("Username").fill("alice");
    await tp.getByLabel("Password").fill("wonderland");
    await tp.keyboard.press("Enter", { noWaitAfter: true });
    const first = await firstDone;
    await tp.keyboard.press("Enter");
    await tp.waitForLoadState("load");
    await tp.getByRole("alert").waitFor({ timeout: 10_000 }).catch(() => undefined);
    const shown = { title: await tp.title(), alert: (await tp.getByRole("alert").count()) ? await tp.getByRole("alert").textContent() : null };
    const fresh = (await tp.getByLabel("Password").count()) === 1;
    report("pages: the sign-in form sent twice answers a fresh form asking for the password (not a dead end)",
      first === 200 && fresh && shown.title === "Error: Sign in" && /already sent/.test(shown.alert ?? ""), `first post HTTP ${first}; ${JSON.stringify(shown)}`);
    if (fresh) {
      await released;
      await tp.getByLabel("Password").fill("wonderland");
      await tp.getByLabel("Password").press("Enter");
      await tp.waitForURL("http://127.0.0.1:9780/**", { timeout: 15_000 }).catch(() => undefined);
      report("pages: ... and that form signs in: the party gets its token", reached.length === 1 && tp.url().startsWith("http://127.0.0.1:9780/"), `${tp.url()} (${await tp.title()}: ${(await tp.locator("main").textContent().catch(() => "")).slice(0, 200)}), posts to the party ${reached.length}`);
    }
    await twice.close();

    report("pages: no script errors or CSP violations", errors.length === 0, errors.join("; "));
  } catch (e) {
    report("pages: browser checks", false, e.message);
  } finally {
    await browser.close();
  }
}

await runAlone(import.meta.url, "pages", pagesCheck);
