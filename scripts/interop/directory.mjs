// The user directory against the production bundle in plain workerd (its D1 is the local one
// scripts/serve.mjs provides): users made, changed and deleted over /admin/users sign in (or
// cannot) at once, their tokens verify in xmlsec1, and — after run.sh restarts the runtime on the
// same storage — everything done before the restart is still there (directoryAfterRestart).
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requestToken } from "../cli/token.mjs";
import { xmlsecVerify } from "./verifiers.mjs";

const ADMIN = "Basic " + Buffer.from("user-admin:user-admin-secret-7a6b5c4d3e2f1a0b").toString("base64");
const RP = "urn:example:rp";

async function admin(base, path, method = "GET", body) {
  const res = await fetch(new URL(path, base), { method, headers: { authorization: ADMIN, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const signIn = (url, user, password) => requestToken({ url, user, password, appliesTo: RP });

/** Before the restart: make, change and delete users; record what the restart must keep. */
export async function directoryCheck({ base, work, report, certs }) {
  const tag = Math.random().toString(36).slice(2, 8);
  const kept = { username: `kept-${tag}`, password: "kept-password-1" };
  const gone = { username: `gone-${tag}`, password: "gone-password-1" };
  for (const u of [kept, gone]) {
    const r = await admin(base, "/admin/users", "POST", { username: u.username, password: u.password, claims: { email: `${u.username}@example.org`, role: "user" } });
    report(`directory: POST /admin/users creates ${u.username.split("-")[0]}`, r.status === 201, `HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
  }
  const patched = await admin(base, `/admin/users/${kept.username}`, "PATCH", { claims: { given_name: "Kept", role: ["user", "auditor"] } });
  report("directory: PATCH merges claims", patched.status === 200 && patched.json?.user?.claims?.given_name?.[0] === "Kept" && patched.json.user.claims.email?.length === 1, JSON.stringify(patched.json).slice(0, 200));

  const t = await signIn(base, kept.username, kept.password);
  const file = join(work, "directory-user.xml");
  if (t.ok) writeFileSync(file, t.token);
  report("directory: the new user signs in over WS-Trust with its claims", t.ok && t.token.includes(`${kept.username}@example.org`) && t.token.includes(">Kept<") && t.token.includes(">auditor<"), t.ok ? "" : `${t.code} ${t.reason}`);
  if (t.ok && certs.length) {
    const x = xmlsecVerify(file, certs, "saml2");
    report("directory: xmlsec1 verifies the directory user's assertion", x.ok, x.detail);
  }

  const deleted = await admin(base, `/admin/users/${gone.username}`, "DELETE");
  const after = await signIn(base, gone.username, gone.password);
  report("directory: a deleted user cannot sign in", deleted.status === 204 && !after.ok && /FailedAuthentication/.test(`${after.code} ${after.subcode}`), `DELETE ${deleted.status}; ${after.code} ${after.subcode}`);

  const listed = await admin(base, "/admin/users?limit=1000");
  const names = (listed.json?.users ?? []).map((u) => u.username);
  report("directory: the list holds dave and the new user, not the deleted one", names.includes("dave") && names.includes(kept.username) && !names.includes(gone.username), `${names.length} listed`);
  writeFileSync(join(work, "directory-restart.json"), JSON.stringify({ kept, gone }));
}

/** After the restart on the same storage: the users and changes made before it are all there. */
export async function directoryAfterRestart({ url, work, report }) {
  const { kept, gone } = JSON.parse(readFileSync(join(work, "directory-restart.json"), "utf8"));
  const t = await signIn(url, kept.username, kept.password);
  report("restart: a directory user made before the restart signs in, with the claims changed before it", t.ok && t.token.includes(">Kept<") && t.token.includes(">auditor<"), t.ok ? "" : `${t.code} ${t.reason}`);
  const g = await signIn(url, gone.username, gone.password);
  report("restart: a directory user deleted before the restart stays deleted", !g.ok, g.code ?? "");
  const dave = await signIn(url, "dave", "directory-pass-1");
  report("restart: the development user dave is still there (seeded once)", dave.ok, dave.ok ? "" : `${dave.code} ${dave.reason}`);
}
