// The pairwise row's floor is the same exchange with a public subject: the twin must be a valid
// party of the bench's configuration, differ from https://pairwise-api.example.com/ in nothing but
// its name and its subjects, and be one demo-client may ask for. The development API, the floor
// before, released claims the pairwise party does not, so it measured a different token.
// Node 22: `node --test scripts/bench/test/pairwise-twin.test.mjs`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEV_CONFIG, DEV_SECRETS } from "../../../src/config/dev.ts";
import { validateConfig } from "../../../src/config/validate.ts";
import { PUBLIC_TWIN_API, withPublicTwin } from "../pairwise-twin.mjs";
import { API, PAIRWISE_API } from "../requests.mjs";

// As the bench serves it: JSON in STS_CONFIG, the development secrets as bindings.
const resolved = validateConfig(JSON.parse(JSON.stringify(withPublicTwin(DEV_CONFIG))), DEV_SECRETS);
const party = (id) => resolved.relyingParties.find((p) => p.identifier === id);

test("the twin is the pairwise party with public subjects, nothing else changed", () => {
  const twin = party(PUBLIC_TWIN_API);
  const pairwise = party(PAIRWISE_API);
  assert.ok(twin && pairwise);
  assert.equal(twin.subjectType, "public");
  assert.equal(pairwise.subjectType, "pairwise");
  const rest = ({ identifier: _i, subjectType: _s, sectorIdentifier: _sector, ...p }) => p;
  assert.deepEqual(rest(twin), rest(pairwise));
  assert.deepEqual(twin.claims, ["role"]);
});

test("demo-client may ask for the twin, and the development configuration itself is unchanged", () => {
  assert.ok(resolved.oauthClients.get("demo-client").allowedAudiences.includes(PUBLIC_TWIN_API));
  assert.equal(DEV_CONFIG.relyingParties.some((p) => p.identifier === PUBLIC_TWIN_API), false);
});

test("the development API releases claims the pairwise party does not: it is no floor for it", () => {
  assert.equal(party(API).claims, undefined); // every claim the user holds
  assert.notDeepEqual(party(API).claims, party(PAIRWISE_API).claims);
});
