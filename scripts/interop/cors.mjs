// Cross-origin reads in a real browser (Debian's Chromium, driven by playwright-core): a page on
// another origin — an OAuth library or a federation tool that is no page of the STS's — fetch()es
// the public documents (RFC 8414 metadata, the JWKS it names, WS-Federation metadata, the WSDL,
// a realm's metadata under its prefix, a preflighted read) and reads them; its fetch() of the
// token and introspection endpoints, with a valid token and client secret, is blocked by the
// browser, which reports the CORS policy as why. The page comes from a server of this script's
// on another loopback port (any free one, or --page-port N).
//
// usage (alone): node scripts/interop/cors.mjs --url http://127.0.0.1:8788 [--page-port N]
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { requestToken } from "../cli/token.mjs";
import { runAlone } from "./verifiers.mjs";

const CHROMIUM = "/usr/bin/chromium";

/**
 * Serves the page at another origin than the STS's: its own port on loopback. A page the browser
 * answers itself (a route) would do, but Chromium then counts its address space as unknown, and
 * Private Network Access keeps it from fetching loopback at all, CORS headers or not.
 */
function servePage(port) {
  const server = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Another origin</title>");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** Runs in the page: each fetch's outcome as data (a blocked read is a TypeError). */
function readAll({ base, subjectToken }) {
  const at = (p) => new URL(p.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`).href;
  const outcome = async (what, run) => {
    try {
      return { what, ok: true, value: await run() };
    } catch (e) {
      return { what, ok: false, error: `${e.name}: ${e.message}` };
    }
  };
  const form = (fields) => ({ method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  return (async () => {
    const results = [];
    let metadata;
    results.push(await outcome("metadata", async () => {
      const r = await fetch(at("/.well-known/oauth-authorization-server"));
      metadata = await r.json();
      return { status: r.status, issuer: metadata.issuer, jwks_uri: metadata.jwks_uri, token_endpoint: metadata.token_endpoint };
    }));
    results.push(await outcome("jwks", async () => {
      const r = await fetch(metadata.jwks_uri);
      const jwks = await r.json();
      return { status: r.status, keys: jwks.keys.length };
    }));
    // A header no CORS-safelisted one: the browser asks first (a preflight) and reads after.
    results.push(await outcome("jwks (preflighted)", async () => {
      const r = await fetch(metadata.jwks_uri, { headers: { "X-Requested-With": "XMLHttpRequest" } });
      return { status: r.status, keys: (await r.json()).keys.length };
    }));
    for (const [what, path] of [["federation metadata", "/FederationMetadata/2007-06/FederationMetadata.xml"], ["wsdl", "/trust/mex"], ["health", "/healthz"]]) {
      results.push(await outcome(what, async () => {
        const r = await fetch(at(path));
        return { status: r.status, start: (await r.text()).slice(0, 60) };
      }));
    }
    results.push(await outcome("realm2 metadata", async () => {
      const r = await fetch(at("/realms/realm2/.well-known/oauth-authorization-server"));
      return { status: r.status, issuer: (await r.json()).issuer };
    }));
    // A simple request (no preflight): sent, answered, and still not readable by this page.
    results.push(await outcome("token endpoint", async () => {
      const r = await fetch(metadata.token_endpoint, form({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", client_id: "demo-client", client_secret: "demo-secret",
        subject_token: subjectToken, subject_token_type: "urn:ietf:params:oauth:token-type:saml2", audience: "https://api.example.com/",
      }));
      return { status: r.status, body: (await r.text()).slice(0, 80) };
    }));
    // With client_secret_basic: a preflight, which the endpoint refuses, so nothing is sent.
    results.push(await outcome("token endpoint (Authorization header)", async () => {
      const r = await fetch(metadata.token_endpoint, { ...form({ grant_type: "urn:ietf:params:oauth:grant-type:token-exchange" }), headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa("demo-client:demo-secret")}` } });
      return { status: r.status };
    }));
    results.push(await outcome("introspection endpoint", async () => {
      const r = await fetch(metadata.introspection_endpoint ?? at("/oauth2/introspect"), form({ client_id: "demo-client", client_secret: "demo-secret", token: "x" }));
      return { status: r.status };
    }));
    return results;
  })();
}

/**
 * @param {{ base: string, report: (name: string, ok: boolean, detail?: string) => void,
 *   skip: (name: string, why: string) => void }} o
 */
export async function corsCheck({ base, report, skip }) {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) report("cors: Chromium available", false, `${CHROMIUM} not found`);
    else skip("cors: browser checks", `${CHROMIUM} not installed`);
    return;
  }
  const saml = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: "saml2" });
  if (!saml.ok) {
    report("cors: a SAML token to exchange", false, `HTTP ${saml.status}`);
    return;
  }
  const subjectToken = Buffer.from(saml.token, "utf8").toString("base64url");
  const { chromium } = await import("playwright-core");
  const portArg = process.argv.indexOf("--page-port");
  const server = await servePage(portArg > 0 ? Number(process.argv[portArg + 1]) : 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    // What the server answered, which the browser sees and the page may not read.
    // (DevTools' network events: a response the CORS check failed raises no page "response").
    const answered = [];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const sent = new Map();
    cdp.on("Network.requestWillBeSent", ({ requestId, request }) => sent.set(requestId, `${request.method} ${new URL(request.url).pathname}`));
    cdp.on("Network.responseReceivedExtraInfo", ({ requestId, statusCode }) => sent.has(requestId) && answered.push(`${sent.get(requestId)} ${statusCode}`));
    const origin = `http://127.0.0.1:${server.address().port}`;
    await page.goto(`${origin}/`);
    const seen = await page.evaluate(() => location.origin);
    report("cors: the page is on another origin than the STS", seen === origin && seen !== new URL(base).origin, `page ${seen}, STS ${new URL(base).origin}`);

    const results = Object.fromEntries((await page.evaluate(readAll, { base, subjectToken })).map((r) => [r.what, r]));
    const show = (r) => JSON.stringify(r.ok ? r.value : r.error);
    const stsOrigin = new URL(base).origin;
    const md = results.metadata;
    report("cors: RFC 8414 metadata is readable from another origin", md.ok && md.value.status === 200 && new URL(md.value.issuer).origin === stsOrigin, show(md));
    report("cors: the JWKS it names is readable", results.jwks.ok && results.jwks.value.keys > 0, show(results.jwks));
    report("cors: ... also with a header that needs a preflight", results["jwks (preflighted)"].ok && results["jwks (preflighted)"].value.keys > 0, show(results["jwks (preflighted)"]));
    report("cors: WS-Federation metadata is readable", results["federation metadata"].ok && /EntityDescriptor/.test(results["federation metadata"].value.start), show(results["federation metadata"]));
    report("cors: the WSDL (/trust/mex) is readable", results.wsdl.ok && /definitions/.test(results.wsdl.value.start), show(results.wsdl));
    report("cors: the health check is readable", results.health.ok && results.health.value.status === 200, show(results.health));
    report("cors: realm2's metadata under its prefix is readable", results["realm2 metadata"].ok && results["realm2 metadata"].value.issuer?.endsWith("/realms/realm2"), show(results["realm2 metadata"]));
    report("cors: the token endpoint's answer to a valid exchange (200) is blocked by the browser",
      !results["token endpoint"].ok && /TypeError/.test(results["token endpoint"].error) && answered.includes("POST /oauth2/token 200"), `${show(results["token endpoint"])}; answered: ${answered.join(", ")}`);
    report("cors: ... with an Authorization header its preflight is refused", !results["token endpoint (Authorization header)"].ok, show(results["token endpoint (Authorization header)"]));
    report("cors: the introspection endpoint is blocked", !results["introspection endpoint"].ok, show(results["introspection endpoint"]));
    const corsErrors = consoleErrors.filter((m) => /CORS policy/.test(m));
    report("cors: the browser names the CORS policy as why, for the token and introspection endpoints only",
      corsErrors.length === 3 && corsErrors.every((m) => /\/oauth2\/(token|introspect)/.test(m)), corsErrors.map((m) => m.slice(0, 160)).join(" | ") || consoleErrors.join(" | "));
  } catch (e) {
    report("cors: browser checks", false, e.message);
  } finally {
    await browser.close();
    server.close();
  }
}

await runAlone(import.meta.url, "cors", corsCheck);
