// Self-tests of the CLI client's pieces (Node 22: `node --test 'scripts/interop/test/*.test.mjs'`).
// The mex fixture is a snapshot of src/wstrust/mex.ts buildWsdl("http://127.0.0.1:8788").
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { buildIssueRequest, claimsXml, soapHeaders, TOKEN_TYPES, TRUST } from "../../cli/envelope.mjs";
import { findUsernameMixed, listEndpoints } from "../../cli/mex.mjs";
import { isTrustFault, parseIssueResponse } from "../../cli/rstr.mjs";
import { parseClaims, requestToken } from "../../cli/token.mjs";
import { manageToken } from "../../cli/lifecycle.mjs";
import { parseXml, select, selectText } from "../../cli/xml.mjs";
import { listen } from "../../test/listen.mjs";

const fx = (name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const MEX = fx("mex.xml");

test("mex: picks the usernamemixed endpoint per WS-Trust version from bindings + policy", () => {
  assert.equal(findUsernameMixed(MEX, "13"), "http://127.0.0.1:8788/trust/13/usernamemixed");
  assert.equal(findUsernameMixed(MEX, "2005"), "http://127.0.0.1:8788/trust/2005/usernamemixed");
  assert.deepEqual(listEndpoints(MEX).map((e) => [e.trust, e.soap, e.usernameToken]), [["13", "1.2", true], ["2005", "1.2", true]]);
});

test("mex: a port whose policy has no UsernameToken is not chosen, even with the 1.3 action", () => {
  // Turn the 1.3 binding's policy into a Kerberos-only one and add no other 1.3 port.
  const noUt = MEX.replace(/(<wsp:Policy wsu:Id="UserNameWSTrustBinding_IWSTrust13Async_policy">[\s\S]*?)<sp:UsernameToken[\s\S]*?<\/sp:UsernameToken>/, "$1<sp:KerberosToken/>");
  assert.notEqual(noUt, MEX);
  assert.throws(() => findUsernameMixed(noUt, "13"), /no UsernameToken endpoint for WS-Trust 13/);
  assert.equal(findUsernameMixed(noUt, "2005"), "http://127.0.0.1:8788/trust/2005/usernamemixed");
});

test("mex: falls back to the /trust/<v>/usernamemixed path when a port has no binding", () => {
  const wsdl = `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsa10="http://www.w3.org/2005/08/addressing"><wsdl:service name="s">
    <wsdl:port name="a" binding="tns:missing"><wsa10:EndpointReference><wsa10:Address>https://sts.example/adfs/services/trust/2005/usernamemixed</wsa10:Address></wsa10:EndpointReference></wsdl:port>
    <wsdl:port name="b" binding="tns:missing"><wsa10:EndpointReference><wsa10:Address>https://sts.example/adfs/services/trust/13/windowstransport</wsa10:Address></wsa10:EndpointReference></wsdl:port>
  </wsdl:service></wsdl:definitions>`;
  assert.equal(findUsernameMixed(wsdl, "2005"), "https://sts.example/adfs/services/trust/2005/usernamemixed");
  assert.throws(() => findUsernameMixed(wsdl, "13"));
});

test("mex: refuses a document that is not a WSDL, and one with a DOCTYPE", () => {
  assert.throws(() => listEndpoints("<html><body/></html>"), { message: "mex: the root element is html, not wsdl:definitions" });
  assert.throws(() => listEndpoints('<!DOCTYPE x [<!ENTITY e "e">]><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>'), /DOCTYPE/);
});

for (const [soap, trust] of [["1.1", "13"], ["1.2", "13"], ["1.1", "2005"], ["1.2", "2005"]]) {
  test(`envelope: SOAP ${soap} / WS-Trust ${trust} RST Issue`, () => {
    const now = new Date("2026-11-23T10:00:00.000Z");
    const r = buildIssueRequest({
      to: "http://127.0.0.1:8788/trust/13/usernamemixed", username: "alice", password: `p<&>"'w`,
      appliesTo: "urn:example:rp", tokenType: "saml1", soap, trust, now, ttlSeconds: 300, messageId: "urn:uuid:00000000-0000-4000-8000-000000000001",
    });
    const doc = parseXml(r.body);
    const env = soap === "1.1" ? "s11" : "s12";
    const wst = trust === "13" ? "wst13" : "wst05";
    const h = `/${env}:Envelope/${env}:Header`;
    assert.equal(selectText(`${h}/wsa:Action`, doc), TRUST[trust].action);
    assert.equal(selectText(`${h}/wsa:Action/@${env}:mustUnderstand`, doc), "1");
    assert.equal(selectText(`${h}/wsa:MessageID`, doc), "urn:uuid:00000000-0000-4000-8000-000000000001");
    assert.equal(selectText(`${h}/wsa:To`, doc), "http://127.0.0.1:8788/trust/13/usernamemixed");
    assert.equal(selectText(`${h}/wsse:Security/wsu:Timestamp/wsu:Created`, doc), "2026-11-23T10:00:00.000Z");
    assert.equal(selectText(`${h}/wsse:Security/wsu:Timestamp/wsu:Expires`, doc), "2026-11-23T10:05:00.000Z");
    assert.equal(selectText(`${h}/wsse:Security/wsse:UsernameToken/wsse:Username`, doc), "alice");
    assert.equal(selectText(`${h}/wsse:Security/wsse:UsernameToken/wsse:Password`, doc), `p<&>"'w`);
    assert.equal(selectText(`${h}/wsse:Security/wsse:UsernameToken/wsse:Password/@Type`, doc),
      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText");
    const rst = select(`/${env}:Envelope/${env}:Body/${wst}:RequestSecurityToken`, doc)[0];
    assert.ok(rst, "RequestSecurityToken in the trust namespace");
    assert.equal(selectText("wsp:AppliesTo/wsa:EndpointReference/wsa:Address", rst), "urn:example:rp");
    assert.equal(selectText(`${wst}:RequestType`, rst), TRUST[trust].requestType);
    assert.equal(selectText(`${wst}:KeyType`, rst), TRUST[trust].bearer);
    assert.equal(selectText(`${wst}:TokenType`, rst), TOKEN_TYPES.saml1);
    assert.deepEqual(r.headers, soapHeaders(soap, TRUST[trust].action));
  });
}

test("envelope: --claims becomes wst:Claims in the identity dialect, or the authorization one when a value is asked", () => {
  const ic = parseClaims("urn:a,urn:b?");
  assert.deepEqual(ic, [{ uri: "urn:a", optional: false }, { uri: "urn:b", optional: true }]);
  const doc = parseXml(buildIssueRequest({ to: "http://x/", username: "u", password: "p", appliesTo: "urn:example:rp", claims: ic }).body);
  const IC = "http://schemas.xmlsoap.org/ws/2005/05/identity";
  const claims = select("//*[local-name()='Claims']", doc)[0];
  assert.equal(claims.namespaceURI, TRUST["13"].ns);
  assert.equal(claims.getAttribute("Dialect"), IC);
  assert.deepEqual(select("*", claims).map((c) => [c.namespaceURI, c.localName, c.getAttribute("Uri"), c.getAttribute("Optional")]), [[IC, "ClaimType", "urn:a", "false"], [IC, "ClaimType", "urn:b", "true"]]);
  const auth = claimsXml(parseClaims("urn:role=<admin>"));
  assert.match(auth, /^<trust:Claims Dialect="http:\/\/docs.oasis-open.org\/wsfed\/authorization\/200706"/);
  assert.match(auth, /<auth:ClaimType Uri="urn:role" Optional="false"><auth:Value>&lt;admin&gt;<\/auth:Value><\/auth:ClaimType>/);
});

test("envelope: HTTP headers per SOAP version", () => {
  assert.deepEqual(soapHeaders("1.1", TRUST[13].action), {
    "content-type": "text/xml; charset=utf-8",
    soapaction: '"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"',
  });
  assert.deepEqual(soapHeaders("1.2", TRUST[2005].action), {
    "content-type": 'application/soap+xml; charset=utf-8; action="http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"',
  });
});

const RSTRC = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action>http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal</a:Action></s:Header><s:Body><trust:RequestSecurityTokenResponseCollection xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><trust:RequestSecurityTokenResponse><trust:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0</trust:TokenType><trust:RequestedSecurityToken><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x"><saml:Issuer>i</saml:Issuer></saml:Assertion></trust:RequestedSecurityToken></trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`;

test("rstr: extracts the assertion from an RSTRC", () => {
  const r = parseIssueResponse(RSTRC);
  assert.equal(r.ok, true);
  assert.equal(r.token, '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x"><saml:Issuer>i</saml:Issuer></saml:Assertion>');
  assert.equal(r.tokenType, "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0");
  assert.equal(r.action, "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal");
});

test("rstr: the token is the exact text the STS sent, so a signature over a CR, U+0085 or U+2028 still holds", () => {
  const signedOver = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x"><saml:Issuer>i</saml:Issuer><saml:AttributeValue>a&#xD;b\u0085c\u2028d</saml:AttributeValue></saml:Assertion>';
  const r = parseIssueResponse(RSTRC.replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, signedOver));
  assert.equal(r.ok && r.token, signedOver);
});

test("rstr: a token that uses the envelope's namespace declarations is written out with them", () => {
  const leaning = RSTRC.replace('<s:Envelope xmlns:s=', '<s:Envelope xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:s=').replace(' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x"', ' ID="_x"');
  const r = parseIssueResponse(leaning);
  assert.equal(r.ok && r.token, '<saml:Assertion ID="_x" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Issuer>i</saml:Issuer></saml:Assertion>');
});

test("rstr: a JWT in a BinarySecurityToken comes back as the compact JWS", () => {
  const jws = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
  const b64 = Buffer.from(jws).toString("base64");
  const xml = RSTRC.replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, `<wsse:BinarySecurityToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ValueType="urn:ietf:params:oauth:token-type:jwt" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${b64}</wsse:BinarySecurityToken>`);
  const r = parseIssueResponse(xml);
  assert.equal(r.ok && r.token, jws);
});

test("rstr: SOAP 1.1 fault code QName resolves to wst:FailedAuthentication", () => {
  const f = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:x="http://docs.oasis-open.org/ws-sx/ws-trust/200512">x:FailedAuthentication</faultcode><faultstring xml:lang="en">Authentication failed</faultstring></s:Fault></s:Body></s:Envelope>`;
  const r = parseIssueResponse(f);
  assert.equal(r.ok, false);
  assert.equal(r.code, "{http://docs.oasis-open.org/ws-sx/ws-trust/200512}FailedAuthentication");
  assert.equal(r.reason, "Authentication failed");
  assert.equal(isTrustFault(r, "FailedAuthentication"), true);
  assert.equal(isTrustFault(r, "InvalidRequest"), false);
  // Same local name in a foreign namespace is not the WS-Trust fault.
  assert.equal(isTrustFault(parseIssueResponse(f.replace("ws-sx/ws-trust/200512", "evil")), "FailedAuthentication"), false);
});

test("rstr: SOAP 1.2 fault subcode resolves to wst:FailedAuthentication (2005 namespace)", () => {
  const f = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">t:FailedAuthentication</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">nope</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;
  const r = parseIssueResponse(f);
  assert.equal(r.code, "{http://www.w3.org/2003/05/soap-envelope}Sender");
  assert.equal(isTrustFault(r, "FailedAuthentication"), true);
  assert.equal(r.reason, "nope");
});

test("rstr: non-XML and token-less responses are client errors, not tokens", () => {
  assert.equal(parseIssueResponse("Internal Server Error").code, "client:unparseable");
  assert.equal(parseIssueResponse(RSTRC.replace(/<trust:RequestedSecurityToken>[\s\S]*<\/trust:RequestedSecurityToken>/, "")).code, "client:no-token");
});

/** A stub STS: the mex document at GET /trust/mex, `answer` to every POST; each request is pushed onto `seen`. */
async function stubSts(answer, seen = []) {
  const stub = await listen((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method === "GET" && req.url === "/trust/mex") {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(MEX.replaceAll("http://127.0.0.1:8788", stub.url));
      } else {
        res.writeHead(200, { "content-type": "application/soap+xml; charset=utf-8" });
        res.end(answer);
      }
    });
  });
  return stub;
}

// WS-Trust 1.3 §7: a transformation's RSTR holds the new token and a wst:Status valid beside it.
test("manageToken: a Validate answered with a new token and its wst:Status gives the token; a status alone gives the status", async () => {
  const T = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
  const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_t"><saml:Issuer>i</saml:Issuer></saml:Assertion>`;
  const statusXml = `<wst:Status><wst:Code>${T}/status/valid</wst:Code><wst:Reason>The token is valid.</wst:Reason></wst:Status>`;
  const reply = (rstr) => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><wst:RequestSecurityTokenResponse xmlns:wst="${T}">${rstr}</wst:RequestSecurityTokenResponse></s:Body></s:Envelope>`;
  const asked = { user: "alice", password: "wonderland", op: "Validate", token: "<x/>", trust: "13" };
  const transformed = await stubSts(reply(`<wst:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1</wst:TokenType><wst:RequestedSecurityToken>${assertion}</wst:RequestedSecurityToken>${statusXml}`));
  try {
    const r = await manageToken({ ...asked, url: transformed.url, tokenType: "saml1" });
    assert.equal(r.token, assertion);
    assert.equal(r.valid, undefined);
  } finally {
    await transformed.close();
  }
  const statusOnly = await stubSts(reply(`<wst:TokenType>${T}/RSTR/Status</wst:TokenType>${statusXml}`));
  try {
    const r = await manageToken({ ...asked, url: statusOnly.url });
    assert.equal(r.valid, true);
    assert.equal(r.reason, "The token is valid.");
    assert.equal(r.token, undefined);
  } finally {
    await statusOnly.close();
  }
});

test("requestToken: discovers via /trust/mex and posts with the right headers (stub server)", async () => {
  const seen = [];
  const server = await stubSts(RSTRC, seen);
  try {
    const port = server.port;
    const r = await requestToken({ url: `http://127.0.0.1:${port}`, user: "alice", password: "wonderland", appliesTo: "urn:example:rp", soap: "1.1", trust: "2005" });
    assert.equal(r.ok, true);
    assert.equal(r.endpoint, `http://127.0.0.1:${port}/trust/2005/usernamemixed`);
    assert.equal(seen.length, 2);
    assert.equal(seen[1].method, "POST");
    assert.equal(seen[1].url, "/trust/2005/usernamemixed");
    assert.equal(seen[1].headers["content-type"], "text/xml; charset=utf-8");
    assert.equal(seen[1].headers.soapaction, '"http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"');
    assert.match(seen[1].body, /<a:To s:mustUnderstand="1">http:\/\/127\.0\.0\.1:\d+\/trust\/2005\/usernamemixed<\/a:To>/);
  } finally {
    server.close();
  }
});

test("discoverEndpoint: a base URL under a realm's path prefix reads that realm's /trust/mex", async () => {
  const { discoverEndpoint } = await import("../../cli/token.mjs");
  const paths = [];
  const server = await listen((req, res) => {
    paths.push(req.url);
    const base = `${server.url}/realms/realm2`;
    if (req.url !== "/realms/realm2/trust/mex") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/xml" });
    res.end(MEX.replaceAll("http://127.0.0.1:8788", base));
  });
  try {
    const port = server.port;
    for (const url of [`http://127.0.0.1:${port}/realms/realm2`, `http://127.0.0.1:${port}/realms/realm2/`]) {
      assert.equal(await discoverEndpoint(url, "13"), `http://127.0.0.1:${port}/realms/realm2/trust/13/usernamemixed`);
    }
    assert.deepEqual(paths, ["/realms/realm2/trust/mex", "/realms/realm2/trust/mex"]);
  } finally {
    server.close();
  }
});

test("proof keys: the CLI's P_SHA1 gives Microsoft's published computed keys (ComputedKeyReferences.cs)", async () => {
  const { pSha1 } = await import("../../cli/proof-key.mjs");
  const b = (s) => Buffer.from(s, "base64");
  // (issuer entropy, requestor entropy, key, bits), as in test/keys/psha1.test.ts.
  for (const [issuer, requestor, key, bits] of [
    ["zyWv2YzpTqni7xMbZe4EE5EAdtNYZAcrAe5DU5qcZ5M=", "iyO21lrrmRDm9cUMC6RZRqAJ16JuRrRLOM7fGR3QHFw=", "ixTqFuS9mii2fkv1/z3BbQ==", 128],
    ["Tq8ysLdDYf4SRAzKlKWaf14shAbEANn57emcsU+Uzfw=", "OdlDaIG2ND9CtF8EseCHpRZ6iiIDVxiV2+Z7O7mXDIs=", "LdNuhTLMQzJQxjfQpULDuJQxvcDnyw+/Ez8DyS8QI8g=", 256],
  ]) {
    assert.equal(pSha1(b(requestor), b(issuer), bits / 8).toString("base64"), key);
  }
});

test("proof keys: a symmetric-key Issue carries KeyType, Entropy, ComputedKeyAlgorithm and KeySize; public-key a UseKey", async () => {
  const { generateKeyPairSync } = await import("node:crypto");
  const { useKeyFromPem } = await import("../../cli/proof-key.mjs");
  const entropy = Buffer.alloc(32, 5);
  for (const trust of ["13", "2005"]) {
    const ns = TRUST[trust].ns;
    const sym = buildIssueRequest({ to: "https://sts/x", username: "u", password: "p", appliesTo: "urn:a", trust, keyType: "symmetric", entropy, keySize: 256 });
    const doc = parseXml(sym.body);
    const rst = select("//wst13:RequestSecurityToken | //wst05:RequestSecurityToken", doc)[0];
    assert.equal(selectText("wst13:KeyType | wst05:KeyType", rst), `${ns}/SymmetricKey`);
    assert.equal(selectText("wst13:Entropy/wst13:BinarySecret | wst05:Entropy/wst05:BinarySecret", rst), entropy.toString("base64"));
    assert.equal(select("wst13:Entropy/wst13:BinarySecret | wst05:Entropy/wst05:BinarySecret", rst)[0].getAttribute("Type"), `${ns}/Nonce`);
    assert.equal(selectText("wst13:ComputedKeyAlgorithm | wst05:ComputedKeyAlgorithm", rst), `${ns}/CK/PSHA1`);
    assert.equal(selectText("wst13:KeySize | wst05:KeySize", rst), "256");
  }
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" });
  const pub = buildIssueRequest({ to: "https://sts/x", username: "u", password: "p", appliesTo: "urn:a", keyType: "public-key", useKey: useKeyFromPem(ec) });
  const doc = parseXml(pub.body);
  assert.equal(selectText("//wst13:KeyType", doc), `${TRUST[13].ns}/PublicKey`);
  assert.equal(select("//wst13:UseKey/ds:KeyInfo/ds:KeyValue", doc).length, 1);
  assert.equal(select("//wst13:Entropy", doc).length, 0);
  assert.throws(() => useKeyFromPem(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ type: "spki", format: "pem" })), /RSA, or EC on P-256/);
});

test("proof keys: the RSTR's proof token becomes the requestor's key (computed from both entropies, or given)", async () => {
  const { pSha1 } = await import("../../cli/proof-key.mjs");
  const T = TRUST[13].ns;
  const rstr = (inner) => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><t:RequestSecurityTokenResponseCollection xmlns:t="${T}"><t:RequestSecurityTokenResponse><t:RequestedSecurityToken><x:Token xmlns:x="urn:x"/></t:RequestedSecurityToken>${inner}</t:RequestSecurityTokenResponse></t:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`;
  const mine = Buffer.alloc(32, 1);
  const theirs = Buffer.alloc(32, 2);
  const computed = parseIssueResponse(rstr(`<t:RequestedProofToken><t:ComputedKey>${T}/CK/PSHA1</t:ComputedKey></t:RequestedProofToken><t:Entropy><t:BinarySecret Type="${T}/Nonce">${theirs.toString("base64")}</t:BinarySecret></t:Entropy><t:KeySize>192</t:KeySize>`));
  assert.equal(computed.ok, true);
  assert.deepEqual(computed.proof.issuerEntropy, theirs);
  assert.equal(computed.proof.keySize, 192);
  const { proofKeyOf } = await import("../../cli/proof-key.mjs");
  assert.deepEqual(proofKeyOf(computed.proof, mine), pSha1(mine, theirs, 24));
  const given = parseIssueResponse(rstr(`<t:RequestedProofToken><t:BinarySecret>${theirs.toString("base64")}</t:BinarySecret></t:RequestedProofToken>`));
  assert.deepEqual(proofKeyOf(given.proof, undefined), theirs);
  assert.equal(parseIssueResponse(rstr("")).proof, undefined);
});

test("proof keys: sts token refuses a bad --key-type, and --key-type public-key without --public-key", async () => {
  const { run } = await import("../../cli/token.mjs");
  const base = ["--url", "http://127.0.0.1:9", "--user", "u", "--password", "p", "--applies-to", "urn:a"];
  const err = console.error;
  console.error = () => {};
  try {
    assert.equal(await run([...base, "--key-type", "hok"]), 2);
    assert.equal(await run([...base, "--key-type", "public-key"]), 2);
    assert.equal(await run([...base, "--public-key", "x.pem"]), 2);
  } finally {
    console.error = err;
  }
});
