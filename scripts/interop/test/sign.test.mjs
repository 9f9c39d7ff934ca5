// Self-tests of the CLI's certificatemixed signer (scripts/cli/sign.mjs), judged by xml-crypto,
// an XML-DSig implementation that is neither ours nor the signer's: it verifies the signature and
// every reference over the message as sent, so the "canonical by construction" parts really are
// canonical. Node 22: `node --test 'scripts/interop/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ExclusiveCanonicalization, SignedXml } from "xml-crypto";
import { buildSignedRequest } from "../../cli/sign.mjs";
import { run } from "../../cli/token.mjs";
import { NS, parseXml, select } from "../../cli/xml.mjs";
import { listen } from "../../test/listen.mjs";

const CREDS = new URL("../../../test/fixtures/dev-credentials/", import.meta.url);
const KEY = readFileSync(new URL("alice-client.key.pem", CREDS), "utf8");
const CERT = readFileSync(new URL("alice-client.cert.pem", CREDS), "utf8");
const TO = "https://sts.example.com/trust/13/certificatemixed";

/** xml-crypto's verdict on the one ds:Signature of a message, against the certificate given. */
function xmlCryptoVerify(xml, certPem) {
  const doc = parseXml(xml);
  const [signature] = select("//ds:Signature", doc);
  const sig = new SignedXml({ publicCert: certPem, idAttributes: [{ prefix: "u", localName: "Id", namespaceUri: NS.wsu }] });
  sig.loadSignature(signature);
  let ok = false;
  try {
    ok = sig.checkSignature(xml);
  } catch {
    ok = false;
  }
  return { ok, references: sig.getSignedReferences?.() ?? [] };
}

test("sign: xml-crypto verifies the signature and all four references (SOAP 1.1/1.2, WS-Trust 1.3/2005)", () => {
  for (const soap of ["1.1", "1.2"]) {
    for (const trust of ["13", "2005"]) {
      const { body, headers, action } = buildSignedRequest({ to: TO, keyPem: KEY, certPem: CERT, appliesTo: "urn:example:rp", tokenType: "saml2", soap, trust });
      const v = xmlCryptoVerify(body, CERT);
      assert.equal(v.ok, true, `${soap} ${trust}`);
      assert.equal(v.references.length, 4);
      assert.match(action, trust === "13" ? /200512\/RST\/Issue$/ : /2005\/02\/trust\/RST\/Issue$/);
      assert.equal(soap === "1.1" ? headers.soapaction : /action="([^"]+)"/.exec(headers["content-type"])?.[1], soap === "1.1" ? `"${action}"` : action);
    }
  }
});

test("sign: each signed part is already in exclusive canonical form, also with characters c14n escapes", () => {
  const { body } = buildSignedRequest({ to: `${TO}?a=1&b=<2>`, keyPem: KEY, certPem: CERT, appliesTo: "urn:example:rp&\"odd\"" });
  const doc = parseXml(body);
  const c14n = new ExclusiveCanonicalization();
  for (const id of ["_body", "_ts", "_to", "_action"]) {
    const [el] = select(`//*[@*[local-name()='Id']='${id}']`, doc);
    const canonical = c14n.process(el, { inclusiveNamespacesPrefixList: [], ancestorNamespaces: [] }).toString();
    assert.ok(body.includes(canonical), `${id} is sent in its canonical form`);
  }
  assert.equal(xmlCryptoVerify(body, CERT).ok, true);
});

test("sign: a changed Body, or another certificate, does not verify", () => {
  const { body } = buildSignedRequest({ to: TO, keyPem: KEY, certPem: CERT, appliesTo: "urn:example:rp" });
  assert.equal(xmlCryptoVerify(body.replace("urn:example:rp", "urn:example:rq"), CERT).ok, false);
  const ca = readFileSync(new URL("dev-ca.cert.pem", CREDS), "utf8");
  assert.equal(xmlCryptoVerify(body, ca).ok, false);
});

test("sign: two messages signed in the same breath differ (the STS refuses a signature it has seen)", () => {
  const a = buildSignedRequest({ to: TO, keyPem: KEY, certPem: CERT, appliesTo: "urn:example:rp", now: new Date(1_800_000_000_000) });
  const b = buildSignedRequest({ to: TO, keyPem: KEY, certPem: CERT, appliesTo: "urn:example:rp", now: new Date(1_800_000_000_001) });
  const value = (x) => /<ds:SignatureValue>([^<]+)</.exec(x.body)[1];
  assert.notEqual(value(a), value(b));
});

test("sign: an EC P-256 key signs with ecdsa-sha256 (r || s): WebCrypto verifies it over xml-crypto's canonical SignedInfo", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "sts-sign-"));
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", "/CN=ec"], { encoding: "utf8" });
  if (r.status !== 0) return t.skip(`openssl: ${r.stderr}`);
  const cert = readFileSync(join(dir, "c.pem"), "utf8");
  const { body } = buildSignedRequest({ to: TO, keyPem: readFileSync(join(dir, "k.pem"), "utf8"), certPem: cert, appliesTo: "urn:example:rp" });
  assert.match(body, /ecdsa-sha256/);
  // xml-crypto has no ECDSA: it canonicalizes, WebCrypto (which takes r || s as it is) verifies.
  const doc = parseXml(body);
  const [signedInfo] = select("//ds:SignedInfo", doc);
  const canonical = new ExclusiveCanonicalization().process(signedInfo, { inclusiveNamespacesPrefixList: [], ancestorNamespaces: [] }).toString();
  const spki = new X509Certificate(cert).publicKey.export({ type: "spki", format: "der" });
  const key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const value = Buffer.from(/<ds:SignatureValue>([^<]+)</.exec(body)[1], "base64");
  assert.equal(value.length, 64);
  assert.equal(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, value, Buffer.from(canonical)), true);
});

test("token --cert/--key posts a signed Issue to /trust/<v>/certificatemixed and prints the token", async () => {
  const seen = [];
  const RSTR = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><t:RequestSecurityTokenResponseCollection xmlns:t="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><t:RequestSecurityTokenResponse><t:RequestedSecurityToken><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x"><saml:Issuer>i</saml:Issuer></saml:Assertion></t:RequestedSecurityToken></t:RequestSecurityTokenResponse></t:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`;
  const server = await listen((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ url: req.url, headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/soap+xml; charset=utf-8" });
      res.end(RSTR);
    });
  });
  const out = join(mkdtempSync(join(tmpdir(), "sts-sign-")), "token.xml");
  try {
    const url = server.url;
    const code = await run(["--url", url, "--cert", new URL("alice-client.cert.pem", CREDS).pathname, "--key", new URL("alice-client.key.pem", CREDS).pathname,
      "--applies-to", "urn:example:rp", "--trust", "2005", "--soap", "1.1", "--out", out]);
    assert.equal(code, 0);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, "/trust/2005/certificatemixed");
    assert.match(seen[0].headers["content-type"], /^text\/xml/);
    assert.match(seen[0].body, new RegExp(`<a:To [^>]*>${url}/trust/2005/certificatemixed</a:To>`));
    assert.equal(xmlCryptoVerify(seen[0].body, CERT).ok, true);
    assert.match(readFileSync(out, "utf8"), /^<saml:Assertion /);
    assert.equal(await run(["--url", url, "--cert", "x.pem", "--applies-to", "urn:example:rp"]), 2, "--cert without --key is a usage error");
  } finally {
    server.close();
  }
});
