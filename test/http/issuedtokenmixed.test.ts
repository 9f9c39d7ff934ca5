/**
 * The issued-token endpoints, black box: a requestor signs in with a SAML assertion that the
 * development federation partner (urn:example:partner-idp, key published in
 * test/fixtures/dev-credentials/) issued for this STS.
 */
import { generatedPair } from "../helpers/keys.ts";
import { describe, expect, it } from "vitest";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { PARTNER, SAML2, encrypted, inclusivelySigned, partnerAssertion, restated } from "../helpers/partner.ts";
import { NS, TT, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, byTag, faultCode, issuedTokenRequest, postSoap, trust } from "../helpers/worker.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { DEV_DECRYPTION_KEY } from "../../src/config/dev-keys.ts";
import { loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import { decryptKey } from "../../src/xmlenc/decrypt.ts";
import { pemToDer } from "../../src/keys/pem.ts";
import { DSIG_NS } from "../../src/xml/dom.ts";
import { treeElement, writeExclusive } from "../../src/xml/tree-writer.ts";
import { publicKeyFromCertificate, publicKeyInfoTree } from "../../src/xmldsig/key-info.ts";
import { encryptKey } from "../../src/xmlenc/encrypt.ts";
import { TX, b64url, exchange, jwtParts } from "../oauth/helpers.ts";
import { SECURE_RP_CERT, rootOf, secureRp } from "../xmlenc/helpers.ts";
import { strictUtf8 } from "../../src/bytes.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { signedEnvelope } from "../helpers/wss-sign.ts";
import { isolateCaches } from "../../src/cache.ts";
import { assertionIn, trustWith, workerWith } from "../hostile/configured.ts";
import { ourRsaKey, resign } from "../hostile/helpers.ts";
import { rememberedByEarlierRelease } from "../state/helpers.ts";

const request = (trust: "13" | "2005", soap: "1.1" | "1.2", assertion: string, variant?: string) => issuedTokenRequest(assertion, { trust, soap, variant });

const send = postSoap;

/** The development configuration plus `gateway`, a service account that may issue for urn:example:rp for others. */
const gatewayWorker = () =>
  workerWith({
    ...DEV_CONFIG,
    serviceAccounts: [
      ...(DEV_CONFIG.serviceAccounts ?? []),
      { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: ["urn:example:rp"], operations: ["issue"] },
    ],
  });

describe("issuedtokenmixed (black box)", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      for (const variant of ["asymmetric", "symmetric"]) {
        it(`issues for a partner's bearer assertion, SOAP ${soap}, WS-Trust ${t}, ${variant}`, async () => {
          const r = await send(request(t, soap, await partnerAssertion({ kind: t === "2005" ? "saml1" : "saml2" }), variant));
          expect(r.status, r.text).toBe(200);
          const issued = byTag(r.doc, NS.saml2, "Assertion")[0]!;
          expect(byTag(issued, NS.saml2, "NameID")[0]!.textContent).toBe(`${PARTNER}#carol`);
          const attrs = byTag(issued, NS.saml2, "Attribute").map((a) => a.getAttribute("Name"));
          expect(attrs).toContain("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
        });
      }
    }
  }

  it("refuses a partner assertion for another audience, an expired one, one from an unknown issuer, and a forged one", async () => {
    const cases = {
      "another audience": await partnerAssertion({ audience: "https://elsewhere.example/" }),
      expired: (await partnerAssertion()).replace(/NotOnOrAfter="[^"]+"/g, 'NotOnOrAfter="2020-01-01T00:00:00.000Z"'),
      "unknown issuer": await partnerAssertion({ issuer: "urn:example:stranger" }),
      forged: (await partnerAssertion()).replace(">carol<", ">alice<"),
    };
    for (const [name, assertion] of Object.entries(cases)) {
      const r = await send(request("13", "1.2", assertion));
      expect(faultCode(r.text), name).toBe("wst:FailedAuthentication");
      expect(byTag(r.doc, NS.saml2, "Assertion"), name).toHaveLength(0);
    }
  });

  it("refuses our own token issued for a relying party, and a request without an assertion", async () => {
    const own = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: TT.saml2 });
    const assertion = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(own.text)![0];
    const r = await send(request("13", "1.2", assertion));
    expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    expect(r.text).toContain("issued for a relying party");
    const none = await send(request("13", "1.2", ""));
    expect(faultCode(none.text)).toBe("wst:FailedAuthentication");
  });

  it("refuses a delegated token of ours for this STS: its holder is the actor, not the subject", async () => {
    const gateway = gatewayWorker();
    const alice = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec((await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: TT.saml2 })).text)![0];
    const actAs = await trustWith(gateway, { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978", appliesTo: "urn:example:rp", extra: `<wst14:ActAs xmlns:wst14="http://docs.oasis-open.org/ws-sx/ws-trust/200802">${alice}</wst14:ActAs>` });
    const delegated = assertionIn(actAs.text)!;
    // As if issued for this STS (re-signed with the STS's own development key): then presented by its holder.
    const forUs = async (xml: string) => resign(xml.replace("<saml:Audience>urn:example:rp</saml:Audience>", `<saml:Audience>${ORIGIN}</saml:Audience>`), await ourRsaKey());
    // From an address of its own: the refusal is a failed authentication, counted per address.
    const from = (req: ReturnType<typeof request>) => gateway(req.path, { method: "POST", headers: { ...req.headers, "cf-connecting-ip": "2001:db8:ac7::1" }, body: req.body }).then((res) => res.text());
    expect(await from(request("13", "1.2", await forUs(alice)))).toContain("<saml:Assertion");
    const r = await from(request("13", "1.2", await forUs(delegated)));
    expect(faultCode(r)).toBe("wst:FailedAuthentication");
    expect(r).toContain("names an actor");
  });

  it("refuses two assertions", async () => {
    const a = await partnerAssertion();
    expect(faultCode((await send(request("13", "1.2", a + (await partnerAssertion())))).text)).toBe("wst:BadRequest");
  });

  it("accepts a partner assertion as OnBehalfOf and ActAs from a service account allowed to issue", async () => {
    const gateway = gatewayWorker();
    const who = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978", appliesTo: "urn:example:rp" };
    const obo = await trustWith(gateway, { ...who, extra: `<wst:OnBehalfOf>${await partnerAssertion()}</wst:OnBehalfOf>` });
    expect(obo.status, obo.text).toBe(200);
    expect(assertionIn(obo.text)).toContain(`>${PARTNER}#carol</saml:NameID>`);
    const actAs = await trustWith(gateway, { ...who, extra: `<wst14:ActAs xmlns:wst14="http://docs.oasis-open.org/ws-sx/ws-trust/200802">${await partnerAssertion()}</wst14:ActAs>` });
    expect(assertionIn(actAs.text)).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>gateway</);
    const other = await trustWith(gateway, { ...who, extra: `<wst:OnBehalfOf>${await partnerAssertion({ audience: "https://elsewhere.example/" })}</wst:OnBehalfOf>` });
    expect(other.fault).toBe("wst:InvalidSecurityToken");
  });

  it("remembers a partner assertion verified once, and still refuses it wrapped beside a copy with its ID", async () => {
    // The worker under test runs in this isolate (SELF), so its caches are ours to read.
    const hits = () => isolateCaches.stats().find((c) => c.name === "saml.verified")!.hits;
    const a = await partnerAssertion();
    expect((await send(request("13", "1.2", a))).status).toBe(200);
    const before = hits();
    expect((await send(request("13", "1.2", a))).status).toBe(200);
    expect(hits()).toBe(before + 1);
    const id = /ID="([^"]+)"/.exec(a)![1]!;
    const wrapped = request("13", "1.2", a);
    const evil = { ...wrapped, body: wrapped.body.replace("</s:Header>", `<x:Evil xmlns:x="urn:evil" ID="${id}"/></s:Header>`) };
    const r = await send(evil);
    expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    expect(r.text).toContain(`The SAML token with ID '${id}' appears more than once in the message (the same token sent twice, or a copy of it): send each token once.`);
    expect(byTag(r.doc, NS.saml2, "Assertion")).toHaveLength(0);
  });

  describe("holder-of-key partner assertions", () => {
    const SAMLID = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
    const path = "/trust/13/issuedtokenmixedsymmetricbasic256";
    const action = `${NS.t13}/RST/Issue`;
    const payload = `<t:RequestSecurityToken xmlns:t="${NS.t13}"><t:TokenType>${TT.saml2}</t:TokenType><t:RequestType>${NS.t13}/Issue</t:RequestType><wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>urn:example:rp</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken>`;
    const headers = soapHeaders("1.2", action);
    const str = (assertion: string) => `<wsse:SecurityTokenReference><wsse:KeyIdentifier ValueType="${SAMLID}">${/ID="([^"]+)"/.exec(assertion)![1]}</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;

    /** A partner assertion sealing `proofKey` for the STS's decryption certificate. */
    async function symmetricAssertion(proofKey: Uint8Array, certificatePem = DEV_DECRYPTION_KEY.certificatePem): Promise<string> {
      const keyInfo = treeElement(DSIG_NS, "ds:KeyInfo");
      keyInfo.children.push(await encryptKey(proofKey, await loadEncryptionCertificate(certificatePem)));
      return partnerAssertion({ holderOfKey: keyInfo });
    }

    async function signedWith(assertion: string, o: { hmacKey?: Uint8Array; keyPem?: string; sha1?: boolean; sign?: string[] }, at = path) {
      const body = await signedEnvelope({ keyPem: o.keyPem ?? "", certPem: "", payload, action, to: ORIGIN + at, hmacKey: o.hmacKey, sha1: o.sha1, keyInfo: str(assertion), extraSecurity: assertion, ...(o.sign ? { sign: o.sign } : {}) });
      return { path: at, headers, body };
    }

    it("signs in with an HMAC made with the proof key the assertion seals for this STS, once", async () => {
      const proofKey = crypto.getRandomValues(new Uint8Array(32));
      const assertion = await symmetricAssertion(proofKey);
      const req = await signedWith(assertion, { hmacKey: proofKey });
      const r = await send(req);
      expect(r.status, r.text).toBe(200);
      expect(byTag(byTag(r.doc, NS.saml2, "Assertion")[0]!, NS.saml2, "NameID")[0]!.textContent).toBe(`${PARTNER}#carol`);
      expect(faultCode((await send(req)).text)).toBe("wsse:MessageExpired");
    });

    it("the same with the assertion encrypted for this STS, as WCF forwards an issued token it cannot read", async () => {
      const proofKey = crypto.getRandomValues(new Uint8Array(32));
      const assertion = await symmetricAssertion(proofKey);
      const body = await signedEnvelope({ keyPem: "", certPem: "", payload, action, to: ORIGIN + path, hmacKey: proofKey, keyInfo: str(assertion), extraSecurity: await encrypted(assertion) });
      const r = await send({ path, headers, body });
      expect(r.status, r.text).toBe(200);
      expect(byTag(byTag(r.doc, NS.saml2, "Assertion")[0]!, NS.saml2, "NameID")[0]!.textContent).toBe(`${PARTNER}#carol`);
    });

    it("refuses a holder-of-key assertion without its signature, with another key, or sealed for someone else", async () => {
      const proofKey = crypto.getRandomValues(new Uint8Array(32));
      const assertion = await symmetricAssertion(proofKey);
      expect(faultCode((await send(request("13", "1.2", assertion, "symmetric"))).text)).toBe("wst:FailedAuthentication");
      const wrongKey = await send(await signedWith(assertion, { hmacKey: crypto.getRandomValues(new Uint8Array(32)) }));
      expect(faultCode(wrongKey.text)).toBe("wst:FailedAuthentication");
      const forRp = await symmetricAssertion(proofKey, (await import("../fixtures/dev-credentials/secure-rp.cert.pem?raw")).default);
      const r = await send(await signedWith(forRp, { hmacKey: proofKey }));
      expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
      expect(r.text).toContain("not encrypted for a decryption key of this STS");
    });

    it("refuses a signature with a key derived from the proof key (wsc:DerivedKeyToken), saying so", async () => {
      const proofKey = crypto.getRandomValues(new Uint8Array(32));
      const assertion = await symmetricAssertion(proofKey);
      const sc = "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512";
      // As a client told sp:RequireDerivedKeys lays it out: the DerivedKeyToken names the
      // assertion, the signature names the DerivedKeyToken (signed here with the proof key itself).
      const dkt = `<c:DerivedKeyToken xmlns:c="${sc}" u:Id="_dk1">${str(assertion)}<c:Offset>0</c:Offset><c:Length>32</c:Length><c:Nonce>AAAAAAAAAAAAAAAAAAAAAA==</c:Nonce></c:DerivedKeyToken>`;
      for (const valueType of [` ValueType="${sc}/dk"`, ""]) {
        const keyInfo = `<wsse:SecurityTokenReference><wsse:Reference URI="#_dk1"${valueType}/></wsse:SecurityTokenReference>`;
        const body = await signedEnvelope({ keyPem: "", certPem: "", payload, action, to: ORIGIN + path, hmacKey: proofKey, keyInfo, extraSecurity: assertion + dkt });
        const r = await send({ path, headers: { ...headers, "CF-Connecting-IP": "192.0.2.23" }, body });
        expect(faultCode(r.text), valueType).toBe("wst:FailedAuthentication");
        expect(r.text, valueType).toContain("keys derived from the proof key (wsc:DerivedKeyToken) are not accepted: sign with the proof key itself");
      }
    });

    it("refuses a bearer assertion with a message signature it confirms no key for, rather than ignoring the signature (WS-Security 1.1 §8.4)", async () => {
      const assertion = await partnerAssertion();
      // Control: the same assertion without a signature signs in.
      expect((await send(request("13", "1.2", assertion, "symmetric"))).status).toBe(200);
      const req = await signedWith(assertion, { hmacKey: crypto.getRandomValues(new Uint8Array(32)) });
      const r = await send({ ...req, headers: { ...req.headers, "CF-Connecting-IP": "192.0.2.29" } });
      expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
      expect(r.text).toContain("the assertion confirms no key to check the signature with (it is a bearer assertion)");
      expect(byTag(r.doc, NS.saml2, "Assertion")).toHaveLength(0);
    });

    it("signs in with a signature made by the public key the assertion confirms", async () => {
      const { certPem, keyPem } = await generatedPair(2048, "carol's device");
      const der = pemToDer(certPem, "CERTIFICATE");
      const assertion = await partnerAssertion({ holderOfKey: publicKeyInfoTree(await publicKeyFromCertificate(der)) });
      const r = await send(await signedWith(assertion, { keyPem }));
      expect(r.status, r.text).toBe(200);
      // The same assertion, the message signed by alice-client's key instead: refused.
      const other = await send(await signedWith(assertion, { keyPem: (await import("../fixtures/dev-credentials/alice-client.key.pem?raw")).default }));
      expect(faultCode(other.text)).toBe("wst:FailedAuthentication");
    });

    it("binds a PublicKey token to the key the signature proved, as certificatemixed does; a UseKey naming another key is refused", async () => {
      const { certPem, keyPem } = await generatedPair(2048, "carol's device");
      const device = await publicKeyFromCertificate(pemToDer(certPem, "CERTIFICATE"));
      const assertion = await partnerAssertion({ holderOfKey: publicKeyInfoTree(device) });
      const at = "/trust/13/issuedtokenmixedasymmetricbasic256";
      const rstFor = (extra: string) =>
        `<t:RequestSecurityToken xmlns:t="${NS.t13}"><t:TokenType>${TT.saml2}</t:TokenType><t:RequestType>${NS.t13}/Issue</t:RequestType>` +
        `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference xmlns:a="${NS.wsa}"><a:Address>urn:example:secure-rp</a:Address></a:EndpointReference></wsp:AppliesTo>${extra}</t:RequestSecurityToken>`;
      const signedRst = async (extra: string) => ({
        path: at,
        headers: { ...headers, "CF-Connecting-IP": "192.0.2.47" },
        body: await signedEnvelope({ keyPem, certPem: "", payload: rstFor(extra), action, to: ORIGIN + at, keyInfo: str(assertion), extraSecurity: assertion }),
      });
      const publicKey = `<t:KeyType>${NS.t13}/PublicKey</t:KeyType>`;
      const r = await send(await signedRst(publicKey));
      expect(r.status, r.text).toBe(200);
      expect(r.text).toContain(`<wst:KeyType>${NS.t13}/PublicKey</wst:KeyType>`);
      // The token is encrypted for secure-rp: opened with its published key, it confirms the device's key.
      const { key } = await secureRp();
      const sealed = byTag(r.doc, "http://www.w3.org/2001/04/xmlenc#", "EncryptedData")[0]!;
      const issued = strictUtf8.decode((await decryptElement(rootOf(new XMLSerializer().serializeToString(sealed)), key)).plaintext);
      expect(issued).toContain("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key");
      expect(issued).toContain(`<ds:Modulus>${(device.jwk.n as string).replace(/-/g, "+").replace(/_/g, "/").slice(0, 64)}`);

      const other = await publicKeyFromCertificate(pemToDer((await generatedPair(2048, "someone else")).certPem, "CERTIFICATE"));
      const useKey = `<t:UseKey>${writeExclusive(publicKeyInfoTree(other))}</t:UseKey>`;
      const refused = await send(await signedRst(publicKey + useKey));
      expect(faultCode(refused.text)).toBe("wst:InvalidRequest");
      expect(refused.text).toContain("must be the key that signed this request");
    });

    describe("signed the Basic256 way (WS-SP 1.2 §6.1: SHA-1 digests, HMAC-SHA1 or rsa-sha1), as old WCF clients sign", () => {
      const legacy = workerWith({ ...DEV_CONFIG, requestorCertificates: { ...DEV_CONFIG.requestorCertificates!, allowSha1Signatures: true } });
      const sendVia = async (f: typeof legacy, r: { path: string; headers: Record<string, string>; body: string }) => {
        const res = await f(r.path, { method: "POST", headers: { ...r.headers, "CF-Connecting-IP": "2001:db8:5a1::2" }, body: r.body });
        return { status: res.status, text: await res.text() };
      };
      const subject = (text: string) => /<saml:NameID[^>]*>([^<]*)</.exec(text)?.[1];
      const cases = async () => {
        const proofKey = crypto.getRandomValues(new Uint8Array(32));
        const { certPem, keyPem } = await generatedPair(2048, "carol's device");
        const device = await partnerAssertion({ holderOfKey: publicKeyInfoTree(await publicKeyFromCertificate(pemToDer(certPem, "CERTIFICATE"))) });
        return [
          await signedWith(await symmetricAssertion(proofKey), { hmacKey: proofKey, sha1: true }),
          await signedWith(device, { keyPem, sha1: true }, "/trust/13/issuedtokenmixedasymmetricbasic256"),
        ];
      };

      it("are refused while allowSha1Signatures is off (the default)", async () => {
        for (const req of await cases()) {
          // An address of their own: these failures count against no other test's requests.
          const r = await send({ ...req, headers: { ...req.headers, "CF-Connecting-IP": "2001:db8:5a1::1" } });
          expect(faultCode(r.text), req.path).toBe("wst:FailedAuthentication");
          expect(r.text).toMatch(/algorithm/);
        }
      });

      it("sign in, symmetric and asymmetric, once the deployment turns allowSha1Signatures on", async () => {
        for (const req of await cases()) {
          const r = await sendVia(legacy, req);
          expect(r.status, r.text).toBe(200);
          expect(subject(r.text)).toBe(`${PARTNER}#carol`);
        }
      });
    });

    it("signed over the Timestamp and wsa:To alone, as WCF signs with an issued token: refused, unless the deployment turns allowTimestampOnlySignatures on", async () => {
      const wcf = workerWith({ ...DEV_CONFIG, requestorCertificates: { ...DEV_CONFIG.requestorCertificates!, allowTimestampOnlySignatures: true } });
      const proofKey = crypto.getRandomValues(new Uint8Array(32));
      const req = await signedWith(await symmetricAssertion(proofKey), { hmacKey: proofKey, sign: ["_ts", "_to"] });
      const off = await send({ ...req, headers: { ...req.headers, "CF-Connecting-IP": "2001:db8:5a1::3" } });
      expect(faultCode(off.text)).toBe("wst:FailedAuthentication");
      expect(off.text).toContain("does not cover the soap:Body");
      const res = await wcf(req.path, { method: "POST", headers: { ...req.headers, "CF-Connecting-IP": "2001:db8:5a1::4" }, body: req.body });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(/<saml:NameID[^>]*>([^<]*)</.exec(text)?.[1]).toBe(`${PARTNER}#carol`);
    });
  });
});

describe("partner assertions encrypted for this STS (its decryption certificate, published in federation metadata)", () => {

  it("signs the requestor in over issuedtokenmixed: SAML 2.0 as EncryptedAssertion, SAML 1.1 as a bare EncryptedData (WS-Trust 2005)", async () => {
    for (const [t, kind, bare] of [["13", "saml2", false], ["2005", "saml1", true]] as const) {
      const r = await send(request(t, "1.2", await encrypted(await partnerAssertion({ kind }), { bare })));
      expect(r.status, r.text).toBe(200);
      expect(byTag(byTag(r.doc, NS.saml2, "Assertion")[0]!, NS.saml2, "NameID")[0]!.textContent).toBe(`${PARTNER}#carol`);
    }
  });

  it("remembers a token it opened: the same encrypted token again costs no decryption, and a changed one is opened afresh", async () => {
    const opened = () => isolateCaches.stats().find((c) => c.name === "xmlenc.opened")!;
    const token = await encrypted(await partnerAssertion());
    expect((await send(request("13", "1.2", token))).status).toBe(200);
    const { hits, entries } = opened();
    expect((await send(request("13", "1.2", token))).status).toBe(200);
    expect(opened().hits).toBe(hits + 1);
    // Encrypted again (new content key, new ciphertext): opened, not remembered.
    expect((await send(request("13", "1.2", await encrypted(await partnerAssertion())))).status).toBe(200);
    expect(opened().entries).toBe(entries + 1);
  });

  /** The content key an EncryptedKey for this STS seals (opened with the development decryption key). */
  async function unsealedKeyOf(ek: string): Promise<Uint8Array> {
    const el = new DOMParser().parseFromString(ek, "text/xml").documentElement as unknown as Parameters<typeof decryptKey>[0];
    return decryptKey(el, await loadDecryptionKey(DEV_DECRYPTION_KEY.privateKeyPem, DEV_DECRYPTION_KEY.certificatePem));
  }
  /** That key sealed for another certificate, as an EncryptedKey of its own. */
  async function encryptKeyFor(key: Uint8Array, certificatePem: string): Promise<string> {
    return writeExclusive(await encryptKey(key, await loadEncryptionCertificate(certificatePem)));
  }

  it("takes the content key beside the EncryptedData too (OpenSAML's placement): named by a RetrievalMethod, unnamed, or one of several recipients' keys", async () => {
    /** Moves the EncryptedKey out of the EncryptedData's KeyInfo, beside it in the EncryptedAssertion. */
    const peer = (token: string, keyInfo: (id: string) => string) => {
      const ek = /<xenc:EncryptedKey[\s\S]*?<\/xenc:EncryptedKey>/.exec(token)![0];
      const id = `_ek${crypto.randomUUID().replaceAll("-", "")}`;
      const ed = /<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/.exec(token)![0].replace(/<ds:KeyInfo[\s\S]*?<\/xenc:EncryptedKey><\/ds:KeyInfo>/, keyInfo(id));
      // Out of the EncryptedData, the key declares the prefixes it was using from there.
      const decls = [["xenc", "http://www.w3.org/2001/04/xmlenc#"], ["ds", "http://www.w3.org/2000/09/xmldsig#"]]
        .filter(([p]) => !new RegExp(`^<xenc:EncryptedKey[^>]*xmlns:${p}=`).test(ek)).map(([p, uri]) => ` xmlns:${p}="${uri}"`).join("");
      return { ed, ek: ek.replace("<xenc:EncryptedKey", `<xenc:EncryptedKey${decls} Id="${id}"`) };
    };
    const retrieval = (id: string) => `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:RetrievalMethod Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey" URI="#${id}"/></ds:KeyInfo>`;
    const wrap = (inner: string) => `<saml:EncryptedAssertion xmlns:saml="${SAML2}">${inner}</saml:EncryptedAssertion>`;
    const named = peer(await encrypted(await partnerAssertion()), retrieval);
    const unnamed = peer(await encrypted(await partnerAssertion()), () => "");
    // The same content key sealed for another recipient too: a second EncryptedKey, first in line.
    const shared = peer(await encrypted(await partnerAssertion()), () => "");
    const forRp = await encryptKeyFor(await unsealedKeyOf(shared.ek), SECURE_RP_CERT);
    for (const [name, token] of [["RetrievalMethod", wrap(named.ed + named.ek)], ["no KeyInfo", wrap(unnamed.ed + unnamed.ek)], ["two recipients", wrap(shared.ed + forRp + shared.ek)]] as const) {
      const r = await send(request("13", "1.2", token));
      expect(r.status, `${name}: ${r.text}`).toBe(200);
    }
    // A RetrievalMethod that names anything but the key beside it, or KeyInfo content that is no
    // name for it, is refused before any decryption; so is a key for nobody here.
    const elsewhere = peer(await encrypted(await partnerAssertion()), () => retrieval("somewhere-else"));
    const keyValue = peer(await encrypted(await partnerAssertion()), () => `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyValue/></ds:KeyInfo>`);
    const onlyRp = peer(await encrypted(await partnerAssertion()), () => "");
    const refusals: [string, string, RegExp][] = [
      ["RetrievalMethod elsewhere", wrap(elsewhere.ed + elsewhere.ek), /RetrievalMethod must name the xenc:EncryptedKey beside/],
      ["KeyValue", wrap(keyValue.ed + keyValue.ek), /encrypted in a way this STS does not accept/],
      ["only another recipient's key", wrap(onlyRp.ed + (await encryptKeyFor(await unsealedKeyOf(onlyRp.ek), SECURE_RP_CERT))), /encrypted for a certificate other than this STS/],
    ];
    for (const [name, token, reason] of refusals) {
      const r = await sendTo(roomy, request("13", "1.2", token));
      expect(faultCode(r.text), name).toBe("wst:FailedAuthentication");
      expect(r.text, name).toMatch(reason);
    }
  });

  it("reads the decrypted assertion where the EncryptedData stood: a prefix declared only on the EncryptedAssertion is bound (XML Encryption §4.3)", async () => {
    const signed = await partnerAssertion();
    const bare = signed.replace(` xmlns:saml="${SAML2}"`, "");
    expect(bare).not.toContain(`xmlns:saml="${SAML2}"`);
    const r = await send(request("13", "1.2", await encrypted(bare)));
    expect(r.status, r.text).toBe(200);
    expect(byTag(byTag(r.doc, NS.saml2, "Assertion")[0]!, NS.saml2, "NameID")[0]!.textContent).toBe(`${PARTNER}#carol`);
  });

  it("reads it without the EncryptedData's own declarations (§4.3: the cleartext replaces it): an assertion signed with inclusive canonicalization verifies after decryption as it does in the clear", async () => {
    for (const [kind, type, bare] of [["saml2", TX.saml2, false], ["saml1", TX.saml1, true]] as const) {
      const signed = await inclusivelySigned(await partnerAssertion({ kind }));
      const clear = await exchange({ subject_token: b64url(signed), subject_token_type: type, audience: "https://api.example.com/" });
      expect(clear.status, `${kind} in the clear: ${clear.text}`).toBe(200);
      const opened = await exchange({ subject_token: b64url(await encrypted(signed, { bare })), subject_token_type: type, audience: "https://api.example.com/" });
      expect(opened.status, `${kind} encrypted: ${opened.text}`).toBe(200);
      expect(jwtParts(opened.json.access_token as string).payload.sub).toBe(`${PARTNER}#carol`);
    }
  });

  it("refuses an assertion with an attribute or its subject's name encrypted on its own (SAML 2.0 EncryptedAttribute, EncryptedID) rather than reading around it", async () => {
    const role = `<saml:Attribute xmlns:saml="${SAML2}" Name="http://schemas.microsoft.com/ws/2008/06/identity/claims/role"><saml:AttributeValue>admin</saml:AttributeValue></saml:Attribute>`;
    const name = `<saml:NameID xmlns:saml="${SAML2}">carol</saml:NameID>`;
    const [sealedRole, sealedName] = [await encrypted(role, { bare: true }), await encrypted(name, { bare: true })];
    const cases = {
      EncryptedAttribute: await restated(await partnerAssertion(), (x) => x.replace("</saml:AttributeStatement>", `<saml:EncryptedAttribute>${sealedRole}</saml:EncryptedAttribute></saml:AttributeStatement>`)),
      EncryptedID: await restated(await partnerAssertion(), (x) => x.replace(/<saml:NameID[^>]*>[^<]*<\/saml:NameID>/, `<saml:EncryptedID>${sealedName}</saml:EncryptedID>`)),
    };
    for (const [what, assertion] of Object.entries(cases)) {
      for (const token of [assertion, await encrypted(assertion)]) {
        const r = await exchange({ subject_token: b64url(token), subject_token_type: TX.saml2, audience: "https://api.example.com/" });
        expect(r.status, `${what}: ${r.text}`).toBe(400);
        expect(r.json.error).toBe("invalid_grant");
        expect(String(r.json.error_description)).toContain(`carries an ${what}`);
        expect(r.json.access_token).toBeUndefined();
      }
    }
  });

  it("refuses an assertion stating an attribute by a blank name (SAML core §1.3.1), which no token of ours could state", async () => {
    const email = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    const saml1 = await partnerAssertion({ kind: "saml1" });
    const cases: [string, string, string][] = [
      ["SAML 2.0 Name=\"\"", TX.saml2, await restated(await partnerAssertion(), (x) => x.replace(`Name="${email}"`, 'Name=""'))],
      ["SAML 2.0 Name=\" \"", TX.saml2, await restated(await partnerAssertion(), (x) => x.replace(`Name="${email}"`, 'Name=" "'))],
      ["SAML 2.0 without Name", TX.saml2, await restated(await partnerAssertion(), (x) => x.replace(`Name="${email}"`, ""))],
      ["SAML 1.1 AttributeName=\"\"", TX.saml1, await restated(saml1, (x) => x.replace('AttributeName="emailaddress"', 'AttributeName=""'))],
      ["SAML 1.1 AttributeNamespace=\"\"", TX.saml1, await restated(saml1, (x) => x.replace(/AttributeNamespace="[^"]*"/, 'AttributeNamespace=""'))],
    ];
    for (const [what, type, assertion] of cases) {
      expect(assertion, what).not.toContain(`"${email}"`);
      for (const audience of ["https://api.example.com/", "urn:example:rp"]) {
        const r = await exchange({ subject_token: b64url(assertion), subject_token_type: type, audience });
        expect(r.status, `${what}: ${r.text}`).toBe(400);
        expect(r.json.error).toBe("invalid_grant");
        expect(String(r.json.error_description)).toMatch(/states an attribute with an empty (Name|AttributeName or AttributeNamespace)/);
        expect(r.json.access_token).toBeUndefined();
      }
    }
    // The same assertions with the attribute named are accepted.
    for (const [type, assertion] of [[TX.saml2, await partnerAssertion()], [TX.saml1, saml1]] as const) {
      const ok = await exchange({ subject_token: b64url(assertion), subject_token_type: type, audience: "https://api.example.com/" });
      expect(ok.status, ok.text).toBe(200);
    }
  });

  it("names a SAML 1.1 attribute as its SAML 2.0 counterpart names it: Shibboleth's URI AttributeNamespace holds the whole name in AttributeName", async () => {
    const MAIL = "urn:oid:0.9.2342.19200300.100.1.3";
    const attribute = (stated: string) => (x: string) => x.replace("</saml:AttributeStatement>", `${stated}</saml:AttributeStatement>`);
    const saml1 = await restated(
      await partnerAssertion({ kind: "saml1" }),
      attribute(
        `<saml:Attribute AttributeName="${MAIL}" AttributeNamespace="urn:mace:shibboleth:1.0:attributeNamespace:uri"><saml:AttributeValue>carol@partner.example</saml:AttributeValue></saml:Attribute>` +
          `<saml:Attribute AttributeName="dept" AttributeNamespace="http://partner.example/claims"><saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute>`,
      ),
    );
    const saml2 = await restated(
      await partnerAssertion(),
      attribute(
        `<saml:Attribute Name="${MAIL}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue>carol@partner.example</saml:AttributeValue></saml:Attribute>` +
          `<saml:Attribute Name="http://partner.example/claims/dept"><saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute>`,
      ),
    );
    const claims = [];
    for (const [type, assertion] of [[TX.saml1, saml1], [TX.saml2, saml2]] as const) {
      const r = await exchange({ subject_token: b64url(assertion), subject_token_type: type, audience: "https://api.example.com/", requested_token_type: TX.jwt });
      expect(r.status, r.text).toBe(200);
      const { payload } = jwtParts(r.json.access_token as string);
      claims.push({ [MAIL]: payload[MAIL], dept: payload["http://partner.example/claims/dept"] });
    }
    expect(claims[0]).toEqual({ [MAIL]: ["carol@partner.example"], dept: ["eng"] });
    expect(claims[1]).toEqual(claims[0]);
  });

  it("reads an AttributeValue with xsi:nil as no value, not as the empty string (SAML 2.0 core §2.7.3.1.1); an empty one stays the empty string", async () => {
    const nil = (xsi: string) => `<saml:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${xsi}/>`;
    const attributes =
      `<saml:Attribute Name="department">${nil('xsi:nil="true"')}<saml:AttributeValue>eng</saml:AttributeValue>${nil('xsi:nil=" 1 "')}</saml:Attribute>` +
      `<saml:Attribute Name="nilled">${nil('xsi:nil="true"')}</saml:Attribute>` +
      `<saml:Attribute Name="blank"><saml:AttributeValue/>${nil('xsi:nil="false"')}</saml:Attribute>`;
    const assertion = await restated(await partnerAssertion(), (x) => x.replace("</saml:AttributeStatement>", `${attributes}</saml:AttributeStatement>`));
    const r = await exchange({ subject_token: b64url(assertion), subject_token_type: TX.saml2, audience: "urn:example:rp", requested_token_type: TX.jwt });
    expect(r.status, r.text).toBe(200);
    const claims = jwtParts(r.json.access_token as string).payload;
    expect(claims.department).toEqual(["eng"]);
    expect(claims).not.toHaveProperty("nilled");
    expect(claims.blank).toEqual([""]);
  });

  it("accepts one as OnBehalfOf, and as a token exchange subject_token", async () => {
    const gateway = gatewayWorker();
    const obo = await trustWith(gateway, { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978", appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${await encrypted(await partnerAssertion())}</wst:OnBehalfOf>` });
    expect(obo.status, obo.text).toBe(200);
    expect(assertionIn(obo.text)).toContain(`>${PARTNER}#carol</saml:NameID>`);
    const x = await exchange({ subject_token: b64url(await encrypted(await partnerAssertion())), subject_token_type: TX.saml2, audience: "https://api.example.com/" });
    expect(x.status, x.text).toBe(200);
    expect(jwtParts(x.json.access_token as string).payload.sub).toBe(`${PARTNER}#carol`);
    // SAML 1.1 comes as a bare EncryptedData (as AD FS sends it).
    const x1 = await exchange({ subject_token: b64url(await encrypted(await partnerAssertion({ kind: "saml1" }), { bare: true })), subject_token_type: TX.saml1, audience: "https://api.example.com/" });
    expect(x1.status, x1.text).toBe(200);
    expect(jwtParts(x1.json.access_token as string).payload.sub).toBe(`${PARTNER}#carol`);
    // An EncryptedAssertion declared SAML 1.1: the refusal says which type it is.
    const wrong = await exchange({ subject_token: b64url(await encrypted(await partnerAssertion())), subject_token_type: TX.saml1, audience: "https://api.example.com/" });
    expect(wrong.status).toBe(400);
    expect(String(wrong.json.error_description)).toContain(`send it as subject_token_type ${TX.saml2}`);
    // A bare EncryptedData must hold what its type says (RFC 8693 §2.1): SAML 1.1 sent as saml2,
    // or SAML 2.0 sent as saml1, is refused once opened; SAML 2.0 sent as saml2 is what it says.
    for (const [kind, declared] of [["saml1", TX.saml2], ["saml2", TX.saml1]] as const) {
      const r = await exchange({ subject_token: b64url(await encrypted(await partnerAssertion({ kind }), { bare: true })), subject_token_type: declared, audience: "https://api.example.com/" });
      expect(r.status, `${kind} as ${declared}`).toBe(400);
      expect(r.json.error).toBe("invalid_grant");
      expect(String(r.json.error_description)).toMatch(/was sent as SAML (2\.0|1\.1) and decrypts to a SAML (1\.1|2\.0) assertion/);
      expect(r.json.access_token).toBeUndefined();
    }
    const bare2 = await exchange({ subject_token: b64url(await encrypted(await partnerAssertion(), { bare: true })), subject_token_type: TX.saml2, audience: "https://api.example.com/" });
    expect(bare2.status, bare2.text).toBe(200);
  });

  // Each refusal below is a failed authentication; room for all of them beside the ones above.
  const roomy = workerWith({ ...DEV_CONFIG, limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: 1000 } });
  const sendTo = async (f: typeof roomy, req: ReturnType<typeof request>) => {
    const text = await (await f(req.path, { method: "POST", headers: req.headers, body: req.body })).text();
    return { text, doc: new DOMParser().parseFromString(text, "text/xml") };
  };

  it("refuses, with a reason and without a token: encrypted for another certificate, with AES-CBC, tampered, or hiding a forged assertion", async () => {
    const good = await partnerAssertion();
    const cases: Record<string, [string, RegExp]> = {
      "for another certificate": [await encrypted(good, { certificatePem: SECURE_RP_CERT }), /encrypted for a certificate other than this STS/],
      "AES-256-CBC": [await encrypted(good, { dataAlgorithm: "http://www.w3.org/2001/04/xmlenc#aes256-cbc" }), /encrypted in a way this STS does not accept/],
      tampered: [(await encrypted(good)).replace(/(<xenc:CipherValue>[^<]{40})([^<])/g, (_m, a: string, c: string) => a + (c === "A" ? "B" : "A")), /cannot be decrypted/],
      "a forged assertion inside": [await encrypted(good.replace(">carol<", ">alice<")), /signature/i],
      "nesting past the depth limit inside": [await encrypted(`<saml:Assertion xmlns:saml="${SAML2}">${"<x>".repeat(100)}${"</x>".repeat(100)}</saml:Assertion>`), /decrypts to XML this STS does not accept/],
      "something else inside": [await encrypted(`<evil xmlns="urn:evil"/>`), /decrypts to something other than a SAML 2.0 assertion/],
      "two EncryptedData": [(await encrypted(good)).replace("</saml:EncryptedAssertion>", `${/<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/.exec(await encrypted(good))![0]}</saml:EncryptedAssertion>`), /exactly one xenc:EncryptedData/],
    };
    for (const [name, [token, reason]] of Object.entries(cases)) {
      const r = await sendTo(roomy, request("13", "1.2", token));
      expect(faultCode(r.text), name).toBe("wst:FailedAuthentication");
      expect(r.text, name).toMatch(reason);
      expect(byTag(r.doc, NS.saml2, "Assertion"), name).toHaveLength(0);
    }
  });

  it("without decryption keys, says so instead of trying", async () => {
    const plain = workerWith({ ...DEV_CONFIG, decryptionKeys: [], limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: 1000 } });
    const r = await sendTo(plain, request("13", "1.2", await encrypted(await partnerAssertion())));
    expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    expect(r.text).toContain("is encrypted, and this STS has no decryption key");
  });
});

describe("the conditions a partner assertion states", () => {
  // Each refusal is a failed authentication: room for all of them, from an address of their own.
  const roomy = workerWith({ ...DEV_CONFIG, limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: 1000 } });
  const sendTo = async (req: ReturnType<typeof request>) => {
    const res = await roomy(req.path, { method: "POST", headers: { ...req.headers, "CF-Connecting-IP": "192.0.2.17" }, body: req.body });
    return res.text();
  };
  const subject = (text: string) => /<saml:NameID[^>]*>([^<]*)</.exec(text)?.[1];

  it("are met only when this STS is named in every AudienceRestriction (SAML 2.0 core §2.5.1.4; SAML 1.1 alike)", async () => {
    const alsoFor = (audience: string) => (x: string) =>
      x.replace("</saml:AudienceRestriction>", `</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>${audience}</saml:Audience></saml:AudienceRestriction>`);
    const alsoFor1 = (audience: string) => (x: string) =>
      x.replace("</saml:AudienceRestrictionCondition>", `</saml:AudienceRestrictionCondition><saml:AudienceRestrictionCondition><saml:Audience>${audience}</saml:Audience></saml:AudienceRestrictionCondition>`);
    // Control: a second restriction that names this STS too is met, so the re-signed assertions are good.
    expect(subject(await sendTo(request("13", "1.2", await restated(await partnerAssertion(), alsoFor(ORIGIN)))))).toBe(`${PARTNER}#carol`);
    const saml1 = await partnerAssertion({ kind: "saml1" });
    expect(subject(await sendTo(request("2005", "1.2", await restated(saml1, alsoFor1(ORIGIN)))))).toBe(`${PARTNER}#carol`);
    for (const [t, assertion] of [
      ["13", await restated(await partnerAssertion(), alsoFor("https://elsewhere.example/"))],
      ["2005", await restated(await partnerAssertion({ kind: "saml1" }), alsoFor1("https://elsewhere.example/"))],
    ] as const) {
      const r = await sendTo(request(t, "1.2", assertion));
      expect(faultCode(r), t).toBe("wst:FailedAuthentication");
      expect(r, t).toContain("The SAML token is not meant for this STS.");
      expect(subject(r), t).toBeUndefined();
    }
  });
  it("are met only within the SubjectConfirmationData's times, however long the Conditions run (SAML 2.0 core §2.4.1.2)", async () => {
    const at = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString();
    const confirmable = (attributes: string) => (x: string) => x.replace(/<saml:SubjectConfirmationData NotOnOrAfter="[^"]+"/, `<saml:SubjectConfirmationData ${attributes}`);
    // Control: a confirmation window shorter than the Conditions, and still open, is met.
    const open = await restated(await partnerAssertion(), confirmable(`NotBefore="${at(-60)}" NotOnOrAfter="${at(120)}"`));
    expect(subject(await sendTo(request("13", "1.2", open)))).toBe(`${PARTNER}#carol`);
    const cases = [
      [await restated(await partnerAssertion(), confirmable(`NotOnOrAfter="${at(-3600)}"`)), "has expired (SubjectConfirmationData NotOnOrAfter)"],
      [await restated(await partnerAssertion(), confirmable(`NotBefore="${at(3600)}" NotOnOrAfter="${at(7200)}"`)), "is not yet valid (SubjectConfirmationData NotBefore)"],
    ] as const;
    for (const [assertion, reason] of cases) {
      expect(assertion).toMatch(/<saml:Conditions NotBefore="[^"]+" NotOnOrAfter="[^"]+"/);
      const r = await sendTo(request("13", "1.2", assertion));
      expect(faultCode(r), reason).toBe("wst:FailedAuthentication");
      expect(r).toContain(`The SAML token's subject confirmation ${reason}.`);
      expect(subject(r)).toBeUndefined();
    }
  });
  it("must state an expiry, and a token without one is told so, not that it has expired", async () => {
    const r = await sendTo(request("13", "1.2", await restated(await partnerAssertion(), (x) => x.replace(/(<saml:Conditions NotBefore="[^"]+") NotOnOrAfter="[^"]+"/, "$1"))));
    expect(faultCode(r)).toBe("wst:FailedAuthentication");
    expect(r).toContain("The SAML token states no expiry (Conditions NotOnOrAfter): only a token that expires is accepted.");
    expect(subject(r)).toBeUndefined();
  });

  it("are met only while the authentication session it states lasts (AuthnStatement SessionNotOnOrAfter, SAML 2.0 core §2.7.2)", async () => {
    const at = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString();
    const sessionUntil = (offsetSeconds: number) => (x: string) => x.replace("<saml:AuthnStatement ", `<saml:AuthnStatement SessionNotOnOrAfter="${at(offsetSeconds)}" `);
    // Control: a session that lasts beyond now is met.
    expect(subject(await sendTo(request("13", "1.2", await restated(await partnerAssertion(), sessionUntil(3600)))))).toBe(`${PARTNER}#carol`);
    const r = await sendTo(request("13", "1.2", await restated(await partnerAssertion(), sessionUntil(-3600))));
    expect(faultCode(r)).toBe("wst:FailedAuthentication");
    expect(r).toContain("The SAML token's authentication session has ended (AuthnStatement SessionNotOnOrAfter).");
    expect(subject(r)).toBeUndefined();
  });

  it("are refused when they restrict issuing on the assertion's basis (ProxyRestriction, SAML 2.0 core §2.5.1.6) or cannot be evaluated", async () => {
    const withCondition = (condition: string) => (x: string) => x.replace("</saml:AudienceRestriction>", `</saml:AudienceRestriction>${condition}`);
    const alsoForUs = withCondition(`<saml:AudienceRestriction><saml:Audience>${ORIGIN}</saml:Audience></saml:AudienceRestriction>`);
    // Control: a condition this STS understands and meets.
    expect(subject(await sendTo(request("13", "1.2", await restated(await partnerAssertion(), alsoForUs))))).toBe(`${PARTNER}#carol`);
    const cases = [
      ['<saml:ProxyRestriction Count="0"/>', "restricts what may be issued on its basis (ProxyRestriction)"],
      [`<saml:ProxyRestriction Count="2"><saml:Audience>${ORIGIN}</saml:Audience></saml:ProxyRestriction>`, "restricts what may be issued on its basis (ProxyRestriction)"],
      ['<saml:Condition xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:x="urn:example:conditions" xsi:type="x:OnlyOnTuesdays"/>', "states a condition this STS does not understand (Condition)"],
    ] as const;
    for (const [condition, reason] of cases) {
      const r = await sendTo(request("13", "1.2", await restated(await partnerAssertion(), withCondition(condition))));
      expect(faultCode(r), condition).toBe("wst:FailedAuthentication");
      expect(r, condition).toContain(`The SAML token ${reason}`);
      expect(subject(r), condition).toBeUndefined();
    }
  });
});

describe("a partner assertion with OneTimeUse (SAML 2.0 core §2.5.1.5)", () => {
  const roomy = workerWith({ ...DEV_CONFIG, limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: 1000 } });
  const sendTo = async (req: ReturnType<typeof request>) =>
    (await roomy(req.path, { method: "POST", headers: { ...req.headers, "CF-Connecting-IP": "192.0.2.41" }, body: req.body })).text();
  const subject = (text: string) => /<saml:NameID[^>]*>([^<]*)</.exec(text)?.[1];
  const oneTimeUse = (x: string) => x.replace("</saml:AudienceRestriction>", "</saml:AudienceRestriction><saml:OneTimeUse/>");

  it("signs in once: presented again, at any issued-token endpoint, it is refused", async () => {
    const once = await restated(await partnerAssertion(), oneTimeUse);
    expect(once).toContain("<saml:OneTimeUse/>");
    expect(subject(await sendTo(request("13", "1.2", once)))).toBe(`${PARTNER}#carol`);
    for (const [t, soap, variant] of [["13", "1.2", "asymmetric"], ["2005", "1.1", "symmetric"]] as const) {
      const again = await sendTo(request(t, soap, once, variant));
      expect(faultCode(again), `${t} ${variant}`).toBe("wst:FailedAuthentication");
      expect(again).toContain("The SAML token may be used only once (Conditions OneTimeUse), and it has been used before.");
      expect(subject(again)).toBeUndefined();
    }
  });

  it("stays spent across an upgrade: one a release before replay-key escaping remembered is refused", async () => {
    const once = await restated(await partnerAssertion(), oneTimeUse);
    const id = /\bID="([^"]+)"/.exec(once)![1]!;
    // That release joined the issuer's URN into the key as it is, colons and all.
    await rememberedByEarlierRelease(`saml-one-time-use:${PARTNER}:${id}`, Date.now() + 3_600_000);
    const again = await sendTo(request("13", "1.2", once));
    expect(faultCode(again)).toBe("wst:FailedAuthentication");
    expect(again).toContain("The SAML token may be used only once (Conditions OneTimeUse), and it has been used before.");
  });

  it("is the only kind spent: an assertion without it signs in as often as it is presented (until it expires)", async () => {
    const reusable = await partnerAssertion();
    for (let i = 0; i < 2; i++) expect(subject(await sendTo(request("13", "1.2", reusable)))).toBe(`${PARTNER}#carol`);
  });
});

describe("a partner assertion's subject", () => {
  const roomy = workerWith({ ...DEV_CONFIG, limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: 1000 } });
  const sendTo = async (req: ReturnType<typeof request>) =>
    (await roomy(req.path, { method: "POST", headers: { ...req.headers, "CF-Connecting-IP": "192.0.2.31" }, body: req.body })).text();

  it("must have a name: an empty NameID (or SAML 1.1 NameIdentifier) names nobody (SAML core §1.3.1)", async () => {
    for (const [t, kind, element] of [["13", "saml2", "NameID"], ["2005", "saml1", "NameIdentifier"]] as const) {
      const named = (name: string) => (x: string) => x.replace(new RegExp(`(<saml:${element}[^>]*>)carol(</saml:${element}>)`, "g"), `$1${name}$2`);
      // Control: renamed and re-signed, the assertion signs its subject in.
      const renamed = await sendTo(request(t, "1.2", await restated(await partnerAssertion({ kind }), named("dora"))));
      expect(/<saml:NameID[^>]*>([^<]*)</.exec(renamed)?.[1], kind).toBe(`${PARTNER}#dora`);
      for (const empty of ["", "  \n "]) {
        const r = await sendTo(request(t, "1.2", await restated(await partnerAssertion({ kind }), named(empty))));
        expect(faultCode(r), kind).toBe("wst:FailedAuthentication");
        expect(r, kind).toContain("The assertion's subject name (NameID) is empty.");
        expect(r, kind).not.toContain("<saml:NameID");
      }
    }
  });

  it("is the name as stated: only XML white space around it goes, never a no-break or other Unicode space that makes it another name", async () => {
    for (const [t, kind, element] of [["13", "saml2", "NameID"], ["2005", "saml1", "NameIdentifier"]] as const) {
      const named = (name: string) => (x: string) => x.replace(new RegExp(`(<saml:${element}[^>]*>)carol(</saml:${element}>)`, "g"), `$1${name}$2`);
      const signedInAs = async (name: string) => {
        const r = await sendTo(request(t, "1.2", await restated(await partnerAssertion({ kind }), named(name))));
        return /<saml:NameID[^>]*>([^<]*)</.exec(r)?.[1];
      };
      // Pretty-printing's white space around the name is not part of it.
      expect(await signedInAs("\n  carol\t "), kind).toBe(`${PARTNER}#carol`);
      // A partner's "\u00a0carol" (or with U+3000, U+FEFF, U+2028 at an end) is not its "carol".
      for (const other of ["\u00a0carol", "carol\u3000", "\ufeffcarol", "carol\u2028"]) {
        expect(await signedInAs(other), `${kind} ${JSON.stringify(other)}`).toBe(`${PARTNER}#${other}`);
      }
    }
  });
});

describe("a presented SAML assertion's times are in UTC (SAML 2.0 core §1.3.3): one with no time zone is refused, naming it", () => {
  // Each refusal is a failed authentication: room for all of them, from an address of their own.
  const roomy = workerWith({ ...DEV_CONFIG, limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: 1000 } });
  const send = async (req: ReturnType<typeof request>) =>
    (await roomy(req.path, { method: "POST", headers: { ...req.headers, "CF-Connecting-IP": "192.0.2.53" }, body: req.body })).text();
  const subject = (text: string) => /<saml:NameID[^>]*>([^<]*)</.exec(text)?.[1];
  /** The edit that drops the Z of the attribute `attr` on the element `el`, and the value it leaves. */
  const zoneless = (el: string, attr: string) => (x: string) => {
    const re = new RegExp(`(<saml:${el}\\b[^>]*? ${attr}=")([^"]+)Z"`);
    expect(x, `${el} ${attr}`).toMatch(re);
    return x.replace(re, '$1$2"');
  };
  const reason = (xml: string, el: string, attr: string) =>
    `The assertion's ${el} ${attr} '${new RegExp(`<saml:${el}\\b[^>]*? ${attr}="([^"]+)"`).exec(xml)![1]}' states no time zone: SAML times are in UTC (SAML 2.0 core §1.3.3), such as 2026-01-01T00:00:00Z.`;
  const sessionUntil = (x: string) => x.replace("<saml:AuthnStatement ", `<saml:AuthnStatement SessionNotOnOrAfter="${new Date(Date.now() + 3600_000).toISOString()}" `);
  const saml2 = [["Assertion", "IssueInstant"], ["Conditions", "NotBefore"], ["Conditions", "NotOnOrAfter"], ["AuthnStatement", "AuthnInstant"], ["AuthnStatement", "SessionNotOnOrAfter"], ["SubjectConfirmationData", "NotOnOrAfter"]] as const;
  const saml1 = [["Assertion", "IssueInstant"], ["Conditions", "NotBefore"], ["Conditions", "NotOnOrAfter"], ["AuthenticationStatement", "AuthenticationInstant"]] as const;

  it("in the issuedtokenmixed Security header and as an RFC 8693 subject or actor token (SAML 2.0 and 1.1)", async () => {
    // Control: the same edits keeping the Z are accepted, so each refusal below is the zone's.
    expect(subject(await send(request("13", "1.2", await restated(await partnerAssertion(), sessionUntil))))).toBe(`${PARTNER}#carol`);
    for (const [kind, attrs] of [["saml2", saml2], ["saml1", saml1]] as const) {
      for (const [el, attr] of attrs) {
        const what = `${kind} ${el} ${attr}`;
        const a = await restated(await partnerAssertion({ kind }), (x) => zoneless(el, attr)(kind === "saml2" ? sessionUntil(x) : x));
        const r = await send(request(kind === "saml2" ? "13" : "2005", "1.2", a));
        expect(faultCode(r), what).toBe("wst:FailedAuthentication");
        expect(r, what).toContain(reason(a, el, attr));
        expect(subject(r), what).toBeUndefined();
        const x = await exchange({ subject_token: b64url(a), subject_token_type: TX[kind], audience: "https://api.example.com/" }, undefined, roomy);
        expect([x.status, x.json.error], what).toEqual([400, "invalid_grant"]);
        // RFC 6749 §5.2: the OAuth description says it in ASCII ("§" → "section").
        expect(String(x.json.error_description), what).toContain(reason(a, el, attr).replace("§", "section "));
      }
    }
  });

  it("in a token of ours presented to Validate (an invalid status, with the reason), Renew, Cancel and OnBehalfOf", async () => {
    const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
    for (const [tokenType, attrs] of [[TT.saml2, saml2], [TT.saml1, saml1]] as const) {
      for (const [el, attr] of attrs) {
        if (attr === "SessionNotOnOrAfter") continue; // our own tokens state no session end
        const what = `${tokenType.slice(-7)} ${el} ${attr}`;
        const ours = assertionIn((await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType })).text)!;
        const a = await resign(zoneless(el, attr)(ours), await ourRsaKey());
        const status = await trust({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${a}</wst:ValidateTarget>` });
        expect(/<wst:Code>([^<]+)</.exec(status.text)?.[1], what).toBe(`${NS.t13}/status/invalid`);
        expect(status.text, what).toContain(reason(a, el, attr));
        for (const [requestType, extra] of [["Renew", `<wst:RenewTarget>${a}</wst:RenewTarget>`], ["Cancel", `<wst:CancelTarget>${a}</wst:CancelTarget>`]] as const) {
          const r = await trust({ ...validator, requestType, extra });
          expect(r.status, `${what} ${requestType}`).toBe(400);
          expect(r.text, `${what} ${requestType}`).toContain(reason(a, el, attr));
        }
        const obo = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${a}</wst:OnBehalfOf>` });
        expect(obo.status, `${what} OnBehalfOf`).toBe(400);
        expect(obo.text, `${what} OnBehalfOf`).toContain(reason(a, el, attr));
        // The token with its Z restored and signed again is valid: the zone was the fault.
        expect((await trust({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${await resign(ours, await ourRsaKey())}</wst:ValidateTarget>` })).text, what).toContain("status/valid");
      }
    }
  });
});
