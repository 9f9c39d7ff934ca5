// Self-tests of `sts exchange` (scripts/cli/exchange.mjs) against a stand-in token endpoint that
// records what it was sent and asks for a DPoP nonce once. Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`. The real endpoint is exercised by the interop
// suite (scripts/interop/run.mjs, "dpop nonce").
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { runSts } from "./run-cli.mjs";
import { listen } from "../../test/listen.mjs";
import { dpopKey, exchangeForm, issuedToken, postExchange, presentedToken, run } from "../exchange.mjs";

const NONCE = "12345.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const seen = [];
/** The stand-in token endpoint (and its metadata), asking DPoP proofs for its nonce. */
const stand = (req, res) => {
  const meta = "/.well-known/oauth-authorization-server";
  if (req.method === "GET" && req.url.endsWith(meta)) {
    // The metadata of whatever base the client used (a realm's prefix included).
    res.setHeader("content-type", "application/json");
    return res.end(JSON.stringify({ token_endpoint: `http://${req.headers.host}${req.url.slice(0, -meta.length)}/oauth2/token` }));
  }
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const proof = req.headers.dpop;
    seen.push({ path: req.url, authorization: req.headers.authorization, proof, form: new URLSearchParams(body) });
    res.setHeader("content-type", "application/json");
    res.setHeader("DPoP-Nonce", NONCE);
    if (proof && decodeJwt(proof).nonce !== NONCE) {
      res.statusCode = 400;
      return res.end(JSON.stringify({ error: "use_dpop_nonce", error_description: "nonce" }));
    }
    res.end(JSON.stringify({ access_token: "h.p.s", issued_token_type: "urn:ietf:params:oauth:token-type:jwt", token_type: proof ? "DPoP" : "N_A", expires_in: 60 }));
  });
};
let server;
let endpoint;
before(async () => {
  server = await listen(stand);
  endpoint = `${server.url}/oauth2/token`;
});
after(() => server.close());

test("a token file becomes the form's token and type: SAML as base64url by its namespace, else a JWT", () => {
  const saml2 = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/>\n';
  const p2 = presentedToken(saml2, undefined, "subject");
  assert.equal(Buffer.from(p2.value, "base64url").toString(), saml2.trim());
  assert.equal(p2.type, "urn:ietf:params:oauth:token-type:saml2");
  assert.equal(presentedToken('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"/>', undefined, "subject").type, "urn:ietf:params:oauth:token-type:saml1");
  // The type is the root element's, not any mention of a namespace inside (an attribute value).
  const saml1 = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:AttributeValue>urn:oasis:names:tc:SAML:2.0:assertion</saml:AttributeValue></saml:Assertion>';
  const p1 = presentedToken(`<?xml version="1.0"?>\n${saml1}\n`, undefined, "subject");
  assert.deepEqual(p1, { value: Buffer.from(saml1).toString("base64url"), type: "urn:ietf:params:oauth:token-type:saml1" });
  assert.deepEqual(presentedToken(" a.b.c\n", undefined, "subject"), { value: "a.b.c", type: "urn:ietf:params:oauth:token-type:jwt" });
  assert.equal(presentedToken("a.b.c", "access_token", "subject").type, "urn:ietf:params:oauth:token-type:access_token");
  assert.throws(() => presentedToken("a.b.c", "kerberos", "actor"), /--actor-type must be one of/);
});

test("the form: grant, subject, actor, every audience and resource, scope, requested type", () => {
  const f = exchangeForm(
    { audience: ["a", "b"], resource: ["https://r.example/"], scope: "read write", "requested-type": "access_token" },
    { value: "s", type: "t1" },
    { value: "x", type: "t2" },
  );
  assert.equal(f.get("grant_type"), "urn:ietf:params:oauth:grant-type:token-exchange");
  assert.deepEqual([f.get("subject_token"), f.get("subject_token_type"), f.get("actor_token"), f.get("actor_token_type")], ["s", "t1", "x", "t2"]);
  assert.deepEqual(f.getAll("audience"), ["a", "b"]);
  assert.deepEqual(f.getAll("resource"), ["https://r.example/"]);
  assert.equal(f.get("requested_token_type"), "urn:ietf:params:oauth:token-type:access_token");
  assert.throws(() => exchangeForm({ "requested-type": "x" }, { value: "s", type: "t" }), /--requested-type/);
});

test("DPoP: asked for a nonce, one retry with a fresh proof that carries it", async () => {
  seen.length = 0;
  const key = await dpopKey();
  const r = await postExchange(endpoint, { id: "demo client", secret: "s:ecret" }, new URLSearchParams({ grant_type: "g" }), key);
  assert.equal(r.status, 200);
  assert.equal(r.body.token_type, "DPoP");
  assert.equal(seen.length, 2);
  const [first, second] = seen.map((s) => ({ header: decodeProtectedHeader(s.proof), claims: decodeJwt(s.proof) }));
  assert.equal(first.claims.nonce, undefined);
  assert.equal(second.claims.nonce, NONCE);
  assert.notEqual(first.claims.jti, second.claims.jti);
  for (const p of [first, second]) {
    assert.deepEqual([p.header.typ, p.header.alg, p.header.jwk], ["dpop+jwt", "ES256", key.jwk]);
    assert.deepEqual([p.claims.htm, p.claims.htu], ["POST", endpoint]);
    assert.equal(p.header.jwk.d, undefined);
  }
  // client_secret_basic, id and secret percent-encoded first (RFC 6749 §2.3.1).
  assert.equal(seen[0].authorization, "Basic " + Buffer.from("demo%20client:s%3Aecret").toString("base64"));
});

test("without a DPoP key: no proof, no retry", async () => {
  seen.length = 0;
  const r = await postExchange(endpoint, { id: "c", secret: "s" }, new URLSearchParams({ grant_type: "g" }), undefined);
  assert.equal(r.status, 200);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].proof, undefined);
});

// Files the tests hand to the command: a subject token, and whatever a test writes beside it.
const dir = mkdtempSync(join(tmpdir(), "sts-exchange-"));
const file = (name, text) => (writeFileSync(join(dir, name), text), join(dir, name));
const SUBJECT = file("subject.jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjYXJvbCJ9.c2ln\n");
after(() => rmSync(dir, { recursive: true, force: true }));

test("the token endpoint comes from the metadata under --url's own path (a realm's prefix kept)", async () => {
  seen.length = 0;
  const base = endpoint.replace(/\/oauth2\/token$/, "");
  const code = await run(["--url", `${base}/realms/realm2/`, "--client", "c", "--secret", "s", "--subject", SUBJECT, "--audience", "urn:x", "--out", join(dir, "out")]);
  assert.equal(code, 0);
  assert.deepEqual(seen.map((x) => x.path), ["/realms/realm2/oauth2/token"]);
  assert.equal(readFileSync(join(dir, "out"), "utf8"), "h.p.s");
});

test("an --out or --dpop-key-out that cannot be written is named before the exchange: a token is never bound to a key that is lost", async () => {
  seen.length = 0;
  const base = endpoint.replace(/\/oauth2\/token$/, "");
  const args = ["--url", base, "--client", "c", "--secret", "s", "--subject", SUBJECT, "--audience", "urn:x"];
  await assert.rejects(run([...args, "--dpop", "--dpop-key-out", "/nonexistent/k.pem"]), { message: "--dpop-key-out /nonexistent/k.pem: its directory /nonexistent does not exist (nothing was sent)" });
  await assert.rejects(run([...args, "--out", dir]), { message: `--out ${dir}: is a directory (nothing was sent)` });
  assert.deepEqual(seen, []);
});

test("metadata or a token endpoint answering HTML, or no JSON, is said as such: URL, status, content type, what came back", async () => {
  const HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  const modes = await listen((req, res) => {
    req.resume();
    const [, mode] = req.url.split("/");
    if (req.method === "GET" && mode !== "htmlmeta" && mode !== "nometa") {
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token_endpoint: mode === "badendpoint" ? "not a url" : `${modes.url}/${mode}/oauth2/token` }));
    }
    if (mode === "nometa") return res.writeHead(404, { "content-type": "text/plain" }).end("no");
    res.writeHead(mode === "html200" || mode === "htmlmeta" ? 200 : 502, { "content-type": "text/html" }).end(HTML);
  });
  try {
    const at = (mode) => `${modes.url}/${mode}`;
    const meta = (mode) => `${at(mode)}/.well-known/oauth-authorization-server`;
    for (const [mode, message] of [
      ["html502", `unexpected answer from ${at("html502")}/oauth2/token (HTTP 502, text/html): not an OAuth error answer (RFC 6749 §5.2): ${HTML}`],
      ["html200", `unexpected answer from ${at("html200")}/oauth2/token (HTTP 200, text/html): not JSON: ${HTML}`],
      ["htmlmeta", `unexpected answer from ${meta("htmlmeta")} (HTTP 200, text/html): not the STS's OAuth metadata (RFC 8414): ${HTML}`],
      ["nometa", `GET ${meta("nometa")} → HTTP 404: is --url the STS's address (for a realm served under a path prefix, with that prefix)?`],
      ["badendpoint", `unexpected answer from ${meta("badendpoint")} (HTTP 200, application/json): the metadata's token_endpoint is not an absolute URL`],
    ]) {
      await assert.rejects(run(["--url", at(mode), "--client", "c", "--secret", "s", "--subject", SUBJECT]), { message }, mode);
    }
  } finally {
    modes.close();
  }
});

test("a successful answer is checked before anything is written: RFC 8693 §2.2.1's members, a SAML token as base64url XML, a JWT as a JWT", () => {
  const answer = { url: "https://sts.example/oauth2/token", status: 200, headers: new Headers({ "content-type": "application/json" }) };
  const from = "unexpected answer from https://sts.example/oauth2/token (HTTP 200, application/json): ";
  const saml = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/>';
  const ok = (access_token, type) => ({ access_token, issued_token_type: `urn:ietf:params:oauth:token-type:${type}`, token_type: "N_A", expires_in: 60 });
  assert.equal(issuedToken(answer, ok(Buffer.from(saml).toString("base64url"), "saml2")), saml);
  assert.equal(issuedToken(answer, ok("a.b.c", "jwt")), "a.b.c");
  const { expires_in: _, ...withoutLifetime } = ok("opaque", "access_token");
  assert.equal(issuedToken(answer, withoutLifetime), "opaque");
  for (const [body, problem] of [
    [[], "the answer is an array, not an object"],
    [{ ...ok("a.b.c", "jwt"), access_token: 42 }, '"access_token" is a number, not a string'],
    [{ access_token: "abc", issued_token_type: "urn:ietf:params:oauth:token-type:saml2" }, '"token_type" is missing'],
    [{ ...ok("a.b.c", "jwt"), expires_in: "60" }, '"expires_in" is a string, not a number'],
    [ok("abc", "saml2"), "the access_token of a urn:ietf:params:oauth:token-type:saml2 is not base64url-encoded XML (RFC 8693 §3)"],
    [ok("not base64!", "saml1"), "the access_token of a urn:ietf:params:oauth:token-type:saml1 is not base64url-encoded XML (RFC 8693 §3)"],
    [ok("garbage", "jwt"), "the access_token of a urn:ietf:params:oauth:token-type:jwt is not a compact JWT"],
    [ok("", "access_token"), "the access_token is empty"],
  ]) {
    assert.throws(() => issuedToken(answer, body), { message: from + problem }, problem);
  }
});

test("an exchange answered with the wrong shape fails (exit 1) and writes nothing", async () => {
  const wrong = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.method === "GET" ? { token_endpoint: `${wrong.url}/oauth2/token` } : { access_token: "abc", issued_token_type: "urn:ietf:params:oauth:token-type:saml2", token_type: "N_A" }));
  });
  try {
    const r = await runSts(["exchange", "--url", wrong.url, "--client", "c", "--secret", "s", "--subject", SUBJECT, "--out", join(dir, "never.xml")]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `sts exchange: unexpected answer from ${wrong.url}/oauth2/token (HTTP 200, application/json): the access_token of a urn:ietf:params:oauth:token-type:saml2 is not base64url-encoded XML (RFC 8693 §3)`);
    assert.equal(existsSync(join(dir, "never.xml")), false);
  } finally {
    wrong.close();
  }
});

test("a --dpop-key, --subject or --actor file that cannot be used names the option, the file and what it should hold", async () => {
  const cert = new URL("../../../test/fixtures/dev-credentials/alice-client.cert.pem", import.meta.url).pathname;
  const ed25519 = file("ed.pem", generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
  const junk = file("junk.txt", "junk");
  const base = endpoint.replace(/\/oauth2\/token$/, "");
  const args = ["--url", base, "--client", "c", "--secret", "s", "--audience", "urn:x"];
  seen.length = 0;
  for (const [more, message] of [
    [["--subject", SUBJECT, "--dpop-key", junk], `--dpop-key ${junk}: a PEM private key expected, but it holds no PEM block`],
    [["--subject", SUBJECT, "--dpop-key", cert], `--dpop-key ${cert}: a PEM private key expected, but it holds a CERTIFICATE (give the private key, not its certificate)`],
    [["--subject", SUBJECT, "--dpop-key", ed25519], `--dpop-key ${ed25519}: an ED25519 key, where RSA or EC P-256 is expected`],
    [["--subject", dir], `--subject ${dir}: cannot read it (it is a directory)`],
    [["--subject", SUBJECT, "--actor", dir], `--actor ${dir}: cannot read it (it is a directory)`],
  ]) {
    await assert.rejects(run([...args, ...more]), { message }, more.join(" "));
  }
  assert.deepEqual(seen, []);
  // A key in SEC 1 (as `openssl ecparam -genkey` writes it) is as good as PKCS#8.
  const sec1 = file("sec1.pem", generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }));
  assert.equal((await dpopKey(sec1)).alg, "ES256");
});
