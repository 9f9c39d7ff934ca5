// Self-tests of how every command talks to an STS (scripts/cli/http.mjs): a redirect is never
// followed, the wait for an answer is bounded, and so is the answer's size. Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, mexNaming, runSts } from "./run-cli.mjs";
import { listen } from "../../test/listen.mjs";
import { MAX_ANSWER_BYTES, send } from "../http.mjs";

const CREDS = join(ROOT, "test", "fixtures", "dev-credentials");
const dir = mkdtempSync(join(tmpdir(), "sts-http-"));
// `elsewhere` records whatever reaches it; `sts` answers its metadata and redirects every POST there.
const reached = [];
let elsewhere;
let sts;
let base;
let target;
before(async () => {
  elsewhere = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      reached.push({ method: req.method, path: req.url, authorization: req.headers.authorization, body });
      res.writeHead(500).end();
    });
  });
  target = `${elsewhere.url}/collect`;
  sts = await listen((req, res) => {
    req.resume();
    if (req.method === "GET" && req.url === "/trust/mex") return res.writeHead(200, { "content-type": "text/xml" }).end(mexNaming(`${base}/trust/13/usernamemixed`));
    if (req.method === "GET" && req.url === "/.well-known/oauth-authorization-server") {
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token_endpoint: `${base}/oauth2/token` }));
    }
    res.writeHead(307, { location: target }).end();
  });
  base = sts.url;
  writeFileSync(join(dir, "subject.jwt"), "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n");
});
after(() => {
  sts.close();
  elsewhere.close();
  rmSync(dir, { recursive: true, force: true });
});

test("no command follows a redirect: the password, secret, signed message or token stays here, and the Location is named", async () => {
  const admin = { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" };
  for (const [args, env, path] of [
    [["token", "--url", base, "--user", "alice", "--password", "wonderland", "--applies-to", "urn:x"], {}, "/trust/13/usernamemixed"],
    [["token", "--url", base, "--cert", join(CREDS, "alice-client.cert.pem"), "--key", join(CREDS, "alice-client.key.pem"), "--applies-to", "urn:x"], {}, "/trust/13/certificatemixed"],
    [["validate", "--url", base, "--user", "alice", "--password", "wonderland", "--token", join(dir, "subject.jwt")], {}, "/trust/13/usernamemixed"],
    [["exchange", "--url", base, "--client", "c", "--secret", "s", "--subject", join(dir, "subject.jwt")], {}, "/oauth2/token"],
    [["revoke-subject", "alice", "--url", base], admin, "/admin/revoke-subject"],
    [["users", "show", "alice", "--url", base], admin, "/admin/users/alice"],
  ]) {
    const r = await runSts(args, env);
    assert.equal(r.status, 1, args.join(" "));
    const method = args[1] === "show" ? "GET" : "POST";
    assert.equal(r.stderr.trim(), `sts ${args[0]}: ${method} ${base}${path} → HTTP 307, a redirect to ${target}: not followed (a redirect could take the request's credentials anywhere); if that is the STS's address, give it as --url`);
  }
  assert.deepEqual(reached, []);
});

test("a certificate-signed request goes over https, or plain http to this machine only, as a password does", async () => {
  const r = await runSts(["token", "--url", "http://192.0.2.1:9", "--cert", join(CREDS, "alice-client.cert.pem"), "--key", join(CREDS, "alice-client.key.pem"), "--applies-to", "urn:x"]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), "sts token: credentials are not sent over plain http to 192.0.2.1:9: use https (plain http goes only to this machine, unless STS_CLI_ALLOW_HTTP=1)");
});

test("an STS that does not answer is given --timeout seconds (30 by default), then named with the wait", async () => {
  const hung = await listen((req) => req.resume()); // never answers
  try {
    const r = await runSts(["token", "--url", hung.url, "--user", "u", "--password", "p", "--applies-to", "urn:x", "--timeout", "1"]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `sts token: no answer from ${hung.url}/trust/mex within 1 s (--timeout sets the wait)`);
    const admin = await runSts(["revoke-subject", "alice", `--url=${hung.url}`, "--timeout=1"], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s" });
    assert.equal(admin.stderr.trim(), `sts revoke-subject: no answer from ${hung.url}/admin/revoke-subject within 1 s (--timeout sets the wait)`);
    await assert.rejects(send(hung.url, { timeout: 1 }), { message: `no answer from ${hung.url} within 1 s (--timeout sets the wait)` });
  } finally {
    hung.close();
  }
  for (const cmd of [["token"], ["exchange"], ["validate"], ["renew"], ["cancel"], ["users"], ["revoke-subject"]]) {
    assert.match((await runSts([...cmd, "--help"])).stdout, /--timeout SECONDS[\s\S]*default 30/, cmd[0]);
  }
});

test("an answer larger than a few MiB is not read whole: it is refused, and so is one that says so in Content-Length", async () => {
  const cut = []; // for each request: was the connection closed before the 64 MiB were written?
  const endless = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/xml" });
    const chunk = Buffer.alloc(1 << 20, "x");
    let written = 0;
    const more = () => {
      while (written < 64 << 20) {
        written += chunk.length;
        if (!res.write(chunk)) return res.once("drain", more);
      }
      res.end();
    };
    res.on("close", () => cut.push(!res.writableFinished));
    more();
  });
  const declared = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { "content-length": String(MAX_ANSWER_BYTES + 1) }).write("x");
  });
  try {
    const r = await runSts(["token", "--url", endless.url, "--user", "u", "--password", "p", "--applies-to", "urn:x"]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `sts token: GET ${endless.url}/trust/mex → HTTP 200: the answer is larger than 4 MiB, more than the STS sends; it was not read`);
    assert.deepEqual(cut, [true], "the connection is closed, not drained to its end");
    await assert.rejects(send(declared.url), { message: `GET ${declared.url} → HTTP 200: the answer is larger than 4 MiB, more than the STS sends; it was not read` });
    assert.equal((await send(endless.url, { maxBytes: 64 << 20 })).text.length, 64 << 20);
  } finally {
    endless.close();
    declared.close();
  }
});
