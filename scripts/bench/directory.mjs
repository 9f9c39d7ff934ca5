// The user directory's cost: WS-Trust Issue for a directory user (D1) against the same Issue for
// a configured user, interleaved request by request in one run, so the difference of their p50
// latencies is what the directory lookup adds. Measured with the user alone in the directory and
// again after an import of 100,000 users, which must not change it (a primary-key read).
import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { RP, TT, USERS, rst } from "./requests.mjs";

const ADMIN = "Basic " + Buffer.from("user-admin:user-admin-secret-7a6b5c4d3e2f1a0b").toString("base64");
/** The directory user the rows sign in (its password hashed by the STS at the default cost, as alice's is). */
const DIRECTORY_USER = { user: "bench-directory-user", password: "bench-directory-pass-1" };
const ROUNDS = 7;
const ROUND_SECONDS = 8;
const FLOOR_SECONDS = 4;
const POOL = 2000;
const FILL = 100_000;
const BATCH = 1000;

async function admin(base, path, method, body) {
  const res = await fetch(base + path, { method, headers: { authorization: ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/**
 * Imports `FILL` users in batches of `BATCH` (one hash for all of them: the rows measure the
 * lookup, not the hashes). Returns users per second.
 */
async function fill(base) {
  const salt = randomBytes(16);
  const hash = `pbkdf2-sha256$10000$${salt.toString("base64")}$${pbkdf2Sync("filler-password", salt, 10_000, 32, "sha256").toString("base64")}`;
  const tag = createHash("sha256").update(String(Date.now())).digest("hex").slice(0, 6);
  const t0 = performance.now();
  let created = 0;
  for (let i = 0; i < FILL; i += BATCH) {
    const users = Array.from({ length: Math.min(BATCH, FILL - i) }, (_, j) => ({ username: `fill-${tag}-${String(i + j).padStart(6, "0")}`, passwordHash: hash, claims: { email: `u${i + j}@example.org`, role: "user" } }));
    const r = await admin(base, "/admin/users/import", "POST", { users });
    if (r.status !== 200) throw new Error(`bench: directory import answered ${r.status}: ${JSON.stringify(r.json)}`);
    created += r.json.created;
    if ((i / BATCH) % 20 === 0) console.error(`bench: directory fill ${i + BATCH}/${FILL}…`);
  }
  return { created, usersPerSecond: created / ((performance.now() - t0) / 1000) };
}

/**
 * The rows (ids `issue-directory-user`, `issue-directory-user-100k`): for each, rounds of one wrk
 * run whose requests are alice's Issue or the directory user's at random; a round's difference is
 * the directory side's p50 minus the configured side's; the row reports the median round. One
 * connection, so that the difference is the lookup's own latency: with more, a request waiting
 * for its row can also wait behind another request's PBKDF2 derivation (~25 ms of CPU on this
 * 2-core machine), which is the load's cost, not the lookup's. Needs the deployment's USERS_DB
 * and the development user-admin account.
 */
export async function directoryRows({ common, base, baseline, want, driveInterleaved }) {
  const ids = ["issue-directory-user", "issue-directory-user-100k"];
  if (!ids.some(want)) return [];
  const made = await admin(base, "/admin/users", "POST", { username: DIRECTORY_USER.user, password: DIRECTORY_USER.password, claims: { email: "bench@example.org", role: "user" } });
  if (made.status !== 201 && made.status !== 409) {
    console.error(`bench: directory rows skipped (POST /admin/users answered ${made.status}: ${JSON.stringify(made.json)})`);
    return [];
  }
  const configured = rst({ ...USERS.alice, appliesTo: RP, tokenType: TT.saml2 });
  const directory = rst({ ...DIRECTORY_USER, appliesTo: RP, tokenType: TT.saml2 });
  const measure = async (id, name, note) => {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      console.error(`bench: ${name} — round ${i + 1}/${ROUNDS}…`);
      const r = await driveInterleaved({
        ...common, connections: 1, duration: ROUND_SECONDS, base, name: `${id}-${i}`, method: configured.method, path: configured.path, headers: configured.headers,
        sides: [Array(POOL).fill(configured.body), Array(POOL).fill(directory.body)], expect: "RequestedSecurityToken",
      });
      // The round's floor, right after it: the same row read through the same D1 binding by
      // the baseline worker, against the same request without the read (baseline-worker.js).
      const f = await driveInterleaved({
        ...common, connections: 1, duration: FLOOR_SECONDS, base: baseline, name: `${id}-floor-${i}`, method: "POST", path: "/floor/directory", headers: {},
        sides: [Array(POOL).fill(`none:${DIRECTORY_USER.user}`), Array(POOL).fill(`read:${DIRECTORY_USER.user}`)], expect: "ok",
      });
      rounds.push({
        rps: r.rps, errors: r.errors + f.errors, requests: r.requests, configured: r.sides[0], directory: r.sides[1], diffMs: r.sides[1].p50Ms - r.sides[0].p50Ms,
        floorDiffMs: f.sides[1].p50Ms - f.sides[0].p50Ms,
      });
    }
    const mid = [...rounds].sort((a, b) => a.diffMs - b.diffMs)[rounds.length >> 1];
    const floorMid = [...rounds].sort((a, b) => a.floorDiffMs - b.floorDiffMs)[rounds.length >> 1].floorDiffMs;
    return {
      name, id, vs: null, rps: mid.rps, requests: mid.requests, errors: rounds.reduce((a, r) => a + r.errors, 0), seconds: ROUND_SECONDS,
      p50Ms: mid.directory.p50Ms, p99Ms: mid.directory.p99Ms, ratio: null, ofFloor: mid.configured.p50Ms / mid.directory.p50Ms, directoryExtraP50Ms: mid.diffMs,
      floorExtraP50Ms: floorMid,
      rounds: rounds.map((r) => ({ diffMs: r.diffMs, configuredP50Ms: r.configured.p50Ms, directoryP50Ms: r.directory.p50Ms, floorDiffMs: r.floorDiffMs })),
      note: `${note}median of ${ROUNDS} interleaved rounds (${ROUND_SECONDS} s, 1 connection); directory p50 − configured p50: ${rounds.map((r) => `${r.diffMs.toFixed(2)} ms`).join(" / ")}; `
        + `floor (a bare D1 point read of the same row, baseline worker, ${FLOOR_SECONDS} s after each round): ${rounds.map((r) => `${r.floorDiffMs.toFixed(2)} ms`).join(" / ")}`,
    };
  };
  const rows = [];
  if (want(ids[0])) rows.push(await measure(ids[0], "WS-Trust Issue SAML 2.0, directory user vs configured user (interleaved)", ""));
  if (want(ids[1])) {
    console.error(`bench: importing ${FILL} users into the directory…`);
    const f = await fill(base);
    rows.push(await measure(ids[1], `WS-Trust Issue SAML 2.0, directory user vs configured user, ${FILL / 1000}k users in the directory (interleaved)`, `after importing ${f.created} users at ${Math.round(f.usersPerSecond)} users/s (POST /admin/users/import, ${BATCH} a request); `));
  }
  return rows;
}
