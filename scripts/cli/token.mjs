// `npm run sts -- token --url http://127.0.0.1:8787 --user alice --password wonderland
//    --applies-to urn:example:rp [--token-type saml2|saml1|jwt] [--soap 1.1|1.2]
//    [--trust 13|2005] [--out file] [--raw-response file]
//    [--key-type bearer|symmetric|public-key] [--entropy random|none|BASE64] [--key-size BITS]
//    [--public-key PEM-FILE] [--proof-key-out FILE]`
// or, with a certificate instead of a password (certificatemixed, a signed message; sign.mjs):
// `npm run sts -- token --url … --cert client.cert.pem --key client.key.pem --applies-to …`
//
// Discovers the usernamemixed endpoint from GET /trust/mex (as a real WS-Trust client does),
// sends an RST Issue with a UsernameToken and prints the issued token, or the SOAP fault reason
// (exit 1).
import { writeFileSync } from "node:fs";
import { buildTrustRequest } from "./envelope.mjs";
import { findUsernameMixed } from "./mex.mjs";
import { faultLine, parseIssueResponse } from "./rstr.mjs";
import { entropyFrom, proofKeyOf, useKeyFromFile } from "./proof-key.mjs";
import { requestTokenWithCertificate } from "./sign.mjs";
import { explain } from "./errors.mjs";
import { TIMEOUT_HELP, TIMEOUT_OPTION, UnexpectedAnswer, send, timeoutOf } from "./http.mjs";
import { PASSWORD_HELP, UsageError, noPositional, parseArgs, userPassword, withUsage, wholeNumber } from "./input.mjs";
import { checkWritable, writePrivateFile } from "./output.mjs";
import { readCertificateFile, readSigningKey } from "./pem.mjs";
import { excerpt } from "./terminal.mjs";
import { parseXml } from "./xml.mjs";
import { checkCredentialTarget, stsUrl } from "./url.mjs";

export const USAGE = `usage: sts token --url URL (--user NAME [--password-file FILE] | --cert CERT.pem --key KEY.pem)
                 --applies-to URI [--token-type saml2|saml1|jwt] [--soap 1.1|1.2] [--trust 13|2005]
                 [--out FILE] [--raw-response FILE]
                 [--key-type bearer|symmetric|public-key] [--entropy random|none|BASE64]
                 [--key-size BITS] [--public-key PEM-FILE] [--proof-key-out FILE]
                 [--claims URI[?][=VALUE],...] [--timeout SECONDS]
  ${PASSWORD_HELP}
  --cert/--key: sign the request with the certificate's key (certificatemixed endpoint; bearer only)
  symmetric: the proof key (computed from both entropies, or sent by the STS) is written
             base64 to --proof-key-out (default: printed to stderr);
  public-key: --public-key is a PUBLIC KEY (RSA, EC) or CERTIFICATE PEM, sent in wst:UseKey.
  --claims: wst:Claims, comma-separated claim-type URIs; URI? is optional, URI=VALUE asks for
            that value (the authorization dialect; otherwise the identity dialect).
  ${TIMEOUT_HELP}`;

/** `--claims` into claim requests: `URI`, `URI?` (optional), `URI=VALUE` (with auth:Value). */
export function parseClaims(spec) {
  return spec.split(",").filter(Boolean).map((item) => {
    const eq = item.indexOf("=");
    const [name, value] = eq < 0 ? [item, undefined] : [item.slice(0, eq), item.slice(eq + 1)];
    const optional = name.endsWith("?");
    return { uri: optional ? name.slice(0, -1) : name, optional, ...(value === undefined ? {} : { value }) };
  });
}

/**
 * Fetches the mex WSDL and returns the usernamemixed endpoint for a WS-Trust version.
 * @param {string} baseUrl  the STS origin, e.g. http://127.0.0.1:8787, or a realm's base under
 *   its path prefix, e.g. http://127.0.0.1:8787/realms/realm2
 * @param {"13"|"2005"} trust
 * @param {"1.1"|"1.2"} [soap]
 * @param {number} [timeout]  seconds to wait for the answer
 * @returns {Promise<string>}
 */
export async function discoverEndpoint(baseUrl, trust, soap, timeout) {
  const mexUrl = stsUrl(baseUrl, "/trust/mex");
  const answer = await send(mexUrl, { timeout });
  if (answer.status === 404) throw new Error(`GET ${mexUrl} → HTTP 404: is --url the STS's address (for a realm served under a path prefix, with that prefix)?`);
  const notMex = (why) => new UnexpectedAnswer(answer, `not the STS's WS-MetadataExchange document${why ? ` (${why})` : ""}: ${excerpt(answer.text)}`);
  if (answer.status !== 200) throw notMex();
  try {
    parseXml(answer.text);
  } catch (e) {
    throw notMex(e.message);
  }
  try {
    return findUsernameMixed(answer.text, trust, soap);
  } catch (e) {
    throw new UnexpectedAnswer(answer, e.message);
  }
}

/**
 * Requests a token: discovery (unless `endpoint` is given), RST Issue, response parsing.
 * @param {{ url: string, user: string, password: string, appliesTo: string,
 *   tokenType?: string, soap?: "1.1"|"1.2", trust?: "13"|"2005", endpoint?: string,
 *   doctype?: boolean, keyType?: "bearer"|"symmetric"|"public-key", entropy?: Buffer,
 *   keySize?: number, useKey?: string, timeout?: number }} opts  `timeout` in seconds, for each request
 * @returns {Promise<import("./rstr.mjs").IssueResult & { answer: import("./http.mjs").Answer,
 *   status: number, endpoint: string, contentType: string|null, responseText: string, requestText: string }>}
 */
export async function requestToken(opts) {
  const { answer, endpoint, req } = await postTrust({ ...opts, requestType: "Issue" });
  const text = answer.text;
  const parsed = parseIssueResponse(text);
  return {
    ...parsed,
    proofKey: parsed.ok ? proofKeyOf(parsed.proof, opts.entropy) : undefined,
    answer,
    status: answer.status,
    endpoint,
    contentType: answer.headers.get("content-type"),
    responseText: text,
    requestText: req.body,
  };
}

/**
 * Sends one WS-Trust request (any RequestType) to the usernamemixed endpoint, discovered from
 * /trust/mex unless `endpoint` is given.
 * @param {{ url: string, user: string, password: string, trust?: "13"|"2005", soap?: "1.1"|"1.2",
 *   endpoint?: string, timeout?: number } & Record<string, unknown>} o  plus the fields of buildTrustRequest
 * @returns {Promise<{ answer: import("./http.mjs").Answer, endpoint: string, req: { body: string } }>}
 */
export async function postTrust(o) {
  const trust = o.trust ?? "13";
  const soap = o.soap ?? "1.2";
  const endpoint = o.endpoint ?? (await discoverEndpoint(o.url, trust, soap, o.timeout));
  checkCredentialTarget(endpoint, o.url ?? endpoint);
  const req = buildTrustRequest({ ...o, to: endpoint, username: o.user, password: o.password, soap, trust });
  const answer = await send(endpoint, { method: "POST", headers: req.headers, body: req.body, timeout: o.timeout });
  return { answer, endpoint, req };
}

/** The options `sts token` reads. */
const TOKEN_OPTIONS = {
  url: "value", user: "value", password: "value", "password-file": "value", cert: "value", key: "value", "applies-to": "value", "token-type": "value",
  soap: ["1.1", "1.2"], trust: ["13", "2005"], out: "value", "raw-response": "value",
  "key-type": ["bearer", "symmetric", "public-key"], entropy: "value", "key-size": "value", "public-key": "value", "proof-key-out": "value", claims: "value",
  ...TIMEOUT_OPTION,
};

/** The options of one `sts token` call, checked; a mistake throws UsageError. */
function readOptions(args) {
  const { opts: f, positional } = parseArgs(args, TOKEN_OPTIONS);
  noPositional(positional);
  const byCertificate = f.cert !== undefined || f.key !== undefined;
  const missing = ["url", ...(byCertificate ? ["cert", "key"] : ["user"]), "applies-to"].filter((k) => f[k] === undefined);
  if (missing.length) throw new UsageError(`missing --${missing.join(", --")}`);
  const keyType = f["key-type"] ?? "bearer";
  if (byCertificate && keyType !== "bearer") throw new UsageError("--cert/--key requests bearer tokens; ask for proof keys with --user/--password");
  if ((keyType === "public-key") !== (f["public-key"] !== undefined)) throw new UsageError("--public-key goes with (and is needed by) --key-type public-key");
  return {
    ...f,
    byCertificate,
    keyType,
    soap: f.soap ?? "1.2",
    trust: f.trust ?? "13",
    entropy: keyType === "symmetric" ? entropyFrom(f.entropy) : undefined,
    // WS-Trust 1.3 §4.4.3: wst:KeySize is a number of bits.
    keySize: wholeNumber(f, "key-size", { min: 1, max: 16384, unit: "bits" }),
    timeout: timeoutOf(f),
  };
}

/**
 * CLI entry point.
 * @param {string[]} args
 * @returns {Promise<number>} exit code
 */
export function run(args) {
  return withUsage("sts token", USAGE, () => issue(readOptions(args)));
}

/** Requests the token the options ask for, and writes or prints it. */
async function issue(f) {
  const { byCertificate, keyType, soap, trust } = f;
  const password = byCertificate ? undefined : await userPassword(f);
  let r;
  try {
    checkWritable(f, ["out", "raw-response", "proof-key-out"]);
    r = byCertificate
      ? await requestTokenWithCertificate({
          url: f.url,
          keyPem: readSigningKey(f.key, "--key").pem,
          certPem: readCertificateFile(f.cert, "--cert", { swapWith: "--key" }),
          appliesTo: f["applies-to"],
          tokenType: f["token-type"],
          soap,
          trust,
          timeout: f.timeout,
        })
      : await requestToken({
          keyType,
          entropy: f.entropy,
          keySize: f.keySize,
          useKey: f["public-key"] === undefined ? undefined : useKeyFromFile(f["public-key"]),
          url: f.url,
          user: f.user,
          password,
          appliesTo: f["applies-to"],
          tokenType: f["token-type"],
          soap,
          trust,
          claims: f.claims === undefined ? undefined : parseClaims(f.claims),
          timeout: f.timeout,
        });
  } catch (e) {
    console.error(`sts token: ${explain(e)}`);
    return 1;
  }
  if (f["raw-response"]) writeFileSync(f["raw-response"], r.responseText);
  if (!r.ok && r.code.startsWith("client:")) {
    console.error(`sts token: ${new UnexpectedAnswer(r.answer, r.reason).message}`);
    return 1;
  }
  if (!r.ok) {
    console.error(`sts token: ${faultLine(r.status, r.code, r.subcode, r.reason)}`);
    return 1;
  }
  if (r.proofKey) {
    // The proof key is a secret key, as a DPoP key or a generated private key is: its owner's alone.
    if (f["proof-key-out"]) writePrivateFile(f["proof-key-out"], r.proofKey.toString("base64") + "\n");
    else console.error(`proof key (base64): ${r.proofKey.toString("base64")}`);
  }
  if (f.out) writeFileSync(f.out, r.token);
  else process.stdout.write(r.token + "\n");
  return 0;
}
