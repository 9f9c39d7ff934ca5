// Realms: the development configuration's realm2, reached under /realms/realm2 (and by the host
// name realm2.localhost in realm_check.py). Microsoft's MSAL and ADAL for Python discover it
// through its own MEX and sign carol in (realm_check.py); its federation metadata and JWKS are
// its own; xmlsec1 verifies its SAML tokens with realm2's metadata certificates and
// refuse them with the first realm's, and jwcrypto does the same for its JWTs with each realm's
// JWKS. Started by run.mjs.
import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requestToken } from "../cli/token.mjs";
import { jwcrypto } from "./jwt.mjs";
import { metadataCerts, xmlsecVerify } from "./verifiers.mjs";

const RP = "urn:example:rp";

/**
 * Runs the realm checks. `certs` are the first realm's metadata signing certificates (files);
 * `pythonChecks(script, args, name)` runs one of our Python checks and reports its lines.
 */
export async function realmsCheck({ base, work, report, get, certs, pythonChecks }) {
  const dir = join(work, "realms");
  mkdirSync(dir, { recursive: true });
  const realm2 = `${new URL(base).origin}/realms/realm2`;

  // ---- realm2's federation metadata: its entity ID, its own signing certificates -----------
  const md = await get(`${realm2}/FederationMetadata/2007-06/FederationMetadata.xml`);
  const mdFile = join(dir, "FederationMetadata.xml");
  writeFileSync(mdFile, md.text);
  let mine = { entityID: undefined, certs: [] };
  try {
    if (md.status === 200) mine = metadataCerts(mdFile, join(dir, "certs"));
  } catch (e) {
    report("realm2: metadata signing certificates extracted", false, e.message);
  }
  report("realm2: federation metadata names realm2 as its entity ID", md.status === 200 && mine.entityID === realm2, `HTTP ${md.status}, entityID=${mine.entityID}`);
  const pem = (f) => readFileSync(f, "utf8").replace(/\s/g, "");
  const theirs = new Set(certs.map(pem));
  report("realm2: its signing certificates are none of the first realm's", mine.certs.length > 0 && mine.certs.every((c) => !theirs.has(pem(c))), `${mine.certs.length} certificate(s)`);
  if (mine.certs.length) {
    const x = xmlsecVerify(mdFile, mine.certs, "metadata");
    report("realm2: xmlsec1 verifies its metadata with its own certificates", x.ok, x.detail);
  }

  // ---- realm2's JWTs verify with realm2's JWKS only (jwcrypto) ------------------------------
  const r = await requestToken({ url: realm2, user: "carol", password: "wonderland2", appliesTo: RP, tokenType: "jwt" });
  report("realm2: the CLI client discovers realm2's endpoint and gets carol's JWT", r.ok && r.endpoint.startsWith(`${realm2}/trust/`), r.ok ? r.endpoint : `HTTP ${r.status} ${r.code}: ${r.reason}`);
  if (r.ok) {
    const tokenFile = join(dir, "realm2.jwt");
    writeFileSync(tokenFile, r.token);
    const common = ["--token", tokenFile, "--audience", RP, "--subject", "carol", "--issuer", realm2];
    const jwks = async (b) => {
      const meta = JSON.parse((await get(`${b}/.well-known/oauth-authorization-server`)).text);
      const file = join(dir, `jwks-${b === realm2 ? "realm2" : "first"}.json`);
      writeFileSync(file, (await get(meta.jwks_uri)).text);
      return { file, uri: meta.jwks_uri };
    };
    const own = await jwks(realm2);
    report("realm2: RFC 8414 metadata points at realm2's JWKS", own.uri === `${realm2}/oauth2/jwks`, own.uri);
    const p = jwcrypto([...common, "--jwks", own.file]);
    report("realm2: jwcrypto verifies its JWT with realm2's JWKS", p.ok, p.detail);
    const first = await jwks(new URL(base).origin);
    const q = jwcrypto([...common, "--jwks", first.file]);
    report("realm2: jwcrypto refuses its JWT with the first realm's JWKS", !q.ok, q.ok ? "verified with the first realm's JWKS" : "refused");
  }

  // ---- MSAL / ADAL discover realm2 through its own MEX and sign carol in --------------------
  const out = join(dir, "tokens");
  mkdirSync(out, { recursive: true });
  pythonChecks("realm_check.py", ["--url", new URL(base).origin, "--out", out], "realm2 (msal/adal)");
  for (const f of ["realm2-msal-13.xml", "realm2-adal-13.xml", "realm2-adal-2005.xml", "realm2-host-msal-13.xml"]) {
    const file = join(out, f);
    if (!existsSync(file) || !mine.certs.length) continue;
    const name = f.replace(".xml", "");
    const own = xmlsecVerify(file, mine.certs, "saml2");
    report(`${name}: xmlsec1 verifies it with realm2's metadata certificates`, own.ok, own.detail);
    const other = xmlsecVerify(file, certs, "saml2");
    report(`${name}: xmlsec1 refuses it with the first realm's certificates`, !other.ok, other.ok ? "verified with the first realm's keys" : "refused");
  }
}
