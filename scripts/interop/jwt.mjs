// JWT over WS-Trust: request a JWT for https://api.example.com/ and have Debian's jwcrypto verify
// it (a) against the signing certificates pinned from the federation metadata and (b) against
// the JWKS that RFC 8414 metadata (/.well-known/oauth-authorization-server) points at — (b) is
// skipped, not failed, while the OAuth metadata endpoint does not exist yet.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requestToken } from "../cli/token.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const API = "https://api.example.com/";

/** Runs the JWT checks, reporting through the driver's report/skip callbacks. */
export async function jwtCheck({ base, work, report, skip, get, certs, issuer }) {
  const r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: API, tokenType: "jwt", soap: "1.2", trust: "13" });
  const looksJws = r.ok && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(r.token);
  report("jwt soap1.2 trust13: issue", looksJws, r.ok ? `${r.token.length} chars` : `HTTP ${r.status} ${r.code}: ${r.reason}`);
  if (!looksJws) return;
  const tokenFile = join(work, "token.jwt");
  writeFileSync(tokenFile, r.token);
  const common = ["--token", tokenFile, "--audience", API, "--subject", "alice"];
  if (issuer) common.push("--issuer", issuer);
  if (certs.length) {
    const p = jwcrypto([...common, ...certs.flatMap((c) => ["--cert", c])]);
    report("jwt soap1.2 trust13: jwcrypto verifies with the metadata certificate", p.ok, p.detail);
  } else skip("jwt soap1.2 trust13: jwcrypto with metadata certificate", "no metadata certificate");

  const meta = await get("/.well-known/oauth-authorization-server");
  let jwksUri;
  try {
    jwksUri = meta.status === 200 ? JSON.parse(meta.text).jwks_uri : undefined;
  } catch {
    jwksUri = undefined;
  }
  if (!jwksUri) {
    skip("jwt soap1.2 trust13: jwcrypto with JWKS", `no jwks_uri (GET /.well-known/oauth-authorization-server → HTTP ${meta.status})`);
    return;
  }
  const jwks = await get(jwksUri);
  const jwksFile = join(work, "jwks.json");
  writeFileSync(jwksFile, jwks.text);
  const p = jwcrypto([...common, "--jwks", jwksFile]);
  report("jwt soap1.2 trust13: jwcrypto verifies with the JWKS key (by kid)", jwks.status === 200 && p.ok, `HTTP ${jwks.status} ${p.detail}`);
}

/** Runs jwt_check.py (Debian's jwcrypto) with these arguments. */
export function jwcrypto(args) {
  const p = spawnSync("/usr/bin/python3", [join(HERE, "jwt_check.py"), ...args], {
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
  const lines = (p.stdout ?? "").split("\n").filter(Boolean);
  const fails = lines.filter((l) => l.startsWith("FAIL"));
  return { ok: p.status === 0, detail: p.status === 0 ? `${lines.length} checks` : fails.join("; ") || (p.stderr ?? "").slice(-300) };
}
