/**
 * This machine's names as a URL's host name (WHATWG form: IPv6 in brackets). Plain http is
 * accepted only for them — local testing — wherever https is otherwise required.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname);
}
