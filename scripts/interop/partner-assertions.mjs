// Assertions from the federation partner urn:example:partner-idp (development configuration),
// signed by xmlsec1 with the partner's published key — not by our code — presented to the
// worker: over the issued-token endpoints (SAML 2.0 over WS-Trust 1.3, SAML 1.1 over WS-Trust
// 2005), as an RFC 8693 subject token, and as OnBehalfOf / ActAs. The tokens issued for them
// verify in xmlsec1. An assertion signed by an untrusted key, for another audience, expired, or
// wrapped (the signed assertion kept inside a forged one) is refused.
//
// OnBehalfOf and ActAs need a requestor allowed to issue for others, which the development
// configuration does not have: that part serves the same bundle a second time, with the
// development configuration plus a gateway service account (STS_CONFIG through serve's
// --vars-file), on a port of its own.
//
// Part of scripts/interop/run.mjs; also runs alone against a running worker:
//   node scripts/interop/partner-assertions.mjs --url http://127.0.0.1:8788 [--work DIR]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NS } from "../cli/xml.mjs";
import { metadataCerts, runAlone, xmlsecVerify } from "./verifiers.mjs";
import { bundleBuilt, serveVariant } from "./variant.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const CREDENTIALS = join(HERE, "../../test/fixtures/dev-credentials");
export const PARTNER_KEY = join(CREDENTIALS, "partner-idp.key.pem");
export const PARTNER_CERT = join(CREDENTIALS, "partner-idp.cert.pem");
const PARTNER = "urn:example:partner-idp";
const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";
const SAML1 = "urn:oasis:names:tc:SAML:1.0:assertion";
const DS = NS.ds;
const CLIENT = "Basic " + Buffer.from("demo-client:demo-secret").toString("base64");

const SIGNATURE_TEMPLATE = (id) =>
  `<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
  `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#${id}"><ds:Transforms>` +
  `<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>` +
  `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>` +
  `<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>`;

/**
 * An unsigned assertion template (SAML 2.0 or 1.1) with an empty enveloped signature for xmlsec1
 * to fill. With `holderOfKey` (a ds:KeyInfo element, declaring its own namespaces) the subject is
 * confirmed holder-of-key with that key instead of bearer.
 */
function template(kind, { audience, subject = "carol", notOnOrAfter, issuer = PARTNER, holderOfKey }) {
  const id = `_p${Date.now().toString(16)}${Math.random().toString(16).slice(2, 12)}`;
  const now = new Date();
  const nb = new Date(now.getTime() - 60_000).toISOString();
  const na = (notOnOrAfter ?? new Date(now.getTime() + 600_000)).toISOString();
  const at = now.toISOString();
  const confirmation2 = holderOfKey
    ? `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"><saml:SubjectConfirmationData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="saml:KeyInfoConfirmationDataType">${holderOfKey}</saml:SubjectConfirmationData></saml:SubjectConfirmation>`
    : `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"/>`;
  if (kind === "saml2") {
    return {
      id,
      xml:
        `<saml:Assertion xmlns:saml="${SAML2}" ID="${id}" IssueInstant="${at}" Version="2.0"><saml:Issuer>${issuer}</saml:Issuer>${SIGNATURE_TEMPLATE(id)}` +
        `<saml:Subject><saml:NameID>${subject}</saml:NameID>${confirmation2}</saml:Subject>` +
        `<saml:Conditions NotBefore="${nb}" NotOnOrAfter="${na}"><saml:AudienceRestriction><saml:Audience>${audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
        `<saml:AttributeStatement><saml:Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
        `<saml:AttributeValue>${subject}@partner.example</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
        `<saml:AuthnStatement AuthnInstant="${at}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement></saml:Assertion>`,
    };
  }
  const confirmation1 = holderOfKey ? `<saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:holder-of-key</saml:ConfirmationMethod>${holderOfKey}` : `<saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod>`;
  const subj = `<saml:Subject><saml:NameIdentifier>${subject}</saml:NameIdentifier><saml:SubjectConfirmation>${confirmation1}</saml:SubjectConfirmation></saml:Subject>`;
  return {
    id,
    xml:
      `<saml:Assertion xmlns:saml="${SAML1}" MajorVersion="1" MinorVersion="1" AssertionID="${id}" Issuer="${issuer}" IssueInstant="${at}">` +
      `<saml:Conditions NotBefore="${nb}" NotOnOrAfter="${na}"><saml:AudienceRestrictionCondition><saml:Audience>${audience}</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions>` +
      `<saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="${at}">${subj}</saml:AuthenticationStatement>` +
      `<saml:AttributeStatement>${subj}<saml:Attribute AttributeName="emailaddress" AttributeNamespace="http://schemas.xmlsoap.org/ws/2005/05/identity/claims"><saml:AttributeValue>${subject}@partner.example</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
      `${SIGNATURE_TEMPLATE(id)}</saml:Assertion>`,
  };
}

/** Signs an assertion template with xmlsec1 and the given key pair; returns the signed XML. */
export function xmlsecSignAssertion(work, kind, opts, key = PARTNER_KEY, cert = PARTNER_CERT) {
  const t = template(kind, opts);
  const tmpl = join(work, `partner-${t.id}.tmpl.xml`);
  const out = join(work, `partner-${t.id}.xml`);
  writeFileSync(tmpl, t.xml);
  const idAttr = kind === "saml2" ? ["--id-attr:ID", `${SAML2}:Assertion`] : ["--id-attr:AssertionID", `${SAML1}:Assertion`];
  const p = spawnSync("xmlsec1", ["--sign", "--privkey-pem", `${key},${cert}`, ...idAttr, "--output", out, tmpl], { encoding: "utf8" });
  if (p.status !== 0) throw new Error(`xmlsec1 --sign: ${(p.stderr ?? "").slice(-300)}`);
  return readFileSync(out, "utf8").replace(/^<\?xml[^?]*\?>\s*/, "").trim();
}

/** What xmlsec1 fills in: AES-256-GCM content, its key RSA-OAEP (MGF1-SHA1) for the certificate given. */
const ENCRYPTION_TEMPLATE =
  `<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
  `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/><ds:KeyInfo xmlns:ds="${DS}"><xenc:EncryptedKey>` +
  `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>` +
  `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>`;

/**
 * A signed assertion encrypted by xmlsec1 for `certificate` (the STS's encryption certificate
 * from its metadata), as a partner that read that metadata sends it: SAML 2.0 as
 * saml:EncryptedAssertion, SAML 1.1 as the bare xenc:EncryptedData (as in WS-Trust).
 */
export function xmlsecEncryptAssertion(work, kind, signed, certificate) {
  const stem = join(work, `partner-encrypted-${kind}-${Date.now().toString(16)}${Math.random().toString(16).slice(2, 8)}`);
  // SAML 2.0: the saml: prefix declared on the EncryptedAssertion alone, so xmlsec1 encrypts an
  // Assertion whose cleartext leaves it to its parent (XML Encryption §4.3 context).
  const inContext = signed.replace(`<saml:Assertion xmlns:saml="${SAML2}"`, "<saml:Assertion");
  writeFileSync(`${stem}.data.xml`, kind === "saml2" ? `<saml:EncryptedAssertion xmlns:saml="${SAML2}">${inContext}</saml:EncryptedAssertion>` : signed);
  writeFileSync(`${stem}.tmpl.xml`, ENCRYPTION_TEMPLATE);
  const node = `${kind === "saml2" ? SAML2 : SAML1}:Assertion`;
  const p = spawnSync("xmlsec1", ["--encrypt", "--pubkey-cert-pem", certificate, "--session-key", "aes-256", "--xml-data", `${stem}.data.xml`, "--node-name", node, "--output", `${stem}.xml`, `${stem}.tmpl.xml`], { encoding: "utf8" });
  if (p.status !== 0) throw new Error(`xmlsec1 --encrypt: ${(p.stderr ?? "").slice(-300)}`);
  return readFileSync(`${stem}.xml`, "utf8").replace(/^<\?xml[^?]*\?>\s*/, "").trim();
}

/**
 * A WS-Trust Issue for urn:example:rp: `security` goes into the wsse:Security header (after the
 * Timestamp), `rst` into the RequestSecurityToken after its TokenType and RequestType.
 */
async function trustIssue(base, { trust, soap, path, security, rst = "" }) {
  const tns = trust === "13" ? NS.wst13 : NS.wst05;
  const action = `${tns}/RST/Issue`;
  const now = new Date();
  const tokenType = trust === "13" ? "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" : "urn:oasis:names:tc:SAML:1.0:assertion";
  const body =
    `<s:Envelope xmlns:s="${soap === "1.2" ? NS.s12 : NS.s11}" xmlns:a="${NS.wsa}" xmlns:u="${NS.wsu}"><s:Header><a:Action s:mustUnderstand="1">${action}</a:Action>` +
    `<a:To s:mustUnderstand="1">${base}${path}</a:To><o:Security xmlns:o="${NS.wsse}" s:mustUnderstand="1"><u:Timestamp><u:Created>${now.toISOString()}</u:Created>` +
    `<u:Expires>${new Date(now.getTime() + 300_000).toISOString()}</u:Expires></u:Timestamp>${security}</o:Security></s:Header><s:Body>` +
    `<t:RequestSecurityToken xmlns:t="${tns}"><t:TokenType>${tokenType}</t:TokenType><t:RequestType>${tns}/Issue</t:RequestType>${rst}` +
    `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>urn:example:rp</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken></s:Body></s:Envelope>`;
  const headers = soap === "1.2"
    ? { "content-type": `application/soap+xml; charset=utf-8; action="${action}"` }
    : { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` };
  const res = await fetch(base + path, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}

/** A WS-Trust Issue over an issued-token endpoint, the assertion in the Security header. */
function issueWithAssertion(base, { trust, soap, assertion }) {
  return trustIssue(base, { trust, soap, path: `/trust/${trust}/issuedtokenmixedasymmetricbasic256`, security: assertion });
}

const faultOf = (text) => /<faultcode>([^<]+)<\/faultcode>|<s:Subcode><s:Value>([^<]+)<\/s:Value>/.exec(text)?.slice(1).find(Boolean);
const issuedAssertion = (text, ns) => new RegExp(`<saml:Assertion xmlns:saml="${ns.replace(/[.:]/g, "\\$&")}"[\\s\\S]*?</saml:Assertion>`).exec(text)?.[0];

/** Runs the checks, reporting through the driver's report/skip callbacks. */
export async function partnerAssertionsCheck({ base, work, report, skip, certs, encryptionCerts = [], issuer }) {
  const audience = issuer ?? base;
  const cases = [
    { trust: "13", soap: "1.2", kind: "saml2" },
    { trust: "13", soap: "1.1", kind: "saml2" },
    { trust: "2005", soap: "1.1", kind: "saml1" },
    { trust: "2005", soap: "1.2", kind: "saml1" },
  ];
  for (const c of cases) {
    const tag = `partner ${c.kind} (xmlsec1-signed) over issuedtokenmixed soap${c.soap} trust${c.trust}`;
    let assertion;
    try {
      assertion = xmlsecSignAssertion(work, c.kind, { audience });
    } catch (e) {
      report(`${tag}: xmlsec1 signs`, false, e.message);
      continue;
    }
    const r = await issueWithAssertion(base, { ...c, assertion });
    const issued = issuedAssertion(r.text, c.trust === "13" ? SAML2 : SAML1);
    const named = issued?.includes(`${PARTNER}#carol<`) ?? false;
    report(`${tag}: issued for ${PARTNER}#carol`, r.status === 200 && named, `HTTP ${r.status} ${faultOf(r.text) ?? ""}`);
    if (!issued) continue;
    if (!certs.length) {
      skip(`${tag}: the issued token verifies in xmlsec1`, "no metadata certificate to pin");
      continue;
    }
    const file = join(work, `partner-issued-${c.kind}-${c.soap}-${c.trust}.xml`);
    writeFileSync(file, issued);
    const v = xmlsecVerify(file, certs, c.trust === "13" ? "saml2" : "saml1");
    report(`${tag}: the issued token verifies in xmlsec1`, v.ok, v.detail);
  }

  // Encrypted for this STS by xmlsec1, with the encryption certificate its metadata publishes, as
  // a partner (AD FS, a Shibboleth IdP) that read that metadata encrypts what it issues to us.
  if (!encryptionCerts.length) {
    skip("partner assertions encrypted for this STS", "no encryption certificate in the metadata");
  } else {
    for (const c of [{ trust: "13", soap: "1.2", kind: "saml2" }, { trust: "2005", soap: "1.1", kind: "saml1" }]) {
      const tag = `partner ${c.kind} (xmlsec1-signed, xmlsec1-encrypted for the metadata's encryption certificate) over issuedtokenmixed soap${c.soap} trust${c.trust}`;
      let assertion;
      try {
        assertion = xmlsecEncryptAssertion(work, c.kind, xmlsecSignAssertion(work, c.kind, { audience }), encryptionCerts[0]);
      } catch (e) {
        report(`${tag}: xmlsec1 signs and encrypts`, false, e.message);
        continue;
      }
      const r = await issueWithAssertion(base, { ...c, assertion });
      const issued = issuedAssertion(r.text, c.trust === "13" ? SAML2 : SAML1);
      report(`${tag}: issued for ${PARTNER}#carol`, r.status === 200 && (issued?.includes(`${PARTNER}#carol<`) ?? false), `HTTP ${r.status} ${faultOf(r.text) ?? ""}`);
    }
  }

  // RFC 8693: a partner assertion (base64url) as the subject token.
  const meta = await fetch(new URL("/.well-known/oauth-authorization-server", base)).then((r) => r.json()).catch(() => ({}));
  for (const kind of ["saml2", "saml1"]) {
    const assertion = xmlsecSignAssertion(work, kind, { audience });
    const res = await fetch(meta.token_endpoint ?? `${base}/oauth2/token`, {
      method: "POST",
      headers: { authorization: CLIENT, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: Buffer.from(assertion).toString("base64url"),
        subject_token_type: `urn:ietf:params:oauth:token-type:${kind}`,
        audience: "https://api.example.com/",
        requested_token_type: "urn:ietf:params:oauth:token-type:jwt",
      }),
    });
    const body = await res.json().catch(() => ({}));
    let sub;
    try {
      sub = JSON.parse(Buffer.from(String(body.access_token).split(".")[1], "base64url").toString("utf8")).sub;
    } catch {
      sub = undefined;
    }
    report(`partner ${kind} (xmlsec1-signed) as RFC 8693 subject_token → JWT for ${PARTNER}#carol`, res.status === 200 && sub === `${PARTNER}#carol`,
      `HTTP ${res.status} ${body.error ?? ""} ${body.error_description ?? ""} sub=${sub}`.trim());
  }

  // Refusals: each gets a fault, never a token.
  const other = join(work, "partner-untrusted");
  mkdirSync(other, { recursive: true });
  spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${PARTNER}`, "-keyout", join(other, "key.pem"), "-out", join(other, "cert.pem")], { encoding: "utf8" });
  const good = xmlsecSignAssertion(work, "saml2", { audience });
  const forgedOuter = template("saml2", { audience, subject: "alice" }).xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
  const refusals = {
    "signed by an untrusted key": xmlsecSignAssertion(work, "saml2", { audience }, join(other, "key.pem"), join(other, "cert.pem")),
    "for another audience": xmlsecSignAssertion(work, "saml2", { audience: "https://elsewhere.example/" }),
    expired: xmlsecSignAssertion(work, "saml2", { audience, notOnOrAfter: new Date(Date.now() - 3_600_000) }),
    "wrapped (the signed assertion inside a forged one)": forgedOuter.replace("</saml:Subject>", `</saml:Subject><saml:Advice>${good}</saml:Advice>`),
  };
  for (const [name, assertion] of Object.entries(refusals)) {
    const r = await issueWithAssertion(base, { trust: "13", soap: "1.2", assertion });
    const code = faultOf(r.text);
    report(`partner assertion ${name}: refused over issuedtokenmixed`, r.status >= 400 && !!code && !r.text.includes(`${SAML2}" ID=`) && !r.text.includes("RequestedSecurityToken"), `HTTP ${r.status} ${code ?? "no fault"}`);
  }

  await partnerDelegationCheck({ work, report, skip, untrusted: { key: join(other, "key.pem"), cert: join(other, "cert.pem") } });
}

const GATEWAY = { username: "partner-gateway", secret: "partner-gateway-secret-only-for-interop-3c9e" };
const GATEWAY_PORT = Number(process.env.INTEROP_GATEWAY_PORT ?? 18893);

/** The development configuration plus GATEWAY, a service account that may issue for urn:example:rp. */
function startGateway(work) {
  const account = { username: GATEWAY.username, secretHashSecret: "INTEROP_GATEWAY_SECRET_HASH", allowedRelyingParties: ["urn:example:rp"], operations: ["issue"] };
  const hash = `sha256$${createHash("sha256").update(GATEWAY.secret).digest("hex")}`;
  return serveVariant({
    work, name: "gateway", port: GATEWAY_PORT, secrets: { INTEROP_GATEWAY_SECRET_HASH: hash },
    change: (dev) => ({ ...dev, serviceAccounts: [...dev.serviceAccounts, account] }),
  });
}

/**
 * OnBehalfOf and ActAs with xmlsec1-signed partner assertions, asked by the gateway account over
 * usernamemixed: the token is issued for the partner's subject (ActAs also names the gateway as
 * actor) and verifies in xmlsec1; an assertion from an untrusted key gets a fault.
 */
async function partnerDelegationCheck({ work, report, skip, untrusted }) {
  const tag = "partner assertion (xmlsec1-signed) as";
  if (!bundleBuilt()) {
    skip(`${tag} OnBehalfOf / ActAs`, "no built bundle in dist/ to serve with the gateway account");
    return;
  }
  let gateway;
  try {
    gateway = await startGateway(work);
  } catch (e) {
    report(`${tag} OnBehalfOf / ActAs: the gateway configuration serves`, false, e.message);
    return;
  }
  try {
    const base = gateway.base;
    const mdFile = join(work, "gateway-FederationMetadata.xml");
    writeFileSync(mdFile, await fetch(`${base}/FederationMetadata/2007-06/FederationMetadata.xml`).then((r) => r.text()));
    const { certs, entityID } = metadataCerts(mdFile, join(work, "gateway-certs"));
    const audience = entityID ?? base;
    const usernameToken =
      `<o:UsernameToken xmlns:o="${NS.wsse}"><o:Username>${GATEWAY.username}</o:Username>` +
      `<o:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${GATEWAY.secret}</o:Password></o:UsernameToken>`;
    const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
    const cases = [
      { name: "OnBehalfOf", trust: "13", soap: "1.2", kind: "saml2", wrap: (a) => `<t:OnBehalfOf>${a}</t:OnBehalfOf>`, actor: false },
      { name: "ActAs", trust: "13", soap: "1.1", kind: "saml2", wrap: (a) => `<wst14:ActAs xmlns:wst14="${WST14}">${a}</wst14:ActAs>`, actor: true },
      { name: "OnBehalfOf", trust: "2005", soap: "1.1", kind: "saml1", wrap: (a) => `<t:OnBehalfOf>${a}</t:OnBehalfOf>`, actor: false },
    ];
    for (const c of cases) {
      const what = `${tag} ${c.name} (${c.kind}, soap${c.soap} trust${c.trust}) from a gateway account`;
      const assertion = xmlsecSignAssertion(work, c.kind, { audience, subject: "carol" });
      const r = await trustIssue(base, { trust: c.trust, soap: c.soap, path: `/trust/${c.trust}/usernamemixed`, security: usernameToken, rst: c.wrap(assertion) });
      const issued = issuedAssertion(r.text, c.trust === "13" ? SAML2 : SAML1);
      const forCarol = issued?.includes(`${PARTNER}#carol<`) ?? false;
      const actorNamed = issued?.includes(`>${GATEWAY.username}<`) ?? false;
      report(`${what}: issued for ${PARTNER}#carol${c.actor ? `, ${GATEWAY.username} as actor` : ""}`, r.status === 200 && forCarol && actorNamed === c.actor,
        `HTTP ${r.status} ${faultOf(r.text) ?? ""} subject=${forCarol} actor=${actorNamed}`);
      if (!issued) continue;
      const file = join(work, `partner-${c.name}-${c.kind}-${c.soap}.xml`);
      writeFileSync(file, issued);
      const v = xmlsecVerify(file, certs, c.kind);
      report(`${what}: the issued token verifies in xmlsec1`, v.ok, v.detail);
    }
    const forged = xmlsecSignAssertion(work, "saml2", { audience, subject: "carol" }, untrusted.key, untrusted.cert);
    const r = await trustIssue(base, { trust: "13", soap: "1.2", path: "/trust/13/usernamemixed", security: usernameToken, rst: `<t:OnBehalfOf>${forged}</t:OnBehalfOf>` });
    report(`${tag} OnBehalfOf signed by an untrusted key: refused`, r.status >= 400 && !!faultOf(r.text) && !r.text.includes("RequestedSecurityToken"), `HTTP ${r.status} ${faultOf(r.text) ?? "no fault"}`);
  } finally {
    gateway.stop();
  }
}

// Alone: node scripts/interop/partner-assertions.mjs --url URL [--work DIR]
await runAlone(import.meta.url, "partner", partnerAssertionsCheck);
