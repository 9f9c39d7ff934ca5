// Pairwise subjects: tokens for the two development pairwise relying parties (each its own
// sector) requested over WS-Trust in several SOAP / WS-Trust combinations, for alice twice and
// bob once, then checked by pysaml2 (SAML 2.0) and jwcrypto (JWT) in pairwise_check.py:
// signatures, the persistent NameID's qualifiers, one stable pseudonym per user and sector,
// different ones across sectors, and the documented HMAC recomputed from the published
// development secret.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requestToken } from "../cli/token.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SAML_RP = "urn:example:pairwise-rp";
const SAML_SECTOR = "urn:example:sector:pairwise-rp";
const API = "https://pairwise-api.example.com/";
const API_SECTOR = "https://pairwise-api.example.com/sector";
// The published development secret (src/config/dev.ts, DEV_PAIRWISE_SUBJECT_SECRET).
const DEV_SECRET_B64 = "REVWRUxPUE1FTlQgT05MWSAtIHB1Ymxpc2hlZCBwYWlyd2lzZSBzdWJqZWN0IHNlY3JldA==";
const USERS = { alice: "wonderland", bob: "builder" };

/** Runs the pairwise checks, reporting through the driver's report/skip callbacks. */
export async function pairwiseCheck({ base, work, report, skip, get, certs, issuer }) {
  if (!issuer || certs.length === 0) {
    skip("pairwise subjects", "no issuer or signing certificate from the federation metadata");
    return;
  }
  const files = { alice_saml: [], bob_saml: [], alice_jwt: [], bob_jwt: [] };
  const plan = [
    ["alice", "saml2", SAML_RP, "1.2", "13"],
    ["alice", "saml2", SAML_RP, "1.1", "2005"],
    ["bob", "saml2", SAML_RP, "1.2", "13"],
    ["alice", "jwt", API, "1.2", "13"],
    ["alice", "jwt", API, "1.1", "2005"],
    ["bob", "jwt", API, "1.1", "13"],
  ];
  for (const [user, tokenType, appliesTo, soap, trust] of plan) {
    const r = await requestToken({ url: base, user, password: USERS[user], appliesTo, tokenType, soap, trust });
    const tag = `pairwise ${user} ${tokenType} soap${soap} trust${trust}`;
    report(`${tag}: issue`, r.ok, r.ok ? `${r.token.length} chars` : `HTTP ${r.status} ${r.code}: ${r.reason}`);
    if (!r.ok) return;
    const file = join(work, `pairwise-${user}-${tokenType}-${files[`${user}_${tokenType === "jwt" ? "jwt" : "saml"}`].length}.${tokenType === "jwt" ? "jwt" : "xml"}`);
    writeFileSync(file, r.token);
    files[`${user}_${tokenType === "jwt" ? "jwt" : "saml"}`].push(file);
  }
  const meta = await get("/.well-known/oauth-authorization-server");
  const jwksUri = meta.status === 200 ? JSON.parse(meta.text).jwks_uri : undefined;
  const jwks = jwksUri ? await get(jwksUri) : { status: 0, text: "" };
  if (jwks.status !== 200) {
    report("pairwise: JWKS for jwcrypto", false, `HTTP ${jwks.status}`);
    return;
  }
  const jwksFile = join(work, "pairwise-jwks.json");
  writeFileSync(jwksFile, jwks.text);
  const args = [
    join(HERE, "pairwise_check.py"),
    "--issuer", issuer, "--secret-b64", DEV_SECRET_B64, "--jwks", jwksFile,
    "--saml-audience", SAML_RP, "--saml-sector", SAML_SECTOR, "--jwt-audience", API, "--jwt-sector", API_SECTOR,
    ...certs.flatMap((c) => ["--cert", c]),
    ...Object.entries(files).flatMap(([k, list]) => list.flatMap((f) => [`--${k.replace("_", "-")}`, f])),
  ];
  // pairwise_check.py imports pysaml2_check.py: no __pycache__ left in the source tree.
  const p = spawnSync("/usr/bin/python3", args, { encoding: "utf8", env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1" } });
  const lines = (p.stdout ?? "").split("\n").filter((l) => /^(PASS|FAIL) /.test(l));
  for (const l of lines) {
    const [name, why] = l.slice(5).split(": ", 2);
    report(`pairwise (pysaml2 / jwcrypto): ${name}`, l.startsWith("PASS"), why ?? "");
  }
  if (p.status !== 0 && !lines.some((l) => l.startsWith("FAIL"))) report("pairwise_check.py runs", false, (p.stderr ?? "").slice(-300));
}
