// `npm run sts -- validate|renew|cancel --url URL --user NAME --password PW --token FILE
//    [--token-type status(validate only)|saml2|saml1|jwt] [--applies-to URI] [--soap 1.1|1.2] [--trust 13|2005]`
//
// WS-Trust Validate / Renew / Cancel of a token you hold (a SAML assertion file, or a compact
// JWT), sent to the usernamemixed endpoint discovered from /trust/mex. The caller is the
// token's own subject or a service account (e.g. rp-validator). `validate` also takes a PEM
// certificate: does the STS trust it, and whom does it act as?
import { writeFileSync } from "node:fs";
import { faultLine, parseIssueResponse } from "./rstr.mjs";
import { visible } from "./terminal.mjs";
import { PASSWORD_HELP, UsageError, noPositional, parseArgs, readInputFile, userPassword, withUsage } from "./input.mjs";
import { checkWritable } from "./output.mjs";
import { TIMEOUT_HELP, TIMEOUT_OPTION, UnexpectedAnswer, timeoutOf } from "./http.mjs";
import { postTrust } from "./token.mjs";
import { BASE64_BINARY, NS, select, selectText, tokenElement } from "./xml.mjs";

const JWT_VT = "urn:ietf:params:oauth:token-type:jwt";
const WSSE = NS.wsse;

const X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * The token as it goes inside a target element: XML as is, a JWT in a BinarySecurityToken, a
 * PEM certificate (the first, when the file holds a chain) in an X.509 BinarySecurityToken —
 * Validate then says whether the STS would accept that certificate from a requestor.
 */
export function targetXml(token) {
  const t = token.trim();
  const pem = PEM_CERTIFICATE.exec(t);
  if (pem) {
    return `<wsse:BinarySecurityToken xmlns:wsse="${WSSE}" ValueType="${X509V3}" EncodingType="${BASE64_BINARY}">${pem[1].replace(/\s+/g, "")}</wsse:BinarySecurityToken>`;
  }
  if (t.startsWith("<")) return t;
  return `<wsse:BinarySecurityToken xmlns:wsse="${WSSE}" ValueType="${JWT_VT}" EncodingType="${BASE64_BINARY}">${Buffer.from(t).toString("base64")}</wsse:BinarySecurityToken>`;
}

/**
 * Sends Validate, Renew or Cancel for `token`.
 * @param {{ url: string, user: string, password: string, op: "Validate"|"Renew"|"Cancel",
 *   token: string, tokenType?: string, appliesTo?: string, soap?: "1.1"|"1.2", trust?: "13"|"2005",
 *   endpoint?: string, timeout?: number }} o  `timeout` in seconds
 * @returns {Promise<{ status: number, text: string, answer: import("./http.mjs").Answer,
 *   fault?: { code: string, reason: string }, valid?: boolean, reason?: string, cancelled?: boolean,
 *   token?: string, unexpected?: string }>}  `unexpected` says what is wrong with an answer that
 *   is none of the others (not SOAP, or SOAP without what the operation answers)
 */
export async function manageToken(o) {
  const { answer } = await postTrust({
    url: o.url,
    user: o.user,
    password: o.password,
    endpoint: o.endpoint,
    requestType: o.op,
    target: targetXml(o.token),
    tokenType: o.tokenType ?? (o.op === "Validate" ? "status" : undefined),
    appliesTo: o.appliesTo,
    soap: o.soap,
    trust: o.trust,
    timeout: o.timeout,
  });
  const { status, text } = answer;
  const r = parseIssueResponse(text);
  if (r.code === "client:unparseable") return { status, text, answer, unexpected: r.reason };
  if (!r.ok && !r.code.startsWith("client:")) return { status, text, answer, fault: { code: r.subcode ?? r.code, reason: r.reason } };
  // A transformation answers with the new token and a wst:Status valid beside it (WS-Trust 1.3
  // §7): the token is what was asked for.
  if (r.ok) return { status, text, answer, token: r.token };
  const doc = r.document;
  const code = selectText("//wst13:Status/wst13:Code | //wst05:Status/wst05:Code", doc);
  if (code) {
    return { status, text, answer, valid: code.trim().endsWith("/status/valid"), reason: selectText("//wst13:Status/wst13:Reason | //wst05:Status/wst05:Reason", doc)?.trim() };
  }
  if (select("//wst13:RequestedTokenCancelled | //wst05:RequestedTokenCancelled", doc).length) return { status, text, answer, cancelled: true };
  const expected = { Validate: "wst:Status or RequestedSecurityToken", Renew: "RequestedSecurityToken", Cancel: "RequestedTokenCancelled" }[o.op];
  return { status, text, answer, unexpected: `a SOAP message without the ${expected} a ${o.op} response carries` };
}

/**
 * The token file's text, checked before it is sent: a file that cannot be read, is empty or holds
 * no token is named here, not left to a SOAP fault about the request it was pasted into. XML is
 * sent as its token element ({@link tokenElement}): the file xmlsec1 --decrypt writes is taken.
 */
export function readTokenFile(path) {
  const text = readInputFile(path, "--token").trim();
  if (text === "") throw new Error(`--token ${path}: the file is empty`);
  if (PEM_CERTIFICATE.test(text)) return text;
  if (text.startsWith("<")) {
    try {
      return tokenElement(text).xml;
    } catch (e) {
      throw new Error(`--token ${path}: ${e.message}`);
    }
  }
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}$/.test(text)) throw new Error(`--token ${path}: holds neither a SAML assertion (XML), a JWT, nor a PEM certificate`);
  return text;
}

/**
 * The usage line of one lifecycle command. The Status token type is Validate's alone (the STS
 * refuses it for Renew and Cancel), and only Validate and Renew answer with a token to write.
 */
function usage(op) {
  const tokenTypes = op === "Validate" ? "status|saml2|saml1|jwt" : "saml2|saml1|jwt";
  return (
    `usage: sts ${op.toLowerCase()} --url URL --user NAME [--password-file FILE] --token FILE [--token-type ${tokenTypes}] [--applies-to URI]` +
    ` [--soap 1.1|1.2] [--trust 13|2005]${op === "Cancel" ? "" : " [--out FILE]"} [--timeout SECONDS]` +
    `\n  ${PASSWORD_HELP}` +
    (op === "Validate" ? "\n  --token FILE: a SAML assertion, a JWT, or a PEM certificate (is it trusted, and whom does it act as?)" : "") +
    (op === "Renew" ? "\n  --token-type, --applies-to: if given, the token's own (a renewal keeps its type and party)" : "") +
    `\n  ${TIMEOUT_HELP}`
  );
}

/** The options of the lifecycle commands; Cancel answers with no token, so it has no --out. */
const OPTIONS = {
  url: "value", user: "value", password: "value", "password-file": "value", token: "value", "token-type": "value", "applies-to": "value",
  soap: ["1.1", "1.2"], trust: ["13", "2005"], out: "value", ...TIMEOUT_OPTION,
};
const CANCEL_OPTIONS = Object.fromEntries(Object.entries(OPTIONS).filter(([k]) => k !== "out"));

/** The options of one call, checked; a mistake throws UsageError. */
function readOptions(op, args) {
  const { opts, positional } = parseArgs(args, op === "Cancel" ? CANCEL_OPTIONS : OPTIONS);
  noPositional(positional);
  const missing = ["url", "user", "token"].filter((k) => opts[k] === undefined);
  if (missing.length) throw new UsageError(`missing --${missing.join(", --")}`);
  return { ...opts, timeout: timeoutOf(opts) };
}

/** Builds the `run(args)` of one lifecycle command. */
export function command(op) {
  const tool = `sts ${op.toLowerCase()}`;
  return function run(args) {
    return withUsage(tool, usage(op), async () => {
      const f = readOptions(op, args);
      checkWritable(f, ["out"]);
      const password = await userPassword(f);
      const r = await manageToken({
        url: f.url, user: f.user, password, op, token: readTokenFile(f.token),
        tokenType: f["token-type"], appliesTo: f["applies-to"], soap: f.soap, trust: f.trust, timeout: f.timeout,
      });
      if (r.unexpected !== undefined) throw new UnexpectedAnswer(r.answer, r.unexpected);
      if (r.fault) {
        console.error(`${tool}: ${faultLine(r.status, r.fault.code, undefined, r.fault.reason)}`);
        return 1;
      }
      if (r.valid !== undefined) {
        console.log(`${r.valid ? "valid" : "invalid"}: ${visible(r.reason ?? "")}`);
        return r.valid ? 0 : 1;
      }
      if (r.cancelled) {
        console.log("cancelled");
        return 0;
      }
      if (f.out) writeFileSync(f.out, r.token);
      else console.log(r.token);
      return 0;
    });
  };
}
