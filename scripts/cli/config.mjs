// `npm run sts -- config <subcommand>` — credential hashing and configuration checks.
//
//   hash-password [--iterations N]   PBKDF2-SHA256 hash for a user's passwordHashSecret
//   hash-secret                      sha256$hex for a client's / service account's secretHashSecret
//   generate-secret                  a fresh 32-byte base64url secret and its sha256$ hash
//   check-config FILE [--env FILE] [--config-dir DIR]
//                                    validate an STS_CONFIG JSON file (exit 1 with field errors)
//   check-config --dev               validate the embedded development configuration
//   split FILE --out DIR [--files]   move what would not fit one Workers binding into bindings
//                                    (or, with --files, into files bundled at deploy time)
//
// Secrets are read from stdin when it is piped (one trailing newline is stripped) or prompted
// for without echo on a terminal. The hashing and validation code is the worker's own
// (src/identity, src/config), imported through Node 22's TypeScript type stripping, so what
// this prints is exactly what the worker accepts.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MAX_TOTAL_BYTES, configDir, readConfigFiles } from "../build-config-files.mjs";
import { UsageError, noPositional, parseArgs, readJson, readSecret, withUsage } from "./input.mjs";

export const USAGE = `usage: sts config hash-password [--iterations N]   (password on stdin or prompted)
       sts config hash-secret                      (secret on stdin or prompted)
       sts config generate-secret
       sts config check-config FILE [--env SECRETS.json] [--config-dir DIR]
       sts config check-config --dev
       sts config split FILE --out DIR [--files]

check-config resolves the configuration's ...Secret binding names from SECRETS.json (an object
of binding name -> value, as for \`wrangler secret bulk\`), or from the process environment
when --env is not given, and its { "$file": ... } and { "$files": [...] } sections from the
configuration directory the build bundles: DIR, else STS_CONFIG_DIR, else the project's config/.

split moves the sections of FILE that do not fit a Workers variable or secret (5 KB) into
bindings of their own: an array section's elements packed in order into bindings of at most
5 KB named <SECTION>_<n> (REALM_<NAME>_<SECTION>_<n> for a realm's), read back with
{ "$bindings": [...] }. It writes DIR/sts-config.json (STS_CONFIG) and DIR/bindings.json (binding
name -> value, for \`wrangler secret bulk\`), never over FILE, and counts the bindings the result
reads.

split --files moves them into files instead, one per section, under DIR/config/ (a realm's
under DIR/config/realms/<name>/), read back with { "$file": "NAME.json" }: the files are bundled
into the worker's script at deploy time (STS_CONFIG_DIR=DIR/config npx wrangler deploy, or copy
them to the project's config/), so a section has no 5 KB limit and takes no binding. For
non-secret configuration only: secrets stay in their own bindings.`;

const src = (p) => new URL(`../../src/${p}`, import.meta.url).href;

/**
 * Runs a `config` subcommand.
 * @param {string[]} args
 * @returns {Promise<number>} exit code
 */
export async function run(args) {
  const [sub, ...rest] = args;
  // `config check-config --help` asks for help too: the option parser says so before any option is judged.
  return withUsage("sts config", USAGE, async () => {
    switch (sub) {
      case "hash-password":
        return await hashPasswordCmd(rest);
      case "hash-secret": {
        noOptions(rest);
        const { hashSecret } = await import(src("identity/secret.ts"));
        console.log(await hashSecret(await readSecret("Secret: ")));
        return 0;
      }
      case "generate-secret": {
        noOptions(rest);
        const { generateSecret, hashSecret } = await import(src("identity/secret.ts"));
        const secret = generateSecret();
        console.log(`secret: ${secret}`);
        console.log(`hash:   ${await hashSecret(secret)}`);
        return 0;
      }
      case "check-config":
        return await checkConfig(rest);
      case "split":
        return await splitCmd(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown subcommand "${sub}"`);
    }
  });
}

/** A subcommand that takes no options or arguments (but answers --help). */
function noOptions(args) {
  noPositional(parseArgs(args, {}).positional);
}



async function hashPasswordCmd(args) {
  const { opts, positional } = parseArgs(args, { iterations: "value" });
  noPositional(positional);
  const { hashPassword, MAX_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS } = await import(src("identity/password.ts"));
  const iterations = opts.iterations === undefined ? undefined : Number(opts.iterations);
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations >= MIN_PBKDF2_ITERATIONS && iterations <= MAX_PBKDF2_ITERATIONS)) {
    throw new UsageError(
      `--iterations must be an integer from ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS} (Workers refuses PBKDF2 above ${MAX_PBKDF2_ITERATIONS})`,
    );
  }
  const password = await readSecret("Password: ", true);
  console.log(await hashPassword(password, iterations === undefined ? {} : { iterations }));
  return 0;
}

/** The most a Workers variable or secret holds: 5 KB. */
const BINDING_LIMIT = 5 * 1024;
/**
 * The most environment variables a Worker has, secrets among them (Cloudflare's Workers limits):
 * 128 on Workers Paid, 64 on Workers Free.
 */
const BINDING_COUNT_PAID = 128;
const BINDING_COUNT_FREE = 64;

/** Bytes a binding's value takes as uploaded: its minified JSON, UTF-8. */
const bytesOf = (v) => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));

/** relyingParties -> RELYING_PARTIES; a realm name's other characters become "_". */
const upperSnake = (s) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();

/** Where an element too large for a binding alone can put its bulk instead (types.ts). */
const TOO_LARGE_ADVICE = {
  keys: "give its certificate as certificateSecret (a secret of its own) instead of inline",
  decryptionKeys: "give its certificate as certificateSecret (a secret of its own) instead of inline",
  relyingParties: "give its encryption certificates as encryption.certificates[].certificateSecret (secrets of their own) instead of inline",
  realms: "it is still too large once its own sections are in bindings: split the realm's largest fields",
};

/** relyingParties -> relying-parties; a realm name's other characters become "-". */
const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/[^A-Za-z0-9.]+/g, "-").toLowerCase();

/** Suggested when what does not fit a binding would fit a bundled file. */
const FILES_ADVICE = "; or move large sections into files bundled at deploy time, which have no such limit: sts config split FILE --out DIR --files";

/**
 * Moves sections of one configuration object (the top level, or a realm) into bindings until
 * the object's minified JSON fits `limit`, largest section first; an array section's elements
 * are packed in order, greedily, into bindings of at most BINDING_LIMIT bytes. Returns the
 * reduced object; `bindings` (name -> JSON text) receives what was moved. With `files` (a Map,
 * name -> JSON text), each section moved goes whole into a file `<folder><section>.json`
 * instead, read back with { "$file": NAME }.
 */
function splitObject(o, { path, prefix, limit, bindings, keep = [], files, folder = "" }) {
  const out = { ...o };
  if (files !== undefined) {
    const movable = Object.keys(out).filter((k) => !keep.includes(k) && out[k] !== undefined && !isBound(out[k]));
    movable.sort((a, b) => bytesOf(out[b]) - bytesOf(out[a]));
    for (const key of movable) {
      if (bytesOf(out) <= limit) break;
      const name = `${folder}${kebab(key)}.json`;
      if (files.has(name)) throw new Error(`${path}: the file name ${name} is already used for another section; rename the realm`);
      files.set(name, JSON.stringify(out[key]));
      out[key] = { $file: name };
    }
    return out;
  }
  // Realm names that differ only in case or punctuation would make the same binding names.
  const put = (name, text) => {
    if (bindings.has(name)) throw new Error(`${path}: the binding name ${name} is already used for another section; rename the realm`);
    bindings.set(name, text);
  };
  const movable = Object.keys(out).filter((k) => !keep.includes(k) && out[k] !== undefined && !isBound(out[k]));
  movable.sort((a, b) => bytesOf(out[b]) - bytesOf(out[a]));
  for (const key of movable) {
    if (bytesOf(out) <= limit) break;
    const value = out[key];
    const base = `${prefix}${upperSnake(key)}`;
    if (!Array.isArray(value)) {
      if (bytesOf(value) > BINDING_LIMIT) throw new Error(`${path}.${key} is ${bytesOf(value)} bytes, more than one binding holds (${BINDING_LIMIT} bytes), and only an array section can span several bindings${FILES_ADVICE}`);
      put(base, JSON.stringify(value));
      out[key] = { $binding: base };
      continue;
    }
    const names = [];
    let part = [];
    let size = 2;
    const flush = () => {
      const name = `${base}_${names.length + 1}`;
      put(name, JSON.stringify(part));
      names.push(name);
      part = [];
      size = 2;
    };
    value.forEach((element, i) => {
      const b = bytesOf(element);
      if (b + 2 > BINDING_LIMIT) {
        const id = element && typeof element === "object" ? ["identifier", "clientId", "username", "issuer", "name", "kid"].map((f) => element[f]).find((v) => typeof v === "string") : undefined;
        // What makes it large: an operator shortens or moves that field.
        const [field, fieldBytes] = element && typeof element === "object" ? Object.entries(element).map(([f, v]) => [f, bytesOf(v)]).sort((a, c) => c[1] - a[1])[0] ?? [] : [];
        const largest = field === undefined ? "" : `; its largest field is ${field} (${fieldBytes} bytes)`;
        const advice = TOO_LARGE_ADVICE[key] ? `: ${TOO_LARGE_ADVICE[key]}` : "";
        throw new Error(`${path}.${key}[${i}]${id === undefined ? "" : ` (${JSON.stringify(id)})`} is ${b} bytes, more than one binding holds (${BINDING_LIMIT} bytes) even alone, and an element cannot span bindings${largest}${advice}${FILES_ADVICE}`);
      }
      const extra = part.length === 0 ? b : b + 1;
      if (size + extra > BINDING_LIMIT) flush();
      size += part.length === 0 ? b : b + 1;
      part.push(element);
    });
    if (part.length > 0 || names.length === 0) flush();
    out[key] = { $bindings: names };
  }
  return out;
}

/** Whether paths `a` and `b` name one file (the same file through a link too), or would once `a` is written. */
function sameFile(a, b) {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return resolve(a) === resolve(b);
  }
}

const isBound = (v) => typeof v === "object" && v !== null && !Array.isArray(v) && ["$binding", "$bindings", "$file", "$files"].some((k) => k in v);

/** The names of the secrets a configuration's `...Secret` fields name (each a binding of its own). */
function secretNames(v, into = new Set()) {
  if (Array.isArray(v)) for (const e of v) secretNames(e, into);
  else if (typeof v === "object" && v !== null) {
    for (const [k, e] of Object.entries(v)) {
      if (/Secret$/.test(k) && typeof e === "string") into.add(e);
      else secretNames(e, into);
    }
  }
  return into;
}

async function splitCmd(args) {
  const { opts, positional } = parseArgs(args, { out: "value", files: "flag" });
  if (positional.length !== 1) throw new UsageError("split needs exactly one FILE");
  if (opts.out === undefined) throw new UsageError("split needs --out DIR");
  // `--out .` beside sts-config.json would write the reduced configuration over the one it read,
  // whose inline sections would then survive only as pieces of bindings.json.
  const over = ["sts-config.json", "bindings.json"].map((f) => join(opts.out, f)).find((f) => sameFile(f, positional[0]));
  if (over !== undefined) throw new UsageError(`split would write ${over} over ${positional[0]}, the configuration it reads: give --out another directory`);
  const input = await readJson(positional[0]);
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error(`${positional[0]}: expected a JSON object (STS_CONFIG)`);
  const bound = Object.entries(input).find(([, v]) => isBound(v)) ?? (Array.isArray(input.realms) ? input.realms.flatMap((r) => Object.entries(r ?? {})).find(([, v]) => isBound(v)) : undefined);
  if (bound) throw new Error(`${positional[0]}: ${bound[0]} is already read from a binding or file: split takes the whole configuration, every section inline`);
  const bindings = new Map();
  const files = opts.files ? new Map() : undefined;
  const config = { ...input };
  // Each realm first, small enough to be one element of the realms section (its name, hosts and
  // path prefix stay in it: they say which realm it is).
  if (Array.isArray(config.realms)) {
    config.realms = config.realms.map((realm, i) =>
      typeof realm === "object" && realm !== null && !Array.isArray(realm)
        ? splitObject(realm, { path: `STS_CONFIG.realms[${i}]`, prefix: `REALM_${upperSnake(String(realm.name ?? i))}_`, limit: BINDING_LIMIT - 2, bindings, keep: ["name", "hosts", "pathPrefix"], files, folder: `realms/${kebab(String(realm.name ?? i))}/` })
        : realm,
    );
  }
  const reduced = splitObject(config, { path: "STS_CONFIG", prefix: "", limit: BINDING_LIMIT, bindings, files });
  const text = JSON.stringify(reduced);
  if (bytesOf(text) > BINDING_LIMIT) {
    const sizes = Object.entries(reduced).map(([k, v]) => [k, bytesOf(v)]).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, b]) => `${k} ${b}`).join(", ");
    throw new Error(`STS_CONFIG is still ${bytesOf(text)} bytes once every section is in bindings, more than ${BINDING_LIMIT}: the largest are ${sizes} bytes`);
  }
  const secrets = secretNames(input);
  const clash = [...bindings.keys()].find((n) => secrets.has(n) || n === "STS_CONFIG");
  if (clash) throw new Error(`the binding name ${clash} is also a secret this configuration names: rename that secret`);
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, "sts-config.json"), text);
  if (files !== undefined) return writeFiles(opts.out, text, files, secrets);
  writeFileSync(join(opts.out, "bindings.json"), JSON.stringify(Object.fromEntries(bindings), null, 2) + "\n");
  const total = 1 + bindings.size + secrets.size;
  console.log(`wrote ${join(opts.out, "sts-config.json")} (STS_CONFIG, ${bytesOf(text)} bytes) and ${join(opts.out, "bindings.json")} (${bindings.size} binding(s), the largest ${Math.max(0, ...[...bindings.values()].map(bytesOf))} bytes)`);
  const fits = total <= BINDING_COUNT_FREE ? "fits Workers Free and Paid" : total <= BINDING_COUNT_PAID ? `fits Workers Paid, not Free (${BINDING_COUNT_FREE})` : `is more than a Worker has (${BINDING_COUNT_PAID} on Workers Paid, ${BINDING_COUNT_FREE} on Free): put users in the user directory (users import) rather than users[], each of which names a secret`;
  console.log(`bindings: ${total} = STS_CONFIG + ${bindings.size} configuration + ${secrets.size} secret(s) it names, which ${fits}`);
  return total <= BINDING_COUNT_PAID ? 0 : 1;
}

/**
 * `split --files`: the sections moved go to OUT/config/, the directory the build bundles when
 * STS_CONFIG_DIR names it. Only STS_CONFIG and the secrets it names remain bindings.
 */
function writeFiles(out, text, files, secrets) {
  const dir = join(out, "config");
  for (const [name, json] of files) {
    mkdirSync(join(dir, ...name.split("/").slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, ...name.split("/")), json);
  }
  const bytes = [...files.values()].reduce((n, t) => n + bytesOf(t), 0);
  console.log(`wrote ${join(out, "sts-config.json")} (STS_CONFIG, ${bytesOf(text)} bytes) and ${files.size} file(s) under ${dir} (${bytes} bytes), to bundle at deploy time: STS_CONFIG_DIR=${dir} npx wrangler deploy`);
  const total = 1 + secrets.size;
  const fits = total <= BINDING_COUNT_FREE ? "fits Workers Free and Paid" : total <= BINDING_COUNT_PAID ? `fits Workers Paid, not Free (${BINDING_COUNT_FREE})` : `is more than a Worker has (${BINDING_COUNT_PAID} on Workers Paid, ${BINDING_COUNT_FREE} on Free): put users in the user directory (users import) rather than users[], each of which names a secret`;
  console.log(`bindings: ${total} = STS_CONFIG + ${secrets.size} secret(s) it names, which ${fits}`);
  if (bytes > MAX_TOTAL_BYTES) console.log(`warning: the files hold ${bytes} bytes, more than the build bundles (${MAX_TOTAL_BYTES})`);
  return total <= BINDING_COUNT_PAID ? 0 : 1;
}

/**
 * What would not fit once uploaded: the configuration file as it is (README uploads it with
 * `wrangler secret put STS_CONFIG < sts-config.json`, unminified), and each binding the
 * configuration reads — secrets and `$binding` sections alike — as its value's bytes.
 */
function sizeWarnings(file, reads) {
  const out = [];
  const limit = `a Workers variable or secret holds at most 5 KB (${BINDING_LIMIT} bytes)`;
  const size = statSync(file).size;
  if (size > BINDING_LIMIT) {
    const minified = Buffer.byteLength(JSON.stringify(JSON.parse(readFileSync(file, "utf8"))));
    const fits = minified <= BINDING_LIMIT ? `; minified it is ${minified} bytes and would fit` : "";
    out.push(`warning: ${file} is ${size} bytes and ${limit}: move sections into bindings of their own ("relyingParties": { "$binding": "NAME" }, or { "$bindings": [...] } for an array; \`sts config split\` does it), or into files bundled at deploy time ({ "$file": "NAME.json" }; \`sts config split --files\`)${fits}`);
  }
  // STS_CONFIG is one more. Each configured user's password hash and each client's secret hash is
  // a secret of its own, so a few hundred of them cannot be uploaded at all.
  const count = reads.size + 1;
  if (count > BINDING_COUNT_FREE) {
    const plan = count > BINDING_COUNT_PAID ? `a Worker has at most ${BINDING_COUNT_PAID} variables and secrets (${BINDING_COUNT_FREE} on Workers Free)` : `Workers Free allows a Worker ${BINDING_COUNT_FREE} variables and secrets (Workers Paid ${BINDING_COUNT_PAID})`;
    out.push(`warning: this configuration reads ${count} bindings (STS_CONFIG and ${reads.size} it names) and ${plan}: put users in the user directory (users import) rather than users[], each of which names a secret`);
  }
  for (const [name, value] of reads) {
    const bytes = Buffer.byteLength(typeof value === "string" ? value : JSON.stringify(value));
    if (bytes <= BINDING_LIMIT) continue;
    const key = typeof value === "string" && value.includes("PRIVATE KEY-----") ? ": an RSA key of at most 4096 bits, or an EC key, fits" : "";
    out.push(`warning: the binding ${name} is ${bytes} bytes and ${limit}${key}`);
  }
  return out;
}

async function checkConfig(args) {
  const { opts, positional } = parseArgs(args, { env: "value", dev: "flag", "config-dir": "value" });
  const { validateConfig, ConfigError } = await import(src("config/validate.ts"));
  let input;
  let secrets;
  let options = {};
  if (opts.dev) {
    if (positional.length || opts.env || opts["config-dir"]) throw new UsageError("--dev takes no FILE, --env or --config-dir");
    const dev = await import(src("config/dev.ts"));
    input = dev.DEV_CONFIG;
    secrets = dev.DEV_SECRETS;
    options = { mode: "development" };
  } else {
    if (positional.length !== 1) throw new UsageError("check-config needs exactly one FILE");
    input = await readJson(positional[0]);
    secrets = opts.env === undefined ? process.env : await readJson(opts.env, "--env");
    if (typeof secrets !== "object" || secrets === null || Array.isArray(secrets)) {
      throw new Error(`--env ${opts.env}: expected a JSON object of binding name -> value`);
    }
    // The files the build would bundle, read and checked as the build reads them.
    options = { files: readConfigFiles(configDir(opts["config-dir"])) };
  }
  // The bindings validation reads, with their values: each is uploaded on its own (secret or
  // variable) and is measured against the limit below.
  const reads = new Map();
  const tracked = new Proxy(secrets, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key === "string" && v !== undefined && v !== null) reads.set(key, v);
      return v;
    },
  });
  try {
    const c = validateConfig(input, tracked, options);
    const summary = (r) =>
      `issuer ${r.issuer ?? "(request origin)"}, ${r.keys.length} key(s), ` +
      `${r.relyingParties.length} relying part${r.relyingParties.length === 1 ? "y" : "ies"}, ` +
      `${r.users.size} user(s), ${r.oauthClients.size} OAuth client(s), ` +
      `${r.serviceAccounts.size} service account(s), ${r.trustedIssuers.length} trusted issuer(s)`;
    // The keys as the worker loads them, every realm's (src/config/key-rings.ts): a private key
    // that does not match its certificate is found here, not at the first request; certificates
    // near their end are named.
    const { loadKeyRings } = await import(src("config/key-rings.ts"));
    const { expiryNotices } = await import(src("keys/expiry.ts"));
    const { datedCertificates } = await import(src("config/dated-certificates.ts"));
    const { directoryPrincipals } = await import(src("config/validate-certificates.ts"));
    const rings = await loadKeyRings(c);
    const warnings = [];
    for (const [r, ring] of rings) {
      const where = r.realm === undefined ? "STS_CONFIG" : `realm ${r.realm}`;
      for (const n of expiryNotices(datedCertificates(r, ring.all()), new Date())) warnings.push(`warning (${where}): ${n.message}`);
      // Not checked here: the directory is the deployment's (the worker logs the names it lacks).
      for (const { field, name } of directoryPrincipals(r)) {
        warnings.push(`note: ${field}: ${JSON.stringify(name)} is no configured user or service account, so it must be a user of the user directory (USERS_DB), looked up when a certificate mapped to it is presented`);
      }
    }
    console.log(`OK (${c.mode}): ${summary(c)}`);
    for (const realm of c.realms ?? []) {
      const at = [...realm.hosts, ...(realm.pathPrefix ? [realm.pathPrefix] : [])].join(", ");
      console.log(`  realm ${realm.name} (${at}): ${summary(realm.config)}`);
    }
    if (!opts.dev) {
      const { configAdvice } = await import(src("config/advice.ts"));
      for (const a of configAdvice(c, secrets)) warnings.push(`warning: ${a.message}`);
      const { publishedBindings, publishedMessage } = await import(src("config/dev.ts"));
      const published = publishedBindings(reads);
      if (published.length > 0) warnings.push(`warning: ${publishedMessage(published)}`);
    }
    for (const w of warnings) console.log(w);
    if (!opts.dev) for (const w of sizeWarnings(positional[0], reads)) console.log(w);
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return 1;
  }
}



