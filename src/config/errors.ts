/**
 * A configuration that cannot be used. `issues` holds one line per problem, each starting with
 * the offending field path (`STS_CONFIG.relyingParties[1].defaultTokenType: ...`); the message
 * is those lines joined, so a log line shows every problem at once, not just the first.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Stable code for the error mapper (the worker answers 503 and logs the message). */
  readonly code = "config_invalid";
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(issues.join("\n"));
    this.issues = issues;
  }
}

/**
 * A key ring's problem (`keys[0]: …`, `decryptionKeys[1]: …`,
 * `trustedIssuers[2].certificates[0]: …`) as a configuration issue line,
 * its field named under the configuration's `root` as validation names it
 * (`STS_CONFIG.realms[0].keys[0]: …`).
 */
export function keyProblem(root: string, message: string): string {
  return /^(decryptionKeys|keys|trustedIssuers)\[/.test(message) ? `${root}.${message}` : `${root}: ${message}`;
}
