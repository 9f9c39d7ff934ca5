// Self-tests of the CLI's one-line error explanations (scripts/cli/errors.mjs). Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { explain } from "../errors.mjs";

function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail("expected a throw");
}

test("a file that cannot be read or written is named, without a stack trace", () => {
  assert.equal(explain(thrown(() => readFileSync("/nonexistent/token.xml"))), "/nonexistent/token.xml: ENOENT: no such file or directory");
  assert.equal(explain(thrown(() => writeFileSync("/nonexistent/dir/out.xml", "x"))), "/nonexistent/dir/out.xml: ENOENT: no such file or directory");
});

test("an STS that does not answer says so, with the system's reason", async () => {
  const e = await fetch("http://127.0.0.1:9/").catch((x) => x); // port 9: refused by fetch itself ("bad port")
  assert.match(explain(e), /^cannot reach the STS \(.+\): is it running at that address\?$/);
});

test("a malformed --url, and any other error's message", () => {
  assert.equal(explain(thrown(() => new URL("not-a-url"))), "not a URL: not-a-url");
  assert.equal(explain(new Error("SOAP fault")), "SOAP fault");
  assert.equal(explain("plain"), "plain");
});
