// certificatemixed requests signed by Apache WSS4J 1.6 (Debian's libwss4j-java), not by our code
// (WssCertificateClient.java): a message signed with the development alice-client key gets a
// SAML 2.0 token for alice over SOAP 1.1 and 1.2 and both WS-Trust namespaces, and the token
// verifies in xmlsec1; copies altered after signing (Body changed, signature wrapped), signed
// with an expired Timestamp or with a self-signed certificate the STS does not trust, or sent a
// second time, get the fault each deserves and never a token.
//
// Part of scripts/interop/run.mjs; also runs alone against a running worker:
//   node scripts/interop/wss4j.mjs --url http://127.0.0.1:8788 [--work DIR]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isTrustFault, parseIssueResponse } from "../cli/rstr.mjs";
import { NS } from "../cli/xml.mjs";
import { runAlone, xmlsecVerify } from "./verifiers.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const CREDENTIALS = join(HERE, "../../test/fixtures/dev-credentials");
const ALICE = { key: join(CREDENTIALS, "alice-client.key.pem"), cert: join(CREDENTIALS, "alice-client.cert.pem") };
const WSSE = NS.wsse;
const JARS = ["wss4j.jar", "xmlsec.jar", "commons-logging.jar", "commons-codec.jar", "slf4j-api.jar", "slf4j-nop.jar"].map((j) => `/usr/share/java/${j}`);

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000 });
  return { status: r.error ? -1 : r.status, stdout: r.stdout ?? "", stderr: r.error ? String(r.error.message) : (r.stderr ?? "") };
}

/** Compiles WssCertificateClient.java into outDir; returns the classpath to run it with. */
export function compileWss4j(outDir) {
  const missing = JARS.filter((j) => !existsSync(j));
  if (missing.length) throw new Error(`missing ${missing.join(", ")} (apt-get install libwss4j-java)`);
  mkdirSync(outDir, { recursive: true });
  const r = sh("javac", ["-cp", JARS.join(":"), "-d", outDir, join(HERE, "WssCertificateClient.java")]);
  if (r.status !== 0) throw new Error(`javac failed: ${r.stderr}`);
  return [outDir, ...JARS].join(":");
}

/** A self-signed RSA certificate made here with OpenSSL: valid, but issued by nobody the STS trusts. */
function selfSigned(work) {
  const key = join(work, "untrusted.key.pem");
  const cert = join(work, "untrusted.cert.pem");
  const r = sh("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
    "-subj", "/O=Edge STS development/CN=alice", "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature"]);
  if (r.status !== 0) throw new Error(`openssl req: ${r.stderr.slice(-300)}`);
  return { key, cert };
}

/** Runs WssCertificateClient once: the HTTP status and the parsed answer. */
function wss4jRequest(classpath, { endpoint, soap, trust, variant, creds, out }) {
  const r = sh("java", ["-cp", classpath, "WssCertificateClient", endpoint, soap, trust, variant, creds.key, creds.cert, out]);
  const m = /^HTTP (\d+)\n/.exec(r.stdout);
  if (r.status !== 0 || !m) return { status: 0, result: { ok: false, code: "client:wss4j", reason: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") }, text: "" };
  const text = r.stdout.slice(m[0].length);
  return { status: Number(m[1]), result: parseIssueResponse(text), text };
}

const describe = (x) => `HTTP ${x.status} ${x.result.ok ? "token issued!" : `${x.result.code} ${x.result.subcode ?? ""}: ${x.result.reason.slice(0, 160)}`}`;
const isWsseFault = (r, local) => !r.ok && [r.code, r.subcode].includes(`{${WSSE}}${local}`);
const noToken = (x) => !x.result.ok && !/RequestedSecurityToken/.test(x.text) && (x.status === 400 || x.status === 500);

/** Runs the checks, reporting through the driver's report/skip callbacks. */
export async function wss4jCheck({ base, work, report, skip, certs }) {
  let classpath;
  try {
    classpath = compileWss4j(join(work, "wss4j-java"));
  } catch (e) {
    report("wss4j: compile WssCertificateClient.java", false, e.message);
    return;
  }
  const dir = join(work, "wss4j");
  mkdirSync(dir, { recursive: true });
  const endpointOf = (trust) => new URL(`/trust/${trust}/certificatemixed`, base).href;

  for (const soap of ["1.1", "1.2"]) {
    for (const trust of ["13", "2005"]) {
      const tag = `wss4j soap${soap} trust${trust}`;
      const x = wss4jRequest(classpath, { endpoint: endpointOf(trust), soap, trust, variant: "good", creds: ALICE, out: join(dir, `request-good-${soap}-${trust}.xml`) });
      const token = x.result.ok ? x.result.token : "";
      const nameId = /<(?:[\w.-]+:)?NameID\b[^>]*>([^<]*)</.exec(token)?.[1];
      report(`${tag}: signed with alice-client.key.pem → 200, a SAML 2.0 assertion for alice`, x.status === 200 && nameId === "alice",
        x.result.ok ? `NameID ${nameId}` : describe(x));
      if (!token) continue;
      const file = join(dir, `token-${soap}-${trust}.xml`);
      writeFileSync(file, token);
      if (!certs.length) {
        skip(`${tag}: xmlsec1 verifies the assertion`, "no metadata certificate to pin");
        continue;
      }
      const v = xmlsecVerify(file, certs, "saml2");
      report(`${tag}: xmlsec1 verifies the assertion`, v.ok, v.detail);
    }
  }

  let untrusted;
  try {
    untrusted = selfSigned(dir);
  } catch (e) {
    report("wss4j: a self-signed certificate from openssl", false, e.message);
  }
  for (const [soap, trust] of [["1.2", "13"], ["1.1", "2005"]]) {
    const tag = `wss4j negative soap${soap} trust${trust}`;
    const run = (variant, creds = ALICE, name = variant) =>
      wss4jRequest(classpath, { endpoint: endpointOf(trust), soap, trust, variant, creds, out: join(dir, `request-${name}-${soap}-${trust}.xml`) });
    const changed = run("body-changed");
    report(`${tag}: Body changed after signing → wst:FailedAuthentication`, noToken(changed) && isTrustFault(changed.result, "FailedAuthentication"), describe(changed));
    const expired = run("expired");
    report(`${tag}: Timestamp expired (signed) → wsse:MessageExpired`, noToken(expired) && isWsseFault(expired.result, "MessageExpired"), describe(expired));
    const wrapped = run("wrapped");
    report(`${tag}: signed Body wrapped into a header, new Body → fault`, noToken(wrapped) && !wrapped.result.code.startsWith("client:"), describe(wrapped));
    if (untrusted) {
      const u = run("good", untrusted, "untrusted");
      report(`${tag}: signed with a self-signed certificate → wst:FailedAuthentication`, noToken(u) && isTrustFault(u.result, "FailedAuthentication"), describe(u));
    }
    const replay = run("replay");
    report(`${tag}: the good message sent twice → wsse:MessageExpired`, noToken(replay) && isWsseFault(replay.result, "MessageExpired"), describe(replay));
  }
}

// Alone: node scripts/interop/wss4j.mjs --url URL [--work DIR]
await runAlone(import.meta.url, "wss4j", wss4jCheck);
