// Self-tests of `sts users` (scripts/cli/users.mjs): its CSV reader, its checks of an import
// file (the API's own field rules), the hashes an import sends (checked by the worker's own
// verifier, NFC included), and the commands against a stand-in for the administration API that records what it
// was sent. Node 22: `node --test 'scripts/cli/test/*.test.mjs'`. The real API is exercised by the
// interop suite (scripts/interop/directory.mjs).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseCsv } from "../csv.mjs";
import { listen } from "../../test/listen.mjs";
import { ROOT, runSts } from "./run-cli.mjs";
import { MAX_BATCH_BYTES, planBatches, readUsersFile, readUsersFileBytes } from "../users.mjs";
import { hashPassword, verifyPassword } from "../../../src/identity/password.ts";

const dir = mkdtempSync(join(tmpdir(), "sts-users-test-"));

test("CSV: quoted commas, doubled quotes, line breaks in cells, CRLF, a byte-order mark", () => {
  const rows = parseCsv('\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\n');
  assert.deepEqual(rows, [
    { line: 1, cells: ["a", "b", "c"] },
    { line: 2, cells: ["1", "x, y", 'say "hi"'] },
    { line: 3, cells: ["2", "two\nlines", ""] },
  ]);
  assert.throws(() => parseCsv('a\n"open'), /line 2: a quoted cell is not closed/);
  assert.throws(() => parseCsv('a\nx"y'), /line 2: a quote inside an unquoted cell/);
});

test("an import file's claims, fields and header are checked as the API checks them, before anything is sent", () => {
  const json = readUsersFile("v.json", "\uFEFF" + JSON.stringify([
    { username: "jo", password: "jo-password-1", claims: { email: 5 } },
    { username: "kim", password: "kim-password-1", claim: { role: "x" } },
    { username: "lu", password: "lu-password-1", claims: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, "v"])) },
    { username: "mo", password: "mo-password-1", claims: { role: ["user"] } },
  ]));
  assert.equal(json.problems.length, 3, json.problems.join("\n"));
  assert.match(json.problems[0], /^v\.json\[0\]: 'claims\.email'/);
  assert.match(json.problems[1], /^v\.json\[1\]: unknown field\(s\) "claim"/);
  assert.match(json.problems[2], /^v\.json\[2\]: 'claims' may hold at most 64 claims/);
  assert.deepEqual(readUsersFile("w.csv", "username,email,email\nann,a@x,b@x\n").problems, ['w.csv:1: the header names "email" more than once']);
});

test("an import file is checked whole, each problem with its line", async () => {
  const csv = [
    "username,password,password_hash,enabled,email,role",
    "ann,ann-password-1,,yes,ann@example.org,user;admin",
    "bad name,pw-pw-pw-1,,,,",
    "ann,another-pass-1,,,,",
    "bo,short,,,,",
    "cy,,pbkdf2-sha256$1$x,,,",
    "di,di-password-1,,maybe,,",
    "ed,ed-password-1,pbkdf2-sha256$10000$AAAA$BBBB,,,",
    "fi,fi-password-1,,,,,extra",
    "gu,\u{1F511}\u{1F511}\u{1F511}\u{1F511},,,,",
    "ho,\u{1F511}\u{1F511}\u{1F511}\u{1F511}\u{1F511}\u{1F511}\u{1F511}\u{1F511},,,,",
  ].join("\n");
  const { users, problems } = readUsersFile("u.csv", csv);
  // Claims come without a prototype (a claim may be named "constructor"): compared as a plain object.
  assert.deepEqual({ ...users[0], claims: { ...users[0].claims } }, { username: "ann", password: "ann-password-1", passwordHash: undefined, claims: { email: ["ann@example.org"], role: ["user", "admin"] }, enabled: true, where: "u.csv:2" });
  assert.deepEqual(problems, [
    `u.csv:3: "bad name": 'username' must be 1 to 256 letters, digits or . _ @ + - (starting with a letter or digit, in Unicode NFKC, nothing invisible, not mixing Latin, Cyrillic and Greek letters).`,
    "u.csv:4: ann appears a second time",
    "u.csv:5: 'password' must be a string of 8 to 1024 characters.",
    "u.csv:6: 'password_hash' is not a usable password hash: expected pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>.",
    'u.csv:7: enabled must be true or false, not "maybe"',
    "u.csv:8: give exactly one of password and password hash",
    "u.csv:9: more cells than the header has columns",
    // Four keys are four characters (eight UTF-16 units): too short; eight are a password.
    "u.csv:10: 'password' must be a string of 8 to 1024 characters.",
  ]);
  const hash = await hashPassword("gus-password-1", { iterations: 10_000 });
  const json = readUsersFile("u.json", JSON.stringify({ users: [{ username: "gus", passwordHash: hash, claims: { role: ["x"] }, enabled: false }, { username: "hal" }, { username: "ida", passwordHash: "pbkdf2-sha256$5000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA" }] }));
  assert.equal(json.users[0].enabled, false);
  assert.deepEqual(json.problems, [
    "u.json[1]: give exactly one of password and password hash",
    "u.json[2]: 'password_hash' is not a usable password hash: iterations 5000 are below the minimum of 10000.",
  ]);
});

test("an import file naming one user twice in another case or Unicode form says so at the second line", () => {
  const { problems } = readUsersFile("d.csv", "username,password\nann,ann-password-1\nANN,ann-password-2\nstra\u00dfe,st-password-1\nSTRASSE,st-password-2\nbo,bo-password-1\n");
  assert.deepEqual(problems, [
    "d.csv:3: ANN appears a second time (as ann, in another case or Unicode form)",
    "d.csv:5: STRASSE appears a second time (as stra\u00dfe, in another case or Unicode form)",
  ]);
});

test("a JSON import file giving a field twice in one object is refused at its line, not imported with one of the two", () => {
  // JSON.parse would keep the second "enabled" (true) and the second password, silently.
  const text = '[\n  {"username": "ann", "password": "ann-password-1"},\n  {"username": "bo", "enabled": false,\n   "password": "bo-password-1", "enabled": true}\n]\n';
  assert.deepEqual(readUsersFile("t.json", text), {
    users: [],
    problems: ['t.json:4: "enabled" is given twice in one object (JSON readers disagree on which counts): give each field once'],
  });
  const claims = readUsersFile("c.json", '{"users": [{"username": "cy", "password": "cy-password-1", "claims": {"role": "user", "role": "admin"}}]}');
  assert.deepEqual(claims.problems, ['c.json:1: "role" is given twice in one object (JSON readers disagree on which counts): give each field once']);
  // The same name in two objects is no duplicate.
  assert.deepEqual(readUsersFile("o.json", text.replace(',\n   "password": "bo-password-1", "enabled": true', ', "password": "bo-password-1"')).problems, []);
});

test("a JSON import file's {\"users\": [...]} with another member beside it is refused, not imported without it", () => {
  const text = JSON.stringify({ enabled: false, users: [{ username: "ann", password: "ann-password-1" }] });
  assert.deepEqual(readUsersFile("e.json", text), {
    users: [],
    problems: ['e.json: unknown field(s) "enabled" beside "users" (each user\'s fields go in its own object)'],
  });
  assert.deepEqual(readUsersFile("e.json", JSON.stringify({ users: [{ username: "ann", password: "ann-password-1" }] })).problems, []);
});

test("a CSV cell of separators only holds no value, as an empty cell does: no claim, not one with no value", () => {
  const { users, problems } = readUsersFile("s.csv", "username,password,role,email\nann,ann-password-1, ; ,ann@example.org\n");
  assert.deepEqual(problems, []);
  assert.deepEqual({ ...users[0].claims }, { email: ["ann@example.org"] });
});

test("an import file that is not UTF-8 is refused with the line of its first such byte, never stored as U+FFFD", () => {
  // "Müller" and a password with "ä" as a spreadsheet saved as Windows-1252 writes them.
  const latin1 = Buffer.from("username,password,name\nann,ann-password-1,Ann\nmo,p\xe4sswort-1,M\xfcller\n", "latin1");
  assert.deepEqual(readUsersFileBytes("w.csv", latin1), { users: [], problems: ["w.csv:3: not UTF-8 text (saved as Latin-1 or Windows-1252?): save the file as UTF-8"] });
  const json = Buffer.concat([Buffer.from('[{"username": "mo",\n "password": "p'), Buffer.from([0xe4]), Buffer.from('sswort-1"}]')]);
  assert.deepEqual(readUsersFileBytes("w.json", json).problems, ["w.json:2: not UTF-8 text (saved as Latin-1 or Windows-1252?): save the file as UTF-8"]);
  // Windows PowerShell 5's `>` and a spreadsheet's "Unicode text" write UTF-16 with its byte-order mark.
  for (const encoding of ["utf-16le", "utf-16be"]) {
    const text = `\ufeffusername,password\nann,ann-password-1\n`;
    const utf16 = encoding === "utf-16le" ? Buffer.from(text, "utf16le") : Buffer.from(text, "utf16le").swap16();
    assert.deepEqual(readUsersFileBytes("p.csv", utf16).problems, ["p.csv:1: not UTF-8 text (saved as UTF-16: it begins with UTF-16's byte-order mark): save the file as UTF-8"], encoding);
  }
  // The same text as UTF-8 (a byte-order mark included) reads as it says.
  const utf8 = readUsersFileBytes("u.csv", Buffer.from("\ufeffusername,password,name\nmo,p\u00e4sswort-1,M\u00fcller\n", "utf8"));
  assert.deepEqual(utf8.problems, []);
  assert.equal(utf8.users[0].password, "p\u00e4sswort-1");
  assert.deepEqual(utf8.users[0].claims.name, ["M\u00fcller"]);
});

// ---- the commands against a stand-in API ----------------------------------------------------
const seen = [];
let rateLimitOnce = true;
/** The stand-in administration API. */
const api = (req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const send = (status, obj, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(obj === undefined ? "" : JSON.stringify(obj));
    };
    // The STS's default limits.maxBodyBytes, refused as the STS refuses it.
    const bytes = Buffer.byteLength(body);
    if (bytes > 1024 * 1024) return send(400, { error: "invalid_request", error_description: "The request body exceeds the limit of 1048576 bytes." });
    const json = body ? JSON.parse(body) : undefined;
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: json, bytes });
    if (req.headers.authorization !== "Basic " + Buffer.from("admin-x:secret-x").toString("base64")) return send(401, { error: "authentication_failed", error_description: "Send the credentials." });
    const user = (username, extra = {}) => ({ username, enabled: true, claims: {}, created_at: "2026-12-05T00:00:00.000Z", updated_at: "2026-12-05T00:00:00.000Z", ...extra });
    if (req.method === "POST" && req.url === "/admin/users") return send(201, { user: user(json.username, { claims: json.claims, enabled: json.enabled }) });
    if (req.method === "POST" && req.url === "/admin/users/import") {
      if (rateLimitOnce) {
        rateLimitOnce = false;
        return send(429, { error: "rate_limited", error_description: "slow down" }, { "retry-after": "1" });
      }
      const skipped = json.users.filter((u) => u.username === "taken").map((u) => ({ username: u.username, error: "user_exists", error_description: "A user named 'taken' already exists." }));
      return send(200, { created: json.users.length - skipped.length, skipped });
    }
    // A user whose claims hold what a terminal acts on (stored before the STS refused such values, or from another server).
    const evil = () => user("evil", { claims: { email: ["e\u001b]0;owned\u0007@example.org"], role: ["a\u009b31mb", "c\u202ed", "x\ny\tz"], ["n\u0000"]: ["v"] } });
    if (req.method === "GET" && req.url === "/admin/users/evil") return send(200, { user: evil() });
    if (req.method === "GET" && req.url === "/admin/users?limit=7") return send(200, { users: [evil()], next_cursor: null });
    // Answers of the wrong shape, as a proxy or another server might give them.
    if (req.method === "GET" && req.url === "/admin/users/null") return send(200, null);
    if (req.method === "GET" && req.url === "/admin/users/numbered") return send(200, { user: user(5) });
    if (req.method === "GET" && req.url === "/admin/users?limit=3") return send(200, []);
    if (req.method === "GET" && req.url === "/admin/users?limit=4") return send(200, { users: [user("amy", { claims: { email: "amy@example.org" } })], next_cursor: null });
    if (req.method === "GET" && req.url.startsWith("/admin/users?")) {
      const cursor = new URL(req.url, "http://x").searchParams.get("cursor");
      return send(200, cursor ? { users: [user("zed")], next_cursor: null } : { users: [user("amy", { claims: { email: ["amy@example.org"], role: ["user", "admin"] } })], next_cursor: "next" });
    }
    if (req.method === "PUT" && /^\/admin\/users\/[^/]+\/password$/.test(req.url)) return send(204);
    if (req.method === "DELETE") return send(204);
    if (req.method === "PATCH") return send(200, { user: user(decodeURIComponent(req.url.split("/").pop()), { enabled: json.enabled ?? true }), ...(json.revokeTokens ? { tokens_revoked_before: "2026-12-05T00:00:00.000Z" } : {}) });
    send(404, { error: "user_not_found", error_description: "There is no user named 'nobody'." });
  });
};
let server;
let base;
before(async () => {
  server = await listen(api);
  base = server.url;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `sts users ...` with `stdin`; resolves exit code, stdout and stderr. */
async function sts(args, stdin = "") {
  const r = await runSts(["users", ...args], { STS_URL: base, STS_ADMIN: "admin-x", STS_ADMIN_SECRET: "secret-x" }, { stdin });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("add: the password from stdin, claims from repeated --claim, never the password in argv", async () => {
  seen.length = 0;
  const r = await sts(["add", "kim", "--claim", "email=kim@example.org", "--claim", "role=user", "--claim", "role=ops", "--disabled"], "kim-password-1\n");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /created kim \(disabled\)/);
  assert.deepEqual(seen[0].body, { username: "kim", password: "kim-password-1", claims: { email: ["kim@example.org"], role: ["user", "ops"] }, enabled: false });
});

test("list --all follows the cursor; disable --revoke-tokens; delete needs --yes; errors are the server's words", async () => {
  seen.length = 0;
  const l = await sts(["list", "--all"]);
  assert.equal(l.code, 0, l.err);
  assert.match(l.out, /amy\s+yes\s+amy@example\.org\s+user, admin/);
  assert.match(l.out, /zed/);
  assert.equal(seen[1].url, "/admin/users?limit=100&cursor=next");
  const d = await sts(["disable", "amy", "--revoke-tokens"]);
  assert.match(d.out, /disabled amy; tokens issued before 2026-12-05T00:00:00.000Z revoked/);
  assert.deepEqual(seen.at(-1).body, { enabled: false, revokeTokens: true });
  const no = await sts(["delete", "amy"]);
  assert.equal(no.code, 2);
  assert.equal(seen.at(-1).method, "PATCH");
  const yes = await sts(["delete", "amy", "--yes"]);
  assert.equal(yes.code, 0);
  assert.equal(seen.at(-1).method, "DELETE");
  const missing = await sts(["show", "nobody"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /sts users: There is no user named 'nobody'\. \(user_not_found, HTTP 404\)/);
});

test("import: checked, hashed, sent in batches, a 429 waited out, skipped users reported (exit 1)", async () => {
  seen.length = 0;
  const file = join(dir, "users.csv");
  const rows = ["username,password,role"];
  for (let i = 0; i < 25; i++) rows.push(`u${i},password-${i}-x,user`);
  rows[1] = "u0,caf\u00e9-password-0,user";
  rows.push("taken,password-t-x,user");
  writeFileSync(file, rows.join("\n"));
  const r = await sts(["import", file, "--batch", "10", "--iterations", "10000"]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /25 created now, 0 created by an earlier run of this import, 1 skipped \(taken by users this import did not create\)/);
  assert.match(r.out, /skipped taken: A user named 'taken' already exists\./);
  assert.match(r.err, /rate limited; trying again in 1 s/);
  assert.match(r.err, /importing 26\/26 \(100 %\)/);
  const sent = seen.filter((s) => s.url === "/admin/users/import" && s.body);
  // Four requests: the first was refused with 429 and sent again, then batches of 10, 10, 6.
  assert.deepEqual(sent.map((s) => s.body.users.length), [10, 10, 10, 6]);
  const u0 = sent[1].body.users[0];
  assert.equal(u0.password, undefined);
  assert.match(u0.passwordHash, /^pbkdf2-sha256\$10000\$/);
  assert.equal(await verifyPassword("caf\u00e9-password-0", u0.passwordHash), true);
  assert.equal(await verifyPassword("cafe\u0301-password-0", u0.passwordHash), true, "NFC-normalised");
  assert.equal(await verifyPassword("cafe-password-0", u0.passwordHash), false);

  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "username,password\nok-user,password-ok-1\nnot ok,password-2-x\n");
  const before = seen.length;
  const b = await sts(["import", bad]);
  assert.equal(b.code, 2);
  assert.match(b.err, /bad\.csv:3: "not ok": 'username' must be 1 to 256 letters/);
  assert.equal(seen.length, before, "nothing is sent when the file has a problem");

  const latin1 = join(dir, "latin1.csv");
  writeFileSync(latin1, Buffer.from("username,password,name\nmo,p\xe4sswort-1,M\xfcller\n", "latin1"));
  const l = await sts(["import", latin1]);
  assert.equal(l.code, 2);
  assert.match(l.err, /latin1\.csv:2: not UTF-8 text/);
  assert.equal(seen.length, before, "nothing is sent for a file that is not UTF-8");
});

test("set-password: a password piped twice (as typed at the prompt) is the password; other line breaks are refused", async () => {
  seen.length = 0;
  const twice = await sts(["set-password", "kim"], "kim-password-2\nkim-password-2\n");
  assert.equal(twice.code, 0, twice.err);
  assert.deepEqual(seen.at(-1).body, { password: "kim-password-2" });
  const before = seen.length;
  for (const piped of ["kim-password-2\nkim-password-3\n", "kim-password-2\r\n\r\n", "first\nsecond\nthird"]) {
    const r = await sts(["set-password", "kim"], piped);
    assert.equal(r.code, 2, JSON.stringify(piped));
    assert.match(r.err, /stdin holds \d lines: send the secret alone on one line, or the same line twice/);
  }
  assert.equal(seen.length, before, "nothing is sent for a password with a line break in it");
});

test("add: a password piped in another encoding than UTF-8 is refused, not stored as U+FFFD", async () => {
  seen.length = 0;
  const r = await sts(["add", "kim"], Buffer.from("p\xe4sswort-1\n", "latin1"));
  assert.equal(r.code, 2);
  assert.match(r.err, /stdin is not UTF-8 text/);
  assert.equal(seen.length, 0);
});

test("import: batches are cut by size as well as by count, so users with many claims stay under the body limit", async () => {
  seen.length = 0;
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const groups = Array.from({ length: 25 }, (_, j) => `CN=Department-Group-${j},OU=Security Groups,OU=Corp,DC=corp,DC=example,DC=com`).join(";");
  const rows = ["username,password_hash,groups"];
  for (let i = 0; i < 600; i++) rows.push(`g${i},${hash},"${groups}"`);
  const file = join(dir, "groups.csv");
  writeFileSync(file, rows.join("\n"));
  const r = await sts(["import", file]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /600 created now, 0 created by an earlier run of this import, 0 skipped/);
  const sent = seen.filter((s) => s.url === "/admin/users/import");
  assert.ok(sent.length > 2, `${sent.length} requests`);
  for (const s of sent) assert.ok(s.bytes <= MAX_BATCH_BYTES, `a request of ${s.bytes} bytes`);
  assert.deepEqual(sent.flatMap((s) => s.body.users.map((u) => u.username)), Array.from({ length: 600 }, (_, i) => `g${i}`));
});

test("import plan: at most N users and the byte budget a request, in file order; a user no request can carry is named", () => {
  const user = (name, n) => ({ username: name, passwordHash: "h", claims: { c: ["v".repeat(n)] }, enabled: true, where: `f:${name}` });
  const small = ["a", "b", "c", "e", "f"].map((n) => user(n, 10));
  const one = Buffer.byteLength(JSON.stringify({ username: "a", passwordHash: "h", claims: { c: ["v".repeat(10)] }, enabled: true }));
  // By count: two a request.
  assert.deepEqual(planBatches(small, 2).batches.map((b) => b.wheres), [["f:a", "f:b"], ["f:c", "f:e"], ["f:f"]]);
  // By size: a budget for two and a half users holds two, although the count allows a hundred.
  const budget = `{"users":[]}`.length + Math.floor(2.5 * (one + 1));
  const { batches, tooBig } = planBatches([...small.slice(0, 3), user("d", 400), ...small.slice(3)], 100, budget);
  assert.deepEqual(batches.map((b) => b.wheres), [["f:a", "f:b"], ["f:c", "f:e"], ["f:f"]]);
  for (const b of batches) assert.ok(Buffer.byteLength(JSON.stringify({ users: b.users })) <= budget);
  assert.deepEqual(tooBig.map((t) => t.user.where), ["f:d"]);
  assert.equal(tooBig[0].bytes, Buffer.byteLength(JSON.stringify({ username: "d", passwordHash: "h", claims: { c: ["v".repeat(400)] }, enabled: true })));
});

test("import plan: a password not hashed yet is sized as no shorter than its hash will be", async () => {
  const u = { username: "a", password: "a-password-1", claims: {}, enabled: true, where: "f:a" };
  const standIn = planBatches([u], 1).batches[0].users[0].passwordHash;
  assert.ok(standIn.length >= (await hashPassword(u.password, { iterations: 100_000 })).length);
});

test("show and list write no control character or escape sequence a claim holds: each is shown as an escape", async () => {
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const show = await sts(["show", "evil"]);
  assert.equal(show.code, 0, show.err);
  assert.doesNotMatch(show.out, raw);
  assert.match(show.out, /^ {2}email: e\\u001b\]0;owned\\u0007@example\.org$/m);
  assert.match(show.out, /^ {2}role: a\\u009b31mb, c\\u202ed, x\\ny\\tz$/m);
  assert.match(show.out, /^ {2}n\\u0000: v$/m);
  const list = await sts(["list", "--limit", "7"]);
  assert.equal(list.code, 0, list.err);
  assert.doesNotMatch(list.out, raw);
  assert.match(list.out, /^evil\s+yes\s+e\\u001b\]0;owned\\u0007@example\.org\s+a\\u009b31mb, c\\u202ed, x\\ny\\tz$/m);
  // --json: the same values, parsed back whole, yet nothing raw on the terminal.
  for (const r of [await sts(["show", "evil", "--json"]), await sts(["list", "--limit", "7", "--json"])]) {
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, raw);
    const u = [JSON.parse(r.out)].flat()[0];
    assert.deepEqual(u.claims.role, ["a\u009b31mb", "c\u202ed", "x\ny\tz"]);
  }
});

/**
 * A stand-in STS that takes two import batches and does what `third` does with every later
 * request (it answers none of them), and a 45-user file to import in batches of 10.
 */
async function cutShortAfterTwo(name, third) {
  let requests = 0;
  const server = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (++requests > 2) return third(req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ created: JSON.parse(body).users.length, skipped: [] }));
    });
  });
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, ["username,password_hash", ...Array.from({ length: 45 }, (_, i) => `${name}${i},${hash}`)].join("\n"));
  return { server, file };
}

test("import: a connection lost mid-import says how many users were created and from which line on nothing was", async () => {
  const { server, file } = await cutShortAfterTwo("flaky", (req) => req.socket.destroy());
  try {
    const r = await sts(["import", file, "--batch", "10", "--url", server.url]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.err, /is it running/);
    assert.match(r.err, new RegExp(`after 20 users created \\(whether the 10 from ${file}:22 to ${file}:31 were is not known: the answer was lost; from ${file}:32 on, nothing was\\)`));
    assert.match(r.err, new RegExp(`Importing the file again resumes from its journal, ${file}\\.journal\\.`));
  } finally {
    server.close();
  }
});

test("import: an answer that does not come within --timeout leaves that batch in doubt, as a lost connection does", async () => {
  const { server, file } = await cutShortAfterTwo("slow", () => {}); // never answers
  try {
    // Long enough for the batches that are answered, on a busy machine too.
    const r = await sts(["import", file, "--batch", "10", "--url", server.url, "--timeout", "3"]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`the connection to the STS at ${server.url} failed \\(no answer within 3 s\\) during the import — after 20 users created \\(whether the 10 from ${file}:22 to ${file}:31 were is not known`));
  } finally {
    server.close();
  }
});

test("an answer of the wrong shape is named with its URL and where it is wrong (exit 1), never read as undefined", async () => {
  for (const [args, path, problem] of [
    [["show", "null"], "/admin/users/null", "the answer is null, not an object"],
    [["show", "numbered"], "/admin/users/numbered", '"user.username" is a number, not a string'],
    [["list", "--limit", "3"], "/admin/users?limit=3", "the answer is an array, not an object"],
    [["list", "--limit=4"], "/admin/users?limit=4", '"users[0].claims.email" is a string, not an array'],
  ]) {
    const r = await sts(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.out, "", args.join(" "));
    assert.equal(r.err.trim(), `sts users: unexpected answer from ${base}${path} (HTTP 200, application/json): ${problem}`);
  }
});

test("import: a file that cannot be read is one line naming it and why (exit 2), as every other file", async () => {
  seen.length = 0;
  for (const [file, why] of [[join(dir, "nope.csv"), "it does not exist"], [dir, "it is a directory"]]) {
    const r = await sts(["import", file]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `sts users: ${file}: cannot read it (${why})\n`);
  }
  assert.equal(seen.length, 0);
});

test("an STS that does not answer is named without the user:password a --url may carry", async () => {
  const r = await sts(["list", "--url", "http://ops:hunter2-in-url@127.0.0.1:9/realms/r2"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^sts users: cannot reach the STS at http:\/\/127\.0\.0\.1:9\/realms\/r2 \(.+\): is it running at that address\?\n$/);
  assert.doesNotMatch(r.err, /hunter2/);
});

/**
 * A stand-in STS that keeps its users as the directory does (a name taken is skipped as
 * user_exists, and so is one of `configured`, which no directory user has) and, while `lose`
 * says so for a request, creates its batch and then drops the connection: the answer an
 * interrupted import never gets. GET /admin/users/NAME answers a directory user, else 404.
 */
async function directoryStandIn(names, lose = () => false, configured = new Set()) {
  const sent = [];
  const server = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.method === "GET") {
        const name = decodeURIComponent(req.url.slice("/admin/users/".length));
        const u = names.get(name);
        const at = "2026-12-07T00:00:00Z";
        res.writeHead(u ? 200 : 404, { "content-type": "application/json" });
        return res.end(JSON.stringify(u ? { user: { username: name, enabled: true, claims: {}, created_at: at, updated_at: at } } : { error: "user_not_found", error_description: `No user is named '${name}'.` }));
      }
      const users = JSON.parse(body).users;
      sent.push(users.map((u) => u.username));
      const skipped = [];
      for (const u of users) {
        if (configured.has(u.username)) skipped.push({ username: u.username, error: "user_exists", error_description: `'${u.username}' is, or looks the same as, a configured user, service account or OAuth client.` });
        else if (names.has(u.username)) skipped.push({ username: u.username, error: "user_exists", error_description: `A user named '${u.username}' already exists.` });
        else names.set(u.username, u);
      }
      if (lose(sent.length)) return req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ created: users.length - skipped.length, skipped }));
    });
  });
  return { server, sent };
}

test("import run again: its journal tells the users an earlier run created from names others hold, and in-doubt ones from both", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "resume.csv");
  // Rows 1-10 go in the first batch (holder among them: someone else's), 11-20 in the one whose answer is lost.
  const rows = Array.from({ length: 30 }, (_, i) => (i === 4 ? `holder,${hash},` : i === 7 ? `r7,,r7-password-1` : `r${i},${hash},`));
  writeFileSync(file, ["username,password_hash,password", ...rows].join("\n"));
  const names = new Map([["holder", { username: "holder" }]]);
  let losing = true;
  const second = await directoryStandIn(names, (n) => losing && n === 2);
  try {
    let r = await sts(["import", file, "--batch", "10", "--iterations", "10000", "--url", second.server.url]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`Importing the file again resumes from its journal, ${file}\\.journal\\.`));
    assert.equal(names.size, 20, "the batch whose answer was lost was created");
    losing = false;
    second.sent.length = 0;

    r = await sts(["import", file, "--batch", "10", "--iterations", "10000", "--url", second.server.url]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /: 10 created now, 9 created by an earlier run of this import, 1 skipped \(taken by users this import did not create\)/);
    assert.match(r.out, /10 user\(s\) sent by an earlier run whose answer was lost, and existing now/);
    assert.match(r.out, new RegExp(`in doubt r10 \\(${file}:12\\)`));
    assert.match(r.out, /skipped holder: A user named 'holder' already exists\./);
    assert.doesNotMatch(r.out, /skipped r\d/);
    assert.match(r.out, new RegExp(`journal: ${file}\\.journal`));
    // What the first run created (r7's password among them) is neither hashed nor sent again.
    assert.deepEqual(second.sent.flat().sort(), ["holder", ...Array.from({ length: 20 }, (_, i) => `r${i + 10}`)].sort());

    // A row changed since (another password for r7), a user deleted since (r1): neither is sent;
    // a torn last line (a crash mid-write) is dropped.
    writeFileSync(file, ["username,password_hash,password", ...rows.map((l) => l.replace("r7-password-1", "r7-password-2"))].join("\n"));
    names.delete("r1");
    writeFileSync(`${file}.journal`, readFileSync(`${file}.journal`, "utf8") + '{"batch":9,"se');
    second.sent.length = 0;
    r = await sts(["import", file, "--batch", "10", "--url", second.server.url]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /: 0 created now, 18 created by an earlier run of this import, 1 skipped/);
    assert.match(r.out, new RegExp(`changed r7 \\(${file}:9\\)`));
    assert.deepEqual(second.sent, [["holder"]]);
    assert.equal(names.has("r1"), false, "a user deleted since the earlier run stays deleted");

    // Another STS, another input file: the journal is not theirs.
    const other = await sts(["import", file, "--url", second.server.url.replace("127.0.0.1", "localhost")]);
    assert.equal(other.code, 2);
    assert.match(other.err, /it records an import into the STS at http:\/\/127\.0\.0\.1:\d+, not at http:\/\/localhost:\d+/);
    const copy = join(dir, "copy.csv");
    writeFileSync(copy, readFileSync(file));
    const elsewhere = await sts(["import", copy, "--journal", `${file}.journal`, "--url", second.server.url]);
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.err, new RegExp(`it records an import of ${file}, not of ${copy}`));
    assert.deepEqual(second.sent, [["holder"]], "nothing is sent with another import's journal");
  } finally {
    second.server.close();
  }
});

test("import run again: a name of the lost batch that a configured user holds is skipped, not in doubt — no import creates it", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "configured.csv");
  writeFileSync(file, ["username,password_hash", `c1,${hash}`, `alice,${hash}`, `c2,${hash}`].join("\n"));
  const names = new Map();
  let losing = true;
  const standIn = await directoryStandIn(names, () => losing, new Set(["alice"]));
  try {
    let r = await sts(["import", file, "--iterations", "10000", "--url", standIn.server.url]);
    assert.equal(r.code, 1);
    assert.deepEqual([...names.keys()].sort(), ["c1", "c2"], "the batch whose answer was lost was created, alice skipped");
    losing = false;
    r = await sts(["import", file, "--iterations", "10000", "--url", standIn.server.url]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /: 0 created now, 0 created by an earlier run of this import, 1 skipped \(taken by users this import did not create\)/);
    assert.match(r.out, /2 user\(s\) sent by an earlier run whose answer was lost, and existing now/);
    assert.match(r.out, new RegExp(`in doubt c1 \\(${file}:2\\)`));
    assert.match(r.out, /skipped alice: 'alice' is, or looks the same as, a configured user/);
    assert.doesNotMatch(r.out, /in doubt alice/);
    // The journal does not take alice for a user an earlier run made: a third run says the same.
    r = await sts(["import", file, "--iterations", "10000", "--url", standIn.server.url]);
    assert.match(r.out, /: 0 created now, 0 created by an earlier run of this import, 1 skipped/);
    assert.match(r.out, /skipped alice: /);
    assert.doesNotMatch(r.out, /in doubt alice/);
  } finally {
    standIn.server.close();
  }
});

test("import: a journal edited by hand, with lines of the wrong shape, is refused with its line, and nothing is sent", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "edited.csv");
  writeFileSync(file, ["username,password_hash", `e1,${hash}`, `e2,${hash}`].join("\n"));
  const names = new Map();
  const standIn = await directoryStandIn(names);
  try {
    let r = await sts(["import", file, "--url", standIn.server.url]);
    assert.equal(r.code, 0, r.out + r.err);
    const journal = readFileSync(`${file}.journal`, "utf8");
    standIn.sent.length = 0;
    for (const line of ["null", '{"done":0,"created":[5]}', '{"done":0,"created":[[{"a":1},"x",null]]}', '{"batch":1,"sent":[null]}', '{"done":0,"created":[["e1","fp",5]]}']) {
      writeFileSync(`${file}.journal`, `${journal}${line}\n`);
      r = await sts(["import", file, "--url", standIn.server.url]);
      assert.equal(r.code, 2, `${line}: ${r.out}${r.err}`);
      assert.match(r.err, new RegExp(`${file}\\.journal:4: a line of no known kind; it is not this import's journal`), line);
    }
    assert.deepEqual(standIn.sent, []);
  } finally {
    standIn.server.close();
  }
});

test("import: a journal that cannot be written (no room beside the input: a pipe, a read-only folder) is a file error before anything is sent", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "nowhere.csv");
  writeFileSync(file, ["username,password_hash", `n1,${hash}`].join("\n"));
  const standIn = await directoryStandIn(new Map());
  try {
    const journal = join(dir, "no-such-folder", "nowhere.journal");
    const r = await sts(["import", file, "--journal", journal, "--url", standIn.server.url]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, new RegExp(`${journal}: cannot write the import journal \\(ENOENT\\); nothing was sent\\. Give a writable path for it with --journal PATH`));
    assert.deepEqual(standIn.sent, []);
  } finally {
    standIn.server.close();
  }
});

test("import: Ctrl-C lets the batch in flight be answered and journaled, so a run again holds none of it in doubt", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "stopped.csv");
  writeFileSync(file, ["username,password_hash", ...Array.from({ length: 40 }, (_, i) => `s${i},${hash}`)].join("\n"));
  const names = new Map();
  let answered = () => {};
  let second;
  const inFlight = new Promise((r) => (second = r));
  const server = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const users = JSON.parse(body).users;
      for (const u of users) names.set(u.username, u);
      const answer = () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ created: users.length, skipped: [] }));
      };
      // The second batch is answered only once the CLI has been sent Ctrl-C.
      if (names.size === 20 && users[0].username === "s10") {
        answered = answer;
        second();
      } else answer();
    });
  });
  try {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "sts.mjs"), "users", "import", file, "--batch", "10", "--url", server.url], {
      env: { ...process.env, STS_ADMIN: "admin-x", STS_ADMIN_SECRET: "secret-x" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise((r) => child.on("exit", r));
    await inFlight;
    // Held while the import runs, by its process; removed when it stops.
    assert.equal(readFileSync(`${file}.journal.lock`, "utf8"), `${child.pid}\n`);
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 300));
    answered();
    assert.equal(await exited, 130);
    assert.equal(existsSync(`${file}.journal.lock`), false, "the lock goes with a stopped import");
    assert.match(out, /stopped \(Ctrl-C\) after 20 of 40 users sent/);
    assert.equal(names.size, 20, "no batch is sent after Ctrl-C");
    const r = await sts(["import", file, "--batch", "10", "--url", server.url]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /: 20 created now, 20 created by an earlier run of this import, 0 skipped/);
    assert.doesNotMatch(r.out, /in doubt/);
  } finally {
    server.close();
  }
});

test("import: a journal path that is a symbolic link is not followed: refused, the file it points at untouched, nothing sent", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "linked.csv");
  writeFileSync(file, ["username,password_hash", `l1,${hash}`].join("\n"));
  const standIn = await directoryStandIn(new Map());
  try {
    // A journal of this very import elsewhere: followed, the import would append to it.
    const real = join(dir, "elsewhere.journal");
    assert.equal((await sts(["import", file, "--journal", real, "--url", standIn.server.url])).code, 0);
    writeFileSync(file, ["username,password_hash", `l1,${hash}`, `l2,${hash}`].join("\n"));
    const before = readFileSync(real, "utf8");
    const link = join(dir, "linked.journal");
    symlinkSync(real, link);
    const dangling = join(dir, "dangling.journal");
    symlinkSync(join(dir, "victim-to-be"), dangling);
    for (const journal of [link, dangling]) {
      const r = await sts(["import", file, "--journal", journal, "--url", standIn.server.url]);
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(r.err, new RegExp(`${journal}: the import journal is a symbolic link, which is not followed .*; nothing was sent`));
      assert.equal(existsSync(`${journal}.lock`), false, "a refused import leaves no lock");
    }
    assert.equal(readFileSync(real, "utf8"), before);
    assert.equal(existsSync(join(dir, "victim-to-be")), false);
    assert.deepEqual(standIn.sent, [["l1"]], "nothing is sent through a link");
  } finally {
    standIn.server.close();
  }
});

test("import: a journal another import holds is refused naming its process; a lock left by a process that is gone is reported with its rm", async () => {
  const hash = await hashPassword("shared-password-1", { iterations: 10_000 });
  const file = join(dir, "locked.csv");
  writeFileSync(file, ["username,password_hash", `k1,${hash}`].join("\n"));
  const lock = `${file}.journal.lock`;
  const standIn = await directoryStandIn(new Map());
  try {
    // This test's process stands for an import that is running.
    writeFileSync(lock, `${process.pid}\n`);
    const held = await sts(["import", file, "--url", standIn.server.url]);
    assert.equal(held.code, 2, held.out + held.err);
    assert.match(held.err, new RegExp(`${file}\\.journal: another import is using this journal \\(process ${process.pid}, lock ${lock}\\); nothing was sent`));
    assert.equal(readFileSync(lock, "utf8"), `${process.pid}\n`, "another's lock is left alone");

    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => gone.on("exit", r));
    writeFileSync(lock, `${gone.pid}\n`);
    const stale = await sts(["import", file, "--url", standIn.server.url]);
    assert.equal(stale.code, 2, stale.out + stale.err);
    assert.match(stale.err, new RegExp(`the journal's lock ${lock} was left by process ${gone.pid}, which is no longer running; nothing was sent\\. If no import of this file is running, remove it \\(rm "${lock}"\\)`));
    assert.deepEqual(standIn.sent, []);

    rmSync(lock);
    const ok = await sts(["import", file, "--url", standIn.server.url]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.equal(existsSync(lock), false, "the lock goes when the import ends");
    assert.deepEqual(standIn.sent, [["k1"]]);
  } finally {
    standIn.server.close();
  }
});
