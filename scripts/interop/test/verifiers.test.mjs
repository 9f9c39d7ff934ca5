// Self-tests of the interop verifiers on fixtures signed by xmlsec1 with a throwaway key
// (make-fixtures.sh): each peer must accept the genuine documents and reject tampered ones and
// ones checked against an unrelated certificate. Needs the apt packages from .ci/run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { compileSantuario, metadataCerts, pysaml2Check, santuarioVerify, xmlsecVerify } from "../verifiers.mjs";

const dir = mkdtempSync(join(tmpdir(), "interop-selftest-"));
const p = (f) => join(dir, f);
let cp;

before(() => {
  const r = spawnSync("bash", [fileURLToPath(new URL("../make-fixtures.sh", import.meta.url)), dir], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  cp = compileSantuario(p("java"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CASES = [
  ["saml2", "saml2.xml", "saml2-tampered.xml"],
  ["saml1", "saml1.xml", "saml1-tampered.xml"],
  ["metadata", "metadata.xml", null],
];

for (const [kind, good, tampered] of CASES) {
  test(`xmlsec1: ${kind} verifies with the pinned cert, not with another, not when tampered`, () => {
    assert.equal(xmlsecVerify(p(good), [p("cert.pem")], kind).ok, true);
    assert.equal(xmlsecVerify(p(good), [p("other-cert.pem")], kind).ok, false);
    // any-of semantics: the right cert among several still verifies
    assert.equal(xmlsecVerify(p(good), [p("other-cert.pem"), p("cert.pem")], kind).ok, true);
    if (tampered) assert.equal(xmlsecVerify(p(tampered), [p("cert.pem")], kind).ok, false);
  });
  test(`Santuario: ${kind} verifies with the pinned cert, not with another, not when tampered`, () => {
    const ok = santuarioVerify(cp, p(good), [p("cert.pem")], kind);
    assert.equal(ok.ok, true, ok.detail);
    assert.match(ok.detail, /^OK sig=rsa-sha256 c14n=xml-exc-c14n transforms=enveloped-signature,xml-exc-c14n ref=#_/);
    assert.equal(santuarioVerify(cp, p(good), [p("other-cert.pem")], kind).ok, false);
    if (tampered) assert.match(santuarioVerify(cp, p(tampered), [p("cert.pem")], kind).detail, /digest mismatch/);
  });
}

test("Santuario: a document whose root is not the expected element is refused", () => {
  const r = santuarioVerify(cp, p("saml2.xml"), [p("cert.pem")], "saml1");
  assert.equal(r.ok, false);
  assert.match(r.detail, /root is \{urn:oasis:names:tc:SAML:2.0:assertion\}Assertion/);
});

const CLAIMS = { issuer: "http://127.0.0.1:8788", subject: "alice", audience: "urn:example:rp", email: "alice@example.com" };

test("pysaml2: SAML 2.0 claims + signature (pinned cert and via MetadataStore)", () => {
  const r = pysaml2Check({ kind: "saml2", file: p("saml2.xml"), certs: [p("cert.pem")], metadata: p("metadata.xml"), ...CLAIMS });
  assert.equal(r.ok, true, r.detail);
  assert.equal(r.ok, true, r.detail);
  assert.match(r.detail, /^10 checks \(SKIP pysaml2 SP rule 'Recipient on every SubjectConfirmation'/);
});

test("pysaml2: its service-provider rules refuse an expired assertion and one for another audience", () => {
  const expired = pysaml2Check({ kind: "saml2", file: p("saml2-expired.xml"), certs: [p("cert.pem")], ...CLAIMS });
  assert.match(expired.detail, /^FAIL pysaml2 SP rules \(AuthnStatement, Conditions, bearer confirmation data\): ResponseLifetimeExceed/);
  const other = pysaml2Check({ kind: "saml2", file: p("saml2.xml"), certs: [p("cert.pem")], ...CLAIMS, audience: "urn:x" });
  assert.match(other.detail, /FAIL pysaml2 SP rules .*AudienceRestrictions conditions not satisfied/);
});

test("pysaml2: wrong claims, tampered content and unrelated certs fail", () => {
  assert.match(pysaml2Check({ kind: "saml2", file: p("saml2.xml"), certs: [p("cert.pem")], ...CLAIMS, subject: "bob" }).detail, /FAIL subject/);
  assert.match(pysaml2Check({ kind: "saml2", file: p("saml2.xml"), certs: [p("cert.pem")], ...CLAIMS, audience: "urn:x" }).detail, /FAIL audience/);
  assert.match(pysaml2Check({ kind: "saml2", file: p("saml2.xml"), certs: [p("other-cert.pem")], ...CLAIMS }).detail, /FAIL signature/);
  const t = pysaml2Check({ kind: "saml2", file: p("saml2-tampered.xml"), certs: [p("cert.pem")], ...CLAIMS });
  assert.match(t.detail, /FAIL email attribute.*FAIL signature/);
});

test("pysaml2 (ElementTree for SAML 1.1): claims pass, tampered email and wrong issuer fail", () => {
  assert.equal(pysaml2Check({ kind: "saml1", file: p("saml1.xml"), certs: [p("cert.pem")], ...CLAIMS }).ok, true);
  assert.match(pysaml2Check({ kind: "saml1", file: p("saml1-tampered.xml"), certs: [p("cert.pem")], ...CLAIMS }).detail, /FAIL email attribute/);
  assert.match(pysaml2Check({ kind: "saml1", file: p("saml1.xml"), certs: [p("cert.pem")], ...CLAIMS, issuer: "x" }).detail, /FAIL issuer/);
});

test("metadata_certs.py: extracts the entityID and the signing certificate", () => {
  const md = metadataCerts(p("metadata.xml"), p("certs"));
  assert.equal(md.entityID, "http://127.0.0.1:8788");
  assert.equal(md.certs.length, 1);
  const b64 = (f) => readFileSync(f, "utf8").replace(/-----[^-]+-----|\s/g, "");
  assert.equal(b64(md.certs[0]), b64(p("cert.pem")));
});
