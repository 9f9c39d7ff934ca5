/**
 * Replay and freshness (WS-Security Username Token Profile 1.1 §3.1, WS-Security 1.1 §10):
 * a UsernameToken's Nonce + Created is accepted once within the freshness window; stale,
 * future and expired messages are refused with wsse:MessageExpired.
 */
import { describe, expect, it } from "vitest";
import { envelope } from "../helpers/soap.ts";
import { call, faultCode, trust } from "../helpers/worker.ts";

const ALICE = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
let n = 0;
/** A nonce unique to this test run (16 random bytes, base64, as WSS clients send). */
function nonce(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = n++;
  return btoa(String.fromCharCode(...b));
}
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe("UsernameToken replay", () => {
  it("accepts a Nonce+Created once; the identical token again → wsse:MessageExpired", async () => {
    const ut = { ...ALICE, nonce: nonce(), created: iso(0) };
    const first = await trust(ut);
    expect(first.status).toBe(200);
    expect(first.text).toContain("<saml:Assertion");
    const second = await trust(ut);
    expect(second.status).toBe(400);
    expect(faultCode(second.text)).toBe("wsse:MessageExpired");
    expect(second.text).not.toContain("<saml:Assertion");
  });

  it("refuses the replay across SOAP versions, WS-Trust versions and Created spellings", async () => {
    const created = new Date(Date.now() - 1000);
    const ut = { ...ALICE, nonce: nonce(), created: created.toISOString() };
    expect((await trust(ut)).status).toBe(200);
    // The same instant in another lexical form (offset instead of Z) is the same Created.
    const offsetForm = created.toISOString().replace("Z", "+00:00");
    for (const replay of [
      { ...ut, soap: "1.1" as const },
      { ...ut, trust: "2005" as const },
      { ...ut, created: offsetForm },
    ]) {
      const r = await trust(replay);
      expect(faultCode(r.text), JSON.stringify(replay)).toBe("wsse:MessageExpired");
    }
    // With a wrong password it signs no one in: refused as any wrong password is.
    expect(faultCode((await trust({ ...ut, password: "wrong" })).text)).toBe("wst:FailedAuthentication");
  });

  it("a token that fails to sign in is not remembered: failed and refused attempts write no state", async () => {
    const ut = { ...ALICE, nonce: nonce(), created: iso(0) };
    expect(faultCode((await trust({ ...ut, password: "not-her-password" })).text)).toBe("wst:FailedAuthentication");
    // Had the failure been remembered, her own token with that Nonce + Created would be a replay.
    expect((await trust(ut)).status).toBe(200);
    expect(faultCode((await trust(ut)).text)).toBe("wsse:MessageExpired");
  });

  it("a fresh Nonce for the same user is accepted (the cache is keyed by nonce, not by user)", async () => {
    const created = iso(0);
    expect((await trust({ ...ALICE, nonce: nonce(), created })).status).toBe(200);
    expect((await trust({ ...ALICE, nonce: nonce(), created })).status).toBe(200);
  });

  it("refuses a stale Created (older than the 10-minute window) even with a fresh nonce", async () => {
    const r = await trust({ ...ALICE, nonce: nonce(), created: iso(11 * 60_000) });
    expect(r.status).toBe(400);
    expect(faultCode(r.text)).toBe("wsse:MessageExpired");
  });

  // Without a Nonce nothing identifies the token for the replay cache; a stale Created still
  // marks an old credential (WSS4J refuses those after five minutes).
  it("refuses a stale Created without a Nonce too, naming the window", async () => {
    const r = await trust({ ...ALICE, created: iso(11 * 60_000) });
    expect(faultCode(r.text)).toBe("wsse:MessageExpired");
    expect(r.text).toContain("created more than 10 minutes ago");
    expect((await trust({ ...ALICE, created: iso(9 * 60_000) })).status).toBe(200);
  });

  it("refuses a Created in the future beyond the clock skew", async () => {
    const r = await trust({ ...ALICE, nonce: nonce(), created: iso(-10 * 60_000) });
    expect(faultCode(r.text)).toBe("wsse:MessageExpired");
  });

  it("refuses an expired or future wsu:Timestamp", async () => {
    const expired = await trust({ ...ALICE, timestamp: { created: iso(3_600_000), expires: iso(3_000_000) } });
    expect(faultCode(expired.text)).toBe("wsse:MessageExpired");
    const future = await trust({ ...ALICE, timestamp: { created: iso(-3_600_000), expires: iso(-3_900_000) } });
    expect(faultCode(future.text)).toBe("wsse:MessageExpired");
  });

  it("refuses a stale wsu:Timestamp Created, with or without an Expires still ahead", async () => {
    for (const expires of [undefined, iso(-5 * 60_000)]) {
      const stale = envelope({ ...ALICE, timestamp: { created: iso(20 * 60_000), expires: "" } });
      const body = expires === undefined ? stale.body.replace("<wsu:Expires></wsu:Expires>", "") : stale.body.replace("<wsu:Expires></wsu:Expires>", `<wsu:Expires>${expires}</wsu:Expires>`);
      expect(body).not.toContain("<wsu:Expires></wsu:Expires>");
      const r = await call("/trust/13/usernamemixed", { method: "POST", headers: stale.headers, body });
      const text = await r.text();
      expect(faultCode(text), expires).toBe("wsse:MessageExpired");
      expect(text).toContain("The message timestamp was created more than 10 minutes ago");
      expect(text).not.toContain("Assertion");
    }
    // Control: a recent Created without an Expires is accepted (Expires is optional).
    const fresh = envelope({ ...ALICE, timestamp: { created: iso(9 * 60_000), expires: "" } });
    const ok = await call("/trust/13/usernamemixed", { method: "POST", headers: fresh.headers, body: fresh.body.replace("<wsu:Expires></wsu:Expires>", "") });
    expect(ok.status).toBe(200);
  });

  it("a Created or Nonce in the wrong namespace is refused, not read as absent (which would skip the replay check)", async () => {
    const wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    const wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    for (const [extra, named] of [
      [`<wsse:Nonce>${nonce()}</wsse:Nonce><c:Created xmlns:c="${wsse}">${iso(0)}</c:Created>`, "wsse:Created"],
      [`<n:Nonce xmlns:n="${wsu}">${nonce()}</n:Nonce><wsu:Created>${iso(0)}</wsu:Created>`, "wsu:Nonce"],
    ] as const) {
      const e = envelope({ ...ALICE });
      const body = e.body.replace("</wsse:UsernameToken>", `${extra}</wsse:UsernameToken>`);
      expect(body).not.toBe(e.body);
      const text = await (await call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body })).text();
      expect(faultCode(text), named).toBe("wst:BadRequest");
      expect(text).toContain(`wsse:UsernameToken holds no ${named}`);
    }
  });

  it("an unparseable Created is a fault, not a bypass of the replay cache", async () => {
    const r = await trust({ ...ALICE, nonce: nonce(), created: "yesterday" });
    expect(r.status).toBe(400);
    expect(faultCode(r.text)).toBe("wst:BadRequest");
  });
});

describe("UsernameToken ambiguity (found by the fuzz test)", () => {
  const wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
  // Read as "alice" by a DOM's textContent, as "al" and "ice" (or nothing) by whatever looked
  // at the bytes first.
  for (const [what, username, why] of [
    ["a comment", "al<!-- -->ice", "must hold text only"],
    ["an element", "<b>alice</b>", "must hold text only"],
    ["a processing instruction", "al<?pi x?>ice", "processing instructions are not allowed"],
  ] as const) {
    it(`a Username split by ${what} is refused, in the header and presented as a ValidateTarget`, async () => {
      const e = envelope({ ...ALICE });
      const body = e.body.replace("<wsse:Username>alice</wsse:Username>", `<wsse:Username>${username}</wsse:Username>`);
      expect(body).not.toBe(e.body);
      const res = await call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body });
      const text = await res.text();
      expect(faultCode(text)).toBe("wst:BadRequest");
      expect(text).toContain(why);
      const presented = `<wsse:UsernameToken xmlns:wsse="${wsse}"><wsse:Username>${username}</wsse:Username><wsse:Password>wonderland</wsse:Password></wsse:UsernameToken>`;
      const v = await trust({ user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Validate", extra: `<wst:ValidateTarget>${presented}</wst:ValidateTarget>` });
      expect(faultCode(v.text)).toBe("wst:BadRequest");
      expect(v.text).not.toContain("status/valid");
    });
  }
  it("a CDATA section is text, and a password may be split into text and CDATA", async () => {
    const e = envelope({ ...ALICE });
    const body = e.body.replace(/>wonderland</, "><![CDATA[wonder]]>land<");
    expect(body).not.toBe(e.body);
    const res = await call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body });
    expect(res.status).toBe(200);
  });
  for (const [name, dup] of [
    ["Password", `<wsse:Password xmlns:wsse="${wsse}">wonderland</wsse:Password>`],
    ["Username", `<wsse:Username xmlns:wsse="${wsse}">bob</wsse:Username>`],
    ["Nonce", `<wsse:Nonce xmlns:wsse="${wsse}">AAAA</wsse:Nonce>`],
  ] as const) {
    it(`a repeated wsse:${name} is refused (no first-one-wins)`, async () => {
      const e = envelope({ ...ALICE, nonce: nonce(), created: iso(0) });
      const body = e.body.replace("</wsse:UsernameToken>", `${dup}</wsse:UsernameToken>`);
      expect(body).not.toBe(e.body);
      const res = await call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body });
      const text = await res.text();
      expect(res.status).toBe(400);
      expect(faultCode(text)).toBe("wst:BadRequest");
    });
  }
});
