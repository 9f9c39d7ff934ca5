// Self-tests of the `npm run sts` entry (scripts/sts.mjs). Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const where = mkdtempSync(join(tmpdir(), "sts-cwd-"));
after(() => {
  rmSync(where, { recursive: true, force: true });
  rmSync(join(ROOT, "made-here"), { recursive: true, force: true }); // only there if the first test fails
});

/** Runs the CLI in `cwd` (the package root, as `npm run` does) with the given environment. */
function sts(args, env, cwd = ROOT) {
  const clean = { ...process.env };
  delete clean.npm_lifecycle_event;
  delete clean.INIT_CWD;
  return execFileSync(process.execPath, [join(ROOT, "scripts", "sts.mjs"), ...args], { cwd, env: { ...clean, ...env }, encoding: "utf8" });
}

test("under `npm run sts`, relative file arguments are the caller's directory's, not the package root's", () => {
  sts(["keys", "generate", "--type", "ec", "--cn", "cwd-test", "--days", "1", "--out", "made-here"], { npm_lifecycle_event: "sts", INIT_CWD: where });
  assert.ok(existsSync(join(where, "made-here", "certificate.pem")));
  assert.ok(!existsSync(join(ROOT, "made-here")));
});

test("started some other way (from another npm script's environment), the working directory is left alone", () => {
  const other = join(where, "other");
  mkdirSync(other);
  sts(["keys", "generate", "--type", "ec", "--cn", "cwd-test", "--days", "1", "--out", "made-there"], { npm_lifecycle_event: "test", INIT_CWD: other }, where);
  assert.ok(existsSync(join(where, "made-there", "private-key.pem")));
  assert.ok(!existsSync(join(other, "made-there")));
});

test("every command answers --help with its usage and exit code 0", () => {
  for (const cmd of ["token", "exchange", "validate", "renew", "cancel", "users", "keys", "config"]) {
    const out = sts([cmd, "--help"], {});
    assert.match(out, /usage/i, cmd);
  }
});

test("so does every subcommand (execFileSync throws on a non-zero exit)", () => {
  for (const args of [["config", "check-config", "--help"], ["config", "hash-password", "--help"], ["users", "add", "--help"], ["users", "list", "--help"], ["users", "import", "-h"], ["keys", "generate", "--help"]]) {
    assert.match(sts(args, {}), /usage/i, args.join(" "));
  }
});
