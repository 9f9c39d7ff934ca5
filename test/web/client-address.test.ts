/**
 * The address the per-address limits count by: one host, one key, however its address is spelt;
 * an IPv6 host by its /64.
 */
import { describe, expect, it } from "vitest";
import { clientAddressKey } from "../../src/web/client-address.ts";

describe("clientAddressKey", () => {
  it("IPv4 in its one decimal spelling; IPv4-mapped IPv6 as that IPv4 address", () => {
    for (const s of ["10.9.8.7", " 10.9.8.7 ", "10.009.008.007", "::ffff:10.9.8.7", "::FFFF:a09:807", "[::ffff:10.9.8.7]", "0:0:0:0:0:ffff:10.9.8.7"]) {
      expect(clientAddressKey(s), s).toBe("10.9.8.7");
    }
  });

  it("IPv6 by its /64, whatever the spelling: case, leading zeros, ::, brackets, a zone", () => {
    for (const s of ["2001:db8:1:2::1", "2001:DB8:1:2::65", "2001:0db8:0001:0002:0000:0000:0000:0001", "[2001:db8:1:2::ffff]", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "fe80::1%eth0".replace("fe80:", "2001:db8:1:2:")]) {
      expect(clientAddressKey(s), s).toBe("2001:db8:1:2::/64");
    }
    expect(clientAddressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(clientAddressKey("::1")).toBe("0:0:0:0::/64");
    expect(clientAddressKey("2001:db8::")).toBe("2001:db8:0:0::/64");
  });

  it("what is no address is kept as sent (trimmed); nothing is no address", () => {
    for (const s of ["10.9.8.7, 1.1.1.1", "256.1.1.1", "1:2:3:4:5:6:7:8:9", "1::2::3", "2001:db8:1:2::g", "localhost", "::ffff:999.1.1.1"]) {
      expect(clientAddressKey(s), s).toBe(s);
    }
    expect(clientAddressKey(undefined)).toBeUndefined();
    expect(clientAddressKey("  ")).toBeUndefined();
  });
});
