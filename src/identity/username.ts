/** What a username may be: its length, and the names the directory accepts. */

/** The longest username a user can have, in characters (code points): directory names and the sign-in form. */
export const MAX_USERNAME_CHARS = 256;

/**
 * Directory user names: letters, digits and `. _ @ + -`, starting with a letter or digit, in
 * NFKC (so no fullwidth letters or ligatures standing for plain ones) and without invisible
 * characters (default-ignorable code points, such as the combining grapheme joiner or variation
 * selectors), so that a name shows what it is. No `:` or `#`, so that no directory user can take
 * the name a partner's subject or a URI-named client gets in tokens and state (any other client's
 * id is refused as a configured name, src/admin/users.ts). The pattern alone is the
 * name's shape; {@link isDirectoryUsername} is the whole rule for a new name.
 */
export const DIRECTORY_USERNAME = new RegExp(`^[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}._@+-]{0,${MAX_USERNAME_CHARS - 1}}$`, "u");
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/** The rule above, said to someone who broke it. */
export const DIRECTORY_USERNAME_RULE =
  `1 to ${MAX_USERNAME_CHARS} letters, digits or . _ @ + - (starting with a letter or digit, in Unicode NFKC, nothing invisible)`;

export function isDirectoryUsername(v: string): boolean {
  return DIRECTORY_USERNAME.test(v) && !INVISIBLE.test(v) && v.normalize("NFKC") === v;
}
