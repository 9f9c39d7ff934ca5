/**
 * The client address the per-address limits count by, from CF-Connecting-IP. One host must be
 * one address: an IPv4 address in its one decimal spelling, an IPv4-mapped IPv6 address as the
 * IPv4 address it maps, and any other IPv6 address as its /64 — one host (one home line, one
 * cloud instance) is routinely given a whole /64, and counting each of its 2^64 addresses apart
 * would give a guesser as many clean addresses as it likes, or let it lock a name out with
 * "different" addresses that are all its own. The spelling of an address (case, zeros, `::`,
 * brackets) never makes another one.
 *
 * The header is trusted as it arrives: Cloudflare's edge overwrites it with the connection's
 * address, but where nothing does (plain workerd, no proxy) the client chooses it, and the
 * per-address limits with it (docs/security.md §5).
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-f]{1,4}$/;

/** The address key of a CF-Connecting-IP value; anything that is no IP address is kept as sent. */
export function clientAddressKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (s === "") return undefined;
  return ipv4(s) ?? ipv6(s) ?? s;
}

function ipv4(s: string): string | undefined {
  const m = IPV4.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets.join(".") : undefined;
}

/** The eight 16-bit groups of an IPv6 address, or undefined. */
function hextets(s: string): number[] | undefined {
  let text = s.toLowerCase();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return undefined;
  // A dotted IPv4 tail (::ffff:10.9.8.7) is the last two groups.
  const v4 = ipv4(text.slice(lastColon + 1));
  if (v4) {
    const o = v4.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === "") return [];
    const g = h.split(":");
    return g.every((x) => HEXTET.test(x)) ? g.map((x) => parseInt(x, 16)) : undefined;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const given = head.length + tail.length;
  if (halves.length === 1) return given === 8 ? head : undefined;
  return given <= 7 ? [...head, ...new Array<number>(8 - given).fill(0), ...tail] : undefined;
}

function ipv6(s: string): string | undefined {
  const h = hextets(s);
  if (!h) return undefined;
  // ::ffff:a.b.c.d — an IPv4 client seen through an IPv6 socket.
  if (h.slice(0, 5).every((g) => g === 0) && h[5] === 0xffff) {
    return [h[6]! >> 8, h[6]! & 0xff, h[7]! >> 8, h[7]! & 0xff].join(".");
  }
  return `${h.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}
