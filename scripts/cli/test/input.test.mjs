// Self-tests of the CLI's one option parser (scripts/cli/input.mjs) and of every command reading
// its options through it. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HelpRequested, UsageError, parseArgs, wholeNumber } from "../input.mjs";
import { runSts } from "./run-cli.mjs";
import { listen } from "../../test/listen.mjs";

const KNOWN = { url: "value", password: "value", soap: ["1.1", "1.2"], claim: "list", yes: "flag" };

test("a value follows its option or is joined to it with '=', and is taken as given even when it starts with '-'", () => {
  assert.deepEqual(parseArgs(["--url=http://h/a=b", "--password", "--secret-", "x", "--claim", "a=1", "--claim=b=2", "--yes"], KNOWN), {
    opts: { url: "http://h/a=b", password: "--secret-", claim: ["a=1", "b=2"], yes: true },
    positional: ["x"],
  });
  assert.deepEqual(parseArgs(["--url", "u", "--", "--yes", "-h"], KNOWN), { opts: { url: "u" }, positional: ["--yes", "-h"] });
});

test("mistakes are usage errors naming each option: unknown, misspelt, a value not among its choices, missing, given twice", () => {
  assert.throws(() => parseArgs(["--soap", "1.3", "--tokentype", "x", "-v"], KNOWN), {
    name: "Error",
    message: '--soap must be 1.1 or 1.2, not "1.3"; unknown option --tokentype; unknown option x; unknown option -v'.replace("unknown option x; ", ""),
  });
  assert.throws(() => parseArgs(["--url"], KNOWN), (e) => e instanceof UsageError && e.message === "--url needs a value");
  assert.throws(() => parseArgs(["--url", "a", "--url=b"], KNOWN), (e) => e instanceof UsageError && e.message === "--url is given twice");
  assert.throws(() => parseArgs(["--yes=no"], KNOWN), (e) => e instanceof UsageError && e.message === "--yes takes no value");
});

test("--help or -h wins over any mistake, but a value that reads '-h' is a value", () => {
  assert.throws(() => parseArgs(["--bogus", "--soap", "9", "-h"], KNOWN), HelpRequested);
  assert.throws(() => parseArgs(["--help"], {}), HelpRequested);
  assert.deepEqual(parseArgs(["--password", "-h"], KNOWN).opts, { password: "-h" });
});

test("a whole number is one, or a usage error naming the option (never NaN)", () => {
  const n = (v) => wholeNumber({ "key-size": v }, "key-size", { min: 1, max: 16384, unit: "bits" });
  assert.equal(n("256"), 256);
  assert.equal(n(undefined), undefined);
  for (const bad of ["abc", "", "1e3", "-8", "2.5", "0x10", "99999"]) {
    assert.throws(() => n(bad), { message: `--key-size must be a whole number of bits from 1 to 16384, not "${bad}"` }, bad);
  }
});

// A stand-in STS that records every request: a usage error must send none.
const seen = [];
let server;
let url;
before(async () => {
  server = await listen((req, res) => {
    req.resume();
    seen.push({ method: req.method, path: req.url });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ subject: "alice", revoked_before: "2026-12-05T12:00:00.000Z" }));
  });
  url = server.url;
});
after(() => server.close());

test("every command answers -h as --help, with its usage and exit 0", async () => {
  for (const args of [["exchange", "-h"], ["token", "-h"], ["validate", "-h"], ["revoke-subject", "-h"], ["users", "list", "-h"], ["config", "hash-secret", "-h"], ["keys", "generate", "-h"]]) {
    const r = await runSts(args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, /usage/i, args.join(" "));
  }
});

test("every command reads --url=URL; values out of range are usage errors (exit 2) before any request", async () => {
  seen.length = 0;
  const revoked = await runSts(["revoke-subject", "alice", `--url=${url}`], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s" });
  assert.equal(revoked.status, 0, revoked.stderr);
  assert.equal(seen.length, 1);
  seen.length = 0;
  const lifecycle = ["--url", url, "--user", "u", "--password", "p", "--token", "t.xml"];
  for (const [args, message] of [
    [["validate", ...lifecycle, "--soap", "1.3"], '--soap must be 1.1 or 1.2, not "1.3"'],
    [["renew", ...lifecycle, "--trust", "12"], '--trust must be 13 or 2005, not "12"'],
    [["token", `--url=${url}`, "--user", "u", "--password", "p", "--applies-to", "urn:x", "--key-type", "symmetric", "--key-size", "abc"], '--key-size must be a whole number of bits from 1 to 16384, not "abc"'],
    [["exchange", `--url=${url}`, "--client", "c", "--secret", "s", "--subject", "x.jwt", "extra"], "unexpected argument extra"],
    [["users", "list", `--url=${url}`, "--limit=0"], "--limit must be 1 to 1000"],
    [["token", "--url", url, "--user", "u", "--password", "p", "--applies-to", "urn:x", "--key-type", "symmetric", "--entropy", "x!"], '--entropy must be random, none or base64, not "x!"'],
  ]) {
    const r = await runSts(args, { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s" });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.split("\n")[0], `sts ${args[0]}: ${message}`);
  }
  assert.deepEqual(seen, []);
});

test("validate, renew and cancel offer what each can use: the Status type is Validate's, and Cancel, which answers with no token, takes no --out", async () => {
  const usageOf = async (cmd) => (await runSts([cmd, "--help"])).stdout.split("\n")[0];
  assert.match(await usageOf("validate"), /\[--token-type status\|saml2\|saml1\|jwt\].*\[--out FILE\]/);
  assert.match(await usageOf("renew"), /\[--token-type saml2\|saml1\|jwt\].*\[--out FILE\]/);
  const cancel = await usageOf("cancel");
  assert.match(cancel, /\[--token-type saml2\|saml1\|jwt\]/);
  assert.doesNotMatch(cancel, /--out/);
  seen.length = 0;
  const r = await runSts(["cancel", "--url", url, "--user", "u", "--password", "p", "--token", "t.xml", "--out", "cancelled.xml"]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.split("\n")[0], "sts cancel: unknown option --out");
  assert.deepEqual(seen, []);
});
