// `npm run sts -- users <command>` — the user directory of a running STS, over its
// administration API (/admin/users), as a service account holding `manage-users`.
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { UsageError, firstNonUtf8Line, notUtf8, parseArgs, readSecret, whyUnreadable } from "./input.mjs";
import { ApiError, CONNECTION_HELP, CONNECTION_OPTIONS, connect, guarded } from "./admin-api.mjs";
import { noAnswer } from "./errors.mjs";
import { MAX_ANSWER_BYTES, UnexpectedAnswer } from "./http.mjs";
import { parseCsv } from "./csv.mjs";
import { defaultJournalPath, openJournal, rowFingerprint } from "./import-journal.mjs";
import { visible, visibleJson } from "./terminal.mjs";
// The worker's own field rules and hasher (Node 22 strips their types), so a file this accepts is
// one the API accepts, and its hashes are the ones the worker verifies.
import { MAX_IMPORT_USERS, readClaims, readPassword, readPasswordHash, readUsername } from "../../src/admin/user-request.ts";
import { MAX_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS, hashPassword, verifyPassword } from "../../src/identity/password.ts";
import { CLAIM_BOUNDS } from "../../src/state/directory.ts";
import { nameKey } from "../../src/token/subject.ts";
import { duplicateMember } from "../../src/web/json-members.ts";

export const USAGE = `usage: sts users <command> [options]

  add USERNAME [--claim NAME=VALUE]... [--disabled]     password on stdin, or typed twice
  list [--limit N] [--all] [--json]
  show USERNAME [--json]
  set-password USERNAME                                 password on stdin, or typed twice
  set-claims USERNAME [--claim NAME=VALUE]... [--unset NAME]...
  disable USERNAME [--revoke-tokens]
  enable USERNAME
  delete USERNAME --yes                                 also revokes the user's tokens
  import FILE.csv|FILE.json [--batch N] [--iterations N] [--journal PATH] [--dry-run]

Every command takes ${CONNECTION_HELP}. Passwords are never
taken from the command line (other users see it in ps).

--claim NAME=VALUE may be repeated; the same NAME twice gives the claim two values. set-claims
replaces the claims it names and keeps the others; --unset removes one.

import reads a JSON array of {"username", "password" | "passwordHash", "claims"?, "enabled"?}
or a CSV file whose header names username, password or password_hash, optionally enabled, and
any other column as a claim (values separated by ";"), in UTF-8. The whole file is checked before anything
is sent; passwords are hashed here (PBKDF2-SHA256, --iterations, default 100000) and the users
sent in batches (--batch, default 500, at most 1000; and at most 512 KiB of JSON each).

import keeps a journal of the users it created (--journal, default FILE.journal beside the
file, written as it goes) and, run again after an interruption, resumes from it: the users an
earlier run of this import created are neither hashed nor sent again (one deleted since stays
deleted), and the end says how many were created now, how many by an earlier run, which rows
changed since an earlier run created their user (not updated: set-password and set-claims do
that), which users an interrupted request may have created, and which names are taken by
users this import did not create. A journal of another input file or another --url is refused,
and so is an import whose journal cannot be written (give --journal PATH) or is a symbolic link.
The journal is held under JOURNAL.lock while the import runs: a second import of it at once is
refused; a lock left by a process that is gone is reported with how to remove it.
Ctrl-C stops once the batch in flight is answered and journaled (exit 130); twice, at once.
Exit 0 when every user of the file was created, now or by an earlier run; 1 when some were
not (listed with the reason); 2 on a usage or file error.

Development: --admin user-admin with STS_ADMIN_SECRET=user-admin-secret-7a6b5c4d3e2f1a0b.`;

export async function run(args) {
  const [cmd, ...rest] = args;
  const commands = { add, list, show, "set-password": setPassword, "set-claims": setClaims, disable, enable, delete: remove, import: importUsers };
  // `users add --help` asks for help too: the option parser says so before any option is judged.
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(commands, cmd)) {
    console.error(`sts users: unknown command "${cmd}"\n${USAGE}`);
    return 2;
  }
  return guarded("sts users", USAGE, () => commands[cmd](rest));
}

/** The options of a command plus the connection's; the API client they name. */
function options(args, known, positionals) {
  const { opts, positional } = parseArgs(args, { ...CONNECTION_OPTIONS, ...known });
  if (positional.length !== positionals.length) {
    throw new UsageError(positionals.length ? `expected ${positionals.join(" ")}` : `unexpected argument ${positional[0]}`);
  }
  return { opts, positional, api: connect(opts, "sts users") };
}

// The answers of the API (src/admin/users.ts), as the commands read them.
const USER = { username: "string", enabled: "boolean", held_disabled: "string?", claims: { "*": ["string"] }, created_at: "string", updated_at: "string" };
const ONE_USER = { user: USER };
const DISABLED = { user: USER, tokens_revoked_before: "string?" };
const PAGE = { users: [USER], next_cursor: "string|null" };
const IMPORTED = { created: "number", skipped: [{ username: "string", error_description: "string" }] };

const userPath = (name) => `/admin/users/${encodeURIComponent(name)}`;

/** The refusal a field reader of the API gives `v`, or undefined when it accepts it. */
function refusal(read, v, path) {
  try {
    read(v, path);
    return undefined;
  } catch (e) {
    return e.message;
  }
}

function username(name) {
  const no = refusal(readUsername, name, "USERNAME");
  if (no !== undefined) throw new UsageError(`"${name}": ${no}`);
  return name;
}

/** `--claim NAME=VALUE`s as claims (repeated names give several values). */
function claimsOf(list = []) {
  // No prototype: a claim may be named like a property every object has (`constructor`).
  const claims = Object.create(null);
  for (const c of list) {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new UsageError(`--claim ${c}: expected NAME=VALUE`);
    (claims[c.slice(0, eq)] ??= []).push(c.slice(eq + 1));
  }
  return claims;
}

function printUser(u, json) {
  if (json) return console.log(visibleJson(u));
  console.log(`username: ${visible(u.username)}\nenabled:  ${u.enabled}${u.held_disabled === undefined ? "" : ` (held disabled: ${visible(u.held_disabled)})`}\ncreated:  ${visible(u.created_at)}\nupdated:  ${visible(u.updated_at)}`);
  const names = Object.keys(u.claims);
  if (names.length === 0) console.log("claims:   (none)");
  else {
    console.log("claims:");
    for (const n of names) console.log(`  ${visible(n)}: ${u.claims[n].map(visible).join(", ")}`);
  }
}

async function add(args) {
  const { opts, positional, api } = options(args, { claim: "list", disabled: "flag" }, ["USERNAME"]);
  const name = username(positional[0]);
  const password = await readSecret("Password: ", true);
  const r = await api("POST", "/admin/users", { username: name, password, claims: claimsOf(opts.claim), enabled: !opts.disabled }, { shape: ONE_USER });
  console.log(`created ${visible(r.user.username)}${r.user.enabled ? "" : " (disabled)"}`);
  return 0;
}

/**
 * The most bytes a page of `limit` users can take: each user's claims at their bound
 * (CLAIM_BOUNDS, counted in characters of JSON: three bytes each at most), and room for the
 * other fields. A page of the default 100 fits in 10 MiB.
 */
function pageBytes(limit) {
  return Math.max(MAX_ANSWER_BYTES, limit * (3 * CLAIM_BOUNDS.jsonChars + 4096));
}

async function list(args) {
  const { opts, api } = options(args, { limit: "value", all: "flag", json: "flag" }, []);
  const limit = opts.limit === undefined ? 100 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be 1 to 1000");
  const users = [];
  let cursor = null;
  do {
    const page = await api("GET", `/admin/users?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, undefined, { shape: PAGE, maxBytes: pageBytes(limit) });
    users.push(...page.users);
    cursor = opts.all ? page.next_cursor : null;
    if (!opts.all && page.next_cursor) process.stderr.write("(more users: --all lists every one)\n");
  } while (cursor);
  if (opts.json) {
    console.log(visibleJson(users));
    return 0;
  }
  const rows = users.map((u) => [u.username, u.enabled ? "yes" : "no", (u.claims.email ?? []).join(", "), (u.claims.role ?? []).join(", ")].map(visible));
  const head = ["USERNAME", "ENABLED", "EMAIL", "ROLES"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  return 0;
}

async function show(args) {
  const { opts, positional, api } = options(args, { json: "flag" }, ["USERNAME"]);
  printUser((await api("GET", userPath(username(positional[0])), undefined, { shape: ONE_USER })).user, opts.json);
  return 0;
}

async function setPassword(args) {
  const { positional, api } = options(args, {}, ["USERNAME"]);
  const name = username(positional[0]);
  await api("PUT", `${userPath(name)}/password`, { password: await readSecret("New password: ", true) });
  console.log(`password set for ${name}`);
  return 0;
}

async function setClaims(args) {
  const { opts, positional, api } = options(args, { claim: "list", unset: "list" }, ["USERNAME"]);
  const patch = claimsOf(opts.claim);
  for (const n of opts.unset ?? []) patch[n] = null;
  if (Object.keys(patch).length === 0) throw new UsageError("nothing to change: give --claim NAME=VALUE or --unset NAME");
  printUser((await api("PATCH", userPath(username(positional[0])), { claims: patch }, { shape: ONE_USER })).user, false);
  return 0;
}

async function disable(args) {
  const { opts, positional, api } = options(args, { "revoke-tokens": "flag" }, ["USERNAME"]);
  const r = await api("PATCH", userPath(username(positional[0])), { enabled: false, ...(opts["revoke-tokens"] ? { revokeTokens: true } : {}) }, { shape: DISABLED });
  console.log(`disabled ${visible(r.user.username)}${r.tokens_revoked_before ? `; tokens issued before ${visible(r.tokens_revoked_before)} revoked` : ""}`);
  return 0;
}

async function enable(args) {
  const { positional, api } = options(args, {}, ["USERNAME"]);
  const r = await api("PATCH", userPath(username(positional[0])), { enabled: true }, { shape: ONE_USER });
  console.log(`enabled ${visible(r.user.username)}`);
  return 0;
}

async function remove(args) {
  const { opts, positional, api } = options(args, { yes: "flag" }, ["USERNAME"]);
  const name = username(positional[0]);
  if (!opts.yes) {
    console.error(`sts users: deleting ${name} cannot be undone and revokes their tokens: add --yes`);
    return 2;
  }
  await api("DELETE", userPath(name));
  console.log(`deleted ${name}; their tokens are revoked`);
  return 0;
}

// ---- import ------------------------------------------------------------------------------

/** The fields a user of a JSON import file may have. */
const JSON_FIELDS = ["username", "password", "passwordHash", "claims", "enabled"];

/**
 * The users a file holds, checked whole: every problem with its line (CSV) or index (JSON).
 * @returns {{ users: object[], problems: string[] }}
 */
export function readUsersFile(file, text) {
  const problems = [];
  const users = [];
  let entries;
  if (/\.json$/i.test(file)) {
    let v;
    const json = text.replace(/^\uFEFF/, "");
    try {
      v = JSON.parse(json);
    } catch (e) {
      return { users, problems: [`${file}: not valid JSON (${e.message})`] };
    }
    // JSON.parse keeps the second of two members with one name and says nothing: a user whose
    // "password" or "enabled" is given twice would be imported with one of them silently. The
    // API refuses such a body (RFC 8259 §4: readers disagree on which counts); so does its file.
    const twice = duplicateMember(json);
    if (twice !== undefined) {
      const line = json.slice(0, twice.offset).split("\n").length;
      return { users, problems: [`${file}:${line}: "${visible(twice.name.slice(0, 64))}" is given twice in one object (JSON readers disagree on which counts): give each field once`] };
    }
    const list = Array.isArray(v) ? v : v?.users;
    if (!Array.isArray(list)) return { users, problems: [`${file}: expected an array of users (or {"users": [...]})`] };
    // The import request's own shape: a member beside "users" (`"enabled": false` meant for every
    // user, say) would otherwise be dropped without a word and the users imported without it.
    const beside = Array.isArray(v) ? [] : Object.keys(v).filter((k) => k !== "users");
    if (beside.length) return { users, problems: [`${file}: unknown field(s) ${beside.map((k) => `"${visible(k.slice(0, 64))}"`).join(", ")} beside "users" (each user's fields go in its own object)`] };
    entries = list.map((u, i) => {
      const unknown = u && typeof u === "object" ? Object.keys(u).filter((k) => !JSON_FIELDS.includes(k)) : [];
      return { where: `${file}[${i}]`, u, unknown };
    });
  } else {
    let rows;
    try {
      rows = parseCsv(text);
    } catch (e) {
      return { users, problems: [`${file}: ${e.message}`] };
    }
    const [head, ...body] = rows;
    if (!head) return { users, problems: [`${file}: empty`] };
    const cols = head.cells.map((h) => h.trim());
    if (!cols.includes("username")) return { users, problems: [`${file}:${head.line}: the header has no "username" column`] };
    const twice = cols.filter((c, i) => c !== "" && cols.indexOf(c) !== i);
    if (twice.length) return { users, problems: [`${file}:${head.line}: the header names ${[...new Set(twice)].map((c) => `"${c}"`).join(", ")} more than once`] };
    entries = body
      .filter((r) => r.cells.some((c) => c !== ""))
      .map((r) => {
        const u = { claims: Object.create(null) };
        cols.forEach((c, i) => {
          const cell = r.cells[i] ?? "";
          if (c === "username" || c === "password") u[c] = cell;
          else if (c === "password_hash") u.passwordHash = cell || undefined;
          else if (c === "enabled") u.enabled = cell === "" ? undefined : /^(true|yes|1)$/i.test(cell) ? true : /^(false|no|0)$/i.test(cell) ? false : cell;
          else {
            // A cell of separators only (" ; ") holds no value, as an empty cell does.
            const values = cell.split(";").map((s) => s.trim()).filter(Boolean);
            if (values.length > 0) u.claims[c] = values;
          }
        });
        if (u.password === "") delete u.password;
        return { where: `${file}:${r.line}`, u, tooManyCells: r.cells.length > cols.length };
      });
  }
  const seen = new Map();
  for (const { where, u, unknown, tooManyCells } of entries) {
    const bad = (m) => problems.push(`${where}: ${m}`);
    if (typeof u !== "object" || u === null) {
      bad("expected an object");
      continue;
    }
    if (tooManyCells) bad("more cells than the header has columns");
    if (unknown?.length) bad(`unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")} (a user has ${JSON_FIELDS.join(", ")})`);
    const badName = refusal(readUsername, u.username, "username");
    if (badName !== undefined) {
      bad(`"${String(u.username ?? "")}": ${badName}`);
      continue;
    }
    // As the directory tells names apart: "Ann" after "ann" is the same user a second time.
    const first = seen.get(nameKey(u.username));
    if (first !== undefined) bad(`${u.username} appears a second time${first === u.username ? "" : ` (as ${first}, in another case or Unicode form)`}`);
    else seen.set(nameKey(u.username), u.username);
    const hasPw = typeof u.password === "string" && u.password !== "";
    const hasHash = typeof u.passwordHash === "string" && u.passwordHash !== "";
    if (hasPw === hasHash) bad("give exactly one of password and password hash");
    else {
      const no = hasPw ? refusal(readPassword, u.password, "password") : refusal(readPasswordHash, u.passwordHash, "password_hash");
      if (no !== undefined) bad(no);
    }
    if (u.enabled !== undefined && typeof u.enabled !== "boolean") bad(`enabled must be true or false, not "${u.enabled}"`);
    const claims = u.claims ?? {};
    // The API's own claim rules (names, types, bounds), so a file that passes here imports whole.
    const badClaims = refusal(readClaims, claims, "claims");
    if (badClaims !== undefined) bad(badClaims);
    users.push({ username: u.username, password: hasPw ? u.password : undefined, passwordHash: hasHash ? u.passwordHash : undefined, claims, enabled: u.enabled ?? true, where });
  }
  for (const { user, bytes } of planBatches(users, MAX_IMPORT_USERS).tooBig) {
    problems.push(`${user.where}: takes ${bytes} bytes as JSON, more than one import request carries (${MAX_BATCH_BYTES})`);
  }
  return { users, problems };
}

/**
 * The users a file's bytes hold, as {@link readUsersFile} reads their text. Bytes that are not
 * UTF-8 are a problem of their line: decoded, each would become U+FFFD in the claims or password
 * stored (a spreadsheet saved as Windows-1252 turns `Müller` into `M\uFFFDller`, and a password
 * into one its user never typed).
 */
export function readUsersFileBytes(file, bytes) {
  const line = firstNonUtf8Line(bytes);
  if (line !== undefined) return { users: [], problems: [notUtf8(file, line, bytes)] };
  return readUsersFile(file, bytes.toString("utf8"));
}

/**
 * Bytes of JSON one import request carries at most: half the STS's default body limit
 * (`limits.maxBodyBytes`, 1 MiB), so users with many claims are never refused whole for the size
 * of their batch.
 */
export const MAX_BATCH_BYTES = 512 * 1024;
/** `{"users":[]}`: what a request adds around its users. */
const ENVELOPE_BYTES = JSON.stringify({ users: [] }).length;
/**
 * Sizes a password not hashed yet: longer than any hash this CLI makes
 * (`pbkdf2-sha256$100000$` + 16 bytes of salt and 32 of hash in base64 is 90 characters), so a
 * plan the check pass accepts still holds once the passwords are hashed.
 */
const HASH_STAND_IN = "x".repeat(128);

/** A user as an import request carries it. */
const entry = ({ username, passwordHash, claims, enabled }) => ({ username, passwordHash: passwordHash ?? HASH_STAND_IN, claims, enabled });

/**
 * The import requests `users` go in, in file order: at most `count` users and `maxBytes` bytes of
 * JSON each. `tooBig`: the users no request can carry, with their size.
 * @returns {{ batches: { users: object[], wheres: string[] }[], tooBig: { user: object, bytes: number }[] }}
 */
export function planBatches(users, count, maxBytes = MAX_BATCH_BYTES) {
  const batches = [];
  const tooBig = [];
  let current;
  let size = 0;
  for (const u of users) {
    const e = entry(u);
    // The comma before it, or the closing bracket's room for the last one.
    const bytes = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (ENVELOPE_BYTES + bytes > maxBytes) {
      tooBig.push({ user: u, bytes: bytes - 1 });
      continue;
    }
    if (current === undefined || current.users.length === count || size + bytes > maxBytes) {
      batches.push((current = { users: [], wheres: [] }));
      size = ENVELOPE_BYTES;
    }
    current.users.push(e);
    current.wheres.push(u.where);
    size += bytes;
  }
  return { batches, tooBig };
}

/** A progress line: redrawn in place on a terminal, else one line per tenth. */
function progress(label, total) {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastTenth = -1;
  return (done, extra = "") => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    const text = `${label} ${done}/${total} (${pct} %)${extra ? `, ${extra}` : ""}, ${Math.round(rate)}/s`;
    if (tty) {
      const width = 30;
      const bar = "#".repeat(Math.round((pct / 100) * width)).padEnd(width, ".");
      process.stderr.write(`\r[${bar}] ${text}\x1b[K${done >= total ? "\n" : ""}`);
    } else if (Math.floor(pct / 10) > lastTenth || done >= total) {
      lastTenth = Math.floor(pct / 10);
      process.stderr.write(`${text}\n`);
    }
  };
}

/**
 * An import the network cut short, said as an API refusal is: how many users were created, and
 * from which line on nothing was. A refused connection carried nothing; any other failure may
 * have come after the STS took the batch in flight, so that batch is in doubt.
 */
function interrupted(url, why, created, part, next, journal) {
  const note = why === "ECONNREFUSED" ? `after ${created} users created (from ${part.wheres[0]} on, nothing was)` : inDoubt(created, part, next, "the answer was lost");
  return new Error(`the connection to the STS at ${url} failed (${why}) during the import — ${note}. ${again(journal)}`);
}

/** An import that got no usable answer for `part`: how many users were created, which are in doubt, from where none was sent. */
function inDoubt(created, part, next, how) {
  return (
    `after ${created} users created (whether the ${part.users.length} from ${part.wheres[0]} to ${part.wheres.at(-1)} were is not known: ${how}` +
    `${next ? `; from ${next.wheres[0]} on, nothing was` : ""})`
  );
}

/** What an interrupted import tells the operator to do. */
const again = (journal) => `Importing the file again resumes from its journal, ${journal}.`;

async function importUsers(args) {
  const { opts, positional, api } = options(args, { batch: "value", iterations: "value", journal: "value", "dry-run": "flag" }, ["FILE"]);
  const batch = opts.batch === undefined ? 500 : Number(opts.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000) throw new UsageError("--batch must be 1 to 1000");
  const iterations = opts.iterations === undefined ? MAX_PBKDF2_ITERATIONS : Number(opts.iterations);
  if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new UsageError(`--iterations must be ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS}`);
  }
  const file = positional[0];
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    // One line, as every other file the CLI cannot read (exit 2, a file error): the usage says nothing about why.
    console.error(`sts users: ${file}: cannot read it (${whyUnreadable(e)})`);
    return 2;
  }
  const { users, problems } = readUsersFileBytes(file, bytes);
  if (problems.length) {
    for (const p of problems.slice(0, 50)) console.error(p);
    if (problems.length > 50) console.error(`… and ${problems.length - 50} more`);
    console.error(`sts users: ${file} has ${problems.length} problem(s); nothing was sent`);
    return 2;
  }
  if (opts["dry-run"]) {
    console.log(`${file}: ${users.length} users, all well-formed (nothing sent: --dry-run)`);
    return 0;
  }
  const started = Date.now();
  const journal = openJournal(opts.journal ?? defaultJournalPath(file), file, api.url);
  try {
    return await importJournaled(file, users, { api, batch, iterations, journal, started });
  } finally {
    journal.close();
  }
}

/**
 * Runs `each` over `items` on every core, with a progress line: Node runs WebCrypto's derivations on libuv's thread
 * pool, and twice the cores keeps it busy.
 */
async function onEveryCore(items, label, each) {
  if (items.length === 0) return;
  const tick = progress(label, items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      await each(items[next++]);
      tick(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(items.length, availableParallelism() * 2) }, worker));
}

/**
 * Whether an import may have made the user `name` that the STS now skips as taken: only when a
 * directory user has exactly that name. A name a configured user, service account or client
 * holds, or one a directory user holds in another case or Unicode form, is taken by someone no
 * import creates — its skip is certain, whatever became of an earlier run's request. The STS
 * answers 404 for both; any other failure leaves the user in doubt, as it was.
 */
async function mayHaveMade(api, name) {
  try {
    await api("GET", userPath(name), undefined, { shape: ONE_USER });
    return true;
  } catch (e) {
    return !(e instanceof ApiError && e.status === 404);
  }
}

/** The import of `users` (checked) with its journal: see the usage's account of a second run. */
async function importJournaled(file, users, { api, batch, iterations, journal, started }) {
  // The users an earlier run of this import created are not sent again; whether their row
  // changed since is told by its fingerprint. A password (not a hash) is checked against the
  // hash that run made, as a sign-in would be: one derivation, as hashing it again would cost.
  const earlier = [];
  const changed = [];
  const doubtful = [];
  const toSend = [];
  const toCheck = [];
  for (const u of users) {
    const e = journal.created.get(u.username);
    if (e === undefined) toSend.push(u);
    else if (u.password === undefined) (rowFingerprint(u, u.passwordHash) === e.fp ? (e.doubt ? doubtful : earlier) : changed).push(u);
    else toCheck.push([u, e]);
  }
  await onEveryCore(toCheck, "checking passwords against the journal", async ([u, e]) => {
    const same = e.hash !== undefined && (await verifyPassword(u.password, e.hash)) && rowFingerprint(u, e.hash) === e.fp;
    (same ? (e.doubt ? doubtful : earlier) : changed).push(u);
  });
  await onEveryCore(toSend.filter((u) => u.password !== undefined), "hashing passwords", async (u) => {
    u.passwordHash = await hashPassword(u.password, { iterations });
    // Kept for the journal: a later run checks the row's password against it.
    u.madeHash = true;
    delete u.password;
  });
  const tick = progress("importing", toSend.length);
  let created = 0;
  let sent = 0;
  const skipped = [];
  const { batches } = planBatches(toSend, batch);
  const byName = new Map(toSend.map((u) => [u.username, u]));
  // Ctrl-C lets the batch in flight finish and be journaled, so that the next run knows what it
  // created instead of holding its users in doubt; a second Ctrl-C stops at once.
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\nstopping once the batch being sent is answered and journaled (Ctrl-C again: at once, leaving it in doubt)\n`);
  };
  process.on("SIGINT", stop);
  try {
    for (const [b, part] of batches.entries()) {
      if (stopping) break;
      const names = part.users.map((u) => u.username);
      const number = journal.sent(names);
      let r;
      try {
        r = await api("POST", "/admin/users/import", { users: part.users }, { shape: IMPORTED });
      } catch (e) {
        // The API names the batch's entry (`users[3]`): say which user of the file that is.
        if (e instanceof ApiError) {
          e.message = e.message.replace(/'users\[(\d+)\]/g, (m, n) => `'${part.wheres[Number(n)] ?? m}`);
          e.message += ` — after ${created} users created (from ${part.wheres[0]} on, nothing was)`;
        }
        if (e instanceof UnexpectedAnswer) e.message += ` — ${inDoubt(created, part, batches[b + 1], "the answer could not be read")}. ${again(journal.path)}`;
        const why = noAnswer(e);
        // A connection that failed after the first request is no question of whether the STS runs.
        if (why !== undefined && sent > 0) throw interrupted(e.url, why, created, part, batches[b + 1], journal.path);
        throw e;
      }
      // A name skipped as taken that an earlier run sent without getting the answer: that run
      // may well have created it (the users sent then exist now), but nothing can tell for sure.
      const taken = new Set(r.skipped.map((s) => s.username));
      const inDoubt = new Set();
      for (const name of names) if (taken.has(name) && journal.pending.has(name) && (await mayHaveMade(api, name))) inDoubt.add(name);
      const made = [];
      for (const name of names) {
        const u = byName.get(name);
        const doubt = inDoubt.has(name);
        if (taken.has(name) && !doubt) continue;
        made.push([name, rowFingerprint(u, u.passwordHash), u.madeHash ? u.passwordHash : undefined, ...(doubt ? [1] : [])]);
        if (doubt) doubtful.push(u);
      }
      journal.done(number, made);
      created += r.created;
      skipped.push(...r.skipped.filter((s) => !inDoubt.has(s.username)));
      sent += part.users.length;
      tick(sent, `${created} created, ${skipped.length} skipped`);
    }
  } finally {
    process.off("SIGINT", stop);
  }
  if (stopping) console.log(`stopped (Ctrl-C) after ${sent} of ${toSend.length} users sent. ${again(journal.path)}`);
  console.log(
    `imported ${file}: ${created} created now, ${earlier.length} created by an earlier run of this import, ` +
      `${skipped.length} skipped (taken by users this import did not create), in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const list = (what, items) => {
    for (const line of items.slice(0, 100)) console.log(`  ${what} ${line}`);
    if (items.length > 100) console.log(`  … and ${items.length - 100} more`);
  };
  if (changed.length) {
    console.log(`${changed.length} row(s) changed since an earlier run of this import created their user, who keeps what that run gave (set-password, set-claims, enable or disable change it):`);
    list("changed", changed.map((u) => `${visible(u.username)} (${u.where})`));
  }
  if (doubtful.length) {
    console.log(`${doubtful.length} user(s) sent by an earlier run whose answer was lost, and existing now (most likely created by it: check them with users show):`);
    list("in doubt", doubtful.map((u) => `${visible(u.username)} (${u.where})`));
  }
  list("skipped", skipped.map((s) => `${visible(s.username)}: ${s.error_description}`));
  console.log(`journal: ${journal.path}`);
  if (stopping) return 130;
  return skipped.length || changed.length || doubtful.length ? 1 : 0;
}
