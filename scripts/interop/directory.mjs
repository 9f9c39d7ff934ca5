// The user directory against the production bundle in plain workerd (its D1 is the local one
// scripts/serve.mjs provides): users made, changed and deleted over /admin/users sign in (or
// cannot) at once, their tokens verify in xmlsec1, and — after run.sh restarts the runtime on the
// same storage — everything done before the restart is still there (directoryAfterRestart).
import { spawnSync } from "node:child_process";
import { writeFileSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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
const STS = resolve(dirname(fileURLToPath(import.meta.url)), "..", "sts.mjs");

/** `sts users ...` (the CLI) against the server. */
function cli(base, args) {
  return spawnSync(process.execPath, [STS, "users", ...args], {
    encoding: "utf8",
    env: { ...process.env, STS_URL: base, STS_ADMIN: "user-admin", STS_ADMIN_SECRET: "user-admin-secret-7a6b5c4d3e2f1a0b" },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

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

  // A migration with the CLI: a CSV of 1,200 users (quoted cells, several roles), hashed by the
  // CLI, imported in batches; one of them then signs in with its claims.
  const rows = ["username,password,email,role,display_name"];
  for (let i = 0; i < 1200; i++) rows.push(`csv-${tag}-${i},csv-password-${i},csv${i}@example.org,user;reader,"Csv, ""${i}"""`);
  writeFileSync(join(work, "users.csv"), rows.join("\n"));
  const imported = cli(base, ["import", join(work, "users.csv"), "--iterations", "10000", "--batch", "500"]);
  report("directory: sts users import brings in a CSV of 1,200 users", imported.status === 0 && /1200 created now, 0 created by an earlier run of this import, 0 skipped/.test(imported.stdout), `${imported.stdout.trim()} ${imported.stderr.slice(-300)}`);
  const csvUser = await signIn(base, `csv-${tag}-77`, "csv-password-77");
  report("directory: an imported user signs in with the claims the CSV gave", csvUser.ok && csvUser.token.includes("csv77@example.org") && csvUser.token.includes(">reader<") && csvUser.token.includes('Csv, "77"'), csvUser.ok ? "" : `${csvUser.code} ${csvUser.reason}`);
  const disabled = cli(base, ["disable", `csv-${tag}-77`, "--revoke-tokens"]);
  const afterDisable = await signIn(base, `csv-${tag}-77`, "csv-password-77");
  report("directory: sts users disable stops that user's sign-in", disabled.status === 0 && !afterDisable.ok, `${disabled.stdout.trim()} ${afterDisable.subcode ?? ""}`);

  // Paged through to the end with the CLI: dave, the new user and the imported ones; not the deleted one.
  const listed = cli(base, ["list", "--all", "--limit", "500", "--json"]);
  const names = listed.status === 0 ? JSON.parse(listed.stdout).map((u) => u.username) : [];
  report("directory: sts users list --all holds dave, the new and the imported users, not the deleted one", names.includes("dave") && names.includes(kept.username) && names.includes(`csv-${tag}-1199`) && !names.includes(gone.username), `${names.length} listed ${listed.stderr.slice(-200)}`);
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
