// Where the CLI sends a request: under the STS base URL the user gave.
import { isLoopbackHost } from "../../src/config/loopback.ts";

/**
 * `path` (starting with "/") under the STS base URL `base`, its origin and path kept: a realm
 * reached by its prefix (`http://127.0.0.1:8787/realms/realm2`) has every endpoint under it,
 * which `new URL("/trust/mex", base)` would drop. Throws ERR_INVALID_URL for a malformed base, and
 * an Error for a base that is not http(s).
 */
export function stsUrl(base, path) {
  const u = new URL(base);
  // "localhost:8787" parses, as the scheme "localhost:" with an opaque path and the origin
  // "null": taken as it is, every endpoint became "null8787/trust/mex".
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    const hint = base.includes("//") ? "" : `, such as http://${base}`;
    throw new Error(`not an http(s) URL: ${base} (give the STS's address with its scheme${hint})`);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}${path}`;
}


/**
 * Throws unless credentials may be sent to `target`: over https, or over plain http to this
 * machine only (STS_CLI_ALLOW_HTTP=1 allows any plain-http host, for a test network). An
 * endpoint named by the metadata at `base` may not step down from https to http either: the
 * metadata came over the network and does not get to choose a weaker channel.
 */
export function checkCredentialTarget(target, base = target) {
  const t = new URL(target);
  if (t.protocol === "https:") return;
  if (new URL(base).protocol === "https:") throw new Error(`the metadata at ${base} names ${target}, which is not https: credentials are not sent there`);
  if (t.protocol !== "http:") throw new Error(`${target} is not an http(s) address (its scheme is ${t.protocol.slice(0, -1)}): the STS is reached over https, or plain http to this machine`);
  if (t.protocol === "http:" && (isLoopbackHost(t.hostname) || t.hostname.endsWith(".localhost"))) return;
  if (t.protocol === "http:" && process.env.STS_CLI_ALLOW_HTTP === "1") return;
  throw new Error(`credentials are not sent over plain http to ${t.host}: use https (plain http goes only to this machine, unless STS_CLI_ALLOW_HTTP=1)`);
}
