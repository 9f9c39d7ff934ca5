// The STS's administration API (/admin/...) as the CLI calls it: a service account's HTTP Basic
// credentials from options or the environment, JSON in and out (each answer's shape checked), a
// 429 waited out, and the STS's own wording of a refusal. Shared by `users` and `revoke-subject`.
import { noAnswer } from "./errors.mjs";
import { DEFAULT_TIMEOUT_SECONDS, TIMEOUT_OPTION, UnexpectedAnswer, send, timeoutOf } from "./http.mjs";
import { UsageError, readCredentialFile, withUsage } from "./input.mjs";
import { misfit } from "./shape.mjs";
import { visible } from "./terminal.mjs";
import { checkCredentialTarget, stsUrl } from "./url.mjs";

/** The options every administration command takes, for parseArgs. */
export const CONNECTION_OPTIONS = { url: "value", admin: "value", "admin-secret-file": "value", ...TIMEOUT_OPTION };

/** The connection options' help text, the same for every administration command. */
export const CONNECTION_HELP = `--url URL (default $STS_URL, else http://127.0.0.1:8787; a realm's base such as
http://127.0.0.1:8787/realms/realm2 works too) and --admin NAME (default $STS_ADMIN) with the
account's secret in $STS_ADMIN_SECRET or in --admin-secret-file FILE, and --timeout SECONDS
to wait for each answer (default ${DEFAULT_TIMEOUT_SECONDS})`;

/** An error answer of the API: printed as the STS worded it. */
export class ApiError extends Error {
  constructor(status, body) {
    const text = (name, otherwise) => (typeof body?.[name] === "string" ? visible(body[name]) : otherwise);
    super(`${text("error_description", "refused, with no description")} (${text("error", "no error code")}, HTTP ${status})`);
    this.status = status;
  }
}

/**
 * The API client the parsed options name: `api(method, path, body?)` resolves to the JSON answer.
 * @param {Record<string, string>} opts  parsed with CONNECTION_OPTIONS
 * @param {string} tool  the command's name for messages, e.g. "sts users"
 */
export function connect(opts, tool) {
  const name = opts.admin ?? process.env.STS_ADMIN;
  if (!name) throw new UsageError("name the administration account: --admin NAME or STS_ADMIN");
  const file = opts["admin-secret-file"];
  const secret = file === undefined ? process.env.STS_ADMIN_SECRET : readCredentialFile(file, "--admin-secret-file");
  if (!secret) throw new UsageError("give the account's secret: STS_ADMIN_SECRET or --admin-secret-file FILE");
  const url = (opts.url ?? process.env.STS_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
  checkCredentialTarget(url);
  const api = client(url, "Basic " + Buffer.from(`${name}:${secret}`).toString("base64"), tool, timeoutOf(opts));
  // The STS it calls, as one string for each spelling of it, without any user:password (an import's journal names it).
  api.url = stsUrl(url, "");
  return api;
}

/**
 * Calls the API; retries after a 429 as Retry-After says; other errors throw ApiError.
 * `api(method, path, body?, { shape?, maxBytes? })` resolves to the JSON answer, checked against
 * `shape` (shape.mjs: an answer of another shape throws UnexpectedAnswer); `maxBytes` for an
 * answer that may be larger than most.
 */
function client(url, authorization, tool, timeout) {
  return async function api(method, path, body, { shape, maxBytes } = {}) {
    for (;;) {
      let res;
      try {
        res = await send(stsUrl(url, path), {
          method,
          headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          timeout,
          maxBytes,
        });
      } catch (e) {
        if (noAnswer(e) !== undefined) e.url = stsUrl(url, ""); // for the message: the STS that did not answer (without any user:password the --url carried)
        throw e;
      }
      let json = null;
      try {
        json = res.text ? JSON.parse(res.text) : null;
      } catch {
        // Say what answered, not its markup: a proxy's or another server's HTML page names nothing.
        throw new UnexpectedAnswer(res, "not JSON, so not the STS's administration API: is --url the STS's address?");
      }
      if (res.status === 429) {
        const wait = Math.min(120, Math.max(1, Number(res.headers.get("retry-after")) || 1));
        process.stderr.write(`${tool}: rate limited; trying again in ${wait} s\n`);
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      if (res.status >= 400) throw new ApiError(res.status, json);
      const wrong = shape === undefined ? undefined : misfit(json, shape);
      if (wrong !== undefined) throw new UnexpectedAnswer(res, wrong);
      return json;
    }
  };
}

/**
 * Runs one administration command: a usage mistake prints the usage (exit 2), the API's refusal
 * its wording (exit 1).
 */
export async function guarded(tool, usage, fn) {
  return withUsage(tool, usage, async () => {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e; // the entry explains the rest (scripts/cli/errors.mjs), a fetch failure with its URL
      console.error(`${tool}: ${e.message}`);
      return 1;
    }
  });
}
