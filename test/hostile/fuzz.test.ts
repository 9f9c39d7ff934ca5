/**
 * Seeded mutation fuzzing (deterministic: mulberry32, no Math.random) of the WS-Trust endpoints
 * (usernamemixed — also with a UsernameToken presented for validation —, certificatemixed with
 * X.509-signed requests, issuedtokenmixed with a partner's assertion, in the clear and encrypted
 * for this STS), a federation partner's answer to browser sign-in, the OAuth token endpoint, and
 * the administration API's JSON bodies. Oracle: every reply is a protocol reply (a SOAP envelope,
 * or OAuth / administration JSON), never a bare 500 / HTML / server_error; a token only comes
 * back when the credentials and the presented token survived the mutation unchanged; and an
 * administration body that names a member twice is carried out by nobody.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { assertionInput } from "../helpers/assertion-input.ts";
import { NS, TT, envelope, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, call, issuedTokenRequest } from "../helpers/worker.ts";
import { signedEnvelope } from "../helpers/wss-sign.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import PARTNER_CERT from "../fixtures/dev-credentials/partner-idp.cert.pem?raw";
import PARTNER_KEY from "../fixtures/dev-credentials/partner-idp.key.pem?raw";
import { KeyRing } from "../../src/keys/keyring.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { TX, jwtFromTrust } from "../oauth/helpers.ts";
import { DEV_DECRYPTION_KEY } from "../../src/config/dev-keys.ts";
import { loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import { encryptElement } from "../../src/xmlenc/encrypt.ts";
import { DEMO, STS_ADMIN, USER_ADMIN } from "../helpers/credentials.ts";

/** mulberry32: a tiny seeded PRNG, so every failure reproduces from its seed and index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = 0x5eed_2026;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

const LEAF = /<([A-Za-z]+:[A-Za-z]+)(\s[^>]*)?>[^<]*<\/\1>/g;
const NAMESPACES = Object.values(NS);

/** One mutation of an XML request body; returns the mutated text and what was done. */
function mutateXml(r: Rand, s: string): [string, string] {
  const leaves = [...s.matchAll(LEAF)];
  const leaf = leaves.length ? pick(r, leaves) : undefined;
  switch (int(r, 8)) {
    case 0: {
      const i = int(r, s.length);
      return [s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << int(r, 7))) + s.slice(i + 1), `flip@${i}`];
    }
    case 1: {
      const i = int(r, s.length);
      return [s.slice(0, i), `truncate@${i}`];
    }
    case 2:
      return leaf ? [s.replace(leaf[0], leaf[0] + leaf[0]), `duplicate ${leaf[1]}`] : [s, "noop"];
    case 3:
      return leaf ? [s.replace(leaf[0], ""), `remove ${leaf[1]}`] : [s, "noop"];
    case 4: {
      const attrs = [...s.matchAll(/\s([A-Za-z:]+)="[^"]*"/g)];
      const a = pick(r, attrs);
      const mangled = pick(r, [` ${a[1]}=""`, ` ${a[1]}="${"\u0000".slice(1)}&amp;&lt;"`, ` x${a[1]}="1"`, ` ${a[1]}="${"9".repeat(300)}"`, ""]);
      return [s.replace(a[0], mangled), `attr ${a[1]}`];
    }
    case 5: {
      const from = pick(r, NAMESPACES.filter((n) => s.includes(n)));
      return [s.split(from).join(pick(r, NAMESPACES)), `ns ${from}`];
    }
    case 6:
      return leaf ? [s.replace(leaf[0], leaf[0].replace("</", `${"Z".repeat(200_000)}</`)), `huge ${leaf[1]}`] : [s, "noop"];
    default: {
      // Two mutations at once.
      const [a, da] = mutateXml(r, s);
      const [b, db] = mutateXml(r, a);
      return [b, `${da} + ${db}`];
    }
  }
}

/** The username and password a request carries, as a strict parser would read them (or none). */
function credentials(xml: string): string | undefined {
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, "text/xml");
  const u = doc.getElementsByTagNameNS(NS.wsse, "Username");
  const p = doc.getElementsByTagNameNS(NS.wsse, "Password");
  if (u.length !== 1 || p.length !== 1) return undefined;
  return `${u.item(0)!.textContent}\n${p.item(0)!.textContent}`;
}

/**
 * `n` mutations of `bases`, each aimed at one part of the request: mutated afresh (up to 4 more
 * times) while the text after `marker` is unchanged. Every reply is a SOAP envelope, never the
 * STS's internal error (SOAP answers MustUnderstand faults with 500, SOAP 1.2 §7.5.1); a fault
 * carries nothing matching `noToken`; a 200 comes only for the base's own credentials and is
 * handed to `onToken`. Returns the statuses counted.
 */
async function aimedTrustFuzz(
  seed: number,
  n: number,
  bases: { body: string; headers: Record<string, string> }[],
  marker: string,
  noToken: RegExp,
  onToken: (text: string, label: string, body: string, base: string) => void,
): Promise<Record<string, number>> {
  const r = prng(seed);
  const tally: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const base = pick(r, bases);
    let [body, what] = mutateXml(r, base.body);
    for (let k = 0; k < 4 && body.split(marker)[1] === base.body.split(marker)[1]; k++) [body, what] = mutateXml(r, base.body);
    const res = await call(`/trust/${body.includes(NS.t05) ? "2005" : "13"}/usernamemixed`, { method: "POST", headers: base.headers, body });
    const text = await res.text();
    const label = `#${i} ${what} → ${res.status}: ${text.slice(0, 600)}`;
    tally[res.status] = (tally[res.status] ?? 0) + 1;
    expect([200, 400, 429, 500], label).toContain(res.status);
    expect(text, label).toMatch(/^<s:Envelope /);
    expect(text, label).not.toContain("could not process the request");
    if (res.status !== 200) {
      expect(text, label).toContain("<s:Fault");
      expect(text, label).not.toMatch(noToken);
      continue;
    }
    expect(credentials(body), label).toBe(credentials(base.body));
    onToken(text, label, body, base.body);
  }
  return tally;
}

describe("WS-Trust endpoint fuzz (300 mutated RSTs)", () => {
  it("every reply is a SOAP envelope (fault or normal), never a token for changed credentials", async () => {
    const r = prng(SEED);
    const bases = [
      envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" }),
      envelope({ user: "bob", password: "builder", appliesTo: "https://api.example.com/", soap: "1.1", trust: "2005" }),
      envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: TT.saml1 }),
    ];
    const tally: Record<string, number> = {};
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const base = pick(r, bases);
      const [body, what] = mutateXml(r, base.body);
      const res = await call(`/trust/${body.includes(NS.t05) ? "2005" : "13"}/usernamemixed`, { method: "POST", headers: base.headers, body });
      const text = await res.text();
      const label = `#${i} ${what} → ${res.status}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect([200, 400, 429, 500], label).toContain(res.status);
      expect(res.headers.get("content-type"), label).toMatch(/^(application\/soap\+xml|text\/xml)/);
      expect(text, label).toMatch(/^<s:Envelope /);
      expect(text, label).not.toContain("server_error");
      if (res.status !== 200) {
        expect(text, label).toContain("<s:Fault");
        expect(text, label).not.toMatch(/Assertion|BinarySecurityToken/);
        continue;
      }
      // A token: the credentials must be exactly those of the base request.
      expect(credentials(body), label).toBe(credentials(base.body));
      const sub = /<saml:NameID[^>]*>([^<]+)</.exec(text)?.[1] ?? /<saml:NameIdentifier[^>]*>([^<]+)</.exec(text)?.[1];
      if (sub !== undefined) expect(sub, label).toBe(credentials(base.body)!.split("\n")[0]);
    }
    console.log(`[fuzz] WS-Trust 300 mutations in ${Date.now() - started} ms, statuses ${JSON.stringify(tally)}`);
    expect(tally[200] ?? 0).toBeGreaterThan(0); // some mutations are harmless: the oracle was exercised
    expect((tally[400] ?? 0) + (tally[500] ?? 0)).toBeGreaterThan(100);
  });
});

describe("WS-Trust proof-key fuzz (200 mutated Entropy / KeySize / ComputedKeyAlgorithm / UseKey RSTs)", () => {
  const DS = "http://www.w3.org/2000/09/xmldsig#";
  let bases: { body: string; headers: Record<string, string> }[] = [];
  beforeAll(async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
    const rsa = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", rsa.publicKey)) as JsonWebKey;
    const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
    const fromUrl = (s: string) => s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
    const secure = { user: "alice", password: "wonderland", appliesTo: "urn:example:secure-rp" };
    bases = [
      envelope({ ...secure, keyType: `${NS.t13}/SymmetricKey`, extra: `<wst:Entropy><wst:BinarySecret Type="${NS.t13}/Nonce">${b64(new Uint8Array(32).fill(7))}</wst:BinarySecret></wst:Entropy><wst:KeySize>256</wst:KeySize><wst:ComputedKeyAlgorithm>${NS.t13}/CK/PSHA1</wst:ComputedKeyAlgorithm>` }),
      envelope({ ...secure, soap: "1.1", trust: "2005", tokenType: TT.saml1, keyType: `${NS.t05}/SymmetricKey`, extra: `<wst:KeySize>128</wst:KeySize>` }),
      envelope({ ...secure, keyType: `${NS.t13}/PublicKey`, extra: `<wst:UseKey><ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="http://www.w3.org/2009/xmldsig11#"><dsig11:NamedCurve URI="urn:oid:1.2.840.10045.3.1.7"/><dsig11:PublicKey>${b64(raw)}</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue></ds:KeyInfo></wst:UseKey>` }),
      envelope({ ...secure, tokenType: TT.jwt, keyType: `${NS.t13}/PublicKey`, extra: `<wst:UseKey><ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>${fromUrl(jwk.n!)}</ds:Modulus><ds:Exponent>${fromUrl(jwk.e!)}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo></wst:UseKey>` }),
    ];
  });

  it("every reply is a SOAP envelope, never an internal error; a symmetric-key token always comes with its proof token", async () => {
    // Aimed at the proof-key elements: the change falls inside the RST's key part.
    const tally = await aimedTrustFuzz(SEED ^ 0x16, 200, bases, "</wst:KeyType>", /<\w+:(EncryptedAssertion|EncryptedData|BinarySecurityToken)\b/, (text, label) => {
      if (/<wst:KeyType>[^<]*SymmetricKey<\/wst:KeyType>/.test(text)) expect(text, label).toContain("RequestedProofToken");
    });
    console.log(`[fuzz] proof-key 200 mutations, statuses ${JSON.stringify(tally)}`);
    expect(tally[200] ?? 0).toBeGreaterThan(0);
    expect(tally[400] ?? 0).toBeGreaterThan(50);
  });
});

describe("WS-Trust requested-claims fuzz (150 mutated wst:Claims RSTs)", () => {
  const IC = "http://schemas.xmlsoap.org/ws/2005/05/identity";
  const AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";
  const ID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
  const ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
  /** What urn:example:rp's policy and rules give alice: no reply may carry more. */
  const GIVEN: Record<string, string[]> = {
    [`${ID}/emailaddress`]: ["alice@example.com"], [`${ID}/givenname`]: ["Alice"], [ROLE]: ["admin", "user"], [`${ID}/upn`]: ["alice@example.com"],
  };
  const alice = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
  const bases = [
    envelope({ ...alice, extra: `<wst:Claims Dialect="${IC}" xmlns:ic="${IC}"><ic:ClaimType Uri="${ID}/upn"/><ic:ClaimType Uri="${ID}/givenname" Optional="true"/></wst:Claims>` }),
    envelope({ ...alice, soap: "1.1", trust: "2005", extra: `<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="${ROLE}" Optional="false"><auth:Value>admin</auth:Value></auth:ClaimType><auth:ClaimType Uri="${ID}/emailaddress" Optional="true"/></wst:Claims>` }),
  ];

  it("every reply is a SOAP envelope, never an internal error; a token never carries more than the policy gives", async () => {
    // Aimed at the claims request: the change falls inside wst:Claims.
    const tally = await aimedTrustFuzz(SEED ^ 0x18, 150, bases, "<wst:Claims", /saml:Assertion/, (text, label) => {
      const doc = new DOMParser().parseFromString(text, "text/xml");
      for (const a of Array.from(doc.getElementsByTagNameNS(NS.saml2, "Attribute"))) {
        const given = GIVEN[a.getAttribute("Name")!];
        expect(given, label).toBeDefined();
        for (const v of Array.from(a.getElementsByTagNameNS(NS.saml2, "AttributeValue"))) expect(given, label).toContain(v.textContent);
      }
    });
    console.log(`[fuzz] requested claims 150 mutations, statuses ${JSON.stringify(tally)}`);
    expect(tally[200] ?? 0).toBeGreaterThan(0);
    expect((tally[400] ?? 0) + (tally[500] ?? 0)).toBeGreaterThan(30);
  });
});

describe("WS-Trust presented-credentials fuzz (150 mutated UsernameTokens in ValidateTarget)", () => {
  const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Validate" as const };
  const target = (username: string, password: string, more = "") =>
    `<wst:ValidateTarget><wsse:UsernameToken wsu:Id="presented"><wsse:Username>${username}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password>${more}</wsse:UsernameToken></wst:ValidateTarget>`;
  const bases = [
    envelope({ ...validator, extra: target("alice", "wonderland") }),
    envelope({ ...validator, soap: "1.1", trust: "2005", extra: target("bob", "builder") }),
    envelope({ ...validator, tokenType: `${NS.t13}/RSTR/Status`, extra: target("dave", "directory-pass-1", `<wsu:Created>${new Date().toISOString()}</wsu:Created>`) }),
  ];
  /** The presented name and password as a strict reader sees them: exactly one of each, text only. */
  function presented(xml: string): string | undefined {
    const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, "text/xml");
    const t = doc.getElementsByTagNameNS(NS.t13, "ValidateTarget").item(0) ?? doc.getElementsByTagNameNS(NS.t05, "ValidateTarget").item(0);
    if (!t) return undefined;
    const leaf = (local: string) => {
      const all = t.getElementsByTagNameNS(NS.wsse, local);
      const el = all.length === 1 ? all.item(0)! : undefined;
      return el && Array.from(el.childNodes).every((c) => c.nodeType === 3 || c.nodeType === 4) ? el.textContent : undefined;
    };
    const u = leaf("Username");
    const p = leaf("Password");
    return u == null || p == null ? undefined : `${u.trim()}\n${p}`;
  }

  it("every reply is a SOAP envelope; status valid only for the presented credentials unchanged", async () => {
    // Aimed at the presented UsernameToken: the change falls inside ValidateTarget.
    let valid = 0;
    const tally = await aimedTrustFuzz(SEED ^ 0x1b, 150, bases, "<wst:ValidateTarget>", /status\/valid|saml:Assertion/, (text, label, body, base) => {
      if (!/status\/valid</.test(text)) return;
      valid++;
      expect(presented(body), label).toBe(presented(base));
    });
    console.log(`[fuzz] presented credentials 150 mutations, statuses ${JSON.stringify(tally)}, valid ${valid}`);
    expect(valid).toBeGreaterThan(0); // some mutations are harmless: the oracle was exercised
    expect((tally[400] ?? 0) + (tally[500] ?? 0)).toBeGreaterThan(30);
  });
});

/** The parts of a signed request its signature covers, as text: Body, Timestamp, wsa:To, wsa:Action. */
function signedParts(xml: string): string[] {
  const one = (re: RegExp) => {
    const all = xml.match(re) ?? [];
    return all.length === 1 ? all[0]! : `(${all.length} matches)`;
  };
  return [one(/<s:Body[\s\S]*?<\/s:Body>/g), one(/<u:Timestamp[\s\S]*?<\/u:Timestamp>/g), one(/<a:To[\s>][\s\S]*?<\/a:To>/g), one(/<a:Action[\s>][\s\S]*?<\/a:Action>/g)];
}

describe("WS-Trust certificatemixed fuzz (120 mutated signed RSTs)", () => {
  it("every reply is a SOAP envelope; a token only when every signed part survived unchanged", async () => {
    const r = prng(SEED ^ 0x0c3e7);
    const tally: Record<string, number> = {};
    const started = Date.now();
    const fresh = async (i: number) => {
      const soap = pick(r, ["1.1", "1.2"] as const);
      const t = pick(r, ["13", "2005"] as const);
      const ns = t === "13" ? NS.t13 : NS.t05;
      const path = `/trust/${t}/certificatemixed`;
      const action = `${ns}/RST/Issue`;
      const payload = `<t:RequestSecurityToken xmlns:t="${ns}"><t:TokenType>${TT.saml2}</t:TokenType><t:RequestType>${ns}/Issue</t:RequestType><wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>urn:example:rp</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken>`;
      // Each base is signed afresh (its own instant, so its own signature): an accepted signature
      // is remembered, and a harmless mutation of an already accepted message is a replay.
      const created = new Date(Date.now() - i * 1000);
      const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, soap, payload, action, to: ORIGIN + path, created });
      return { path, headers: soapHeaders(soap, action), body };
    };
    const control = await fresh(0);
    const ok = await call(control.path, { method: "POST", headers: { ...control.headers, "CF-Connecting-IP": "2001:db8:f0::1" }, body: control.body });
    expect(ok.status, await ok.clone().text()).toBe(200);
    await ok.text();
    for (let i = 0; i < 120; i++) {
      const base = await fresh(i + 1);
      const [body, what] = mutateXml(r, base.body);
      // One address per request: the failure limits would otherwise turn the rest into 429s.
      const res = await call(base.path, { method: "POST", headers: { ...base.headers, "CF-Connecting-IP": `2001:db8:f1:${(i + 1).toString(16)}::1` }, body });
      const text = await res.text();
      const label = `#${i} ${what} → ${res.status}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect([200, 400, 500], label).toContain(res.status);
      expect(res.headers.get("content-type"), label).toMatch(/^(application\/soap\+xml|text\/xml)/);
      expect(text, label).toMatch(/^<s:Envelope /);
      expect(text, label).not.toContain("server_error");
      if (res.status !== 200) {
        expect(text, label).toContain("<s:Fault");
        expect(text, label).not.toMatch(/<([\w.-]+:)?(Assertion|RequestedSecurityToken)\b/);
        continue;
      }
      expect(signedParts(body), label).toEqual(signedParts(base.body));
      expect(/<saml:NameID[^>]*>([^<]+)</.exec(text)?.[1], label).toBe("alice");
    }
    console.log(`[fuzz] certificatemixed 120 mutations in ${Date.now() - started} ms, statuses ${JSON.stringify(tally)}`);
    expect((tally[400] ?? 0) + (tally[500] ?? 0)).toBeGreaterThan(60);
  });
});

/** The development partner's signed bearer assertion for this STS, valid for an hour. */
async function partnerFuzzAssertion(id: string, now: Date): Promise<string> {
  const keys = await KeyRing.load([{ status: "current", privateKeyPem: PARTNER_KEY, certificatePem: PARTNER_CERT }]);
  return buildSaml2Assertion(
    assertionInput({ at: now, id, issuer: "urn:example:partner-idp", subject: "carol", audience: ORIGIN, claims: { email: ["carol@partner.example"] } }),
    keys,
  );
}

/**
 * The issued-token fuzz's oracle for one reply: a SOAP envelope, never the internal error; a
 * fault carries no token; a token names the partner's subject. True when a token came back.
 */
function issuedTokenReply(status: number, text: string, label: string, tally: Record<string, number>): boolean {
  tally[status] = (tally[status] ?? 0) + 1;
  expect([200, 400, 500], label).toContain(status);
  expect(text, label).toMatch(/^<s:Envelope /);
  expect(text, label).not.toContain("could not process the request");
  if (status === 200) {
    expect(/<saml:NameID[^>]*>([^<]+)</.exec(text)?.[1], label).toBe("urn:example:partner-idp#carol");
    return true;
  }
  expect(text, label).toContain("<s:Fault");
  expect(text, label).not.toMatch(/<([\w.-]+:)?(Assertion|RequestedSecurityToken)\b/);
  return false;
}

describe("WS-Trust issuedtokenmixed fuzz (120 mutated requests carrying a partner assertion)", () => {
  it("every reply is a SOAP envelope; a token only when the partner's assertion survived unchanged", async () => {
    const r = prng(SEED ^ 0x1557);
    const now = new Date();
    const assertion = await partnerFuzzAssertion("_fuzzpartner0001", now);
    const base = issuedTokenRequest(assertion, { now, validForMs: 600_000 });
    const { path } = base;
    const control = await call(path, { method: "POST", headers: base.headers, body: base.body });
    expect(control.status, await control.clone().text()).toBe(200);
    await control.text();
    const tally: Record<string, number> = {};
    for (let i = 0; i < 120; i++) {
      const [body, what] = mutateXml(r, base.body);
      const res = await call(path, { method: "POST", headers: { ...base.headers, "CF-Connecting-IP": `2001:db8:f2:${(i + 1).toString(16)}::1` }, body });
      const text = await res.text();
      const label = `#${i} ${what} → ${res.status}`;
      if (!issuedTokenReply(res.status, text, label, tally)) continue;
      // A token: the signed assertion must be exactly the partner's.
      expect(body.includes(assertion), label).toBe(true);
    }
    console.log(`[fuzz] issuedtokenmixed 120 mutations, statuses ${JSON.stringify(tally)}`);
    expect((tally[400] ?? 0) + (tally[500] ?? 0)).toBeGreaterThan(60);
  });
});

describe("WS-Trust issuedtokenmixed fuzz (100 mutated requests carrying a partner assertion encrypted for this STS)", () => {
  it("every reply is a SOAP envelope; a token only when the encrypted assertion survived unchanged", async () => {
    const r = prng(SEED ^ 0xe2c);
    const now = new Date();
    const assertion = await partnerFuzzAssertion("_fuzzencrypted0001", now);
    const sealed = await encryptElement(assertion, await loadEncryptionCertificate(DEV_DECRYPTION_KEY.certificatePem));
    const token = `<saml:EncryptedAssertion xmlns:saml="${NS.saml2}">${sealed}</saml:EncryptedAssertion>`;
    const bound = [...sealed.matchAll(/<xenc:CipherValue>[^<]*<\/xenc:CipherValue>|<xenc:EncryptionMethod Algorithm="[^"]*"/g)].map((m) => m[0]);
    const { path, headers, body } = issuedTokenRequest(token, { now, validForMs: 600_000 });
    const control = await call(path, { method: "POST", headers, body });
    expect(control.status, await control.clone().text()).toBe(200);
    await control.text();
    const tally: Record<string, number> = {};
    const [head, tail] = [body.indexOf("<saml:EncryptedAssertion"), body.indexOf("</saml:EncryptedAssertion>")];
    for (let i = 0; i < 100; i++) {
      // Aimed at the encrypted token: a mutation that missed it is tried again, up to four times.
      let [mutated, what] = mutateXml(r, body);
      for (let k = 0; k < 4 && mutated.slice(head, tail + 30) === body.slice(head, tail + 30); k++) [mutated, what] = mutateXml(r, body);
      const res = await call(path, { method: "POST", headers: { ...headers, "CF-Connecting-IP": `2001:db8:e2:${(i + 1).toString(16)}::1` }, body: mutated });
      const text = await res.text();
      const label = `#${i} ${what} → ${res.status}: ${text.slice(0, 400)}`;
      if (!issuedTokenReply(res.status, text, label, tally)) continue;
      // A token: what decryption depends on went through as the partner sealed it (its cipher
      // values and algorithms; the EncryptedKey's KeyInfo is a hint, bound to nothing).
      for (const part of bound) expect(mutated.includes(part), `${label} — ${part.slice(0, 60)}`).toBe(true);
    }
    console.log(`[fuzz] encrypted issuedtokenmixed 100 mutations, statuses ${JSON.stringify(tally)}`);
    expect((tally[400] ?? 0) + (tally[500] ?? 0)).toBeGreaterThan(50);
  });
});

describe("browser sign-in at a partner: fuzz of the partner's answer (100 mutated wresults)", () => {
  const T2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust";
  /** A trip to the partner from a new browser: its binding cookie and the wctx the partner returns. */
  async function trip(): Promise<{ cookie: string; wctx: string }> {
    const res = await call(`/wsfed?${new URLSearchParams({ wa: "wsignin1.0", wtrealm: "urn:example:rp", whr: "urn:example:partner-idp" })}`, { redirect: "manual" });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-sts_partner="))!.split(";")[0]!;
    return { cookie, wctx: new URL(res.headers.get("location")!).searchParams.get("wctx")! };
  }

  it("every reply is a page (the token posted, or a 4xx refusal), never a 500; a token only for the partner's assertion unchanged", async () => {
    const r = prng(SEED ^ 0x3f3d);
    const tally: Record<string, number> = {};
    let posted = 0;
    // Control: the unmutated answer signs the user in.
    const control = await trip();
    const good = await partnerFuzzAssertion("_fuzzwsfedcontrol", new Date());
    const ok = await call("/wsfed", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: control.cookie },
      body: new URLSearchParams({ wa: "wsignin1.0", wresult: `<t:RequestSecurityTokenResponse xmlns:t="${T2005}"><t:RequestedSecurityToken>${good}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>`, wctx: control.wctx }).toString(),
    });
    expect(ok.status, (await ok.clone().text()).slice(0, 300)).toBe(200);
    expect(await ok.text()).toContain("wresult");
    for (let i = 0; i < 100; i++) {
      const assertion = await partnerFuzzAssertion(`_fuzzwsfed${i.toString().padStart(4, "0")}`, new Date());
      const wresult = `<t:RequestSecurityTokenResponse xmlns:t="${T2005}"><t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>`;
      // Aimed at the assertion: a mutation that missed it is tried again, up to four times.
      let [mutated, what] = mutateXml(r, wresult);
      for (let k = 0; k < 4 && mutated.includes(assertion); k++) [mutated, what] = mutateXml(r, wresult);
      const { cookie, wctx } = await trip();
      const res = await call("/wsfed", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, "CF-Connecting-IP": `2001:db8:f3:${(i + 1).toString(16)}::1` },
        body: new URLSearchParams({ wa: "wsignin1.0", wresult: mutated, wctx }).toString(),
      });
      const text = await res.text();
      const label = `#${i} ${what} → ${res.status}: ${text.slice(0, 300)}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect([200, 400, 403], label).toContain(res.status);
      expect(res.headers.get("content-type"), label).toMatch(/^text\/html/);
      if (res.status !== 200) {
        expect(text, label).not.toContain("wresult");
        continue;
      }
      posted++;
      expect(text, label).toContain('action="http://127.0.0.1:9780/wsfed"');
      expect(mutated.includes(assertion), label).toBe(true);
    }
    console.log(`[fuzz] partner sign-in 100 mutations, statuses ${JSON.stringify(tally)}, tokens posted ${posted}`);
    expect((tally[400] ?? 0) + (tally[403] ?? 0)).toBeGreaterThan(50);
  });
});

describe("OAuth token endpoint fuzz (100 mutated forms)", () => {
  let subjectToken = "";
  beforeAll(async () => {
    subjectToken = await jwtFromTrust("bob", "builder");
  });

  const OAUTH_ERRORS = ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_target", "invalid_scope", "temporarily_unavailable"];

  function mutateForm(r: Rand, pairs: [string, string][]): [[string, string][], string, boolean] {
    const p = pairs.map((x) => [...x] as [string, string]);
    const i = int(r, p.length);
    switch (int(r, 7)) {
      case 0:
        p.splice(i, 1);
        return [p, `drop ${pairs[i]![0]}`, false];
      case 1:
        p.push([p[i]![0], p[i]![1] + (r() < 0.5 ? "" : "x")]);
        return [p, `duplicate ${p[i]![0]}`, true];
      case 2: {
        const v = p[i]![1];
        const j = int(r, Math.max(1, v.length));
        p[i]![1] = v.slice(0, j) + String.fromCharCode((v.charCodeAt(j) || 65) ^ (1 << int(r, 7))) + v.slice(j + 1);
        return [p, `flip ${p[i]![0]}`, true];
      }
      case 3:
        p[i]![1] = "A".repeat(100_000 + int(r, 2_000_000));
        return [p, `huge ${p[i]![0]}`, true];
      case 4:
        p[i]![0] = p[i]![0].toUpperCase();
        return [p, `rename ${pairs[i]![0]}`, false];
      case 5:
        p[i]![1] = pick(r, ["", " ", "%", "\u0000", "null", "[]", "{}", "../../", "<x/>", TX.saml2, TX.at]);
        return [p, `odd ${p[i]![0]}`, true];
      default:
        return [p, "raw garbage", false];
    }
  }

  it("every reply is OAuth JSON (error or success), never a 500; no token for changed credentials", async () => {
    const r = prng(SEED + 1);
    const base: [string, string][] = [
      ["grant_type", TX.grant],
      ["subject_token", subjectToken],
      ["subject_token_type", TX.jwt],
      ["audience", "https://api.example.com/"],
      ["requested_token_type", TX.jwt],
      ["client_id", "demo-client"],
      ["client_secret", "demo-secret"],
    ];
    const tally: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const [pairs, what] = mutateForm(r, base);
      let body = new URLSearchParams(pairs).toString();
      if (what === "raw garbage") body = pick(r, ["%%%", "a=%ZZ&b", "\u00ff\u00fe", "=".repeat(1000), "grant_type"]);
      const res = await call("/oauth2/token", {
        method: "POST",
        headers: { "content-type": pick(r, ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded", "text/plain", "application/json"]) },
        body,
      });
      const text = await res.text();
      const label = `#${i} ${what} → ${res.status} ${text.slice(0, 120)}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect(res.status, label).not.toBe(500);
      expect(res.headers.get("content-type"), label).toMatch(/^application\/json/);
      const json = JSON.parse(text) as Record<string, unknown>;
      if (res.status === 200) {
        expect(typeof json.access_token, label).toBe("string");
        // Success only when the credentials and the subject token are exactly the base ones.
        const got = new URLSearchParams(body);
        for (const k of ["client_id", "client_secret", "subject_token"]) {
          expect(got.getAll(k), `${label} ${k}`).toEqual([base.find(([n]) => n === k)![1]]);
        }
        // Our JWT is also an access token (RFC 8693 §3 lets either type name it).
        expect([[TX.jwt], [TX.at]], label).toContainEqual(got.getAll("subject_token_type"));
      } else {
        expect(OAUTH_ERRORS, label).toContain(json.error);
        expect(json.access_token, label).toBeUndefined();
      }
    }
    console.log(`[fuzz] token endpoint 100 mutations, statuses ${JSON.stringify(tally)}`);
    expect(Object.keys(tally).length).toBeGreaterThan(1);
  });

  it("the unmutated base form succeeds (control)", async () => {
    const res = await call("/oauth2/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: DEMO },
      body: new URLSearchParams({ grant_type: TX.grant, subject_token: subjectToken, subject_token_type: TX.jwt, audience: "https://api.example.com/" }).toString(),
    });
    expect(res.status).toBe(200);
  });
});

describe("DPoP proof fuzz (100 mutated proofs)", () => {
  it("every mutated proof is refused with invalid_dpop_proof, or (bytes unchanged in meaning) binds to the proof key", async () => {
    const { exchangeWithDpop, proof, proofKey } = await import("../oauth/dpop-helpers.ts");
    const subject = await jwtFromTrust("bob", "builder");
    const k = await proofKey();
    const r = prng(SEED + 2);
    const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const tally: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const good = await proof(k);
      const parts = good.split(".");
      let bad: string;
      let what: string;
      switch (int(r, 6)) {
        case 0: {
          const p = int(r, 3);
          const s = parts[p]!;
          const j = int(r, s.length);
          parts[p] = s.slice(0, j) + pick(r, [...B64]) + s.slice(j + 1);
          bad = parts.join(".");
          what = `char ${p}@${j}`;
          break;
        }
        case 1:
          bad = good.slice(0, int(r, good.length));
          what = "truncate";
          break;
        case 2:
          bad = [parts[int(r, 3)], parts[int(r, 3)], parts[int(r, 3)]].join(".");
          what = "shuffle parts";
          break;
        case 3:
          bad = good + pick(r, [".", "=", " x", "\t", "..", "%00"]);
          what = "suffix";
          break;
        case 4:
          bad = pick(r, ["", " ", "null", "{}", "a.b.c", "e30.e30.e30", "Bearer " + good]);
          what = "odd";
          break;
        default:
          bad = parts[0] + "." + parts[1] + "." + parts[2]!.split("").reverse().join("");
          what = "reversed signature";
      }
      const res = await exchangeWithDpop({ subject_token: subject }, bad);
      const label = `#${i} ${what} → ${res.status} ${JSON.stringify(res.json).slice(0, 160)}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect(res.status, label).not.toBe(500);
      if (res.status === 200) {
        // Only a mutation that left the proof's meaning intact (a base64url tail bit, say)
        // may pass, and then the token is bound to this very key.
        expect(res.json.token_type, label).toBe("DPoP");
        const payload = JSON.parse(atob((res.json.access_token as string).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
        expect(payload.cnf, label).toEqual({ jkt: k.jkt });
      } else {
        expect([res.status, res.json.error], label).toEqual([400, "invalid_dpop_proof"]);
        expect(res.json.access_token, label).toBeUndefined();
      }
    }
    console.log(`[fuzz] DPoP 100 mutated proofs, statuses ${JSON.stringify(tally)}`);
    expect(tally["400"]).toBeGreaterThan(80);
  });
});

describe("administration body fuzz (150 mutated JSON bodies)", () => {
  /** A JSON object's members as text, in order, so a mutation can repeat one (JSON.stringify cannot). */
  const render = (members: [string, string][]) => `{${members.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")}}`;
  const ODD = ["null", "0", "-1", "1e308", "true", "[]", "{}", '""', '"__proto__"', '"<zz9>"', '["a", {"b": []}]', JSON.stringify("x".repeat(3000))];

  /** One mutation of a body's members; `twice` when the result names a member twice. */
  function mutateMembers(r: Rand, base: [string, string][]): { text: string; what: string; twice: boolean } {
    const m = base.map((x) => [...x] as [string, string]);
    const i = int(r, m.length);
    switch (int(r, 6)) {
      case 0: {
        // The same member again, with its own value or another: JSON parsers disagree on which counts.
        const again: [string, string] = [m[i]![0], r() < 0.5 ? m[i]![1] : pick(r, ODD)];
        m.splice(int(r, m.length + 1), 0, again);
        return { text: render(m), what: `repeat ${again[0]}`, twice: true };
      }
      case 1:
        m.splice(i, 1);
        return { text: render(m), what: `drop ${base[i]![0]}`, twice: false };
      case 2:
        m[i]![1] = pick(r, ODD);
        return { text: render(m), what: `${m[i]![0]} = ${m[i]![1].slice(0, 20)}`, twice: false };
      case 3:
        m.push([pick(r, ["x", "constructor", "__proto__", "Username", "username ", "users"]), pick(r, ODD)]);
        return { text: render(m), what: `add ${m[m.length - 1]![0]}`, twice: false };
      case 4: {
        const t = render(m);
        return { text: t.slice(0, int(r, t.length)), what: "truncate", twice: false };
      }
      default:
        return { text: `[${render(m)}]`, what: "in an array", twice: false };
    }
  }

  it("every reply is JSON, never a 500; a body naming a member twice is refused and changes nothing", async () => {
    const r = prng(SEED ^ 0xad);
    const tally: Record<string, number> = {};
    for (let i = 0; i < 150; i++) {
      const name = `fz${(SEED ^ 0xad).toString(36)}${i}`;
      const target = pick(r, ["create", "patch", "revoke"] as const);
      const base: [string, string][] =
        target === "create" ? [["username", JSON.stringify(name)], ["password", '"long-enough-1"'], ["claims", '{"role": ["user"]}'], ["enabled", "true"]]
        : target === "patch" ? [["enabled", "false"], ["claims", '{"role": ["admin"]}']]
        : [["subject", JSON.stringify(name)]];
      if (target === "patch") {
        const made = await call("/admin/users", { method: "POST", headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ username: name, password: "long-enough-1" }) });
        expect(made.status).toBe(201);
      }
      const { text, what, twice } = mutateMembers(r, base);
      const [path, method, authorization] =
        target === "create" ? ["/admin/users", "POST", USER_ADMIN] : target === "patch" ? [`/admin/users/${name}`, "PATCH", USER_ADMIN] : ["/admin/revoke-subject", "POST", STS_ADMIN];
      const res = await call(path, { method, headers: { authorization, "content-type": "application/json", "CF-Connecting-IP": `2001:db8:ad1:${i.toString(16)}::1` }, body: text });
      const reply = await res.text();
      const label = `#${i} ${target} ${what}: ${text.slice(0, 120)} → ${res.status} ${reply.slice(0, 200)}`;
      tally[res.status] = (tally[res.status] ?? 0) + 1;
      expect([200, 201, 400], label).toContain(res.status);
      expect(res.headers.get("content-type"), label).toMatch(/^application\/json/);
      const json = JSON.parse(reply) as { error?: string; error_description?: string };
      if (res.status === 400) expect(json.error, label).toBe("invalid_request");
      if (!twice) continue;
      expect(res.status, label).toBe(400);
      expect(json.error_description, label).toContain("more than once");
      // Nothing was carried out: no user created, the user unchanged.
      const after = await call(`/admin/users/${name}`, { headers: { authorization: USER_ADMIN } });
      if (target === "create") expect(after.status, label).toBe(404);
      if (target === "patch") expect(await after.json(), label).toMatchObject({ user: { enabled: true, claims: {} } });
    }
    console.log(`[fuzz] administration 150 mutated bodies, statuses ${JSON.stringify(tally)}`);
    expect(tally[400] ?? 0).toBeGreaterThan(50);
  });
});
