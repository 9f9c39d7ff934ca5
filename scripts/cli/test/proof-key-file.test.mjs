// Self-test of where `sts token --key-type symmetric` keeps the proof key (scripts/cli/token.mjs),
// against a stub STS. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { mexNaming, runSts } from "./run-cli.mjs";
import { listen } from "../../test/listen.mjs";

const KEY = Buffer.alloc(32, 7);
const RSTR =
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>` +
  `<wst:RequestSecurityTokenResponseCollection xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><wst:RequestSecurityTokenResponse>` +
  `<wst:RequestedSecurityToken><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0"/></wst:RequestedSecurityToken>` +
  `<wst:RequestedProofToken><wst:BinarySecret>${KEY.toString("base64")}</wst:BinarySecret></wst:RequestedProofToken>` +
  `</wst:RequestSecurityTokenResponse></wst:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`;

const dir = mkdtempSync(join(tmpdir(), "sts-proof-key-"));
let stub;
before(async () => {
  stub = await listen((req, res) => {
    if (req.method === "GET" && req.url === "/trust/mex") return res.writeHead(200, { "content-type": "text/xml" }).end(mexNaming(`${stub.url}/trust/13/usernamemixed`));
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/soap+xml; charset=utf-8" }).end(RSTR));
  });
});
after(() => {
  stub.close();
  rmSync(dir, { recursive: true, force: true });
});

test("--proof-key-out is readable by its owner alone, as a private key --dpop-key-out or keys generate writes", async () => {
  const file = join(dir, "proof-key.b64");
  const r = await runSts(["token", "--url", stub.url, "--user", "alice", "--password", "x", "--applies-to", "urn:x", "--key-type", "symmetric", "--entropy", "none", "--proof-key-out", file, "--out", join(dir, "token.xml")]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), `${KEY.toString("base64")}\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test("--proof-key-out over a file that is there already, readable by all, leaves it readable by its owner alone", async () => {
  const file = join(dir, "old-proof-key.b64");
  writeFileSync(file, "an older key, made with > file\n", { mode: 0o644 });
  assert.equal(statSync(file).mode & 0o777, 0o644);
  const r = await runSts(["token", "--url", stub.url, "--user", "alice", "--password", "x", "--applies-to", "urn:x", "--key-type", "symmetric", "--entropy", "none", "--proof-key-out", file, "--out", join(dir, "token2.xml")]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), `${KEY.toString("base64")}\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});
