/**
 * The WS-Trust endpoints: one per WS-Trust version and way of authenticating the requestor
 * (the AD FS names: `usernamemixed` = TLS + a UsernameToken, `certificatemixed` = TLS + a
 * message signature with an X.509 certificate).
 */
import type { TrustVersion } from "./ns.ts";

export type RequestorAuthentication = "username" | "certificate";

export interface TrustEndpoint {
  path: string;
  version: TrustVersion;
  authentication: RequestorAuthentication;
}

export const TRUST_ENDPOINT_LIST: readonly TrustEndpoint[] = [
  { path: "/trust/13/usernamemixed", version: "13", authentication: "username" },
  { path: "/trust/2005/usernamemixed", version: "2005", authentication: "username" },
  { path: "/trust/13/certificatemixed", version: "13", authentication: "certificate" },
  { path: "/trust/2005/certificatemixed", version: "2005", authentication: "certificate" },
];
