/**
 * Validation of realms: the first realm's `hosts` and the further `realms[]`, each a whole
 * configuration validated by the same code as the top level (passed in, so this file does not
 * import `validate.ts` back), with its own field paths (`STS_CONFIG.realms[0].keys[0]...`).
 */
import type { Realm, ResolvedConfig } from "./types.ts";
import { ConfigError } from "./errors.ts";
import { type Issues, type Obj, arr, show, str, text } from "./check.ts";
import { uriKey } from "./uri-key.ts";

/** The folder every realm path prefix lives in: nothing of the first realm is served under it. */
export const REALM_PATH_ROOT = "/realms/";

/** The fields a realm adds to a configuration's sections. */
const REALM_OWN_FIELDS = ["name", "hosts", "pathPrefix"] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// One path segment of unreserved characters (RFC 3986 §2.3), so it reads the same encoded or not.
const PREFIX = /^\/realms\/[A-Za-z0-9._~-]{1,64}$/;
// A DNS name or IPv4 address, lower case; an IPv6 literal in brackets.
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;

/**
 * A list of host names, as the WHATWG URL parser writes a request's host name (lower case, no
 * port, IPv6 in brackets), so that selection is one string comparison. Each is recorded in
 * `seen` (host → where it was first named): a host in two realms is an error.
 */
export function validateHosts(x: Issues, o: Obj, path: string, seen: Map<string, string>): string[] | undefined {
  const list = arr(x, o, "hosts", path, { nonEmpty: true });
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((v, i) => {
    const p = `${path}.hosts[${i}]`;
    const h = text(x, v, p, 255);
    if (h === undefined) return;
    const normal = URL.canParse(`http://${h}/`) ? new URL(`http://${h}/`).hostname : undefined;
    if (!HOST.test(h) || normal !== h) {
      x.add(p, `expected a lower-case host name without port or scheme (e.g. "sts.example.com"), got ${show(h)}`);
      return;
    }
    const first = seen.get(h);
    if (first !== undefined) {
      x.add(p, `host ${show(h)} is already named at ${first}`);
      return;
    }
    seen.set(h, p);
    out.push(h);
  });
  return out;
}

/**
 * Validates `realms`: each entry's name, hosts and path prefix (unique across realms, and
 * reachable by at least one of them), then its sections through `validateSections`, which
 * reports with the entry's path as root. An explicit `issuer` must differ from every other
 * realm's, compared as URIs: an issuer names one realm's tokens.
 */
export function validateRealms(
  x: Issues,
  o: Obj,
  root: string,
  topIssuer: string | undefined,
  hostsSeen: Map<string, string>,
  validateSections: (sections: Obj, root: string) => ResolvedConfig,
): Realm[] | undefined {
  const list = arr(x, o, "realms", root);
  if (!list) return undefined;
  const names = new Map<string, string>();
  const prefixes = new Map<string, string>();
  const issuers = new Map<string, { where: string; issuer: string }>();
  // Issuers are compared as URIs (`uriKey`): `https://STS.example.com`, `https://sts.example.com:443`
  // and `https://sts.example.com/` name one issuer to relying parties and metadata readers.
  if (topIssuer !== undefined) issuers.set(uriKey(topIssuer), { where: `${root}.issuer`, issuer: topIssuer });
  const realms: Realm[] = [];
  list.forEach((v, i) => {
    const p = `${root}.realms[${i}]`;
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      x.add(p, `expected an object, got ${show(v)}`);
      return;
    }
    const entry = v as Obj;
    const name = str(x, entry, "name", p, { required: true, max: 63 });
    if (name !== undefined) {
      if (!NAME.test(name)) x.add(`${p}.name`, `expected letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${show(name)}`);
      else if (names.has(name)) x.add(`${p}.name`, `realm name ${show(name)} is already used at ${names.get(name)}`);
      else names.set(name, `${p}.name`);
    }
    const hosts = entry.hosts === undefined ? [] : validateHosts(x, entry, p, hostsSeen);
    const pathPrefix = str(x, entry, "pathPrefix", p, { max: 80 });
    if (pathPrefix !== undefined) {
      if (!PREFIX.test(pathPrefix) || pathPrefix === "/realms/." || pathPrefix === "/realms/..") {
        x.add(`${p}.pathPrefix`, `expected "${REALM_PATH_ROOT}<segment>" (letters, digits, ".", "_", "~", "-"), got ${show(pathPrefix)}`);
      } else if (prefixes.has(pathPrefix)) {
        x.add(`${p}.pathPrefix`, `path prefix ${show(pathPrefix)} is already used at ${prefixes.get(pathPrefix)}`);
      } else {
        prefixes.set(pathPrefix, `${p}.pathPrefix`);
      }
    }
    if (entry.hosts === undefined && entry.pathPrefix === undefined) x.add(p, "needs hosts or a pathPrefix (else no request can reach it)");
    const sections: Obj = {};
    for (const [k, value] of Object.entries(entry)) {
      if (!(REALM_OWN_FIELDS as readonly string[]).includes(k)) sections[k] = value;
    }
    let config: ResolvedConfig;
    try {
      config = validateSections(sections, p);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      x.adopt(e.issues);
      return;
    }
    if (config.issuer !== undefined) {
      const first = issuers.get(uriKey(config.issuer));
      if (first === undefined) issuers.set(uriKey(config.issuer), { where: `${p}.issuer`, issuer: config.issuer });
      else if (first.issuer === config.issuer) x.add(`${p}.issuer`, `issuer ${show(config.issuer)} is already the issuer at ${first.where}`);
      else x.add(`${p}.issuer`, `issuer ${show(config.issuer)} names the same URI as ${show(first.issuer)}, the issuer at ${first.where}`);
    }
    if (name !== undefined && hosts !== undefined) realms.push({ name, hosts, pathPrefix, config: { ...config, realm: name } });
  });
  return realms;
}
