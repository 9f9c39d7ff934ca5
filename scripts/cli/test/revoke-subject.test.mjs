// Self-tests of `sts revoke-subject` (scripts/cli/revoke-subject.mjs) against a stub of the
// administration API: what it sends, what it prints, its exit codes. The real STS answers it in
// the interop suite (scripts/interop/run.mjs). Node 22: `node --test 'scripts/cli/test/*.test.mjs'`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freePort } from "../../test/free-port.mjs";
import { listen } from "../../test/listen.mjs";
import { runSts } from "./run-cli.mjs";

const seen = [];
let server;
let url;
before(async () => {
  server = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method, path: req.url, authorization: req.headers.authorization, type: req.headers["content-type"], body });
      const json = (status, o) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(o));
      if (req.headers.authorization !== "Basic " + Buffer.from("ops:s3cret").toString("base64")) {
        return json(401, { error: "authentication_failed", error_description: "Send the credentials of a service account allowed to revoke subjects, with HTTP Basic." });
      }
      const { subject, pseudonym, relying_party: rp, sector, before: at } = JSON.parse(body);
      // Answers of the wrong shape, as a proxy or another server might give them.
      if (subject === "null") return json(200, null);
      if (subject === "array") return json(200, []);
      if (subject === "nameless") return json(200, { revoked_before: "2026-12-05T12:00:00.000Z" });
      if (subject === "Alice") return json(200, { subject, account: "alice", revoked_before: "2026-12-05T12:00:00.000Z" });
      const whom = pseudonym === undefined ? { subject } : { pseudonym, sector: sector ?? `${rp}sector` };
      json(200, { ...whom, revoked_before: at ?? "2026-12-05T12:00:00.000Z" });
    });
  });
  url = server.url;
});
after(() => server.close());

const sts = (args, env) => runSts(["revoke-subject", ...args], env);

test("posts the subject (and --before) as JSON with the account's Basic credentials, and says what was revoked", async () => {
  seen.length = 0;
  const r = await sts(["alice", "--url", url + "/", "--before", "2026-12-01T00:00:00Z"], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "revoked every token of alice issued before 2026-12-01T00:00:00Z\n");
  assert.equal(seen.length, 1);
  assert.deepEqual({ ...seen[0], body: JSON.parse(seen[0].body) }, {
    method: "POST", path: "/admin/revoke-subject", authorization: "Basic " + Buffer.from("ops:s3cret").toString("base64"),
    type: "application/json", body: { subject: "alice", before: "2026-12-01T00:00:00Z" },
  });
  const now = await sts(["https://idp.example.org#u-1", "--url", url], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" });
  assert.equal(now.status, 0, now.stderr);
  assert.deepEqual(JSON.parse(seen[1].body), { subject: "https://idp.example.org#u-1" });
});

test("a name the STS took for an account's (another case or Unicode form) is said to have revoked that account too", async () => {
  const r = await sts(["Alice", "--url", url], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "revoked every token of alice (the account Alice looks like) and of Alice as typed issued before 2026-12-05T12:00:00.000Z\n");
});

test("with --relying-party or --sector the argument is a pseudonym, and the answer names no one", async () => {
  seen.length = 0;
  const p = "zsXiIuWWkQg2fQHsVtPQhVCtMNmWo8iuqqfkJ5S3wQE";
  const env = { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" };
  const byParty = await sts([p, "--relying-party", "https://pairwise-api.example.com/", "--url", url], env);
  assert.equal(byParty.status, 0, byParty.stderr);
  assert.equal(byParty.stdout, `revoked every token of the user whose pseudonym in https://pairwise-api.example.com/sector is ${p} issued before 2026-12-05T12:00:00.000Z\n`);
  assert.deepEqual(JSON.parse(seen[0].body), { pseudonym: p, relying_party: "https://pairwise-api.example.com/" });
  const bySector = await sts([p, "--sector", "urn:example:sector:hr", "--url", url], env);
  assert.equal(bySector.status, 0, bySector.stderr);
  assert.deepEqual(JSON.parse(seen[1].body), { pseudonym: p, sector: "urn:example:sector:hr" });
  const both = await sts([p, "--sector", "urn:s", "--relying-party", "urn:r", "--url", url], env);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--relying-party or --sector, not both/);
  assert.equal(seen.length, 2);
});

test("a refusal is the STS's own words and exit 1; a missing subject or account is a usage error, exit 2, nothing sent", async () => {
  seen.length = 0;
  const refused = await sts(["alice", "--url", url], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "wrong" });
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr.trim(), "sts revoke-subject: Send the credentials of a service account allowed to revoke subjects, with HTTP Basic. (authentication_failed, HTTP 401)");
  const noSubject = await sts(["--url", url], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" });
  assert.equal(noSubject.status, 2);
  assert.match(noSubject.stderr, /name the SUBJECT[\s\S]*usage: sts revoke-subject/);
  const noAccount = await sts(["alice", "--url", url]);
  assert.equal(noAccount.status, 2);
  assert.match(noAccount.stderr, /--admin NAME or STS_ADMIN/);
  assert.equal(seen.length, 1);
});

test("an STS that does not answer is named by its address", async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const r = await sts(["alice", "--url", dead], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `sts revoke-subject: cannot reach the STS at ${dead} (ECONNREFUSED): is it running at that address?`);
});

test("an answer of the wrong shape is named with its URL and what is wrong (exit 1), never printed as 'undefined'", async () => {
  for (const [subject, problem] of [["null", "the answer is null, not an object"], ["array", "the answer is an array, not an object"], ["nameless", '"subject" is missing']]) {
    const r = await sts([subject, "--url", url], { STS_ADMIN: "ops", STS_ADMIN_SECRET: "s3cret" });
    assert.equal(r.status, 1, subject);
    assert.equal(r.stdout, "", subject);
    assert.equal(r.stderr.trim(), `sts revoke-subject: unexpected answer from ${url}/admin/revoke-subject (HTTP 200, application/json): ${problem}`);
  }
});
