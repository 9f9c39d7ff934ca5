import type { TokenKind } from "../config/types.ts";
import { SAML1_NS, SAML1_TOKEN_TYPE, SAML2_NS, SAML2_TOKEN_TYPE } from "../saml/ns.ts";

export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** TokenType URIs clients send, by token kind (WSS SAML Token Profile 1.1 §3.6, RFC 8693 §3). */
const BY_URI = new Map<string, TokenKind>([
  [SAML2_TOKEN_TYPE, "saml2"],
  [SAML2_NS, "saml2"],
  [SAML1_TOKEN_TYPE, "saml1"],
  [SAML1_NS, "saml1"],
  [JWT_TOKEN_TYPE, "jwt"],
  [ACCESS_TOKEN_TYPE, "access_token"],
]);

/** The canonical TokenType URI we write in responses for each kind. */
export const TOKEN_TYPE_URI: Record<TokenKind, string> = {
  saml2: SAML2_TOKEN_TYPE,
  saml1: SAML1_TOKEN_TYPE,
  jwt: JWT_TOKEN_TYPE,
  access_token: ACCESS_TOKEN_TYPE,
};

export function tokenKindFromUri(uri: string): TokenKind | undefined {
  return BY_URI.get(uri.trim());
}
