// `npm run sts -- exchange ...`: RFC 8693 token exchange at a running STS, optionally bound to a
// DPoP key (RFC 9449): the token endpoint comes from the STS's RFC 8414 metadata, the client
// authenticates with HTTP Basic, and a server that asks for a DPoP nonce gets one retry with it.
import { writeFileSync } from "node:fs";
import { TIMEOUT_HELP, TIMEOUT_OPTION, UnexpectedAnswer, send, timeoutOf } from "./http.mjs";
import { UsageError, credential, noPositional, parseArgs, readInputFile, withUsage } from "./input.mjs";
import { checkWritable, writePrivateFile } from "./output.mjs";
import { readSigningKey } from "./pem.mjs";
import { misfit } from "./shape.mjs";
import { excerpt, visible } from "./terminal.mjs";
import { checkCredentialTarget, stsUrl } from "./url.mjs";
import { NS, parseXml, tokenElement } from "./xml.mjs";

const USAGE = `usage: npm run sts -- exchange --url URL --client ID [--secret-file FILE] --subject FILE [options]

  --url URL            the STS; its /.well-known/oauth-authorization-server names the token endpoint
  --client ID          the OAuth client (client_secret_basic) ...
  --secret-file FILE   ... and its secret: in FILE, in $STS_CLIENT_SECRET, typed at the prompt,
                       or --secret SECRET (seen by others in ps)
  --subject FILE       the subject token: a JWT, or a SAML assertion as XML (what \`sts token --out\` writes)
  --subject-type T     jwt | access_token | saml2 | saml1 (default: saml2 / saml1 for XML by its namespace, else jwt)
  --actor FILE         an actor token (delegation), with --actor-type T like --subject-type
  --audience A         a target, by identifier (repeatable)
  --resource URI       a target, by URI (repeatable)
  --scope "A B"        the scopes asked for
  --requested-type T   jwt | access_token | saml2 | saml1 (default: the target's)
  --dpop               bind the token to a new ES256 key (RFC 9449); with --dpop-key-out FILE it is kept
  --dpop-key FILE      ... or to this private key (PEM: EC P-256 or RSA), for a bound token's next exchange
  --out FILE           write the issued token there (a SAML token as XML) instead of printing it
  ${TIMEOUT_HELP}

Prints the token, then its type, lifetime and (when bound) the DPoP key's thumbprint on stderr.
Example: npm run sts -- exchange --url http://127.0.0.1:8787 --client demo-client --secret demo-secret \\
           --subject alice.xml --audience https://api.example.com/ --dpop`;

const OPTIONS = {
  url: "value", client: "value", secret: "value", "secret-file": "value", subject: "value", "subject-type": "value", actor: "value", "actor-type": "value",
  audience: "list", resource: "list", scope: "value", "requested-type": "value", dpop: "flag", "dpop-key": "value", "dpop-key-out": "value",
  out: "value", ...TIMEOUT_OPTION,
};

const TT = "urn:ietf:params:oauth:token-type:";
const TYPES = { jwt: `${TT}jwt`, access_token: `${TT}access_token`, saml2: `${TT}saml2`, saml1: `${TT}saml1` };
const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/** A token file as the form carries it, and its token type (named, or read from the token). */
export function presentedToken(text, named, option) {
  const t = text.trim();
  if (named !== undefined && !Object.hasOwn(TYPES, named)) throw new UsageError(`--${option}-type must be one of ${Object.keys(TYPES).join(", ")}`);
  if (t.startsWith("<")) {
    let token;
    try {
      token = tokenElement(t);
    } catch (e) {
      throw new Error(`--${option}: ${e.message}`);
    }
    // RFC 8693 §3: a SAML assertion travels base64url-encoded.
    const kind = named ?? (token.root.namespaceURI === NS.saml2 ? "saml2" : "saml1");
    return { value: Buffer.from(token.xml, "utf8").toString("base64url"), type: TYPES[kind] };
  }
  return { value: t, type: TYPES[named ?? "jwt"] };
}

/** JSON text's value, or undefined when it is not JSON. */
function parsedJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The token endpoint the STS's metadata (RFC 8414 §3.2) names, or an error saying what came
 * back instead.
 * @param {import("./http.mjs").Answer} answer  of the GET of the metadata
 */
function tokenEndpoint(answer) {
  if (answer.status === 404) throw new Error(`GET ${answer.url} → HTTP 404: is --url the STS's address (for a realm served under a path prefix, with that prefix)?`);
  const meta = answer.status === 200 ? parsedJson(answer.text) : undefined;
  if (typeof meta !== "object" || meta === null) throw new UnexpectedAnswer(answer, `not the STS's OAuth metadata (RFC 8414): ${excerpt(answer.text)}`);
  const endpoint = meta.token_endpoint;
  if (typeof endpoint !== "string" || !URL.canParse(endpoint)) throw new UnexpectedAnswer(answer, "the metadata's token_endpoint is not an absolute URL");
  return endpoint;
}

/** A successful exchange's answer (RFC 8693 §2.2.1): expires_in is recommended, scope optional. */
const ISSUED = { access_token: "string", issued_token_type: "string", token_type: "string", expires_in: "number?", scope: "string?" };
const COMPACT_JWT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}$/;

/**
 * The issued token of a successful exchange as it is written out: a SAML token as its XML
 * (RFC 8693 §3: it travels base64url-encoded), a JWT as it came. An answer of another shape, or
 * a token that is not of the type it is said to be, is an UnexpectedAnswer: nothing is written.
 */
export function issuedToken(answer, body) {
  const wrong = misfit(body, ISSUED);
  if (wrong !== undefined) throw new UnexpectedAnswer(answer, wrong);
  const type = body.issued_token_type;
  const token = body.access_token;
  if (type === TYPES.saml2 || type === TYPES.saml1) {
    const xml = /^[A-Za-z0-9_-]+={0,2}$/.test(token) ? Buffer.from(token, "base64url").toString("utf8") : undefined;
    let root;
    try {
      root = xml === undefined ? undefined : parseXml(xml).documentElement;
    } catch {
      root = undefined;
    }
    if (!root) throw new UnexpectedAnswer(answer, `the access_token of a ${type} is not base64url-encoded XML (RFC 8693 §3)`);
    return xml;
  }
  if (type === TYPES.jwt && !COMPACT_JWT.test(token)) throw new UnexpectedAnswer(answer, `the access_token of a ${type} is not a compact JWT`);
  if (token === "") throw new UnexpectedAnswer(answer, "the access_token is empty");
  return token;
}

/** The form of one exchange. */
export function exchangeForm(o, subject, actor) {
  const form = new URLSearchParams({ grant_type: GRANT, subject_token: subject.value, subject_token_type: subject.type });
  if (actor) {
    form.set("actor_token", actor.value);
    form.set("actor_token_type", actor.type);
  }
  for (const a of o.audience ?? []) form.append("audience", a);
  for (const r of o.resource ?? []) form.append("resource", r);
  if (o.scope !== undefined) form.set("scope", o.scope);
  if (o["requested-type"] !== undefined) {
    if (!Object.hasOwn(TYPES, o["requested-type"])) throw new UsageError(`--requested-type must be one of ${Object.keys(TYPES).join(", ")}`);
    form.set("requested_token_type", TYPES[o["requested-type"]]);
  }
  return form;
}

/** A DPoP key: a new ES256 pair, or the PEM private key --dpop-key names (its public half derived). */
export async function dpopKey(pemFile) {
  const { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8 } = await import("jose");
  const { createPublicKey } = await import("node:crypto");
  let privateKey;
  let alg;
  let jwk;
  if (pemFile === undefined) {
    ({ privateKey } = await generateKeyPair("ES256", { extractable: true }));
    alg = "ES256";
    const full = await exportJWK(privateKey);
    jwk = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
  } else {
    // RSA or EC P-256, in PKCS#8, PKCS#1 or SEC 1: handed to jose as PKCS#8, the form it imports.
    const { key } = readSigningKey(pemFile, "--dpop-key");
    const pub = createPublicKey(key).export({ format: "jwk" });
    alg = pub.kty === "EC" ? "ES256" : "PS256";
    privateKey = await importPKCS8(key.export({ type: "pkcs8", format: "pem" }), alg, { extractable: true });
    jwk = pub.kty === "EC" ? { kty: "EC", crv: pub.crv, x: pub.x, y: pub.y } : { kty: "RSA", n: pub.n, e: pub.e };
  }
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, "sha256"), pkcs8: () => exportPKCS8(privateKey) };
}

/** One DPoP proof (RFC 9449 §4.2) for a POST to `htu`, with the server's nonce when it gave one. */
export async function dpopProof(key, htu, nonce) {
  const { SignJWT } = await import("jose");
  const claims = { htm: "POST", htu, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ...(nonce ? { nonce } : {}) };
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: "dpop+jwt", jwk: key.jwk }).sign(key.privateKey);
}

/**
 * POSTs the exchange; with a DPoP key, a fresh proof per attempt and, when the server answers
 * use_dpop_nonce (RFC 9449 §8), one more attempt with the nonce it sent.
 * @param {number} [timeout]  seconds to wait for each answer
 * @returns {Promise<{ status: number, body: unknown, answer: import("./http.mjs").Answer }>}  `body`
 *   the answer's JSON, undefined when it is not JSON
 */
export async function postExchange(endpoint, client, form, key, timeout) {
  const basic = "Basic " + Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64");
  let nonce;
  for (let attempt = 0; ; attempt++) {
    const headers = { authorization: basic, "content-type": "application/x-www-form-urlencoded" };
    if (key) headers.DPoP = await dpopProof(key, endpoint, nonce);
    const answer = await send(endpoint, { method: "POST", headers, body: form.toString(), timeout });
    const body = parsedJson(answer.text);
    const offered = answer.headers.get("dpop-nonce");
    if (key && attempt === 0 && answer.status === 400 && body?.error === "use_dpop_nonce" && offered) {
      nonce = offered;
      continue;
    }
    return { status: answer.status, body, answer };
  }
}

/** The options of one exchange, checked; a mistake throws UsageError. */
function readOptions(args) {
  const { opts: o, positional } = parseArgs(args, OPTIONS);
  noPositional(positional);
  for (const need of ["url", "client", "subject"]) if (o[need] === undefined) throw new UsageError(`--${need} is required`);
  if (o.dpop && o["dpop-key"]) throw new UsageError("--dpop makes a new key; --dpop-key uses yours: give one of them");
  if (o["dpop-key-out"] && !o.dpop) throw new UsageError("--dpop-key-out keeps the key --dpop makes");
  return { ...o, timeout: timeoutOf(o) };
}

export function run(args) {
  return withUsage("sts exchange", USAGE, () => exchange(readOptions(args)));
}

/** Reads the tokens, exchanges them and writes or prints the issued token. */
async function exchange(o) {
  checkWritable(o, ["out", "dpop-key-out"]);
  const secret = await credential(o, "secret", "STS_CLIENT_SECRET", "the client's secret");
  // A type or a file that is not a token is a UsageError (exit 2); a file that cannot be read
  // or an STS that does not answer is explained by the CLI's entry (scripts/sts.mjs), in one line.
  const subject = presentedToken(readInputFile(o.subject, "--subject"), o["subject-type"], "subject");
  const actor = o.actor === undefined ? undefined : presentedToken(readInputFile(o.actor, "--actor"), o["actor-type"], "actor");
  const form = exchangeForm(o, subject, actor);
  const key = o.dpop || o["dpop-key"] ? await dpopKey(o["dpop-key"]) : undefined;
  // Under the --url's own path: a realm reached by its prefix publishes its own metadata there.
  const metaUrl = stsUrl(o.url, "/.well-known/oauth-authorization-server");
  const endpoint = tokenEndpoint(await send(metaUrl, { timeout: o.timeout }));
  checkCredentialTarget(endpoint, metaUrl);
  const { status, body, answer } = await postExchange(endpoint, { id: o.client, secret }, form, key, o.timeout);
  if (status !== 200) {
    // RFC 6749 §5.2: an error answer is JSON with an error code.
    if (typeof body?.error !== "string") throw new UnexpectedAnswer(answer, `not an OAuth error answer (RFC 6749 §5.2): ${excerpt(answer.text)}`);
    const description = typeof body.error_description === "string" ? `: ${visible(body.error_description)}` : "";
    console.error(`sts exchange: HTTP ${status} ${visible(body.error)}${description}`);
    return 1;
  }
  if (body === undefined) throw new UnexpectedAnswer(answer, `not JSON: ${excerpt(answer.text)}`);
  const token = issuedToken(answer, body);
  if (o.out) writeFileSync(o.out, token);
  else console.log(token);
  if (key && o["dpop-key-out"]) writePrivateFile(o["dpop-key-out"], await key.pkcs8());
  console.error(
    `issued ${visible(body.issued_token_type)}, token_type ${visible(body.token_type)}` +
      (body.expires_in === undefined ? "" : `, expires in ${body.expires_in} s`) +
      (body.scope ? `, scope "${visible(body.scope)}"` : "") +
      (key ? `; bound to DPoP key ${key.jkt}${o["dpop-key-out"] ? ` (private key in ${o["dpop-key-out"]})` : ""}` : "") +
      (o.out ? `; written to ${o.out}` : ""),
  );
  return 0;
}
