// Self-tests of `sts config check-config` with keys made by `sts keys generate`: a current
// certificate near its end is named, a private key that is not its certificate's is an error.
// Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generate } from "../keys.mjs";
import { runSts } from "./run-cli.mjs";

const dir = mkdtempSync(join(tmpdir(), "sts-check-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name, file) => readFileSync(join(dir, name, file), "utf8");

before(async () => {
  // An RSA-8192 key: its PEM (about 6.3 KB) is more than a Workers secret holds. `keys generate`
  // makes at most 4096 bits, so it is made with the same code directly.
  const big = generate({ type: "rsa", bits: 8192, cn: "big", days: 400 }).then(({ privateKeyPem, certificatePem }) => {
    mkdirSync(join(dir, "big"));
    writeFileSync(join(dir, "big", "private-key.pem"), privateKeyPem);
    writeFileSync(join(dir, "big", "certificate.pem"), certificatePem);
  });
  for (const [name, type, days] of [["soon", "rsa", "5"], ["other", "rsa", "400"], ["ec", "ec", "400"]]) {
    const r = await runSts(["keys", "generate", "--type", type, "--cn", name, "--days", days, "--out", join(dir, name)]);
    assert.equal(r.status, 0, r.stderr);
  }
  await big;
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

test("an unset issuer and STS_DEV_MODE beside the configuration are warned of, naming the field and the binding", async () => {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  delete config.issuer;
  writeFileSync(join(dir, "no-issuer.json"), JSON.stringify(config));
  const secrets = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8"));
  writeFileSync(join(dir, "dev-mode-secrets.json"), JSON.stringify({ ...secrets, STS_DEV_MODE: "1" }));
  const r = await runSts(["config", "check-config", join(dir, "no-issuer.json"), "--env", join(dir, "dev-mode-secrets.json")]);
  assert.equal(r.status, 0, r.stderr);
  const warnings = r.stdout.trim().split("\n").filter((l) => l.startsWith("warning: "));
  assert.equal(warnings.length, 2, r.stdout);
  assert.match(warnings[0], /^warning: STS_DEV_MODE is set beside STS_CONFIG\. .*Remove STS_DEV_MODE from this deployment's variables\.$/);
  assert.match(warnings[1], /^warning: STS_CONFIG\.issuer is not set: /);
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

test("what would not fit in a Workers variable or secret is named: the file as uploaded, a $binding section, a key secret", async () => {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  const parties = Array.from({ length: 60 }, (_, i) => ({ identifier: `urn:example:rp-${i}`, defaultTokenType: "saml2", tokenTypes: ["saml2", "saml1"] }));
  // Indented as people write it; minified it would fit.
  writeFileSync(join(dir, "wide.json"), JSON.stringify({ ...config, relyingParties: parties.slice(0, 30) }, null, 2));
  const wide = await runSts(["config", "check-config", join(dir, "wide.json"), "--env", join(dir, "secrets.json")]);
  assert.equal(wide.status, 0, wide.stderr);
  assert.match(wide.stdout, /\nwarning: \S*wide\.json is \d{4} bytes and a Workers variable or secret holds at most 5 KB \(5120 bytes\): move sections into bindings of their own \("relyingParties": \{ "\$binding": "NAME" \}, or \{ "\$bindings": \[\.\.\.\] \} for an array; `sts config split` does it\), or into files bundled at deploy time \(\{ "\$file": "NAME\.json" \}; `sts config split --files`\); minified it is \d{4} bytes and would fit\n/);

  const secrets = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8"));
  writeFileSync(join(dir, "bound-secrets.json"), JSON.stringify({ ...secrets, STS_PARTIES: JSON.stringify(parties, null, 1), RSA_KEY: pem("big", "private-key.pem") }));
  config.keys[0].certificate = pem("big", "certificate.pem");
  writeFileSync(join(dir, "bound.json"), JSON.stringify({ ...config, relyingParties: { $binding: "STS_PARTIES" } }));
  const bound = await runSts(["config", "check-config", join(dir, "bound.json"), "--env", join(dir, "bound-secrets.json")]);
  assert.equal(bound.status, 0, bound.stderr);
  const warnings = bound.stdout.split("\n").filter((l) => l.startsWith("warning: "));
  assert.deepEqual(warnings.map((l) => l.replace(/\d+ bytes and/, "N bytes and")).sort(), [
    "warning: the binding RSA_KEY is N bytes and a Workers variable or secret holds at most 5 KB (5120 bytes): an RSA key of at most 4096 bits, or an EC key, fits",
    "warning: the binding STS_PARTIES is N bytes and a Workers variable or secret holds at most 5 KB (5120 bytes)",
  ]);
});

test("more bindings than a Worker holds are warned of: a configured user or client is a secret of its own", async () => {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  const secrets = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8"));
  const hash = "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const warningsFor = async (n) => {
    const users = Array.from({ length: n }, (_, i) => ({ username: `user${i}`, passwordHashSecret: `PW_${i}` }));
    writeFileSync(join(dir, `many-${n}.json`), JSON.stringify({ ...config, users }));
    writeFileSync(join(dir, `many-${n}-secrets.json`), JSON.stringify({ ...secrets, ...Object.fromEntries(users.map((u) => [u.passwordHashSecret, hash])) }));
    const r = await runSts(["config", "check-config", join(dir, `many-${n}.json`), "--env", join(dir, `many-${n}-secrets.json`)]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter((l) => l.includes("bindings ("));
  };
  // Two keys, the users' hashes and STS_CONFIG.
  assert.deepEqual(await warningsFor(61), []);
  assert.deepEqual(await warningsFor(70), [
    "warning: this configuration reads 73 bindings (STS_CONFIG and 72 it names) and Workers Free allows a Worker 64 variables and secrets (Workers Paid 128): put users in the user directory (users import) rather than users[], each of which names a secret",
  ]);
  assert.deepEqual(await warningsFor(300), [
    "warning: this configuration reads 303 bindings (STS_CONFIG and 302 it names) and a Worker has at most 128 variables and secrets (64 on Workers Free): put users in the user directory (users import) rather than users[], each of which names a secret",
  ]);
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

test("every certificate outside its dates is named, ours, a partner's or a relying party's, and the configuration still passes", async () => {
  const { buildSelfSignedCertificate } = await import(new URL("../../../src/keys/x509.ts", import.meta.url).href);
  const { derToPem } = await import(new URL("../../../src/keys/pem.ts", import.meta.url).href);
  const DAY = 86_400_000;
  const made = async (commonName, fromDays, toDays) => {
    const pair = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
    const der = await buildSelfSignedCertificate({ ...pair, commonName, notBefore: new Date(Date.now() + fromDays * DAY), notAfter: new Date(Date.now() + toDays * DAY) });
    return { cert: derToPem(der, "CERTIFICATE"), key: derToPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)), "PRIVATE KEY") };
  };
  const future = await made("future", 2, 400);
  const partner = await made("partner", -400, -1);
  const rp = await made("rp", -400, -3);
  const config = {
    issuer: "https://sts.example.com",
    keys: [
      { kid: "future", status: "current", privateKeySecret: "RSA_KEY", certificate: future.cert },
      { status: "current", privateKeySecret: "EC_KEY", certificate: pem("ec", "certificate.pem") },
    ],
    relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", encryption: { certificates: [{ certificate: rp.cert, status: "current" }] } }],
    trustedIssuers: [{ issuer: "urn:example:partner", kind: "saml", certificates: [partner.cert] }],
  };
  writeFileSync(join(dir, "dates.json"), JSON.stringify(config));
  writeFileSync(join(dir, "dates-secrets.json"), JSON.stringify({ RSA_KEY: future.key, EC_KEY: pem("ec", "private-key.pem") }));
  const r = await runSts(["config", "check-config", join(dir, "dates.json"), "--env", join(dir, "dates-secrets.json")]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /^OK \(production\)/);
  assert.equal(lines.length, 4, r.stdout);
  assert.match(lines[1], /^warning \(STS_CONFIG\): The current RSA signing certificate \(kid future\) is not valid until \S+: until then relying parties that check certificate dates refuse the tokens it signs/);
  assert.match(lines[2], /^warning \(STS_CONFIG\): The trusted issuer's certificate \(trustedIssuers\[0\]\.certificates\[0\] of urn:example:partner, CN=partner\) expired on \S+: tokens signed with its key still verify here/);
  assert.match(lines[3], /^warning \(STS_CONFIG\): The current relying party's encryption certificate \(relyingParties\[0\]\.encryption\.certificates\[0\] of urn:example:rp, CN=rp\) expired on \S+: a relying party that checks certificate dates may refuse tokens encrypted to it/);
});

test("keys inspect names --cert and the file when it is a directory, holds no certificate or one that does not decode", async () => {
  const junk = join(dir, "junk.pem");
  writeFileSync(junk, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  const key = join(dir, "soon", "private-key.pem");
  for (const [file, problem] of [
    [dir, "cannot read it (it is a directory)"],
    [key, "a PEM certificate expected, but it holds a PRIVATE KEY (give the certificate)"],
    [junk, "bad certificate: trailing data after DER value"],
  ]) {
    const r = await runSts(["keys", "inspect", "--cert", file]);
    assert.equal(r.status, 1, file);
    assert.equal(r.stderr.trim(), `sts keys: --cert ${file}: ${problem}`);
  }
  assert.equal(JSON.parse((await runSts(["keys", "inspect", "--cert", join(dir, "ec", "certificate.pem")])).stdout).subjectCommonName, "ec");
});

test("a --env file that is not JSON is refused with the position of the error, never a piece of its text", async () => {
  writeFileSync(join(dir, "secrets.env"), "ALICE_PW=pbkdf2-sha256$100000$c2FsdA==$aGFzaA==\nRSA_KEY=-----BEGIN PRIVATE KEY-----\n");
  writeFileSync(join(dir, "broken.json"), '{"RSA_KEY": "-----BEGIN PRIVATE KEY-----\nMIIEv"}');
  for (const [file, where] of [["secrets.env", "line 1, column 1"], ["broken.json", "line 1, column 41"]]) {
    const r = await runSts(["config", "check-config", join(dir, "config.json"), "--env", join(dir, file)]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^sts config: --env ${join(dir, file).replace(/[.\\/]/g, "\\$&")}: is not valid JSON: .+ at ${where}\\n$`));
    for (const secret of ["ALICE", "pbkdf2", "BEGIN", "MIIEv", "RSA_KEY"]) assert.ok(!r.stderr.includes(secret), r.stderr);
  }
});

test("a configuration file that is not UTF-8 is refused naming its line, not passed with U+FFFD in its values", async () => {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  config.relyingParties[0].claims = ["email"];
  // "Müller" as Windows-1252 saves it: one byte 0xFC, on the file's third line.
  const text = JSON.stringify({ ...config, users: [{ username: "anna", passwordHashSecret: "ALICE_PW", claims: { family_name: "M@ller" } }] }, null, 1);
  const at = text.indexOf("M@ller");
  const bytes = Buffer.from(text, "utf8");
  bytes[Buffer.byteLength(text.slice(0, at + 1))] = 0xfc;
  const file = join(dir, "cp1252.json");
  writeFileSync(file, bytes);
  const line = text.slice(0, at).split("\n").length;
  const r = await runSts(["config", "check-config", file, "--env", join(dir, "secrets.json")]);
  assert.equal(r.status, 1, r.stdout);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `sts config: ${file}:${line}: not UTF-8 text (saved as Latin-1 or Windows-1252?): save the file as UTF-8\n`);
});

test("keys without a command, or inspect without --cert, says what is missing (exit 2), under the tool's name as every command does", async () => {
  for (const [args, problem] of [
    [["keys", "inspect"], "--cert FILE.pem is required"],
    [["keys"], "name a command: generate, or inspect --cert FILE"],
    [["keys", "frob"], 'unknown command "frob" (generate or inspect --cert FILE)'],
    [["keys", "generate", "--type", "dsa", "--cn", "x", "--out", "never-written"], '--type must be rsa or ec, not "dsa"'],
  ]) {
    const r = await runSts(args);
    assert.equal(r.status, 2, args.join(" "));
    assert.equal(r.stderr.split("\n")[0], `sts keys: ${problem}`);
  }
});

test("a secret the repository publishes (a development key or hash) is named, and the configuration still checks", async () => {
  const { DEV_KEY_MATERIALS } = await import("../../../src/config/dev-keys.ts");
  const { DEV_SECRETS } = await import("../../../src/config/dev.ts");
  const dev = DEV_KEY_MATERIALS[0];
  const config = {
    issuer: "https://sts.example.com",
    keys: [{ status: "current", privateKeySecret: "RSA_KEY", certificate: dev.certificatePem }],
    users: [{ username: "erin", passwordHashSecret: "ERIN_PW" }],
    relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", tokenTypes: ["saml2"] }],
  };
  writeFileSync(join(dir, "copied.json"), JSON.stringify(config));
  // As `wrangler secret put` stores them: trailing white space trimmed.
  writeFileSync(join(dir, "copied-secrets.json"), JSON.stringify({ RSA_KEY: dev.privateKeyPem.trimEnd(), ERIN_PW: DEV_SECRETS.DEV_BOB_PASSWORD_HASH }));
  const r = await runSts(["config", "check-config", join(dir, "copied.json"), "--env", join(dir, "copied-secrets.json")]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /^OK \(production\)/);
  assert.deepEqual(lines.slice(1), [
    "warning: The secret bindings RSA_KEY, ERIN_PW hold a value published in this repository (the development configuration's keys, password and secret hashes, src/config/dev.ts): anyone can sign tokens or sign in with it. Replace each with one of your own (npm run sts -- keys generate, config hash-password, config generate-secret)",
  ]);
});

test("a configuration or --env file that cannot be read is one line naming it and why, as every CLI failure is", async () => {
  const missing = join(dir, "missing.json");
  for (const [args, line] of [
    [[missing], `sts config: ${missing}: cannot read it (it does not exist)`],
    [[dir], `sts config: ${dir}: cannot read it (it is a directory)`],
    [[join(dir, "config.json"), "--env", missing], `sts config: --env ${missing}: cannot read it (it does not exist)`],
  ]) {
    const r = await runSts(["config", "check-config", ...args]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `${line}\n`);
  }
});

test("keys generate fails at once, naming --out, when its directory cannot be made", async () => {
  // /proc refuses new entries with ENOENT, on which Node's recursive mkdir retries for ever.
  for (const [out, why] of [
    ["/proc/sts-keys", "cannot create the directory /proc/sts-keys (ENOENT)"],
    ["/proc/sts-keys/rsa", "cannot create the directory /proc/sts-keys (ENOENT)"],
    [join(dir, "config.json"), "is not a directory"],
    [join(dir, "config.json", "rsa"), "a part of its path is not a directory"],
  ]) {
    const r = await runSts(["keys", "generate", "--type", "ec", "--cn", "x", "--out", out], {}, { timeout: 20_000 });
    assert.equal(r.status, 1, out);
    assert.equal(r.stderr, `sts keys: --out ${out}: ${why}\n`);
  }
});
