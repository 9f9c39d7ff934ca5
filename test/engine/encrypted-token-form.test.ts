/**
 * Which presented strings are compact JWEs (RFC 7516 §7.1: five base64url parts, the second
 * — the encrypted key — empty for direct encryption), told apart from JWSs before anything is
 * verified (src/engine/verify-own.ts isEncryptedToken).
 */
import { describe, expect, it } from "vitest";
import { isEncryptedToken } from "../../src/engine/verify-own.ts";

const part = (n: number) => "A".repeat(n);

describe("isEncryptedToken on text", () => {
  it("five base64url parts are a JWE, with an empty encrypted key too, and surrounding white space", () => {
    expect(isEncryptedToken(`${part(40)}.${part(342)}.${part(16)}.${part(600)}.${part(22)}`)).toBe(true);
    expect(isEncryptedToken(`${part(40)}..${part(16)}.${part(600)}.${part(22)}`)).toBe(true);
    expect(isEncryptedToken(` ${part(40)}.${part(342)}.${part(16)}.${part(600)}.${part(22)}\n`)).toBe(true);
  });
  it("a JWS (three parts), four or six parts, an empty header, or a character outside base64url is not", () => {
    expect(isEncryptedToken(`${part(60)}.${part(600)}.${part(86)}`)).toBe(false);
    expect(isEncryptedToken(`${part(60)}.${part(600)}.${part(86)}.${part(2)}`)).toBe(false);
    expect(isEncryptedToken(`${part(4)}.${part(4)}.${part(4)}.${part(4)}.${part(4)}.${part(4)}`)).toBe(false);
    expect(isEncryptedToken(`.${part(4)}.${part(4)}.${part(4)}.${part(4)}`)).toBe(false);
    expect(isEncryptedToken(`${part(4)}.${part(4)}.${part(4)}.${part(4)}.${part(3)}=`)).toBe(false);
    expect(isEncryptedToken("....")).toBe(false);
  });
});
