// How the CLI asks an STS: every request of every command goes through `send`, so each one is
// held to the same rules — no redirect followed, a bounded wait, a bounded answer.
import { wholeNumber } from "./input.mjs";

/**
 * @typedef {{ method: string, url: string, status: number, headers: Headers, text: string }} Answer
 *   what came back: the request's method and URL, the status, the headers and the body as text
 */

/** How long a request waits for its whole answer unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/**
 * The largest answer read: well above any the STS gives (a token, an RSTR, the mex WSDL, a page
 * of users at the default size), far below what would fill the memory of the machine.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The option every command that sends requests takes, for parseArgs, and its help line. */
export const TIMEOUT_OPTION = { timeout: "value" };
export const TIMEOUT_HELP = `--timeout SECONDS    how long to wait for each answer (default ${DEFAULT_TIMEOUT_SECONDS})`;

/** The --timeout of parsed options, in seconds; a UsageError when it is no whole number from 1 to 3600. */
export function timeoutOf(opts) {
  return wholeNumber(opts, "timeout", { min: 1, max: 3600, fallback: DEFAULT_TIMEOUT_SECONDS, unit: "seconds" });
}

/**
 * An answer that is not what the request asks for: says what came back (the URL, the status,
 * the content type) and what is wrong with it.
 */
export class UnexpectedAnswer extends Error {
  /** @param {Answer} answer  @param {string} problem */
  constructor(answer, problem) {
    super(`unexpected answer from ${answer.url} (HTTP ${answer.status}, ${mediaType(answer)}): ${problem}`);
  }
}

/** The answer's media type ("text/html"), or "no content type". */
export function mediaType(answer) {
  return (answer.headers.get("content-type") ?? "no content type").split(";")[0].trim();
}

/**
 * No whole answer within the wait. The request may have reached the STS and been acted on, as
 * when a connection breaks (errors.mjs noAnswer counts it among those).
 */
export class NoTimelyAnswer extends Error {
  constructor(url, seconds) {
    super(`no answer from ${url} within ${seconds} s (--timeout sets the wait)`);
    this.url = url;
    this.seconds = seconds;
  }
}

/**
 * Sends one request and reads its answer. A redirect is not followed: the request may carry a
 * password, a client secret or a token, and following the Location would send them wherever it
 * points, past the check that sends them only over https or to this machine
 * (url.mjs checkCredentialTarget), which judged the address given. The whole exchange waits at
 * most `timeout` seconds (Node's own limit is 300 s for the headers alone, then the body without
 * end), and an answer longer than `maxBytes` is not read further. A fetch that gets no answer
 * carries the URL it was sent to (`e.url`), for the message (errors.mjs explain).
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string, timeout?: number,
 *   maxBytes?: number }} [init]  `timeout` in seconds
 * @returns {Promise<Answer>}
 */
export async function send(url, { method = "GET", headers, body, timeout = DEFAULT_TIMEOUT_SECONDS, maxBytes = MAX_ANSWER_BYTES } = {}) {
  const signal = AbortSignal.timeout(timeout * 1000);
  try {
    let res;
    try {
      res = await fetch(url, { method, headers, body, redirect: "manual", signal });
    } catch (e) {
      if (e && typeof e === "object") e.url = url;
      throw e;
    }
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      throw new Error(
        `${method} ${url} → HTTP ${res.status}, a redirect to ${resolved(location, url)}: not followed (a redirect could take the request's credentials anywhere); if that is the STS's address, give it as --url`,
      );
    }
    const text = await readText(res, maxBytes, () => `${method} ${url} → HTTP ${res.status}: the answer is larger than ${mebibytes(maxBytes)}, more than the STS sends; it was not read`);
    return { method, url, status: res.status, headers: res.headers, text };
  } catch (e) {
    if (signal.aborted && e?.name === "TimeoutError") throw new NoTimelyAnswer(url, timeout);
    throw e;
  }
}

/** The body as text, or the error `tooBig()` makes once it passes `maxBytes`. */
async function readText(res, maxBytes, tooBig) {
  if (Number(res.headers.get("content-length")) > maxBytes) {
    await res.body?.cancel();
    throw new Error(tooBig());
  }
  if (!res.body) return "";
  const chunks = [];
  let size = 0;
  // Leaving the loop early (the throw) cancels the rest of the body.
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(tooBig());
    chunks.push(chunk);
  }
  // As Response.text() decodes: UTF-8, a byte-order mark dropped.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** A size for people: "4 MiB", "9.8 MiB". */
function mebibytes(bytes) {
  const m = bytes / (1024 * 1024);
  return `${Number.isInteger(m) ? m : m.toFixed(1)} MiB`;
}

/** The Location as an absolute URL when it resolves to one, else as it was sent. */
function resolved(location, base) {
  try {
    return new URL(location, base).href;
  } catch {
    return JSON.stringify(location);
  }
}
