#!/usr/bin/env node
// A large configuration, as a deployment taking over from AD FS might have, for measuring cold
// start and per-request costs at scale (docs/benchmarks.md, "Cold start and large configurations").
//
// usage: node scripts/bench/large-config.mjs --out DIR [--parties 500] [--clients 200] [--users 300]
//          [--issuers 50] [--authorities 20]
// Writes DIR/sts-config.json (check-config's FILE), DIR/secrets.json (its --env) and
// DIR/vars.json (serve's --vars-file: STS_CONFIG beside the secrets). Certificates and keys come
// from `openssl` (on PATH), made fresh: nothing here is a published key. A second realm
// (/realms/r2) holds the first fifth of the parties and users.
//
// Relying parties: half SAML (urn:large:rp:N), half JWT (https://appN.example.com/); a third
// with an alias, half with two reply URLs, a quarter with five claim rules, a quarter with a
// release list, one in twelve encrypting (40 certificates between them), one in ten pairwise,
// and urn:example:rp and https://api.example.com/ as in development. OAuth clients: a quarter
// with an inline JWKS (private_key_jwt), each allowed 20 parties; demo-client / demo-secret
// allowed every party. Service account rp-validator (its development secret) allowed every
// party. Users userN / password-N (PBKDF2, 10,000 iterations) and alice / wonderland.
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync, pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { optionReader } from "./options.mjs";

const opt = optionReader(process.argv.slice(2));
const out = opt("out", "");
const USAGE = "usage: node scripts/bench/large-config.mjs --out DIR [--parties 500] [--clients 200] [--users 300] [--issuers 50] [--authorities 20]";
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
if (out === "") {
  console.error(USAGE);
  process.exit(2);
}
const N = { parties: Number(opt("parties", "500")), clients: Number(opt("clients", "200")), users: Number(opt("users", "300")), issuers: Number(opt("issuers", "50")), authorities: Number(opt("authorities", "20")) };
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "sts-large-"));

/** A fresh key pair and self-signed certificate: { key (PKCS#8 PEM), cert }. */
function pair(name, { type = "ec", ca = false } = {}) {
  const key = join(work, `${name}.key`);
  const cert = join(work, `${name}.crt`);
  if (type === "rsa") execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key], { stdio: "ignore" });
  else execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], { stdio: "ignore" });
  const ext = ca ? ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"] : [];
  execFileSync("openssl", ["req", "-x509", "-new", "-key", key, "-out", cert, "-days", "365", "-subj", `/CN=${name}`, ...ext], { stdio: "ignore" });
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

const secrets = {};
const passwordHash = (binding, password) => {
  const salt = randomBytes(16);
  secrets[binding] = `pbkdf2-sha256$10000$${salt.toString("base64")}$${pbkdf2Sync(password, salt, 10000, 32, "sha256").toString("base64")}`;
  return binding;
};
const secretHash = (binding, secret) => ((secrets[binding] = `sha256$${createHash("sha256").update(secret).digest("hex")}`), binding);
const publicJwk = (kid) => ({ ...generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }), kid });
const signingKeys = (prefix) => {
  const rsa = pair(`${prefix} RSA`, { type: "rsa" });
  const ec = pair(`${prefix} EC`);
  secrets[`${prefix}_RSA_KEY`] = rsa.key;
  secrets[`${prefix}_EC_KEY`] = ec.key;
  return [
    { status: "current", privateKeySecret: `${prefix}_RSA_KEY`, certificate: rsa.cert },
    { status: "current", privateKeySecret: `${prefix}_EC_KEY`, certificate: ec.cert },
  ];
};

const encryption = Array.from({ length: 40 }, (_, i) => pair(`rp encryption ${i}`, { type: "rsa" }).cert);
const departments = ["sales", "eng", "hr", "finance", "ops", "legal"];
const users = Array.from({ length: N.users }, (_, i) => ({
  username: `user${i}`,
  passwordHashSecret: passwordHash(`PW_USER${i}`, `password-${i}`),
  claims: { email: `user${i}@example.com`, given_name: `User ${i}`, role: i % 10 === 0 ? ["admin", "user"] : ["user"], department: departments[i % departments.length] },
}));
users.push({ username: "alice", passwordHashSecret: passwordHash("PW_ALICE", "wonderland"), claims: { email: "alice@example.com", role: ["admin", "user"] } });

const parties = [];
for (let i = 0; i < N.parties; i++) {
  const saml = i % 2 === 0;
  const rp = { identifier: saml ? `urn:large:rp:${i}` : `https://app${i}.example.com/`, defaultTokenType: saml ? "saml2" : "jwt" };
  if (i % 3 === 0) rp.aliases = [saml ? `urn:large:rp-alias:${i}` : `https://app${i}.example.net/`];
  if (saml) rp.replyUrls = [`https://app${i}.example.com/wsfed`, `https://app${i}.example.com/signin-wsfed`];
  if (i % 10 === 5) Object.assign(rp, { subjectType: "pairwise", sectorIdentifier: `urn:large:sector:${i}`, claims: ["role"] });
  else if (i % 4 === 0) {
    rp.claimRules = [
      { claim: "email", as: { saml: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", jwt: "email" } },
      { claim: "role", as: { saml: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", jwt: "roles" } },
      { claim: "department", as: `http://schemas.example.com/claims/department-${i % 7}`, map: { sales: "Sales", eng: "Engineering", hr: "HR" } },
      { template: "{subject}@corp.example.com", as: { saml: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", jwt: "upn" } },
      { value: [`tier-${i % 5}`], as: "http://schemas.example.com/claims/tier", when: { claim: "role", equals: "admin" } },
    ];
  } else if (i % 4 === 1) rp.claims = ["email", "role"];
  if (i % 12 === 0) rp.encryption = { certificates: [{ certificate: encryption[(i / 12) % encryption.length], status: "current" }], dataAlgorithm: "aes256-gcm", keyTransport: "rsa-oaep-mgf1p" };
  if (!saml && i % 5 === 1) rp.scopes = [`app${i}.read`, `app${i}.write`];
  parties.push(rp);
}
parties.push({ identifier: "urn:example:rp", defaultTokenType: "saml2", replyUrls: ["http://127.0.0.1:9780/wsfed"] }, { identifier: "https://api.example.com/", defaultTokenType: "jwt" });
const every = parties.map((p) => p.identifier);

const clients = Array.from({ length: N.clients }, (_, i) => {
  const start = (i * 7) % Math.max(1, N.parties);
  const c = { clientId: `client-${i}`, allowedAudiences: every.slice(start, start + 20), allowedActors: i % 10 === 0 ? ["*"] : [] };
  if (i % 4 === 0) c.jwks = { keys: [publicJwk(`client-${i}`)] };
  else c.secretHashSecret = secretHash(`CLIENT_${i}_HASH`, `client-secret-${i}-${randomBytes(8).toString("hex")}`);
  return c;
});
clients.push({ clientId: "demo-client", secretHashSecret: secretHash("DEMO_HASH", "demo-secret"), allowedAudiences: every, allowedActors: ["*"], resourceServerFor: ["urn:example:rp", "https://api.example.com/"] });

const issuers = Array.from({ length: N.issuers }, (_, n) => {
  const i = n + 1;
  if (i % 2 === 1) return { issuer: `https://idp${i}.example.org`, kind: "jwt", jwks: { keys: [publicJwk(`idp${i}`)] }, algorithms: ["ES256"] };
  const t = { issuer: `urn:large:partner:${i}`, kind: "saml", certificates: [pair(`partner ${i}`).cert] };
  if (i % 10 === 0) Object.assign(t, { passiveSignInUrl: `https://idp${i}.example.org/adfs/ls/`, displayName: `Partner ${i}` });
  return t;
});
const authorities = Array.from({ length: N.authorities }, (_, i) => pair(`Large CA ${i}`, { ca: true }).cert);

secrets.PAIRWISE_SECRET = randomBytes(32).toString("base64");
secrets.WEB_SESSION_SECRET = randomBytes(32).toString("base64");
const fifth = Math.ceil(N.parties / 5);
const inRealm2 = new Set(every.slice(0, fifth));
const config = {
  issuer: "https://sts.large.example.com",
  keys: signingKeys("STS"),
  users,
  relyingParties: parties,
  oauthClients: clients,
  serviceAccounts: [{ username: "rp-validator", secretHashSecret: secretHash("RP_VALIDATOR_HASH", "rp-validator-secret-0f1e2d3c4b5a6978"), allowedRelyingParties: every, operations: ["validate", "renew", "cancel"] }],
  trustedIssuers: issuers,
  requestorCertificates: { authorities, principals: users.slice(0, 100).map((u) => ({ subjectCommonName: u.username, principal: u.username })) },
  pairwiseSubjectSecret: "PAIRWISE_SECRET",
  webSessionSecret: "WEB_SESSION_SECRET",
  realms: [
    {
      name: "r2",
      pathPrefix: "/realms/r2",
      issuer: "https://sts.large.example.com/realms/r2",
      keys: signingKeys("R2"),
      pairwiseSubjectSecret: "PAIRWISE_SECRET",
      users: users.slice(0, Math.ceil(N.users / 5)),
      relyingParties: parties.slice(0, fifth),
      oauthClients: clients.slice(0, 20).map((c) => ({ ...c, allowedAudiences: c.allowedAudiences.filter((a) => inRealm2.has(a)) })),
    },
  ],
};
rmSync(work, { recursive: true, force: true });
writeFileSync(join(out, "sts-config.json"), JSON.stringify(config, null, 1));
writeFileSync(join(out, "secrets.json"), JSON.stringify(secrets));
writeFileSync(join(out, "vars.json"), JSON.stringify({ STS_CONFIG: JSON.stringify(config), ...secrets }));
console.log(`${out}: ${parties.length} relying parties, ${clients.length} OAuth clients, ${users.length} users, ${issuers.length} trusted issuers, ${authorities.length} CAs, ${Object.keys(secrets).length} secrets; STS_CONFIG ${JSON.stringify(config).length} bytes`);
