// Interop suite driver: requests tokens from a running STS with the CLI client for every
// combination (SAML 2.0 / 1.1 × SOAP 1.1 / 1.2 × WS-Trust 1.3 / 2005) and has independent
// implementations judge them; has them decrypt what our XML Encryption writes (xmlenc.mjs), the
// encrypted tokens (encrypted-tokens.mjs) and the proof keys of holder-of-key tokens (proof-keys.mjs).
// Started by scripts/interop/run.sh, which owns the server.
//
// usage: node scripts/interop/run.mjs --url http://127.0.0.1:8788 --work DIR
// Prints PASS/FAIL per check and a final "N passed, M failed"; exit 1 if M > 0.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "../cli/input.mjs";
import { requestToken } from "../cli/token.mjs";
import { requestTokenWithCertificate } from "../cli/sign.mjs";
import { findUsernameMixed } from "../cli/mex.mjs";
import { isTrustFault } from "../cli/rstr.mjs";
import { manageToken } from "../cli/lifecycle.mjs";
import { jwtCheck } from "./jwt.mjs";
import { pairwiseCheck } from "./pairwise.mjs";
import { oauthBridgeCheck } from "./oauth.mjs";
import { xmlencCheck } from "./xmlenc.mjs";
import { encryptedTokenVariantsCheck, encryptedTokensCheck } from "./encrypted-tokens.mjs";
import { partnerAssertionsCheck } from "./partner-assertions.mjs";
import { wss4jCheck } from "./wss4j.mjs";
import { proofKeysCheck } from "./proof-keys.mjs";
import { inspectorCheck } from "./inspector.mjs";
import { pagesCheck } from "./pages.mjs";
import { corsCheck } from "./cors.mjs";
import { claimsCheck } from "./claims.mjs";
import { realmsCheck } from "./realms.mjs";
import { wsfedCheck } from "./wsfed.mjs";
import { directoryCheck } from "./directory.mjs";
import { bundleBuilt, serveVariant } from "./variant.mjs";
import {
  compileSantuario,
  metadataCerts,
  pysaml2Check,
  santuarioVerify,
  tally,
  xmllintWellFormed,
  xmlsecVerify,
} from "./verifiers.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const f = parseArgs(process.argv.slice(2), { url: "value", work: "value" }).opts;
const base = f.url ?? "http://127.0.0.1:8788";
const work = f.work ?? "/tmp/interop";
mkdirSync(work, { recursive: true });

const { report, skip, finish } = tally();
async function get(path) {
  try {
    const res = await fetch(new URL(path, base));
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  } catch (e) {
    return { status: 0, type: null, text: String(e.message) };
  }
}

const USER = { user: "alice", password: "wonderland", email: "alice@example.com" };
const RP = "urn:example:rp";

// ---- Federation metadata: signed by the STS, source of the pinned certificates --------------
const mdRes = await get("/FederationMetadata/2007-06/FederationMetadata.xml");
const mdFile = join(work, "FederationMetadata.xml");
writeFileSync(mdFile, mdRes.text);
let md = { entityID: undefined, certs: [], encryptionCerts: [] };
if (mdRes.status === 200) {
  try {
    md = metadataCerts(mdFile, join(work, "certs"));
  } catch (e) {
    report("metadata: signing certificates extracted", false, e.message);
  }
}
report("metadata: GET FederationMetadata.xml 200 with ≥1 signing certificate", mdRes.status === 200 && md.certs.length > 0,
  `HTTP ${mdRes.status}, ${md.certs.length} cert(s), entityID=${md.entityID}`);

let javaCp;
try {
  javaCp = compileSantuario(join(work, "java"));
} catch (e) {
  report("santuario: compile SantuarioVerify.java and SantuarioDecrypt.java", false, e.message);
}
if (md.certs.length) {
  const x = xmlsecVerify(mdFile, md.certs, "metadata");
  report("metadata: xmlsec1 verifies the metadata signature", x.ok, x.detail);
  if (javaCp) {
    const s = santuarioVerify(javaCp, mdFile, md.certs, "metadata");
    report("metadata: Santuario verifies the metadata signature", s.ok, s.detail);
  }
}

// ---- mex: WSDL with the usernamemixed endpoints ---------------------------------------------
const mex = await get("/trust/mex");
const mexFile = join(work, "mex.xml");
writeFileSync(mexFile, mex.text);
report("mex: GET /trust/mex 200, well-formed (xmllint)", mex.status === 200 && xmllintWellFormed(mexFile).ok, `HTTP ${mex.status}`);
for (const trust of ["13", "2005"]) {
  try {
    const ep = findUsernameMixed(mex.text, trust);
    report(`mex: usernamemixed endpoint for WS-Trust ${trust}`, true, ep);
  } catch (e) {
    report(`mex: usernamemixed endpoint for WS-Trust ${trust}`, false, e.message);
  }
}

// ---- Every SAML combination ------------------------------------------------------------------
const SOAP_TYPE = { "1.1": "text/xml", "1.2": "application/soap+xml" };
const ROOT = { saml2: "urn:oasis:names:tc:SAML:2.0:assertion", saml1: "urn:oasis:names:tc:SAML:1.0:assertion" };
for (const tokenType of ["saml2", "saml1"]) {
  for (const soap of ["1.1", "1.2"]) {
    for (const trust of ["13", "2005"]) {
      const tag = `${tokenType} soap${soap} trust${trust}`;
      let r;
      try {
        r = await requestToken({ url: base, user: USER.user, password: USER.password, appliesTo: RP, tokenType, soap, trust });
      } catch (e) {
        report(`${tag}: issue`, false, e.message);
        continue;
      }
      const file = join(work, `token-${tokenType}-soap${soap}-trust${trust}.xml`);
      writeFileSync(join(work, `response-${tokenType}-soap${soap}-trust${trust}.xml`), r.responseText);
      const typeOk = (r.contentType ?? "").startsWith(SOAP_TYPE[soap]);
      const rootOk = r.ok && r.kind === "xml" && r.token.includes(ROOT[tokenType]) && /^<[\w.-]+:Assertion[\s>]|^<Assertion[\s>]/.test(r.token);
      report(`${tag}: issue`, r.ok && r.status === 200 && typeOk && rootOk,
        r.ok ? `HTTP ${r.status}, ${r.contentType}, ${r.token.length} bytes via ${r.endpoint}` : `HTTP ${r.status} ${r.code} ${r.subcode ?? ""}: ${r.reason}`);
      if (!r.ok) continue;
      writeFileSync(file, r.token);
      if (!md.certs.length) {
        skip(`${tag}: signature checks`, "no metadata certificate to pin");
        continue;
      }
      const x = xmlsecVerify(file, md.certs, tokenType);
      report(`${tag}: xmlsec1 verifies the assertion`, x.ok, x.detail);
      if (javaCp) {
        const s = santuarioVerify(javaCp, file, md.certs, tokenType);
        report(`${tag}: Santuario verifies the assertion`, s.ok, s.detail);
      }
      const p = pysaml2Check({
        kind: tokenType, file, certs: md.certs, issuer: md.entityID, subject: USER.user, audience: RP,
        email: USER.email, metadata: tokenType === "saml2" ? mdFile : undefined,
      });
      report(`${tag}: pysaml2 claims${tokenType === "saml2" ? " + signature" : ""}`, p.ok, p.detail);
    }
  }
}

// ---- Claim rules and requested claims, read by pysaml2 with their NameFormats ----------------
await claimsCheck({ base, work, report, skip, certs: md.certs });

// ---- JWT over WS-Trust, verified by jwcrypto against the published JWKS ---------------------
await jwtCheck({ base, work, report, skip, get, certs: md.certs, issuer: md.entityID });
await pairwiseCheck({ base, work, report, skip, get, certs: md.certs, issuer: md.entityID });

// ---- XML Encryption and P_SHA1: our encryptor's output decrypted by xmlsec1, Santuario, Python --
await xmlencCheck({ work, report, skip, javaCp });

// ---- Encrypted tokens from the worker for urn:example:secure-rp, opened with its published key --
await encryptedTokensCheck({ base, work, report, skip, get, certs: md.certs, javaCp });
await encryptedTokenVariantsCheck({ work, report, skip, certs: md.certs, javaCp });
await proofKeysCheck({ base, work, report, skip, certs: md.certs });

// ---- Federation partner assertions signed by xmlsec1: issued-token endpoints and token exchange --
await partnerAssertionsCheck({ base, work, report, skip, certs: md.certs, encryptionCerts: md.encryptionCerts, issuer: md.entityID });

/**
 * Runs one of our checks written against a Debian Python library (with /usr/bin/python3, where
 * Debian's packages load) and reports each of its PASS/FAIL lines; a run that fails without
 * reporting a FAIL (an import error, a crash) is a failure of its own.
 */
function pythonChecks(script, args, name) {
  const p = spawnSync("/usr/bin/python3", [join(HERE, script), ...args], {
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  for (const line of (p.stdout ?? "").split("\n")) {
    const m = /^(PASS|FAIL) (.*)$/.exec(line);
    if (m) report(m[2], m[1] === "PASS");
  }
  if (p.status !== 0 && !/FAIL/.test(p.stdout ?? "")) report(`${name}: client run`, false, (p.stderr ?? "").slice(-400));
}

// ---- AD FS-era clients: Microsoft's MSAL and ADAL for Python discover and request tokens ----
{
  const outDir = join(work, "msal");
  mkdirSync(outDir, { recursive: true });
  pythonChecks("mex_check.py", ["--url", base], "mex (zeep)");
  pythonChecks("msal_check.py", ["--url", base, "--out", outDir], "msal/adal");
  for (const f of ["msal-13.xml", "msal-2005.xml", "msal-directory.xml", "adal-13.xml", "adal-2005.xml"]) {
    const file = join(outDir, f);
    if (!existsSync(file) || !md.certs.length) continue;
    const x = xmlsecVerify(file, md.certs, "saml2");
    report(`${f.replace(".xml", "")}: xmlsec1 verifies the assertion as the client extracted it`, x.ok, x.detail);
  }
}

// ---- The user directory (D1): administration, sign-in, what the restart must keep ----------
try {
  await directoryCheck({ base, work, report, certs: md.certs });
} catch (e) {
  report("directory: requests", false, e.message);
}

// ---- Realms: MSAL / ADAL discover realm2 through its own MEX; its keys are its own ----------
try {
  await realmsCheck({ base, work, report, get, certs: md.certs, pythonChecks });
} catch (e) {
  report("realms: requests", false, e.message);
}

// ---- An independent OAuth client library as the caller: Authlib (python3-authlib) ----------
{
  const r = await requestToken({ url: base, user: USER.user, password: USER.password, appliesTo: RP, tokenType: "saml2" });
  if (!r.ok) report("authlib: a SAML token to exchange", false, r.reason);
  else {
    const samlFile = join(work, "authlib-subject.xml");
    writeFileSync(samlFile, r.token);
    pythonChecks("authlib_check.py", ["--url", base, "--saml", samlFile], "authlib");
    // DPoP (RFC 9449): jwcrypto makes the proof key and every proof; the same SAML subject token.
    pythonChecks("dpop_check.py", ["--url", base, "--saml", samlFile], "dpop");
    await dpopNonceCheck();
  }
}

/** DPoP server nonces: the same bundle served with dpopNonceSecret set (off in development). */
async function dpopNonceCheck() {
  if (!bundleBuilt()) return skip("dpop nonce", "no built bundle in dist/ to serve with dpopNonceSecret");
  let served;
  try {
    served = await serveVariant({
      work, name: "dpop-nonce", port: Number(process.env.INTEROP_NONCE_PORT ?? 18894),
      secrets: { INTEROP_DPOP_NONCE_KEY: "interop-dpop-nonce-secret-0123456789abcdef" },
      change: (dev) => ({ ...dev, dpopNonceSecret: "INTEROP_DPOP_NONCE_KEY" }),
    });
  } catch (e) {
    return report("dpop nonce: the configuration with dpopNonceSecret serves", false, e.message);
  }
  try {
    // A subject token of this server's own (its issuer is its own origin).
    const r = await requestToken({ url: served.base, user: USER.user, password: USER.password, appliesTo: RP, tokenType: "saml2" });
    if (!r.ok) return report("dpop nonce: a SAML token to exchange", false, r.reason);
    const samlFile = join(work, "dpop-nonce-subject.xml");
    writeFileSync(samlFile, r.token);
    pythonChecks("dpop_check.py", ["--nonce-url", served.base, "--saml", samlFile], "dpop nonce");
    // Our own CLI meets the same server: its one retry with the nonce it is given.
    const cli = spawnSync(process.execPath, [join(HERE, "..", "sts.mjs"), "exchange", "--url", served.base, "--client", "demo-client", "--secret", "demo-secret",
      "--subject", samlFile, "--audience", "https://api.example.com/", "--dpop"], { encoding: "utf8" });
    report("dpop nonce: sts exchange --dpop gets a bound token from a server that asks for nonces", cli.status === 0 && /token_type DPoP/.test(cli.stderr),
      `exit ${cli.status}: ${cli.stderr.trim().slice(0, 200)}`);
  } finally {
    served.stop();
  }
}

// ---- OAuth 2.0 Token Exchange: the SAML ↔ JWT bridge -----------------------------------------
await oauthBridgeCheck({ base, work, report, get, certs: md.certs, javaCp });

// ---- Negative cases ----------------------------------------------------------------------
const noAssertion = (r) => !/Assertion[\s>]/.test(r.responseText) && !/RequestedSecurityToken/.test(r.responseText);
const faultStatus = (r) => r.status === 500 || r.status === 400;
for (const [soap, trust] of [["1.2", "13"], ["1.1", "2005"]]) {
  const tag = `negative soap${soap} trust${trust}`;
  try {
    const r = await requestToken({ url: base, user: "alice", password: "not-wonderland", appliesTo: RP, soap, trust });
    report(`${tag}: wrong password → wst:FailedAuthentication, no token`, isTrustFault(r, "FailedAuthentication") && noAssertion(r) && faultStatus(r),
      `HTTP ${r.status} ${r.ok ? "token issued!" : `${r.code} ${r.subcode ?? ""}`}`);
    const u = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: "urn:example:unknown-rp", soap, trust });
    report(`${tag}: unknown AppliesTo → fault, no token`, !u.ok && !u.code.startsWith("client:") && noAssertion(u) && faultStatus(u),
      `HTTP ${u.status} ${u.ok ? "token issued!" : `${u.code} ${u.subcode ?? ""}: ${u.reason}`}`);
    const d = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: RP, soap, trust, doctype: true });
    report(`${tag}: RST with a DOCTYPE → SOAP fault, no token`, !d.ok && !d.code.startsWith("client:") && noAssertion(d) && faultStatus(d),
      `HTTP ${d.status} ${d.ok ? "token issued!" : `${d.code} ${d.subcode ?? ""}: ${d.reason.slice(0, 120)}`}`);
  } catch (e) {
    report(`${tag}: requests`, false, e.message);
  }
}

// ---- Lifecycle: renewed tokens verify in xmlsec1; cancel sticks (checked again after a restart) --
const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
try {
  const issueOne = async () => {
    const r = await requestToken({ url: base, user: USER.user, password: USER.password, appliesTo: RP, tokenType: "saml2" });
    if (!r.ok) throw new Error(`issue failed: ${r.reason}`);
    return r.token;
  };
  const original = await issueOne();
  const renewed = await manageToken({ url: base, ...VALIDATOR, op: "Renew", token: original });
  const idOf = (t) => /\bID="([^"]+)"/.exec(t ?? "")?.[1];
  report("lifecycle: Renew returns a new token with a new ID", !!renewed.token && idOf(renewed.token) !== idOf(original),
    renewed.fault ? `${renewed.fault.code}: ${renewed.fault.reason}` : `${idOf(original)} → ${idOf(renewed.token)}`);
  if (renewed.token && md.certs.length) {
    const f = join(work, "token-renewed.xml");
    writeFileSync(f, renewed.token);
    const x = xmlsecVerify(f, md.certs, "saml2");
    report("lifecycle: xmlsec1 verifies the renewed assertion", x.ok, x.detail);
    if (javaCp) {
      const s2 = santuarioVerify(javaCp, f, md.certs, "saml2");
      report("lifecycle: Santuario verifies the renewed assertion", s2.ok, s2.detail);
    }
  }
  const again = await manageToken({ url: base, ...VALIDATOR, op: "Renew", token: original });
  report("lifecycle: renewing the same original again → wst:UnableToRenew", /UnableToRenew$/.test(again.fault?.code ?? ""), again.fault?.code ?? "renewed twice!");
  const doomed = await issueOne();
  const c = await manageToken({ url: base, ...VALIDATOR, op: "Cancel", token: doomed });
  report("lifecycle: Cancel → RequestedTokenCancelled", c.cancelled === true, c.fault ? c.fault.reason : "");
  const v = await manageToken({ url: base, ...VALIDATOR, op: "Validate", token: doomed });
  report("lifecycle: Validate after Cancel → invalid", v.valid === false, v.reason ?? v.fault?.reason ?? "");
  const keep = await issueOne();
  const vk = await manageToken({ url: base, ...VALIDATOR, op: "Validate", token: keep });
  report("lifecycle: Validate of a fresh token → valid", vk.valid === true, vk.reason ?? vk.fault?.reason ?? "");
  // For scripts/interop/restart-check.mjs, run after the runtime restarts on the same storage.
  writeFileSync(join(work, "cancelled-token.xml"), doomed);
  writeFileSync(join(work, "valid-token.xml"), keep);
} catch (e) {
  report("lifecycle: requests", false, e.message);
}

// ---- sts revoke-subject: the CLI as an operator runs it; bob's earlier token is refused, a later one not --
// After every other check that signs bob in (claims, pairwise, OAuth), so none of theirs is revoked.
try {
  const issueBob = async () => {
    const r = await requestToken({ url: base, user: "bob", password: "builder", appliesTo: RP, tokenType: "saml2" });
    if (!r.ok) throw new Error(`issue for bob failed: ${r.reason}`);
    return r.token;
  };
  const before = await issueBob();
  const v0 = await manageToken({ url: base, ...VALIDATOR, op: "Validate", token: before });
  const cli = spawnSync(process.execPath, [join(HERE, "../sts.mjs"), "revoke-subject", "bob", "--url", base], {
    encoding: "utf8",
    env: { ...process.env, npm_lifecycle_event: "", STS_ADMIN: "sts-admin", STS_ADMIN_SECRET: "sts-admin-secret-5e4d3c2b1a0f9e8d" },
  });
  report("cli revoke-subject: exit 0, says what it revoked", cli.status === 0 && /^revoked every token of bob issued before \d{4}-/.test(cli.stdout), (cli.stdout + cli.stderr).trim());
  const v1 = await manageToken({ url: base, ...VALIDATOR, op: "Validate", token: before });
  report("cli revoke-subject: bob's token, valid before, is invalid after", v0.valid === true && v1.valid === false, `${v0.valid} → ${v1.valid}: ${v1.reason ?? v1.fault?.reason ?? ""}`);
  await new Promise((r) => setTimeout(r, 1100)); // issued in a later second than the revocation's instant
  const after = await manageToken({ url: base, ...VALIDATOR, op: "Validate", token: await issueBob() });
  report("cli revoke-subject: a token issued afterwards is valid", after.valid === true, after.reason ?? after.fault?.reason ?? "");
} catch (e) {
  report("cli revoke-subject: requests", false, e.message);
}

// ---- sts validate with a certificate: does the STS trust it, and whom does it act as? --
try {
  const creds = join(HERE, "../../test/fixtures/dev-credentials");
  const validate = (file) =>
    spawnSync(process.execPath, [join(HERE, "../sts.mjs"), "validate", "--url", base, "--user", VALIDATOR.user, "--password", VALIDATOR.password, "--token", file], {
      encoding: "utf8", env: { ...process.env, npm_lifecycle_event: "" },
    });
  const good = validate(join(creds, "alice-client.cert.pem"));
  report("cli validate --token alice-client.cert.pem: exit 0, trusted, acts as alice", good.status === 0 && good.stdout.trim() === "valid: The certificate is trusted and acts as alice.", (good.stdout + good.stderr).trim());
  const ca = validate(join(creds, "dev-ca.cert.pem"));
  report("cli validate --token dev-ca.cert.pem: exit 1, invalid (a CA certificate signs no request)", ca.status === 1 && /^invalid: .*CA certificate/.test(ca.stdout.trim()), (ca.stdout + ca.stderr).trim());
} catch (e) {
  report("cli validate of a certificate", false, e.message);
}

// ---- certificatemixed: the CLI's own signer (scripts/cli/sign.mjs) against the worker; xmlsec1 judges the token --
try {
  const creds = join(HERE, "../../test/fixtures/dev-credentials");
  const r = await requestTokenWithCertificate({
    url: base, appliesTo: RP, tokenType: "saml2",
    keyPem: readFileSync(join(creds, "alice-client.key.pem"), "utf8"), certPem: readFileSync(join(creds, "alice-client.cert.pem"), "utf8"),
  });
  const nameId = r.ok ? /<(?:[\w.-]+:)?NameID\b[^>]*>([^<]*)</.exec(r.token)?.[1] : undefined;
  report("cli certificatemixed: token --cert/--key → a SAML 2.0 assertion for alice", nameId === "alice", r.ok ? `NameID ${nameId}` : `HTTP ${r.status} ${r.code}: ${r.reason}`);
  if (r.ok && md.certs.length) {
    const file = join(work, "token-cli-certificatemixed.xml");
    writeFileSync(file, r.token);
    const x = xmlsecVerify(file, md.certs, "saml2");
    report("cli certificatemixed: xmlsec1 verifies the assertion", x.ok, x.detail);
  }
} catch (e) {
  report("cli certificatemixed: request", false, e.message);
}


// ---- The token inspector page, in Chromium ---------------------------------------------------
await inspectorCheck({ base, work, report, skip });

// ---- Every page at 320 CSS px, in the dark scheme and under forced colours, in Chromium -----
await pagesCheck({ base, report, skip });

// ---- Public documents read, and token endpoints not, by a page on another origin, in Chromium -
await corsCheck({ base, report, skip });

// ---- Browser sign-in (WS-Federation passive), in Chromium, to two test relying parties ------
await wsfedCheck({ base, work, certs: md.certs, report, skip });

// ---- certificatemixed: requests signed by Apache WSS4J with the development alice-client key --
// Last: its Java runs take a while, and a pooled connection left idle that long may be closed
// by the server under the next fetch.
await wss4jCheck({ base, work, report, skip, certs: md.certs, encryptionCerts: md.encryptionCerts, issuer: md.entityID });

finish();
