// Self-tests of the CLI's own help (scripts/sts.mjs). Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runSts } from "./run-cli.mjs";

test("help <command> prints that command's usage, as <command> --help does", async () => {
  for (const cmd of ["token", "users", "config", "keys"]) {
    const [asked, flag] = await Promise.all([runSts(["help", cmd]), runSts([cmd, "--help"])]);
    assert.equal(flag.status, 0, cmd);
    assert.equal(asked.status, 0, cmd);
    assert.equal(asked.stdout, flag.stdout, cmd);
    assert.doesNotMatch(asked.stdout, /^usage: npm run sts -- <command>/, cmd);
  }
});

test("help of a command that does not exist says so (exit 2)", async () => {
  const r = await runSts(["help", "frob"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^sts: unknown command "frob"\n/);
});

test("the command list says what config does: hashing, secrets and checks, not printing a configuration", async () => {
  const r = await runSts(["help"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\n {2}config {9}hash passwords and secrets, make a client secret, check a configuration before deploying it\n/);
});
