/** RFC 8693 §3 token type identifiers and their mapping to what the engine issues. */
import type { TokenKind } from "../config/types.ts";

export const TT_PREFIX = "urn:ietf:params:oauth:token-type:";
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/** Token types we accept as subject_token_type / actor_token_type. */
export type PresentedType = "jwt" | "access_token" | "id_token" | "saml2" | "saml1";
const PRESENTED: readonly PresentedType[] = ["jwt", "access_token", "id_token", "saml2", "saml1"];

/** Parses a subject/actor token type URI; undefined when we do not accept it. */
export function presentedType(uri: string): PresentedType | undefined {
  if (!uri.startsWith(TT_PREFIX)) return undefined;
  const t = uri.slice(TT_PREFIX.length) as PresentedType;
  return PRESENTED.includes(t) ? t : undefined;
}

/** Parses a requested_token_type URI into a kind we can issue; undefined when we cannot. */
export function requestedKind(uri: string): TokenKind | undefined {
  const t = presentedType(uri);
  return t === undefined || t === "id_token" ? undefined : t;
}

/** The RFC 8693 URI of a token kind we issue (issued_token_type). */
export function tokenTypeUri(kind: TokenKind): string {
  return TT_PREFIX + kind;
}
