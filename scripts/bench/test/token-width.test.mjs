// Self-test of a cost no vitest test can see (Node 22: `node --test 'scripts/bench/test/*.test.mjs'`):
// V8 stores a string of Latin-1 characters one byte per character, and a string built from a
// two-byte piece two bytes per character, whatever characters it holds. A signed token joined
// from two-byte pieces is twice the memory and takes V8's slower path each time it is encoded
// to UTF-8, hashed or written to a response (in workerd: ~19 µs of a JWT→SAML exchange). The
// width is observable only through V8's serializer, which writes a one-byte string under the
// tag '"' and a two-byte one (after alignment padding) under 'c'.
import assert from "node:assert/strict";
import { test } from "node:test";
import { serialize } from "node:v8";
import { DEV_KEY_MATERIALS } from "../../../src/config/dev-keys.ts";
import { KeyRing } from "../../../src/keys/keyring.ts";
import { buildSaml1Assertion } from "../../../src/saml/saml1.ts";
import { buildSaml2Assertion } from "../../../src/saml/saml2.ts";
import { assertionInput } from "../../../test/helpers/assertion-input.ts";

/** True when V8 holds `s` one byte per character (checked on the serializer's first tag). */
function oneByte(s) {
  const b = serialize(s);
  // b[0..1]: serializer version header; then the string's tag.
  return b[2] === 0x22;
}

test("the serializer tells the two widths apart", () => {
  assert.equal(oneByte("<a>ascii</a>"), true);
  // As the signer's template is cut: a slice long enough to share its parent's characters.
  const parent = "<a>" + "x".repeat(40) + String.fromCharCode(0x100);
  const twoByte = parent.slice(0, 43) + "</a>";
  assert.equal(twoByte, `<a>${"x".repeat(40)}</a>`);
  assert.equal(oneByte(twoByte), false, "a slice keeps its parent's width");
});

test("every signed token of ours with only Latin-1 text is a one-byte string", async () => {
  const ring = await KeyRing.load(DEV_KEY_MATERIALS);
  const input = (signatureAlgorithm) =>
    assertionInput({
      at: new Date("2026-01-01T00:00:00Z"),
      claims: { email: ["alice@example.com"], given_name: ["Zoë"], role: ["admin", "user"] },
      signatureAlgorithm,
    });
  for (const alg of ["rsa-sha256", "rsa-sha512", "ecdsa-sha256"]) {
    // Twice: the first call writes the signature template, the second reuses it.
    for (let i = 0; i < 2; i++) {
      const saml2 = await buildSaml2Assertion(input(alg), ring);
      assert.match(saml2, /<ds:SignatureValue>[A-Za-z0-9+/=]+<\/ds:SignatureValue>/);
      assert.equal(oneByte(saml2), true, `SAML 2.0, ${alg}, call ${i + 1}`);
      assert.equal(oneByte(await buildSaml1Assertion(input(alg), ring)), true, `SAML 1.1, ${alg}, call ${i + 1}`);
    }
  }
});
