// The SAML ↔ JWT bridge over OAuth 2.0 Token Exchange (RFC 8693), discovered from RFC 8414
// metadata and judged by independent implementations: jwcrypto verifies the JWTs with the JWKS,
// xmlsec1 and Santuario verify the SAML assertions with the federation metadata certificate.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { manageToken } from "../cli/lifecycle.mjs";
import { requestToken } from "../cli/token.mjs";
import { jwcrypto } from "./jwt.mjs";
import { santuarioVerify, xmlsecVerify } from "./verifiers.mjs";

const API = "https://api.example.com/";
const RP = "urn:example:rp";
const TT = "urn:ietf:params:oauth:token-type:";
const CLIENT = "Basic " + Buffer.from("demo-client:demo-secret").toString("base64");
const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const b64url = (s) => Buffer.from(s).toString("base64url");
const payloadOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

async function post(url, params) {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: CLIENT, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Runs the bridge checks, reporting through the driver's callbacks. */
export async function oauthBridgeCheck({ base, work, report, get, certs, javaCp }) {
  const meta = await get("/.well-known/oauth-authorization-server");
  let m;
  try {
    m = JSON.parse(meta.text);
  } catch {
    report("oauth: RFC 8414 metadata", false, `HTTP ${meta.status}`);
    return;
  }
  report("oauth: RFC 8414 metadata names the token, introspection, revocation endpoints and jwks_uri",
    meta.status === 200 && !!m.token_endpoint && !!m.introspection_endpoint && !!m.revocation_endpoint && !!m.jwks_uri &&
      (m.grant_types_supported ?? []).includes("urn:ietf:params:oauth:grant-type:token-exchange"), `issuer ${m.issuer}`);
  const jwks = await get(m.jwks_uri);
  const jwksFile = join(work, "oauth-jwks.json");
  writeFileSync(jwksFile, jwks.text);
  const exchange = (params) => post(m.token_endpoint, { grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", ...params });

  // SAML 2.0 from WS-Trust → JWT for the API.
  const saml = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: RP, tokenType: "saml2" });
  const bobSaml = await requestToken({ url: base, user: "bob", password: "builder", appliesTo: RP, tokenType: "saml2" });
  if (!saml.ok || !bobSaml.ok) {
    report("oauth: WS-Trust SAML tokens to exchange", false, saml.reason ?? bobSaml.reason);
    return;
  }
  const x1 = await exchange({ subject_token: b64url(saml.token), subject_token_type: `${TT}saml2`, audience: API });
  const jwt = x1.json?.access_token;
  report("oauth: alice's SAML 2.0 → JWT for the API", x1.status === 200 && x1.json?.issued_token_type === `${TT}jwt` && typeof jwt === "string", x1.text.slice(0, 160));
  if (typeof jwt !== "string") return;
  const jwtFile = join(work, "exchanged.jwt");
  writeFileSync(jwtFile, jwt);
  const v = jwcrypto(["--token", jwtFile, "--audience", API, "--subject", "alice", "--issuer", m.issuer, "--jwks", jwksFile]);
  report("oauth: jwcrypto verifies the exchanged JWT with the JWKS (iss = metadata issuer, sub = alice)", v.ok, v.detail);

  // Delegation: bob's token as actor_token → act.sub = bob, verified by jwcrypto first.
  const x2 = await exchange({ subject_token: b64url(saml.token), subject_token_type: `${TT}saml2`, actor_token: b64url(bobSaml.token), actor_token_type: `${TT}saml2`, audience: API });
  const delegated = x2.json?.access_token;
  if (typeof delegated === "string") {
    const f = join(work, "delegated.jwt");
    writeFileSync(f, delegated);
    const vd = jwcrypto(["--token", f, "--audience", API, "--subject", "alice", "--issuer", m.issuer, "--jwks", jwksFile]);
    report("oauth: with bob as actor_token the JWT verifies and carries act.sub = bob", vd.ok && payloadOf(delegated).act?.sub === "bob", JSON.stringify(payloadOf(delegated).act));
    const intro = await post(m.introspection_endpoint, { token: delegated });
    report("oauth: introspection shows the act chain", intro.json?.active === true && intro.json?.act?.sub === "bob", intro.text.slice(0, 160));
  } else report("oauth: exchange with actor_token", false, x2.text.slice(0, 160));

  // JWT → SAML 2.0: token_type N_A, the assertion verifies in xmlsec1 and Santuario.
  const x3 = await exchange({ subject_token: jwt, subject_token_type: `${TT}jwt`, audience: RP, requested_token_type: `${TT}saml2` });
  const ok3 = x3.status === 200 && x3.json?.token_type === "N_A" && x3.json?.issued_token_type === `${TT}saml2`;
  report("oauth: JWT → SAML 2.0 (token_type N_A)", ok3, x3.text.slice(0, 120));
  if (ok3 && certs.length) {
    const f = join(work, "exchanged-saml2.xml");
    writeFileSync(f, Buffer.from(x3.json.access_token, "base64url"));
    const xs = xmlsecVerify(f, certs, "saml2");
    report("oauth: xmlsec1 verifies the exchanged SAML 2.0 assertion", xs.ok, xs.detail);
    if (javaCp) {
      const s = santuarioVerify(javaCp, f, certs, "saml2");
      report("oauth: Santuario verifies the exchanged SAML 2.0 assertion", s.ok, s.detail);
    }
  }

  // One revocation model: RFC 7009 and WS-Trust Cancel both end a token everywhere.
  const rv = await post(m.revocation_endpoint, { token: jwt });
  const gone = await post(m.introspection_endpoint, { token: jwt });
  report("oauth: RFC 7009 revocation → introspection {\"active\":false}", rv.status === 200 && gone.text.replace(/\s/g, "") === '{"active":false}', gone.text);
  const again = await exchange({ subject_token: jwt, subject_token_type: `${TT}jwt`, audience: API });
  report("oauth: a revoked JWT can no longer be exchanged", again.status === 400 && !again.json?.access_token, again.text.slice(0, 120));
  const c = await manageToken({ url: base, ...VALIDATOR, op: "Cancel", token: bobSaml.token });
  const afterCancel = await exchange({ subject_token: b64url(bobSaml.token), subject_token_type: `${TT}saml2`, audience: API });
  report("oauth: a SAML token cancelled via WS-Trust can no longer be exchanged", c.cancelled === true && afterCancel.status === 400 && !afterCancel.json?.access_token, afterCancel.text.slice(0, 120));

  // Errors (RFC 6749 §5.2 / RFC 8693 §2.2.2).
  const e1 = await exchange({ subject_token_type: `${TT}jwt`, audience: API });
  report("oauth: missing subject_token → 400 invalid_request", e1.status === 400 && e1.json?.error === "invalid_request", e1.text);
  const e2 = await post(m.token_endpoint, { grant_type: "password", username: "alice", password: "wonderland" });
  report("oauth: unknown grant → 400 unsupported_grant_type", e2.status === 400 && e2.json?.error === "unsupported_grant_type", e2.text);
  const e3 = await fetch(m.token_endpoint, {
    method: "POST",
    headers: { authorization: "Basic " + Buffer.from("demo-client:wrong").toString("base64"), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: jwt, subject_token_type: `${TT}jwt` }),
  });
  report("oauth: wrong client secret → 401 invalid_client with WWW-Authenticate", e3.status === 401 && (await e3.json()).error === "invalid_client" && !!e3.headers.get("www-authenticate"), `HTTP ${e3.status}`);
  const e4 = await exchange({ subject_token: b64url(saml.token), subject_token_type: `${TT}saml2`, audience: "https://unknown.example/" });
  report("oauth: unknown audience → 400 invalid_target", e4.status === 400 && e4.json?.error === "invalid_target", e4.text);
}
