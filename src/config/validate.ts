/**
 * Configuration validation: `StsConfigInput` (operator JSON) + the Worker's bindings in,
 * `ResolvedConfig` out. Runs once per isolate (see `load.ts`), synchronously, and reports every
 * problem at once, each line naming the field path. No keys are imported here; the key ring
 * does that (and checks certificate/private-key pairs) when it loads `ResolvedConfig.keys`.
 */
import type { ResolvedConfig } from "./types.ts";
import { ConfigError } from "./errors.ts";
import { Issues, type Obj, macSecret, obj } from "./check.ts";
import { type BundledFiles, includeSections, includeWhole, refusePrivateKeys } from "./include.ts";
import { validateDecryptionKeys, validateKeys, validateLimits } from "./validate-keys.ts";
import { validateRelyingParties } from "./validate-parties.ts";
import { type LocalNames, checkClientsAgainstUsers, validateClients, validateServiceAccounts, validateUsers } from "./validate-principals.ts";
import { validateRequestorCertificates } from "./validate-certificates.ts";
import { checkNamespaces, validateIssuer, validateTrustedIssuers } from "./validate-issuers.ts";
import { validateHosts, validateRealms } from "./realms.ts";
import { validatePairwiseSecret } from "./validate-pairwise.ts";

export { ConfigError } from "./errors.ts";

const TOP_FIELDS = [
  "$schema", "issuer", "keys", "decryptionKeys", "users", "relyingParties", "oauthClients", "serviceAccounts", "trustedIssuers", "requestorCertificates", "limits",
  "webSessionSecret", "pairwiseSubjectSecret", "dpopNonceSecret", "hosts", "realms",
] as const;
/** A further realm's sections: the top level's, less what only the top level has. */
const REALM_SECTIONS = TOP_FIELDS.filter((f) => f !== "$schema" && f !== "hosts" && f !== "realms");

/** Options for `validateConfig`. */
export interface ValidateOptions {
  /** `development` only for the embedded development configuration (default `production`). */
  mode?: "development" | "production";
  /** Path prefix in messages (default `STS_CONFIG`, the binding name). */
  root?: string;
  /** Validating one of `realms[]` (its own fields already taken out): no `hosts` or `realms`. */
  realm?: boolean;
  /**
   * The files bundled at deploy time, read by `{ "$file": NAME }` and `{ "$files": [...] }`
   * (the worker passes `BUNDLED_FILES`; `sts config check-config` the configuration directory's).
   * None by default.
   */
  files?: BundledFiles;
}

/**
 * Validates an operator configuration and resolves the secrets it references by binding name.
 *
 * A top-level section may be `{ "$binding": "NAME" }`, read from that binding, and an array
 * section `{ "$bindings": [NAME, …] }`, the concatenation of those bindings' arrays; likewise
 * `{ "$file": NAME }` and `{ "$files": [...] }` from the bundled files, and the whole input may
 * be `{ "$file": NAME }` (`include.ts`). A private key in any bundled file is an error.
 * Defaults are filled as documented in `types.ts`; relying-party references in
 * `oauthClients[].allowedAudiences` and `serviceAccounts[].allowedRelyingParties` are resolved
 * to the canonical relying-party `identifier` (aliases are accepted in the input).
 *
 * @param input the parsed `STS_CONFIG` JSON
 * @param secrets where `...Secret` binding names are looked up (the Worker `env`)
 * @throws ConfigError listing every problem, one `path: message` per line
 */
export function validateConfig(
  input: unknown,
  secrets: Record<string, unknown>,
  options: ValidateOptions = {},
): ResolvedConfig {
  const root = options.root ?? "STS_CONFIG";
  const x = new Issues();
  const sources = { secrets, files: options.files ?? {} };
  // The files are checked once, with the top level: a realm is validated with the same files.
  if (!options.realm) refusePrivateKeys(x, root, sources.files);
  const whole = options.realm ? input : includeWhole(x, input, root, sources);
  if (whole === undefined && x.lines.length > 0) throw new ConfigError(x.lines);
  const top = obj(x, whole, root, options.realm ? REALM_SECTIONS : TOP_FIELDS);
  if (!top) throw new ConfigError(x.lines);
  const o = includeSections(x, top, root, sources);
  const issuer = validateIssuer(x, o, root);
  const limits = validateLimits(x, o, root);
  const { keys, currentAlgorithms } = validateKeys(x, o, root, secrets);
  const decryptionKeys = validateDecryptionKeys(x, o, root, secrets, keys);
  const parties = validateRelyingParties(x, o, root, currentAlgorithms, secrets);
  const names: LocalNames = new Map();
  const users = validateUsers(x, o, root, secrets, names);
  const oauthClients = validateClients(x, o, root, secrets, parties);
  checkClientsAgainstUsers(x, names, oauthClients, root);
  const serviceAccounts = validateServiceAccounts(x, o, root, secrets, parties, names);
  const trustedIssuers = validateTrustedIssuers(x, o, root, limits.clockSkewSeconds);
  checkNamespaces(x, o, root, trustedIssuers);
const requestorCertificates = validateRequestorCertificates(x, o, root, (n) => users.has(n) || serviceAccounts.has(n));
  const webSessionSecret = macSecret(x, o, "webSessionSecret", root, secrets);
  // A partner browser sign-in goes to needs browser sign-in here, in the same realm.
  if (o.webSessionSecret === undefined && Array.isArray(o.trustedIssuers)) {
    o.trustedIssuers.forEach((t, i) => {
      if (typeof t === "object" && t !== null && (t as Obj).passiveSignInUrl !== undefined) {
        x.add(`${root}.trustedIssuers[${i}].passiveSignInUrl`, "needs webSessionSecret: browser sign-in is off, so no browser is ever sent to this partner");
      }
    });
  }
  const dpopNonceSecret = macSecret(x, o, "dpopNonceSecret", root, secrets);
  const pairwiseSubjectSecret = validatePairwiseSecret(x, o, root, secrets, parties.list);
  const hostsSeen = new Map<string, string>();
  const hosts = o.hosts === undefined ? undefined : validateHosts(x, o, root, hostsSeen);
  const realms = validateRealms(x, o, root, issuer, hostsSeen, (sections, at) =>
    validateConfig(sections, secrets, { ...options, root: at, realm: true }),
  );
  if (x.lines.length > 0) throw new ConfigError(x.lines);
  return {
    mode: options.mode ?? "production",
    root,
    issuer,
    keys,
    decryptionKeys,
    users,
    relyingParties: parties.list,
    oauthClients,
    serviceAccounts,
    trustedIssuers,
    requestorCertificates,
    limits,
    webSessionSecret,
    pairwiseSubjectSecret,
    dpopNonceSecret,
    ...(hosts === undefined ? {} : { hosts }),
    ...(realms === undefined || realms.length === 0 ? {} : { realms }),
  };
}
