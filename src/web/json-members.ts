/**
 * Member names that occur twice in one JSON object. RFC 8259 §4 leaves such an object's meaning
 * to the parser ("many implementations report the last name/value pair only", others the first,
 * others fail), so the same body can mean one thing to a gateway or an audit trail in front and
 * another here; I-JSON (RFC 7493 §2.3) forbids them. JSON.parse keeps the last value and says
 * nothing, so a strict reader asks this afterwards.
 */

/**
 * The first member name (decoded) that occurs twice in one object of `text`, or undefined.
 * `text` must already have been accepted by JSON.parse.
 */
export function duplicateMemberName(text: string): string | undefined {
  return duplicateMember(text)?.name;
}

/**
 * As {@link duplicateMemberName}, with where its second occurrence starts in `text` (the index of
 * its opening quote), so that a file's reader can name the line. This walk only tracks strings
 * and brackets, with an explicit stack (no recursion however deep the nesting).
 */
export function duplicateMember(text: string): { name: string; offset: number } | undefined {
  // One entry per open bracket: the names seen so far in an object, null for an array.
  const open: (Set<string> | null)[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) open.push(new Set());
    else if (c === 0x5b /* [ */) open.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    else if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++;
        } else if (d === 0x22) break;
      }
      const names = open[open.length - 1];
      if (names) {
        let k = j + 1;
        while (k < n && (text[k] === " " || text[k] === "\t" || text[k] === "\n" || text[k] === "\r")) k++;
        // A string inside an object is a member name exactly when a ':' follows it.
        if (text[k] === ":") {
          const literal = text.slice(i, j + 1);
          const name = escaped ? (JSON.parse(literal) as string) : literal.slice(1, -1);
          if (names.has(name)) return { name, offset: i };
          names.add(name);
        }
      }
      i = j;
    }
  }
  return undefined;
}
