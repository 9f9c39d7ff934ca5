// Self-tests of where the CLI sends requests (scripts/cli/url.mjs). Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { certificateEndpoint } from "../sign.mjs";
import { stsUrl } from "../url.mjs";

test("endpoints stay under the base URL's path: a realm's prefix is kept, with or without a trailing slash", () => {
  assert.equal(stsUrl("http://127.0.0.1:8787", "/trust/mex"), "http://127.0.0.1:8787/trust/mex");
  assert.equal(stsUrl("http://127.0.0.1:8787/", "/trust/mex"), "http://127.0.0.1:8787/trust/mex");
  assert.equal(stsUrl("http://127.0.0.1:8787/realms/realm2", "/trust/mex"), "http://127.0.0.1:8787/realms/realm2/trust/mex");
  assert.equal(stsUrl("https://sts.example.com/realms/realm2//", "/.well-known/oauth-authorization-server"), "https://sts.example.com/realms/realm2/.well-known/oauth-authorization-server");
  assert.equal(certificateEndpoint("http://127.0.0.1:8787/realms/realm2", "2005"), "http://127.0.0.1:8787/realms/realm2/trust/2005/certificatemixed");
});

test("a query or fragment on the base is not carried into the endpoint; a malformed base throws", () => {
  assert.equal(stsUrl("http://127.0.0.1:8787/?x=1#y", "/trust/mex"), "http://127.0.0.1:8787/trust/mex");
  assert.throws(() => stsUrl("not-a-url", "/trust/mex"), { code: "ERR_INVALID_URL" });
});
