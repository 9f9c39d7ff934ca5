// `npm run sts -- config <subcommand>` — credential hashing and configuration checks.
//
//   hash-password [--iterations N]   PBKDF2-SHA256 hash for a user's passwordHashSecret
//   hash-secret                      sha256$hex for a client's / service account's secretHashSecret
//   generate-secret                  a fresh 32-byte base64url secret and its sha256$ hash
//   check-config FILE [--env FILE]   validate an STS_CONFIG JSON file (exit 1 with field errors)
//   check-config --dev               validate the embedded development configuration
//
// Secrets are read from stdin when it is piped (one trailing newline is stripped) or prompted
// for without echo on a terminal. The hashing and validation code is the worker's own
// (src/identity, src/config), imported through Node 22's TypeScript type stripping, so what
// this prints is exactly what the worker accepts.
import { readFileSync, statSync } from "node:fs";
import { UsageError, noPositional, parseArgs, readJson, readSecret, withUsage } from "./input.mjs";

export const USAGE = `usage: sts config hash-password [--iterations N]   (password on stdin or prompted)
       sts config hash-secret                      (secret on stdin or prompted)
       sts config generate-secret
       sts config check-config FILE [--env SECRETS.json]
       sts config check-config --dev

check-config resolves the configuration's ...Secret binding names from SECRETS.json (an object
of binding name -> value, as for \`wrangler secret bulk\`), or from the process environment
when --env is not given.`;

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
    out.push(`warning: ${file} is ${size} bytes and ${limit}: move sections into bindings of their own ("relyingParties": { "$binding": "NAME" })${fits}`);
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
  const { opts, positional } = parseArgs(args, { env: "value", dev: "flag" });
  const { validateConfig, ConfigError } = await import(src("config/validate.ts"));
  let input;
  let secrets;
  let options = {};
  if (opts.dev) {
    if (positional.length || opts.env) throw new UsageError("--dev takes no FILE or --env");
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



