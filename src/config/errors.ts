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
 * A key ring's problem (`keys[0]: …`, `decryptionKeys[1]: …`) as a configuration issue line:
 * a field of the first realm reads `STS_CONFIG.keys[0]: …`, as validation writes its paths; a
 * further realm's is named by the realm.
 */
export function keyProblem(realm: string | undefined, message: string): string {
  if (realm !== undefined) return `the realm "${realm}": ${message}`;
  return /^(decryptionKeys|keys)\[/.test(message) ? `STS_CONFIG.${message}` : `STS_CONFIG: ${message}`;
}
