// Self-tests of `sts config check-config` with keys made by `sts keys generate`: a current
// certificate near its end is named, a private key that is not its certificate's is an error.
// Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runSts } from "./run-cli.mjs";

const dir = mkdtempSync(join(tmpdir(), "sts-check-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name, file) => readFileSync(join(dir, name, file), "utf8");

before(async () => {
  for (const [name, type, days] of [["soon", "rsa", "5"], ["other", "rsa", "400"], ["ec", "ec", "400"]]) {
    const r = await runSts(["keys", "generate", "--type", type, "--cn", name, "--days", days, "--out", join(dir, name)]);
    assert.equal(r.status, 0, r.stderr);
  }
  const config = {
    issuer: "https://sts.example.com",
    keys: [
      { status: "current", privateKeySecret: "RSA_KEY", certificate: pem("soon", "certificate.pem") },
      { status: "current", privateKeySecret: "EC_KEY", certificate: pem("ec", "certificate.pem") },
    ],
    relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2" }],
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  writeFileSync(join(dir, "secrets.json"), JSON.stringify({ RSA_KEY: pem("soon", "private-key.pem"), EC_KEY: pem("ec", "private-key.pem") }));
  writeFileSync(join(dir, "mismatch.json"), JSON.stringify({ RSA_KEY: pem("other", "private-key.pem"), EC_KEY: pem("ec", "private-key.pem") }));
});

test("a current signing certificate that expires within 30 days is named, with the day it does", async () => {
  const r = await runSts(["config", "check-config", join(dir, "config.json"), "--env", join(dir, "secrets.json")]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /^OK \(production\): issuer https:\/\/sts\.example\.com, 2 key\(s\)/);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^warning \(STS_CONFIG\): The current RSA signing certificate \(kid [\w-]+\) expires on \d{4}-\d\d-\d\dT[\d:.]+Z, in 5 days: publish its successor as a next key now/);
});

test("a private key that is not its certificate's is an error naming the key, before any OK", async () => {
  const r = await runSts(["config", "check-config", join(dir, "config.json"), "--env", join(dir, "mismatch.json")]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr.trim(), /^STS_CONFIG\.keys\[0\]: key [\w-]+: private key does not match its certificate$/);
});

test("a further realm's key that is not its certificate's is named by the realm's path, as validation names its fields", async () => {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  config.realms = [{
    name: "r2",
    pathPrefix: "/realms/r2",
    keys: [{ status: "current", privateKeySecret: "R2_KEY", certificate: pem("other", "certificate.pem") }],
    relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", tokenTypes: ["saml2"] }],
  }];
  writeFileSync(join(dir, "realms.json"), JSON.stringify(config));
  const secrets = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8"));
  writeFileSync(join(dir, "realms-secrets.json"), JSON.stringify({ ...secrets, R2_KEY: pem("soon", "private-key.pem") }));
  const r = await runSts(["config", "check-config", join(dir, "realms.json"), "--env", join(dir, "realms-secrets.json")]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr.trim(), /^STS_CONFIG\.realms\[0\]\.keys\[0\]: key [\w-]+: private key does not match its certificate$/);
});

test("keys generate never overwrites a key, and names each value it cannot use", async () => {
  const again = await runSts(["keys", "generate", "--type", "rsa", "--cn", "x", "--days", "5", "--out", join(dir, "soon")]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /private-key\.pem exists; choose another --out/);
  assert.equal(pem("soon", "certificate.pem").length > 0, true);
  const bad = await runSts(["keys", "generate", "--type", "dsa", "--cn", "x", "--days", "1e9", "--bits", "1024", "--out", join(dir, "bad")]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--type must be rsa or ec, not "dsa"; --days must be a whole number from 1 to 3650/);
});
