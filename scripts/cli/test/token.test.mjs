// Self-tests of `sts token` against a stub that is not an STS (a wrong --url): what the user is
// told. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { listen } from "../../test/listen.mjs";
import { ROOT, mexNaming, runSts } from "./run-cli.mjs";
import { readTokenFile } from "../lifecycle.mjs";

const CREDS = join(ROOT, "test", "fixtures", "dev-credentials");
let server;
let base;
let requests = 0;
before(async () => {
  server = await listen((req, res) => {
    requests++;
    req.resume();
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
  });
  base = `${server.url}/wrong`;
});
after(() => server.close());

const sts = (args) => runSts(args);

test("with a certificate, a wrong --url shows the address posted to, the HTTP status and what came back", async () => {
  const r = await sts(["token", "--url", base, "--cert", join(CREDS, "alice-client.cert.pem"), "--key", join(CREDS, "alice-client.key.pem"), "--applies-to", "urn:example:rp"]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trim(), `sts token: unexpected answer from ${base}/trust/13/certificatemixed (HTTP 404, application/json): not a SOAP message (not well-formed XML (missing root element)): {"error":"not_found"}`);
});

test("with a password, a wrong --url fails at discovery and asks whether --url is the STS's address", async () => {
  const r = await sts(["token", "--url", base, "--user", "alice", "--password", "wonderland", "--applies-to", "urn:example:rp"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`GET ${base}/trust/mex → HTTP 404: is --url the STS's address`));
});

test("a token file is checked before it is sent: unreadable, empty, broken XML or no token at all are named with the file", () => {
  const d = mkdtempSync(join(tmpdir(), "sts-token-file-"));
  try {
    const file = (name, text) => (writeFileSync(join(d, name), text), join(d, name));
    assert.throws(() => readTokenFile(d), { message: `--token ${d}: cannot read it (it is a directory)` });
    assert.throws(() => readTokenFile(file("empty", " \n")), /the file is empty/);
    assert.throws(() => readTokenFile(file("broken.xml", "<a><b></a>")), /not well-formed XML/);
    assert.throws(() => readTokenFile(file("binary", "\u0000\u0001x")), /neither a SAML assertion \(XML\), a JWT, nor a PEM certificate/);
    assert.equal(readTokenFile(file("jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n")), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln");
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("a token file is sent as its token element: xmlsec1's XML declaration and a decrypted EncryptedAssertion's wrapper stay out of the request", () => {
  const d = mkdtempSync(join(tmpdir(), "sts-token-file-"));
  try {
    const file = (name, text) => (writeFileSync(join(d, name), text), join(d, name));
    const saml1 = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_a" MajorVersion="1" MinorVersion="1"/>';
    assert.equal(readTokenFile(file("decl.xml", `<?xml version="1.0"?>\n<!-- decrypted -->\n${saml1}\n`)), saml1);
    // xmlsec1 --decrypt of a saml:EncryptedAssertion: the signed Assertion where the EncryptedData was.
    const saml2 = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_b" Version="2.0"><saml:Issuer>x</saml:Issuer></saml:Assertion>';
    assert.equal(readTokenFile(file("wrapped.xml", `<?xml version="1.0"?>\n<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${saml2}</saml:EncryptedAssertion>\n`)), saml2);
    // One still encrypted goes as it is, for the STS to say it cannot open it.
    const sealed = '<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></saml:EncryptedAssertion>';
    assert.equal(readTokenFile(file("sealed.xml", sealed)), sealed);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("an output file that cannot be written is named before anything is sent: a renewal's answer is not lost", async () => {
  const d = mkdtempSync(join(tmpdir(), "sts-out-"));
  try {
    writeFileSync(join(d, "t.jwt"), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n");
    writeFileSync(join(d, "file"), "");
    const password = ["--user", "alice", "--password", "wonderland"];
    requests = 0;
    for (const [args, option, path, why] of [
      [["renew", "--url", base, ...password, "--token", join(d, "t.jwt")], "out", "/nonexistent/dir/x.xml", "its directory /nonexistent/dir does not exist"],
      [["validate", "--url", base, ...password, "--token", join(d, "t.jwt")], "out", d, "is a directory"],
      [["token", "--url", base, ...password, "--applies-to", "urn:x"], "out", join(d, "file", "x"), "a part of its path is not a directory"],
      [["token", "--url", base, ...password, "--applies-to", "urn:x", "--key-type", "symmetric"], "proof-key-out", join(d, "no", "key.b64"), `its directory ${join(d, "no")} does not exist`],
      [["token", "--url", base, ...password, "--applies-to", "urn:x"], "raw-response", d, "is a directory"],
    ]) {
      const r = await sts([...args, `--${option}`, path]);
      assert.equal(r.status, 1, args.join(" "));
      assert.equal(r.stderr.trim(), `sts ${args[0]}: --${option} ${path}: ${why} (nothing was sent)`);
    }
    assert.equal(requests, 0);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

// A stand-in whose first path segment says how it answers: mex names its own endpoint, and the
// endpoint answers as the mode says.
const HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>";
const ANSWERS = {
  html: ["text/html", HTML],
  empty: ["text/plain", ""],
  doctype: ["text/xml", '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'],
  notoken: ["application/soap+xml", '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x/></s:Body></s:Envelope>'],
  escape: ["text/plain", "\u001b[2J\u001b]0;owned\u0007"],
};
let modes;
before(async () => {
  modes = await listen((req, res) => {
    req.resume();
    const [, mode, ...rest] = req.url.split("/");
    const self = `${modes.url}/${mode}`;
    if (rest.join("/") === "trust/mex") {
      if (mode === "mexhtml") return res.writeHead(200, { "content-type": "text/html" }).end(HTML);
      return res.writeHead(200, { "content-type": "text/xml" }).end(mexNaming(`${self}/trust/13/usernamemixed`));
    }
    const [type, body] = ANSWERS[mode];
    res.writeHead(200, { "content-type": type }).end(body);
  });
});
after(() => modes.close());

test("an answer that is not SOAP, or SOAP without what was asked for, is said as such: URL, status, content type, what came back", async () => {
  const d = mkdtempSync(join(tmpdir(), "sts-answers-"));
  try {
    writeFileSync(join(d, "t.jwt"), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n");
    const at = (mode) => `${modes.url}/${mode}`;
    const from = (mode, type) => `unexpected answer from ${at(mode)}/trust/13/usernamemixed (HTTP 200, ${type})`;
    const password = ["--user", "alice", "--password", "wonderland"];
    const cases = [
      ["token", "html", `${from("html", "text/html")}: not a SOAP message (its root element is html): ${HTML}`],
      ["validate", "html", `${from("html", "text/html")}: not a SOAP message (its root element is html): ${HTML}`],
      ["renew", "empty", `${from("empty", "text/plain")}: not a SOAP message (not well-formed XML (missing root element)): (empty)`],
      ["cancel", "doctype", `${from("doctype", "text/xml")}: not a SOAP message (XML with a DOCTYPE is refused): <!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`],
      ["token", "notoken", `${from("notoken", "application/soap+xml")}: expected 1 RequestedSecurityToken, got 0`],
      ["validate", "notoken", `${from("notoken", "application/soap+xml")}: a SOAP message without the wst:Status or RequestedSecurityToken a Validate response carries`],
      ["renew", "notoken", `${from("notoken", "application/soap+xml")}: a SOAP message without the RequestedSecurityToken a Renew response carries`],
      ["cancel", "notoken", `${from("notoken", "application/soap+xml")}: a SOAP message without the RequestedTokenCancelled a Cancel response carries`],
      // What came back is data: a terminal's escape sequences are shown, not obeyed.
      ["token", "escape", `${from("escape", "text/plain")}: not a SOAP message (not well-formed XML (missing root element)): \\u001b[2J\\u001b]0;owned\\u0007`],
      ["token", "mexhtml", `unexpected answer from ${at("mexhtml")}/trust/mex (HTTP 200, text/html): mex: the root element is html, not wsdl:definitions`],
    ];
    for (const [cmd, mode, message] of cases) {
      const args = cmd === "token" ? ["--applies-to", "urn:x"] : ["--token", join(d, "t.jwt")];
      const r = await sts([cmd, "--url", at(mode), ...password, ...args]);
      assert.equal(r.status, 1, `${cmd} ${mode}`);
      assert.equal(r.stdout, "", `${cmd} ${mode}`);
      assert.equal(r.stderr.trim(), `sts ${cmd}: ${message}`, `${cmd} ${mode}`);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("a key or certificate file that is not what its option wants names the option, the file and what it should hold, before anything is sent", async () => {
  const d = mkdtempSync(join(tmpdir(), "sts-keys-"));
  try {
    const file = (name, text) => (writeFileSync(join(d, name), text), join(d, name));
    const junk = file("junk.txt", "not a key\n");
    const p384 = file("p384.pem", generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "sec1", format: "pem" }));
    const broken = file("broken.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    const cert = join(CREDS, "alice-client.cert.pem");
    const key = join(CREDS, "alice-client.key.pem");
    const password = ["--user", "alice", "--password", "wonderland", "--applies-to", "urn:x"];
    const publicKey = [...password, "--key-type", "public-key", "--public-key"];
    requests = 0;
    for (const [args, message] of [
      [[...publicKey, junk], `--public-key ${junk}: a PEM public key or certificate expected, but it holds no PEM block`],
      [[...publicKey, key], `--public-key ${key}: a PEM public key or certificate expected, but it holds a PRIVATE KEY (give its public half: openssl pkey -in FILE -pubout)`],
      [[...publicKey, broken], `--public-key ${broken}: its PEM public key does not decode`],
      [[...publicKey, d], `--public-key ${d}: cannot read it (it is a directory)`],
      [["--cert", cert, "--key", p384, "--applies-to", "urn:x"], `--key ${p384}: an EC secp384r1 key, where RSA or EC P-256 is expected`],
      [["--cert", key, "--key", key, "--applies-to", "urn:x"], `--cert ${key}: a PEM certificate expected, but it holds a PRIVATE KEY (are --key and --cert swapped?)`],
    ]) {
      const r = await sts(["token", "--url", base, ...args]);
      assert.equal(r.status, 1, args.join(" "));
      assert.equal(r.stderr.trim(), `sts token: ${message}`);
    }
    assert.equal(requests, 0);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
