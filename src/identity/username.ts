/** What a username may be: its length, and the names the directory accepts. */

/** The longest username a user can have, in characters (code points): directory names and the sign-in form. */
export const MAX_USERNAME_CHARS = 256;

/**
 * Directory user names: letters, digits and `. _ @ + -`, starting with a letter or digit, in
 * NFKC (so no fullwidth letters or ligatures standing for plain ones) and without invisible
 * characters (default-ignorable code points, such as the combining grapheme joiner or variation
 * selectors) and without Latin, Cyrillic or Greek letters side by side, so that a name shows what it is. No `:` or `#`, so that no directory user can take
 * the name a partner's subject or a URI-named client gets in tokens and state (any other client's
 * id is refused as a configured name, src/admin/users.ts). The pattern alone is the
 * name's shape; {@link isDirectoryUsername} is the whole rule for a new name.
 */
export const DIRECTORY_USERNAME = new RegExp(`^[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}._@+-]{0,${MAX_USERNAME_CHARS - 1}}$`, "u");
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * The scripts whose letters look alike (Latin a, Cyrillic а, Greek α; o, о, ο; Latin p, Cyrillic
 * р; Latin H, Cyrillic Н, Greek Η): a name mixing two of them shows a name it is not, so
 * `аlice` with a Cyrillic а would stand beside alice, and nameKey cannot tell them apart.
 * UTS #39 §5.2 ("Moderately Restrictive") refuses these mixtures and allows the others.
 */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];

/** Whether `v` has letters of more than one of {@link LOOKALIKE_SCRIPTS}. */
function mixesLookalikeScripts(v: string): boolean {
  return LOOKALIKE_SCRIPTS.filter((script) => script.test(v)).length > 1;
}

/** The rule above, said to someone who broke it. */
export const DIRECTORY_USERNAME_RULE =
  `1 to ${MAX_USERNAME_CHARS} letters, digits or . _ @ + - (starting with a letter or digit, in Unicode NFKC, nothing invisible, not mixing Latin, Cyrillic and Greek letters)`;

export function isDirectoryUsername(v: string): boolean {
  return DIRECTORY_USERNAME.test(v) && !INVISIBLE.test(v) && v.normalize("NFKC") === v && !mixesLookalikeScripts(v);
}
