// Self-tests of `sts token` against a stub that is not an STS (a wrong --url): what the user is
// told. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, runSts } from "./run-cli.mjs";
import { readTokenFile } from "../lifecycle.mjs";

const CREDS = join(ROOT, "test", "fixtures", "dev-credentials");
let server;
let base;
let requests = 0;
before(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}/wrong`;
});
after(() => server.close());

const sts = (args) => runSts(args);

test("with a certificate, a wrong --url shows the address posted to, the HTTP status and what came back", async () => {
  const r = await sts(["token", "--url", base, "--cert", join(CREDS, "alice-client.cert.pem"), "--key", join(CREDS, "alice-client.key.pem"), "--applies-to", "urn:example:rp"]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trim(), `sts token: POST ${base}/trust/13/certificatemixed → HTTP 404, not a SOAP message: {"error":"not_found"}`);
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
    assert.throws(() => readTokenFile(d), /--token .*: cannot read it \(EISDIR\)/);
    assert.throws(() => readTokenFile(file("empty", " \n")), /the file is empty/);
    assert.throws(() => readTokenFile(file("broken.xml", "<a><b></a>")), /not well-formed XML/);
    assert.throws(() => readTokenFile(file("binary", "\u0000\u0001x")), /neither a SAML assertion \(XML\), a JWT, nor a PEM certificate/);
    assert.equal(readTokenFile(file("jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n")), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln");
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
