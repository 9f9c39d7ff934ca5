// Self-tests of where the CLI sends requests (scripts/cli/url.mjs). Node 22:
// `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { certificateEndpoint } from "../sign.mjs";
import { checkCredentialTarget, stsUrl } from "../url.mjs";

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

test("a base without http(s) is refused saying so, never read as the origin \"null\"", () => {
  // "localhost:8787" is a URL whose scheme is "localhost".
  assert.throws(() => stsUrl("localhost:8787", "/trust/mex"), { message: "not an http(s) URL: localhost:8787 (give the STS's address with its scheme, such as http://localhost:8787)" });
  assert.throws(() => stsUrl("ftp://127.0.0.1:8787", "/trust/mex"), { message: "not an http(s) URL: ftp://127.0.0.1:8787 (give the STS's address with its scheme)" });
});

test("credentials go over https, or over plain http only to this machine; discovered endpoints never step down from https", () => {
  for (const ok of ["https://sts.example.com/trust/13/usernamemixed", "http://127.0.0.1:8787/x", "http://localhost:8787/x", "http://[::1]:8787/x", "http://realm2.localhost:8787/x"]) {
    assert.doesNotThrow(() => checkCredentialTarget(ok), ok);
  }
  assert.throws(() => checkCredentialTarget("http://sts.example.com/trust/13/usernamemixed"), /not sent over plain http to sts\.example\.com/);
  assert.throws(() => checkCredentialTarget("http://127.0.0.1:8787/trust/13/usernamemixed", "https://sts.example.com"), /which is not https/);
  // Another scheme is named as such, not taken for plain http.
  for (const other of ["ftp://127.0.0.1:8787", "file:///tmp/sts", "ws://localhost:8787/x"]) {
    assert.throws(() => checkCredentialTarget(other), { message: `${other} is not an http(s) address (its scheme is ${other.split(":")[0]}): the STS is reached over https, or plain http to this machine` });
  }
  const before = process.env.STS_CLI_ALLOW_HTTP;
  process.env.STS_CLI_ALLOW_HTTP = "1";
  try {
    assert.doesNotThrow(() => checkCredentialTarget("http://192.0.2.2:8787/x"));
    assert.throws(() => checkCredentialTarget("http://192.0.2.2:8787/x", "https://sts.example.com"), /which is not https/);
  } finally {
    if (before === undefined) delete process.env.STS_CLI_ALLOW_HTTP;
    else process.env.STS_CLI_ALLOW_HTTP = before;
  }
});
