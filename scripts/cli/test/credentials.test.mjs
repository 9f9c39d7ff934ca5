// Self-tests of how the token commands take a password or a client secret without it being on
// the command line: a file, an environment variable, or (on a terminal) a prompt. A stand-in STS
// records what was sent. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { mexNaming, runSts } from "./run-cli.mjs";
import { listen } from "../../test/listen.mjs";

let stub;
let dir;
/** What the stand-in saw last: the UsernameToken's password, or the Basic credentials. */
let seen;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "sts-credentials-"));
  stub = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/trust/mex") return res.writeHead(200, { "content-type": "text/xml" }).end(mexNaming(`${stub.url}/trust/13/usernamemixed`));
      if (req.url === "/.well-known/oauth-authorization-server") {
        return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: stub.url, token_endpoint: `${stub.url}/oauth2/token` }));
      }
      if (req.url === "/oauth2/token") {
        seen = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString("utf8");
        return res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_grant"}');
      }
      seen = /<[^>]*Password[^>]*>([^<]*)</.exec(body)?.[1];
      res.writeHead(500, { "content-type": "application/soap+xml" }).end(
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">no</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>',
      );
    });
  });
});
after(() => {
  stub.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name, bytes) => (writeFileSync(join(dir, name), bytes), join(dir, name));
const token = (extra, env) => runSts(["token", "--url", stub.url, "--user", "alice", "--applies-to", "urn:example:rp", ...extra], env);

test("the password comes from --password-file (its trailing line break and byte-order mark dropped) or STS_PASSWORD", async () => {
  seen = undefined;
  assert.equal((await token(["--password-file", file("pw", "\uFEFFwonder land\r\n")])).status, 1);
  assert.equal(seen, "wonder land");
  seen = undefined;
  assert.equal((await token([], { STS_PASSWORD: "from-the-environment" })).status, 1);
  assert.equal(seen, "from-the-environment");
  seen = undefined;
  assert.equal((await token(["--password", "on-the-line"], { STS_PASSWORD: "from-the-environment" })).status, 1);
  assert.equal(seen, "on-the-line", "an explicit option wins over the environment");
});

test("without any of them and no terminal to prompt on, the command says where a password may come from, and sends nothing", async () => {
  seen = undefined;
  const r = await token([]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /sts token: give the user's password: --password-file FILE, STS_PASSWORD, or --password VALUE/);
  assert.equal(seen, undefined);
  const lifecycle = await runSts(["renew", "--url", stub.url, "--user", "alice", "--token", file("t.jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n")]);
  assert.equal(lifecycle.status, 2);
  assert.match(lifecycle.stderr, /sts renew: give the user's password/);
});

test("a password file that cannot be read, is empty or is not UTF-8 is named; both --password and --password-file are refused", async () => {
  const missing = await token(["--password-file", join(dir, "nope")]);
  assert.equal(missing.status, 2);
  // One line, as every file the CLI cannot read: the usage says nothing about the file.
  assert.equal(missing.stderr, `sts token: --password-file ${join(dir, "nope")}: cannot read it (it does not exist)\n`);
  assert.equal((await token(["--password-file", file("empty", "\n")])).stderr, `sts token: --password-file ${join(dir, "empty")}: the file is empty\n`);
  assert.match((await token(["--password-file", file("latin1", Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]))])).stderr, /line 1 is not UTF-8 text/);
  const both = await token(["--password", "x", "--password-file", file("pw2", "y")]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /give --password or --password-file, not both/);
});

test("exchange takes the client secret from --secret-file or STS_CLIENT_SECRET", async () => {
  const subject = file("subject.jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\n");
  const exchange = (extra, env) => runSts(["exchange", "--url", stub.url, "--client", "demo-client", "--subject", subject, "--audience", "x", ...extra], env);
  seen = undefined;
  assert.equal((await exchange(["--secret-file", file("secret", "demo-secret\n")])).status, 1);
  assert.equal(seen, "demo-client:demo-secret");
  seen = undefined;
  assert.equal((await exchange([], { STS_CLIENT_SECRET: "env-secret" })).status, 1);
  assert.equal(seen, "demo-client:env-secret");
  const none = await exchange([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /give the client's secret: --secret-file FILE, STS_CLIENT_SECRET, or --secret VALUE/);
});
