// The floor of the pairwise row: the development pairwise API's public twin. The bench's
// configuration adds a relying party that differs from https://pairwise-api.example.com/ only in
// its name and in naming the subject (no pseudonym, no sealed ID): the same released claims (only
// the role), token type and lifetimes. https://api.example.com/, the floor before, releases every
// claim (e-mail, given name, role), so its tokens carried more to build and sign than the
// pairwise party's, and the row measured that difference along with the pseudonym's cost.
import { PAIRWISE_API } from "./requests.mjs";

/** Bench-only (not in src/config/dev.ts). */
export const PUBLIC_TWIN_API = "https://public-twin-api.example.com/";

/** The configuration with the twin added, and demo-client allowed to ask for it. */
export function withPublicTwin(config) {
  const pairwise = config.relyingParties.find((p) => p.identifier === PAIRWISE_API);
  if (!pairwise) throw new Error(`pairwise-twin: the configuration has no ${PAIRWISE_API}`);
  const { subjectType: _s, sectorIdentifier: _sector, ...rest } = pairwise;
  return {
    ...config,
    relyingParties: [...config.relyingParties, { ...rest, identifier: PUBLIC_TWIN_API }],
    oauthClients: config.oauthClients.map((c) => (c.clientId === "demo-client" ? { ...c, allowedAudiences: [...c.allowedAudiences, PUBLIC_TWIN_API] } : c)),
  };
}
