// JWT over WS-Trust: request a JWT for https://api.example.com/ and have Debian's jwcrypto
// verify it against the JWKS that RFC 8414 metadata (/.well-known/oauth-authorization-server)
// points at. Skipped (not failed) while the OAuth metadata endpoint does not exist yet.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requestToken } from "../cli/token.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const API = "https://api.example.com/";

/** Runs the JWT checks, reporting through the driver's report/skip callbacks. */
export async function jwtCheck({ base, work, report, skip, get }) {
  const meta = await get("/.well-known/oauth-authorization-server");
  let jwksUri;
  try {
    jwksUri = meta.status === 200 ? JSON.parse(meta.text).jwks_uri : undefined;
  } catch {
    jwksUri = undefined;
  }
  if (!jwksUri) {
    skip("jwt soap1.2 trust13: jwcrypto verification", `no jwks_uri (GET /.well-known/oauth-authorization-server → HTTP ${meta.status})`);
    return;
  }
  const jwks = await get(jwksUri);
  const issuer = JSON.parse(meta.text).issuer;
  const r = await requestToken({ url: base, user: "alice", password: "wonderland", appliesTo: API, tokenType: "jwt", soap: "1.2", trust: "13" });
  const looksJws = r.ok && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(r.token);
  report("jwt soap1.2 trust13: issue", looksJws, r.ok ? `${r.token.length} chars` : `HTTP ${r.status} ${r.code}: ${r.reason}`);
  if (!looksJws || jwks.status !== 200) return;
  const tokenFile = join(work, "token.jwt");
  const jwksFile = join(work, "jwks.json");
  writeFileSync(tokenFile, r.token);
  writeFileSync(jwksFile, jwks.text);
  const args = [join(HERE, "jwt_check.py"), "--token", tokenFile, "--jwks", jwksFile, "--audience", API, "--subject", "alice"];
  if (issuer) args.push("--issuer", issuer);
  const p = spawnSync("/usr/bin/python3", args, { encoding: "utf8", env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } });
  const fails = (p.stdout ?? "").split("\n").filter((l) => l.startsWith("FAIL"));
  report("jwt soap1.2 trust13: jwcrypto verifies against JWKS", p.status === 0, p.status === 0 ? "" : fails.join("; ") || p.stderr.slice(-300));
}
