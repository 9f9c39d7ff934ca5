// Claim rules and requested claims (wst:Claims) read by an independent SAML library: tokens for
// urn:example:rp — whose development claim rules add the WIF role and a upn — with and without a
// claims request, over both SOAP versions and both WS-Trust namespaces, handed to pysaml2
// (claims_check.py), which reads every attribute with its NameFormat and verifies the signature.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requestToken } from "../cli/token.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const RP = "urn:example:rp";
const URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const ID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
const UPN = `${ID}/upn`;

/** Runs claims_check.py on one token; { ok, detail } from its PASS / FAIL lines. */
function pysaml2Claims(kind, file, expect, certs) {
  const args = [join(HERE, "claims_check.py"), "--kind", kind, "--token", file, "--expect", JSON.stringify(expect), ...certs.flatMap((c) => ["--cert", c])];
  const p = spawnSync("/usr/bin/python3", args, { encoding: "utf8", env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } });
  const lines = (p.stdout ?? "").split("\n").filter(Boolean);
  const fails = lines.filter((l) => l.startsWith("FAIL"));
  return { ok: p.status === 0 && fails.length === 0, detail: p.status === 0 ? `${lines.length} checks` : fails.join("; ") || (p.stderr ?? "").slice(-300) };
}

/** The cases: what is asked for, and exactly the attributes pysaml2 must read. */
const CASES = [
  {
    name: "rule-made attributes, no claims request",
    claims: undefined,
    expect: { [`${ID}/emailaddress`]: [URI, ["alice@example.com"]], [`${ID}/givenname`]: [URI, ["Alice"]], [ROLE]: [URI, ["admin", "user"]], [UPN]: [URI, ["alice@example.com"]] },
  },
  {
    name: "identity dialect: upn required, givenname and surname optional",
    claims: [{ uri: UPN }, { uri: `${ID}/givenname`, optional: true }, { uri: `${ID}/surname`, optional: true }],
    expect: { [UPN]: [URI, ["alice@example.com"]], [`${ID}/givenname`]: [URI, ["Alice"]] },
  },
  {
    name: "authorization dialect: role with auth:Value admin, upn",
    claims: [{ uri: ROLE, optional: false, value: "admin" }, { uri: UPN, optional: false }],
    expect: { [ROLE]: [URI, ["admin"]], [UPN]: [URI, ["alice@example.com"]] },
  },
];

/** Runs the requested-claims checks, reporting through the driver's report/skip callbacks. */
export async function claimsCheck({ base, work, report, skip, certs }) {
  if (!certs.length) skip("claims: signature checks", "no metadata certificate to pin");
  for (const soap of ["1.1", "1.2"]) {
    for (const trust of ["13", "2005"]) {
      for (const [i, c] of CASES.entries()) {
        const tag = `claims soap${soap} trust${trust}: ${c.name}`;
        const r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: RP, tokenType: "saml2", soap, trust, claims: c.claims });
        if (!r.ok) {
          report(`${tag}: issue`, false, `HTTP ${r.status} ${r.code}: ${r.reason}`);
          continue;
        }
        const file = join(work, `claims-${i}-soap${soap}-trust${trust}.xml`);
        writeFileSync(file, r.token);
        const p = pysaml2Claims("saml2", file, c.expect, certs);
        report(`${tag}: pysaml2 reads the attributes with their NameFormats`, p.ok, p.detail);
      }
    }
  }
  // SAML 1.1: the rule-made URIs split into AttributeNamespace and AttributeName.
  const s1 = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: RP, tokenType: "saml1", soap: "1.1", trust: "2005", claims: CASES[1].claims });
  if (!s1.ok) report("claims saml1: issue", false, `HTTP ${s1.status} ${s1.code}: ${s1.reason}`);
  else {
    const file = join(work, "claims-saml1.xml");
    writeFileSync(file, s1.token);
    const p = pysaml2Claims("saml1", file, CASES[1].expect, []);
    report("claims saml1 soap1.1 trust2005: the requested attributes, split at the last /", p.ok, p.detail);
  }
  // A required claim nobody gives: a wst:InvalidRequest fault naming it, no token.
  const missing = await requestToken({ url: base, user: "bob", password: "builder", appliesTo: RP, tokenType: "saml2", claims: [{ uri: `${ID}/givenname` }] });
  report("claims: a required claim the subject lacks is wst:InvalidRequest naming it",
    !missing.ok && /InvalidRequest/.test(`${missing.code} ${missing.subcode}`) && (missing.reason ?? "").includes(`${ID}/givenname`),
    missing.ok ? "a token was issued" : `${missing.code}: ${missing.reason}`);
}
