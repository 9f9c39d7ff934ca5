/**
 * The token inspector's reading and checking (the code the page runs in the browser), against
 * tokens this STS really issues and the keys it really publishes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { XMLSerializer, type Node } from "@xmldom/xmldom";
import { inspectToken, pastedToken, thisSts, MAX_TOKEN_CHARS, type ThisSts } from "../../src/browser/inspect-token.ts";
import { exports } from "cloudflare:workers";
import { NS, TT, envelope } from "../helpers/soap.ts";
import { ORIGIN, byTag, trust } from "../helpers/worker.ts";
import { exchange, jwtFromTrust, RP, TX } from "../oauth/helpers.ts";

const alice = { user: "alice", password: "wonderland" };
const serialize = (e: Node | undefined) => new XMLSerializer().serializeToString(e!);
let sts: ThisSts;

/** A request to the real worker at any address (a realm may be reached by its host). */
function fetchAt(url: string, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(url, init));
}

/** This STS as the inspector page at `base` sees it (its metadata, then the JWKS it names). */
async function stsAt(base: string): Promise<ThisSts> {
  return thisSts(await (await fetchAt(`${base}/.well-known/oauth-authorization-server`)).json(), async (uri) => (await fetchAt(uri)).json());
}

beforeAll(async () => {
  sts = await stsAt(ORIGIN);
});

async function samlToken(tokenType: string, ns: string): Promise<{ assertion: string; rstr: string }> {
  const r = await trust({ ...alice, appliesTo: "urn:example:rp", tokenType });
  expect(r.status).toBe(200);
  return { assertion: serialize(byTag(r.doc, ns, "Assertion")[0]), rstr: r.text };
}

async function jwt(): Promise<string> {
  const r = await trust({ ...alice, appliesTo: "https://api.example.com/", tokenType: TT.jwt });
  expect(r.status).toBe(200);
  const bst = byTag(r.doc, NS.wsse, "BinarySecurityToken")[0]!;
  return atob(bst.textContent!.trim());
}

/** Flips one character inside the signed content (the subject's name), keeping it well-formed. */
function alterOneByte(text: string, inside: string): string {
  const i = text.indexOf(inside);
  expect(i).toBeGreaterThan(0);
  return text.slice(0, i) + (inside[0] === "a" ? "b" : "a") + text.slice(i + 1);
}

describe("inspectToken", () => {
  it("reads a SAML 2.0 assertion of ours and finds its signature valid; one altered byte is not", async () => {
    const { assertion } = await samlToken(TT.saml2, NS.saml2);
    const r = await inspectToken(assertion, sts, new Date());
    expect(r.ok && r.inspection).toMatchObject({
      format: "SAML 2.0",
      subject: "alice",
      audiences: ["urn:example:rp"],
      timeStatus: "current",
      confirmation: ["bearer"],
      signature: { valid: true },
    });
    const altered = await inspectToken(alterOneByte(assertion, "alice<"), sts, new Date());
    expect(altered.ok && altered.inspection.signature.valid).toBe(false);
    expect(altered.ok && altered.inspection.signature.detail).toMatch(/does not verify/);
  });

  it("reads SAML 1.1, base64 of the assertion, and an assertion inside a whole RSTR", async () => {
    const { assertion, rstr } = await samlToken(TT.saml1, NS.saml1);
    for (const input of [assertion, btoa(assertion), rstr]) {
      const r = await inspectToken(input, sts, new Date());
      expect(r.ok && r.inspection.format).toBe("SAML 1.1");
      expect(r.ok && r.inspection.signature.valid).toBe(true);
    }
  });

  it("reads base64url of an assertion (a token exchange's SAML token, padded or not) and URL-encoded pastes", async () => {
    const r = await exchange({ subject_token: await jwtFromTrust("alice", "wonderland"), subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 });
    const token = r.json.access_token as string;
    expect(token).toMatch(/[-_]/); // base64url's own alphabet, which base64 has not
    const { assertion } = await samlToken(TT.saml2, NS.saml2);
    const padded = token + "=".repeat((4 - (token.length % 4)) % 4);
    const urlEncoded = [encodeURIComponent(btoa(assertion)), new URLSearchParams({ t: assertion }).toString().slice(2)];
    for (const input of [token, padded, ...urlEncoded]) {
      const i = await inspectToken(input, sts, new Date());
      expect(i.ok && i.inspection).toMatchObject({ format: "SAML 2.0", subject: "alice", signature: { valid: true } });
    }
  });

  it("reads the clear assertion that decrypting in place leaves inside its EncryptedAssertion", async () => {
    const { assertion } = await samlToken(TT.saml2, NS.saml2);
    // What xmlsec1 --decrypt writes: the EncryptedData replaced by the assertion it held.
    const decrypted = `<?xml version="1.0"?>\n<saml:EncryptedAssertion xmlns:saml="${NS.saml2}">${assertion}</saml:EncryptedAssertion>`;
    const r = await inspectToken(decrypted, sts, new Date());
    expect(r.ok && r.inspection).toMatchObject({ format: "SAML 2.0", subject: "alice", signature: { valid: true } });
    const altered = await inspectToken(alterOneByte(decrypted, "alice<"), sts, new Date());
    expect(altered.ok && altered.inspection.signature.valid).toBe(false);
    const sealed = `<saml:EncryptedAssertion xmlns:saml="${NS.saml2}"><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></saml:EncryptedAssertion>`;
    expect(await inspectToken(sealed, sts, new Date())).toMatchObject({ ok: false, error: expect.stringMatching(/encrypted/) });
  });

  it("shows every attribute as the token states it, in its order, none translated or merged", async () => {
    const EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    const saml2 = `<saml:Assertion xmlns:saml="${NS.saml2}" ID="_a" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
      <saml:Issuer>urn:someone</saml:Issuer><saml:Subject><saml:NameID>carol</saml:NameID></saml:Subject>
      <saml:AttributeStatement>
        <saml:Attribute Name="${EMAIL}"><saml:AttributeValue>a@example.com</saml:AttributeValue></saml:Attribute>
        <saml:Attribute Name="email"><saml:AttributeValue>b@example.com</saml:AttributeValue><saml:AttributeValue>c@example.com</saml:AttributeValue></saml:Attribute>
        <saml:Attribute Name="constructor"><saml:AttributeValue>x</saml:AttributeValue></saml:Attribute>
      </saml:AttributeStatement>
      <saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>d@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
    </saml:Assertion>`;
    const r2 = await inspectToken(saml2, sts, new Date());
    expect(r2.ok && r2.inspection.signature.valid).toBe(false); // signed by nobody: read all the same
    expect(r2.ok && r2.inspection.claims).toEqual([
      [EMAIL, ["a@example.com"]],
      ["email", ["b@example.com", "c@example.com"]],
      ["constructor", ["x"]],
      ["email", ["d@example.com"]],
    ]);
    const ns = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
    const saml1 = `<saml:Assertion xmlns:saml="${NS.saml1}" MajorVersion="1" MinorVersion="1" AssertionID="_b" Issuer="urn:someone" IssueInstant="2026-01-01T00:00:00Z">
      <saml:AttributeStatement><saml:Subject><saml:NameIdentifier>carol</saml:NameIdentifier></saml:Subject>
        <saml:Attribute AttributeName="emailaddress" AttributeNamespace="${ns}"><saml:AttributeValue>a@example.com</saml:AttributeValue></saml:Attribute>
        <saml:Attribute AttributeName="email" AttributeNamespace="urn:x"><saml:AttributeValue>b@example.com</saml:AttributeValue></saml:Attribute>
      </saml:AttributeStatement>
    </saml:Assertion>`;
    const r1 = await inspectToken(saml1, sts, new Date());
    expect(r1.ok && r1.inspection.claims).toEqual([
      [`emailaddress (${ns})`, ["a@example.com"]],
      ["email (urn:x)", ["b@example.com"]],
    ]);
  });

  it("reads a JWT of ours; its signature fails once the payload changes, and times are judged apart", async () => {
    const token = await jwt();
    const r = await inspectToken(token, sts, new Date());
    expect(r.ok && r.inspection).toMatchObject({ format: "JWT", subject: "alice", signature: { valid: true }, timeStatus: "current" });
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...payload, sub: "mallory" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const f = await inspectToken(`${h}.${forged}.${s}`, sts, new Date());
    expect(f.ok && f.inspection.subject).toBe("mallory");
    expect(f.ok && f.inspection.signature.valid).toBe(false);
    const later = await inspectToken(token, sts, new Date(Date.now() + 48 * 3600_000));
    expect(later.ok && later.inspection).toMatchObject({ signature: { valid: true }, timeStatus: "expired" });
  });

  it("a token signed with this page's keys but naming another issuer is not this STS's here: realm2 by prefix and by host share keys, not issuers", async () => {
    const byPrefix = `${ORIGIN}/realms/realm2`;
    const byHost = "http://realm2.localhost:8787";
    const [there, elsewhere] = [await stsAt(byPrefix), await stsAt(byHost)];
    const other = `, but the token was issued by ${byPrefix}, not by ${byHost}, the issuer at this address: this STS does not accept it here.`;
    for (const tokenType of [TT.saml2, TT.jwt]) {
      const e = envelope({ user: "carol", password: "wonderland2", appliesTo: "urn:example:rp", tokenType, to: `${byPrefix}/trust/13/usernamemixed` });
      const res = await fetchAt(`${byPrefix}/trust/13/usernamemixed`, { method: "POST", headers: e.headers, body: e.body });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const token = tokenType === TT.jwt ? atob(/<wsse:BinarySecurityToken[^>]*>([^<]+)</.exec(text)![1]!) : /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)![0];
      const here = await inspectToken(token, there, new Date());
      expect(here.ok && here.inspection).toMatchObject({ issuer: byPrefix, signature: { valid: true, detail: expect.stringMatching(/^Signed by this STS \(key [\w-]+(, ES256)?\)\.$/) } });
      const away = await inspectToken(token, elsewhere, new Date());
      expect(away.ok && away.inspection.issuer).toBe(byPrefix);
      expect(away.ok && away.inspection.signature.valid).toBe(false);
      expect(away.ok && away.inspection.signature.detail).toMatch(/^The signature verifies with this STS's key [\w-]+(, ES256)?, but/);
      expect(away.ok && away.inspection.signature.detail.endsWith(other)).toBe(true);
    }
    // The first realm's JWT at realm2: its key is not realm2's at all.
    const first = await inspectToken(await jwt(), elsewhere, new Date());
    expect(first.ok && first.inspection.signature).toEqual({ valid: false, detail: "The token's kid names none of this STS's published keys." });
  });

  it("states a JWT time that is no date (beyond a Date's range, or not a number) as invalid", async () => {
    const b64url = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const token = (payload: object) => `${b64url({ alg: "ES256", kid: "x" })}.${b64url(payload)}.AAAA`;
    const far = await inspectToken(token({ sub: "a", exp: 1e16 }), sts, new Date());
    expect(far.ok && far.inspection).toMatchObject({ expires: { invalid: "10000000000000000" }, timeStatus: "invalid time stated" });
    const words = await inspectToken(token({ sub: "a", iat: 1, exp: "tomorrow" }), sts, new Date());
    expect(words.ok && words.inspection).toMatchObject({ issuedAt: new Date(1000), expires: { invalid: "tomorrow" }, timeStatus: "invalid time stated" });
  });

  it("shows a JWT's iss, sub and aud as stated when they are not strings (they are not among its claims)", async () => {
    const b64url = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const token = (payload: object) => `${b64url({ alg: "ES256", kid: "x" })}.${b64url(payload)}.AAAA`;
    const odd = await inspectToken(token({ iss: [sts.issuer], sub: { name: "alice" }, aud: 42 }), sts, new Date());
    expect(odd.ok && odd.inspection).toMatchObject({ issuer: JSON.stringify([sts.issuer]), subject: '{"name":"alice"}', audiences: ["42"] });
    expect(odd.ok && odd.inspection.claims.map(([name]) => name)).toEqual([]);
  });

  it("calls not valid what the STS refuses as malformed: a non-canonical base64url spelling of a token of ours, a b64 header", async () => {
    const token = await jwt();
    const [h, p, s] = token.split(".");
    // An ES256 signature is 64 bytes: 86 characters, the last carrying 4 bits beyond the data.
    // Setting one of them changes no decoded byte, so jose verifies it; the STS refuses it.
    const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = B64URL.indexOf(s!.at(-1)!);
    const respelt = `${h}.${p}.${s!.slice(0, -1)}${B64URL[last | 1]}`;
    expect((await exchange({ subject_token: token, subject_token_type: TX.jwt, audience: RP })).status).toBe(200);
    const refused = await exchange({ subject_token: respelt, subject_token_type: TX.jwt, audience: RP });
    expect([refused.status, refused.json.error]).toEqual([400, "invalid_grant"]);
    const r = await inspectToken(respelt, sts, new Date());
    expect(r.ok && r.inspection.signature).toMatchObject({ valid: false, detail: expect.stringMatching(/canonical/) });
    const b64 = btoa(JSON.stringify({ ...JSON.parse(atob(h!.replace(/-/g, "+").replace(/_/g, "/"))), b64: true })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const withB64 = await inspectToken(`${b64}.${p}.${s}`, sts, new Date());
    expect(withB64.ok && withB64.inspection.signature).toMatchObject({ valid: false, detail: expect.stringMatching(/b64/) });
  });

  it("refuses alg none and keys the token brings along", async () => {
    const token = await jwt();
    const [, p] = token.split(".");
    const none = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
    const r = await inspectToken(`${none}.${p}.`, sts, new Date());
    expect(r.ok && r.inspection.signature.valid).toBe(false);
    const jwkHeader = btoa(JSON.stringify({ alg: "ES256", jwk: { kty: "EC" } })).replace(/=+$/, "");
    const k = await inspectToken(`${jwkHeader}.${p}.AAAA`, sts, new Date());
    expect(k.ok && k.inspection.signature.valid).toBe(false);
  });

  it("reads an Authorization header value as pasted from a tool: the Bearer or DPoP scheme, any case, is not the token", async () => {
    const token = await jwt();
    for (const pasted of [`Bearer ${token}`, `bearer ${token}`, `  BEARER \t${token}\n`, `DPoP ${token}`, `dpop  ${token}`, `\n${token} `]) {
      expect(pastedToken(pasted), JSON.stringify(pasted.slice(0, 12))).toBe(token);
      const r = await inspectToken(pasted, sts, new Date());
      expect(r.ok && r.inspection, JSON.stringify(pasted.slice(0, 12))).toMatchObject({ format: "JWT", subject: "alice", signature: { valid: true } });
    }
    // Only a scheme followed by white space is one; the token's own text is never cut.
    for (const kept of ["Bearer", "Bearerx.y.z", "<Bearer/>", "PHNhbWw6QXNzZXJ0aW9u"]) expect(pastedToken(kept)).toBe(kept);
    const { assertion } = await samlToken(TT.saml2, NS.saml2);
    expect((await inspectToken(`Bearer ${assertion}`, sts, new Date())).ok).toBe(true);
  });

  it("reads a JWT or base64 wrapped over lines, as a terminal or an e-mail hands it over", async () => {
    const token = await jwt();
    const wrapped = token.replace(/(.{64})/g, "$1\r\n");
    expect(wrapped).toContain("\n");
    const r = await inspectToken(`Bearer ${wrapped}`, sts, new Date());
    expect(r.ok && r.inspection).toMatchObject({ format: "JWT", subject: "alice", signature: { valid: true } });
    const { assertion } = await samlToken(TT.saml2, NS.saml2);
    const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(assertion))).replace(/(.{76})/g, "$1\n");
    expect((await inspectToken(b64, sts, new Date())).ok).toBe(true);
  });

  it("explains what it cannot read, without throwing", async () => {
    const cases: [string, RegExp][] = [
      ["", /Paste/],
      ["not a token at all!", /neither XML/],
      // Base64 that decodes to bytes which are not UTF-8 ("hello world" without its space reads so).
      ["helloworld", /neither XML/],
      [`eyJhbGciOiJFUzI1NiJ9.${btoa("not json").replace(/=+$/, "")}.c2ln`, /payload is not UTF-8 JSON/],
      [`<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>`, /DOCTYPE|not allowed|refused/i],
      ["<x><y></x>", /./],
      [`<saml:EncryptedAssertion xmlns:saml="${NS.saml2}"/>`, /encrypted/],
      ["a.b.c.d.e", /encrypted JWT/],
      ["x".repeat(MAX_TOKEN_CHARS + 1), /longer than/],
    ];
    for (const [input, message] of cases) {
      const r = await inspectToken(input, sts, new Date());
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toMatch(message);
    }
  });
});
