// The progress journal of `sts users import`: which users an import created, so that running it
// again after an interruption tells the users it made apart from those someone else holds under
// the same names. The administration API never returns a hash, so the STS cannot tell them apart;
// the journal, written beside the input file as the import goes, can.
//
// One JSON object a line (append-only, flushed to disk after each write): a header naming the
// input file and the STS, then for each batch a "sent" line before the request and a "done" line
// after its answer. Appending keeps the work linear in the number of users, however many batches
// (rewriting a whole file per batch would be quadratic); a crash can tear only the last line,
// which is dropped on reading, as its batch never got a "done" line: its users are in doubt.
//
// The journal is opened without following a symbolic link (a link placed at its path would
// make the import overwrite whatever it points at), and held under `<journal>.lock`, made with
// O_EXCL and holding the importer's pid, so that two imports at once cannot both append to it:
// the second is refused, and a lock its process left behind is reported with how to remove it.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, ftruncateSync } from "node:fs";
import { resolve } from "node:path";
import { FileUsageError } from "./input.mjs";

const KIND = "sts users import";
const VERSION = 1;

/** The journal kept for `file` unless `--journal` names another: beside it. */
export function defaultJournalPath(file) {
  return `${file}.journal`;
}

/**
 * What an import row comes to, hashed: its name, claims (by name, so a file whose columns moved
 * is the same file), whether enabled, and the password hash the STS holds for it. A row whose
 * password, claims or enabled changed since an earlier run created its user has another one.
 */
export function rowFingerprint(user, passwordHash) {
  const claims = Object.keys(user.claims ?? {}).sort().map((n) => [n, user.claims[n]]);
  return createHash("sha256").update(JSON.stringify([user.username, claims, user.enabled !== false, passwordHash])).digest("base64url");
}

// A line's shape is checked whole before it is used: a journal edited by hand, or one that is
// not a journal at all, is refused with its line number rather than failing on a value of the
// wrong type (a `null` line, a created entry that is not a list) with a bare TypeError.
const isObject = (l) => l !== null && typeof l === "object" && !Array.isArray(l);
/** `{ batch, sent: [name...] }`, written before a batch is sent. */
const isSent = (l) => isObject(l) && Number.isInteger(l.batch) && l.batch >= 0 && Array.isArray(l.sent) && l.sent.every((n) => typeof n === "string");
/** One user a batch created: `[name, fingerprint, hash or null, 1 when in doubt?]`. */
const isCreated = (e) =>
  Array.isArray(e) && (e.length === 3 || (e.length === 4 && e[3] === 1)) &&
  typeof e[0] === "string" && typeof e[1] === "string" && (e[2] === null || typeof e[2] === "string");
/** `{ done: batch, created: [entry...] }`, written once a batch is answered. */
const isDone = (l) => isObject(l) && Number.isInteger(l.done) && l.done >= 0 && Array.isArray(l.created) && l.created.every(isCreated);

/**
 * The journal at `path` for importing `file` into the STS at `url`, made if there is none.
 * Throws FileUsageError for a journal of another input file or another STS, or one that is not
 * a journal: using it would report another import's users as this one's.
 * @returns {{ path: string, created: Map<string, { fp: string, hash?: string, doubt?: true }>, pending: Set<string>, sent: (names: string[]) => number, done: (batch: number, created: object[]) => void, close: () => void }}
 */
export function openJournal(path, file, url) {
  const release = lockJournal(path);
  const opened = { fd: undefined };
  try {
    return readJournal(path, file, url, release, opened);
  } catch (e) {
    if (opened.fd !== undefined) closeSync(opened.fd);
    release();
    throw e;
  }
}

/** The refusal when the journal (or its lock beside it) cannot be made or opened for writing. */
function cannotWrite(path, e) {
  return new FileUsageError(`${path}: cannot write the import journal (${e.code ?? e.message}); nothing was sent. Give a writable path for it with --journal PATH`);
}

/** The journal at `path`, opened for reading and writing, never through a link; undefined when there is none. */
function openNoFollow(path) {
  let fd;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (e) {
    if (e.code === "ENOENT") return undefined;
    if (e.code === "ELOOP") throw new FileUsageError(`${path}: the import journal is a symbolic link, which is not followed (it could make the import overwrite another file); nothing was sent. Remove the link, or give the journal's own path with --journal PATH`);
    throw cannotWrite(path, e);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new FileUsageError(`${path}: the import journal is not a regular file; nothing was sent. Give a file's path for it with --journal PATH`);
  }
  return fd;
}

/** The signals whose default ends the process: the lock goes with it. */
const ENDING_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Takes `<path>.lock` for this process, or throws FileUsageError naming the import that holds it
 * (or, when its process is gone, the stale lock and how to remove it). Returns the release,
 * which also runs when the process exits or is ended by a signal while the journal is open.
 */
function lockJournal(path) {
  const lock = `${path}.lock`;
  let fd;
  try {
    // O_EXCL: made here or refused, and never through a link placed at the lock's path.
    fd = openSync(lock, "wx", 0o600);
  } catch (e) {
    // No room for the lock is no room for the journal beside it (see the note on making it below).
    if (e.code !== "EEXIST") throw cannotWrite(path, e);
    throw heldBy(path, lock);
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    rmSync(lock, { force: true });
    process.off("exit", release);
    for (const sig of Object.keys(ENDING_SIGNALS)) process.off(sig, onSignal);
  };
  // A signal another listener handles (the import's own Ctrl-C, which lets the batch in flight
  // finish and then closes the journal) is left to it; otherwise it ends the process, as it would
  // have without this listener, after the lock is removed.
  const onSignal = (sig) => {
    if (process.listenerCount(sig) > 1) return;
    release();
    process.exit(ENDING_SIGNALS[sig]);
  };
  process.on("exit", release);
  for (const sig of Object.keys(ENDING_SIGNALS)) process.on(sig, onSignal);
  return release;
}

/** Why the lock at `lock` refuses this import: another import running, or one that left its lock behind. */
function heldBy(path, lock) {
  let pid;
  try {
    const fd = openSync(lock, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      pid = Number(/^(\d+)\n?$/.exec(readFileSync(fd, "utf8"))?.[1]);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable, or a link: no process is named, so it is reported as stale.
  }
  if (Number.isSafeInteger(pid) && pid > 0 && running(pid)) {
    return new FileUsageError(`${path}: another import is using this journal (process ${pid}, lock ${lock}); nothing was sent. Wait for it to finish, or give another with --journal PATH`);
  }
  const who = Number.isSafeInteger(pid) && pid > 0 ? `process ${pid}, which is no longer running` : "no running process";
  return new FileUsageError(`${path}: the journal's lock ${lock} was left by ${who}; nothing was sent. If no import of this file is running, remove it (rm ${JSON.stringify(lock)}) and import again`);
}

/** Whether a process `pid` exists (signal 0 checks without sending; EPERM: it exists, as another user's). */
function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** {@link openJournal} once the lock is held; the journal's descriptor is kept in `opened` for closing on a refusal. */
function readJournal(path, file, url, release, opened) {
  const input = resolve(file);
  let fd = (opened.fd = openNoFollow(path));
  let text;
  if (fd !== undefined) {
    try {
      text = readFileSync(fd, "utf8");
    } catch (e) {
      throw new FileUsageError(`${path}: cannot read the import journal (${e.code ?? e.message})`);
    }
  }
  const created = new Map();
  const sentBatches = new Map();
  let nextBatch = 0;
  let keep = 0;
  if (text === undefined) {
    // Made whole or not at all: written aside, flushed, then renamed into place.
    const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      const fd = openSync(tmp, "wx", 0o600);
      try {
        writeSync(fd, `${JSON.stringify({ journal: KIND, version: VERSION, input, url, started_at: new Date().toISOString() })}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      // Nothing is sent without a journal: an input in a directory this user cannot write (a
      // read-only mount, someone else's folder) or read from a pipe (/dev/fd/63) has no room
      // beside it, and the journal is what makes a run after an interruption safe.
      throw cannotWrite(path, e);
    }
    fd = opened.fd = openNoFollow(path);
    if (fd === undefined) throw new FileUsageError(`${path}: the import journal went away as it was made; nothing was sent`);
  } else {
    // A line is whole once its line break is written: what follows the last one (nothing, or a
    // line torn by a crash mid-write) is dropped, and cut off before anything is appended.
    const whole = text.split("\n").slice(0, -1);
    keep = whole.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const bad = (at, why) => new FileUsageError(`${path}:${at}: ${why}; it is not this import's journal (delete it to start the import's journal afresh, or give another with --journal PATH)`);
    let head;
    try {
      head = JSON.parse(whole[0] ?? "");
    } catch {
      throw bad(1, "not an import journal");
    }
    if (head?.journal !== KIND || head.version !== VERSION) throw bad(1, "not an import journal of this version");
    if (head.input !== input) throw bad(1, `it records an import of ${head.input}, not of ${input}`);
    if (head.url !== url) throw bad(1, `it records an import into the STS at ${head.url}, not at ${url}`);
    for (let i = 1; i < whole.length; i++) {
      let l;
      try {
        l = JSON.parse(whole[i]);
      } catch {
        throw bad(i + 1, "a line that is not JSON");
      }
      if (isSent(l)) {
        sentBatches.set(l.batch, l.sent);
        nextBatch = Math.max(nextBatch, l.batch + 1);
      } else if (isDone(l)) {
        sentBatches.delete(l.done);
        for (const [name, fp, hash, doubt] of l.created) created.set(name, { fp, ...(hash ? { hash } : {}), ...(doubt ? { doubt: true } : {}) });
      } else throw bad(i + 1, "a line of no known kind");
    }
  }
  // The users of batches whose answer never came: the STS may or may not have created them.
  const pending = new Set();
  for (const names of sentBatches.values()) for (const n of names) if (!created.has(n)) pending.add(n);
  if (text !== undefined && keep < Buffer.byteLength(text)) ftruncateSync(fd, keep);
  let offset = text === undefined ? fstatSync(fd).size : keep;
  const append = (obj) => {
    const b = Buffer.from(`${JSON.stringify(obj)}\n`);
    writeSync(fd, b, 0, b.length, offset);
    offset += b.length;
    fsyncSync(fd);
  };
  return {
    path,
    created,
    pending,
    /** Records, before they go, the names a batch sends; returns the batch's number. */
    sent(names) {
      const batch = nextBatch++;
      append({ batch, sent: names });
      return batch;
    },
    /** Records a batch's answer: the users it created (`[name, fingerprint, hash?, doubt?]`). */
    done(batch, made) {
      append({ done: batch, created: made });
      for (const [name, fp, hash, doubt] of made) created.set(name, { fp, ...(hash ? { hash } : {}), ...(doubt ? { doubt: true } : {}) });
    },
    close: () => {
      try {
        closeSync(fd);
      } finally {
        release();
      }
    },
  };
}
