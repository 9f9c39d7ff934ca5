// Request builders for the benchmark scenarios (black-box: the wire format, not src/ builders).
const NS = {
  s12: "http://www.w3.org/2003/05/soap-envelope",
  wsa: "http://www.w3.org/2005/08/addressing",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wsp: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  t13: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
};
export const TT = {
  saml2: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  status: `${NS.t13}/RSTR/Status`,
};
export const TX = {
  grant: "urn:ietf:params:oauth:grant-type:token-exchange",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
};
export const USERS = {
  alice: { user: "alice", password: "wonderland" },
  bob: { user: "bob", password: "builder" },
  validator: { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" },
};
export const RP = "urn:example:rp";
export const API = "https://api.example.com/";
export const DEMO_BASIC = "Basic " + Buffer.from("demo-client:demo-secret").toString("base64");

/**
 * A SOAP 1.2 WS-Trust 1.3 RST with a UsernameToken (PasswordText). The Timestamp is valid for
 * 30 minutes so one body can be replayed by the load generator for the whole run (no Nonce: a
 * Nonce would be refused as a replay, by design).
 */
export function rst({ user, password, requestType = "Issue", tokenType, appliesTo, extra = "" }) {
  const action = `${NS.t13}/RST/${requestType}`;
  const now = new Date();
  const at = appliesTo
    ? `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>${appliesTo}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`
    : "";
  const tt = tokenType ? `<wst:TokenType>${tokenType}</wst:TokenType>` : "";
  const body =
    `<s:Envelope xmlns:s="${NS.s12}" xmlns:wsa="${NS.wsa}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<s:Header><wsa:Action s:mustUnderstand="1">${action}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${crypto.randomUUID()}</wsa:MessageID>` +
    `<wsa:To s:mustUnderstand="1">http://127.0.0.1/trust/13/usernamemixed</wsa:To>` +
    `<wsse:Security s:mustUnderstand="1"><wsu:Timestamp><wsu:Created>${now.toISOString()}</wsu:Created>` +
    `<wsu:Expires>${new Date(now.getTime() + 1_800_000).toISOString()}</wsu:Expires></wsu:Timestamp>` +
    `<wsse:UsernameToken wsu:Id="uuid-1"><wsse:Username>${user}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password>` +
    `</wsse:UsernameToken></wsse:Security></s:Header><s:Body>` +
    `<wst:RequestSecurityToken xmlns:wst="${NS.t13}" Context="ctx-1">${tt}<wst:RequestType>${NS.t13}/${requestType}</wst:RequestType>${at}${extra}</wst:RequestSecurityToken>` +
    `</s:Body></s:Envelope>`;
  return {
    method: "POST",
    path: "/trust/13/usernamemixed",
    headers: { "content-type": `application/soap+xml; charset=utf-8; action="${action}"` },
    body,
  };
}

/** Validate / Renew / Cancel of `token` (raw assertion XML) by the rp-validator service account. */
export function lifecycle(kind, token, tokenType = kind === "Validate" ? TT.status : undefined) {
  return rst({ ...USERS.validator, requestType: kind, tokenType, extra: `<wst:${kind}Target>${token}</wst:${kind}Target>` });
}

/** An OAuth form POST with demo-client's client_secret_basic. */
export function form(path, params) {
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: DEMO_BASIC },
    body: new URLSearchParams(params).toString(),
  };
}

export const assertionOf = (text) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];
export const jwtOf = (text) => {
  const m = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(text);
  return m ? Buffer.from(m[1], "base64").toString("utf8") : undefined;
};

/** Sends one request; returns { status, text }. */
export async function send(base, r) {
  const res = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body });
  return { status: res.status, text: await res.text() };
}

/** Runs `fn(i)` for i in [0, n) with `concurrency` in flight; returns the results in order. */
export async function pool(n, concurrency, fn) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}
