// Self-test of `sts config split` on a generated large configuration (scripts/bench/large-config.mjs,
// smaller than its defaults so openssl runs for seconds): every binding it writes fits a Workers
// variable or secret, the reduced STS_CONFIG too, and the split configuration validates to the
// same configuration as the original. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, runSts } from "./run-cli.mjs";

const LIMIT = 5120;
const dir = mkdtempSync(join(tmpdir(), "sts-config-split-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const json = (...p) => JSON.parse(readFileSync(join(dir, ...p), "utf8"));
const src = (p) => new URL(`../../../src/${p}`, import.meta.url).href;

before(() => {
  execFileSync(process.execPath, [join(ROOT, "scripts", "bench", "large-config.mjs"), "--out", join(dir, "large"), "--parties", "120", "--clients", "30", "--users", "20", "--issuers", "15", "--authorities", "4"], { stdio: "ignore" });
});

test("a configuration far over 5 KB is split into bindings of at most 5 KB that validate to the same configuration", async () => {
  const original = readFileSync(join(dir, "large", "sts-config.json"));
  assert.ok(original.length > 20 * LIMIT, `${original.length} bytes`);
  const r = await runSts(["config", "split", join(dir, "large", "sts-config.json"), "--out", join(dir, "split")]);
  assert.equal(r.status, 0, r.stderr);
  const reduced = readFileSync(join(dir, "split", "sts-config.json"));
  assert.ok(reduced.length <= LIMIT, `STS_CONFIG is ${reduced.length} bytes`);
  const bindings = json("split", "bindings.json");
  const names = Object.keys(bindings);
  assert.ok(names.length > 20, `${names.length} bindings`);
  for (const [name, value] of Object.entries(bindings)) {
    assert.equal(typeof value, "string", name);
    assert.ok(Buffer.byteLength(value, "utf8") <= LIMIT, `${name} is ${Buffer.byteLength(value, "utf8")} bytes`);
    assert.match(name, /^(REALM_R2_)?[A-Z]+(_[A-Z]+)*(_\d+)?$/);
  }
  // The relying parties, top level and the realm's, are several bindings each, in order.
  const config = JSON.parse(reduced.toString("utf8"));
  assert.deepEqual(config.relyingParties.$bindings.slice(0, 3), ["RELYING_PARTIES_1", "RELYING_PARTIES_2", "RELYING_PARTIES_3"]);
  const realm = config.realms.$binding === undefined ? JSON.parse(bindings[config.realms.$bindings[0]])[0] : JSON.parse(bindings[config.realms.$binding])[0];
  assert.ok(realm.relyingParties.$bindings.length > 1);

  const secrets = json("large", "secrets.json");
  const { validateConfig } = await import(src("config/validate.ts"));
  const before = validateConfig(json("large", "sts-config.json"), secrets);
  const afterSplit = validateConfig(config, { ...secrets, ...bindings });
  assert.deepEqual(afterSplit.relyingParties.map((p) => p.identifier), before.relyingParties.map((p) => p.identifier));
  assert.equal(before.relyingParties.length, 122);
  assert.deepEqual(afterSplit, before);

  // check-config accepts it and counts the same bindings split does.
  writeFileSync(join(dir, "split", "env.json"), JSON.stringify({ ...secrets, ...bindings }));
  const check = await runSts(["config", "check-config", join(dir, "split", "sts-config.json"), "--env", join(dir, "split", "env.json")]);
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /^OK \(production\): .* 122 relying parties/);
  const total = Number(/^bindings: (\d+) = STS_CONFIG \+ (\d+) configuration \+ (\d+) secret\(s\) it names/m.exec(r.stdout)?.[1]);
  assert.equal(total, 1 + names.length + new Set(Object.keys(secrets)).size);
  assert.match(check.stdout, new RegExp(`reads ${total} bindings \\(STS_CONFIG and ${total - 1} it names\\)`));
  assert.doesNotMatch(check.stdout, /holds at most 5 KB/);
});

test("an element too large for a binding alone is named, with its largest field and where its certificate can go", async () => {
  const config = json("large", "sts-config.json");
  const certificate = config.keys[0].certificate;
  const at = 40;
  config.relyingParties[at].encryption = { certificates: ["current", "next", "previous", "previous"].map((status) => ({ status, certificate })) };
  writeFileSync(join(dir, "fat.json"), JSON.stringify(config));
  const r = await runSts(["config", "split", join(dir, "fat.json"), "--out", join(dir, "fat")]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr.trim(), new RegExp(`^sts config: STS_CONFIG\\.relyingParties\\[${at}\\] \\(${JSON.stringify(config.relyingParties[at].identifier).replace(/[.:/]/g, "\\$&")}\\) is \\d+ bytes, more than one binding holds \\(5120 bytes\\) even alone, and an element cannot span bindings; its largest field is encryption \\(\\d+ bytes\\): give its encryption certificates as encryption\\.certificates\\[\\]\\.certificateSecret \\(secrets of their own\\) instead of inline; or move large sections into files bundled at deploy time, which have no such limit: sts config split FILE --out DIR --files$`));
});

test("--files: what does not fit 5 KB goes to files under DIR/config/, an element over 5 KB too, and check-config reads them back", async () => {
  const config = json("large", "sts-config.json");
  // An element no binding can hold (a party with 150 reply URLs): a file has no such limit.
  config.relyingParties[40].replyUrls = Array.from({ length: 150 }, (_, i) => `https://app40.example.com/tenants/${i}/signin-wsfed`);
  assert.ok(Buffer.byteLength(JSON.stringify(config.relyingParties[40])) > LIMIT);
  writeFileSync(join(dir, "fat.json"), JSON.stringify(config));
  const out = join(dir, "files");
  const r = await runSts(["config", "split", join(dir, "fat.json"), "--out", out, "--files"]);
  assert.equal(r.status, 0, r.stderr);
  const reduced = readFileSync(join(out, "sts-config.json"));
  assert.ok(reduced.length <= LIMIT, `STS_CONFIG is ${reduced.length} bytes`);
  const top = JSON.parse(reduced.toString("utf8"));
  assert.deepEqual(top.relyingParties, { $file: "relying-parties.json" });
  // The realm's own sections first, each a file under realms/r2/: what remains of it fits inline.
  const realm = top.realms[0];
  assert.deepEqual(realm.relyingParties, { $file: "realms/r2/relying-parties.json" });
  assert.equal(json("files", "config", "relying-parties.json").length, 122);
  // No bindings beyond STS_CONFIG: the secrets are the configuration's own.
  assert.equal(existsSync(join(out, "bindings.json")), false);
  const secrets = json("large", "secrets.json");
  assert.match(r.stdout, new RegExp(`^wrote ${out.replace(/[.\\/]/g, "\\$&")}/sts-config\\.json \\(STS_CONFIG, ${reduced.length} bytes\\) and \\d+ file\\(s\\) under .*/config \\(\\d+ bytes\\), to bundle at deploy time: STS_CONFIG_DIR=.*/config npx wrangler deploy\n`));
  assert.match(r.stdout, new RegExp(`^bindings: ${1 + Object.keys(secrets).length} = STS_CONFIG \\+ ${Object.keys(secrets).length} secret\\(s\\) it names`, "m"));

  // The files, read as the build reads them, validate to the configuration split was given.
  const { readConfigFiles } = await import(new URL("../../build-config-files.mjs", import.meta.url).href);
  const { validateConfig } = await import(src("config/validate.ts"));
  const files = readConfigFiles(join(out, "config"));
  assert.deepEqual(validateConfig(top, secrets, { files }), validateConfig(config, secrets));
  const check = await runSts(["config", "check-config", join(out, "sts-config.json"), "--env", join(dir, "large", "secrets.json"), "--config-dir", join(out, "config")]);
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /^OK \(production\): .* 122 relying parties/);
  assert.doesNotMatch(check.stdout, /5 KB/);
  // Another directory is not where they are: check-config says which files it has.
  const empty = join(dir, "empty-config");
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, "other.json"), "[]");
  const missing = await runSts(["config", "check-config", join(out, "sts-config.json"), "--env", join(dir, "large", "secrets.json"), "--config-dir", empty]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^STS_CONFIG\.relyingParties: file "relying-parties\.json" is not bundled with this worker: the bundled files are other\.json; /m);
});

test("split takes only a whole configuration, and --out", async () => {
  writeFileSync(join(dir, "bound.json"), JSON.stringify({ keys: [], relyingParties: { $binding: "RPS" } }));
  const bound = await runSts(["config", "split", join(dir, "bound.json"), "--out", join(dir, "x")]);
  assert.equal(bound.status, 1);
  assert.match(bound.stderr, /relyingParties is already read from a binding or file: split takes the whole configuration/);
  // Two realms whose names differ only in punctuation would write the same bindings.
  const parties = Array.from({ length: 100 }, (_, i) => ({ identifier: `urn:example:rp:${i}`, defaultTokenType: "saml2" }));
  const realms = ["a-b", "a_b"].map((name) => ({ name, pathPrefix: `/realms/${name}`, relyingParties: parties }));
  writeFileSync(join(dir, "twins.json"), JSON.stringify({ keys: [], relyingParties: [], realms }));
  const twins = await runSts(["config", "split", join(dir, "twins.json"), "--out", join(dir, "twins")]);
  assert.equal(twins.status, 1);
  assert.match(twins.stderr, /^sts config: STS_CONFIG\.realms\[1\]: the binding name REALM_A_B_RELYING_PARTIES_1 is already used for another section; rename the realm\n$/);
  // --out naming the input's own folder would write the reduced configuration over it.
  const original = readFileSync(join(dir, "large", "sts-config.json"));
  const over = await runSts(["config", "split", join(dir, "large", "sts-config.json"), "--out", join(dir, "large")]);
  assert.equal(over.status, 2);
  assert.match(over.stderr, /split would write .*sts-config\.json over .*sts-config\.json, the configuration it reads: give --out another directory/);
  assert.deepEqual(readFileSync(join(dir, "large", "sts-config.json")), original);
  const noOut = await runSts(["config", "split", join(dir, "bound.json")]);
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /split needs --out DIR/);
});
