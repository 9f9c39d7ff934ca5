/**
 * client_secret_basic over HTTP with a secret holding the characters RFC 6749 §2.3.1's
 * form-encoding changes ('+', '%', ':', '/', non-ASCII): accepted encoded as the RFC says
 * (authlib ≥ 1.3, Go's x/oauth2) and as written (authlib before 1.3, requests' HTTPBasicAuth,
 * curl -u), and refused with any other secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../src/http/app.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { hashSecret } from "../../src/identity/secret.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { API, post, type Fetcher } from "./helpers.ts";
import { basic, literalBasic } from "../helpers/credentials.ts";

const SECRET = "Zq+7/x%41:é~tail-of-entropy-0f1e2d3c4b5a6978";
const CLIENT = "odd+client";
/** A second client of that kind, for the failure limit (its own counter, so a lockout stays out of the tests above). */
const LIMITED = "limited+client";
const MAX_FAILURES = 3;

let fetcher: Fetcher;

beforeAll(async () => {
  const config = {
    keys: DEV_CONFIG.keys,
    users: DEV_CONFIG.users,
    relyingParties: [{ identifier: API, defaultTokenType: "jwt" }],
    oauthClients: [
      { clientId: CLIENT, secretHashSecret: "ODD_CLIENT_HASH", allowedAudiences: [API], resourceServerFor: [API] },
      { clientId: LIMITED, secretHashSecret: "ODD_CLIENT_HASH", allowedAudiences: [API], resourceServerFor: [API] },
    ],
    limits: { ...DEV_CONFIG.limits, maxFailedAuthPerWindow: MAX_FAILURES },
  };
  const customEnv = { ...env, ...DEV_SECRETS, ODD_CLIENT_HASH: await hashSecret(SECRET), STS_CONFIG: JSON.stringify(config) };
  fetcher = async (path, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(ORIGIN + path, init), customEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
});

describe("client_secret_basic with a secret that form-encoding changes", () => {
  it("is accepted form-encoded (RFC 6749 §2.3.1)", async () => {
    const r = await post("/oauth2/introspect", { token: "x" }, basic(CLIENT, SECRET), fetcher);
    expect([r.status, r.json]).toEqual([200, { active: false }]);
  });

  it("is accepted as written, by clients that do not form-encode", async () => {
    const r = await post("/oauth2/introspect", { token: "x" }, literalBasic(CLIENT, SECRET), fetcher);
    expect([r.status, r.json]).toEqual([200, { active: false }]);
    // The same, with the client_id parameter naming the client as well.
    const named = await post("/oauth2/introspect", { token: "x", client_id: CLIENT }, literalBasic(CLIENT, SECRET), fetcher);
    expect([named.status, named.json]).toEqual([200, { active: false }]);
  });

  it("is refused with any other secret, read either way", async () => {
    for (const auth of [literalBasic(CLIENT, SECRET.replace("+", " ")), basic(CLIENT, SECRET + "x"), literalBasic(CLIENT, "100%"), literalBasic("odd client", SECRET)]) {
      const r = await post("/oauth2/introspect", { token: "x" }, auth, fetcher);
      expect([r.status, r.json.error], auth).toEqual([401, "invalid_client"]);
    }
    const other = await post("/oauth2/introspect", { token: "x", client_id: "someone-else" }, literalBasic(CLIENT, SECRET), fetcher);
    expect([other.status, other.json.error]).toEqual([400, "invalid_request"]);
  });
});

describe("the failed-authentication limit for a client whose id form-encoding changes", () => {
  it("counts its failures once, whichever way its id is spelt (README limits)", async () => {
    // Wrong secrets, sent with the id encoded ('limited%2Bclient') and as written ('limited+client',
    // which form-decodes to 'limited client'): both are guesses at the one client.
    const spellings = [basic, literalBasic, basic, literalBasic];
    for (const auth of spellings.slice(0, MAX_FAILURES)) {
      const r = await post("/oauth2/introspect", { token: "x" }, auth(LIMITED, SECRET + "x"), fetcher);
      expect([r.status, r.json.error]).toEqual([401, "invalid_client"]);
    }
    // One failure more than the limit is refused (README `limits`: maxFailedAuthPerWindow failures).
    const over = await post("/oauth2/introspect", { token: "x" }, spellings[MAX_FAILURES]!(LIMITED, SECRET + "x"), fetcher);
    expect([over.status, over.json.error]).toEqual([429, "temporarily_unavailable"]);
    // Locked: the right secret, either spelling, waits for the window as a wrong one does.
    for (const auth of [basic, literalBasic]) {
      const r = await post("/oauth2/introspect", { token: "x" }, auth(LIMITED, SECRET), fetcher);
      expect([r.status, r.json.error], auth.name).toEqual([429, "temporarily_unavailable"]);
    }
  });
});
