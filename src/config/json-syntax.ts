/**
 * Where a configuration text stops being JSON, and why, for an operator fixing it by hand.
 * JSON.parse's own messages are not enough: depending on the error they quote the text (which may
 * be a secret binding, and messages are logged) or give no position at all. This scanner runs only
 * after JSON.parse has refused the text; it walks the grammar of RFC 8259 without building values,
 * with an explicit stack so that deep nesting cannot exhaust the call stack.
 */

export interface JsonSyntaxError {
  /** 1-based line and column (in UTF-16 code units, as editors count them in practice). */
  line: number;
  column: number;
  reason: string;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX4 = /[0-9a-fA-F]{4}/y;

/** The first syntax error in `text`, or undefined when it is JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  // RFC 8259 §8.1: JSON text carries no byte-order mark, and JSON.parse refuses one. Editors that
  // save "UTF-8 with BOM" (Windows Notepad) put it there invisibly, so it is named.
  if (text.startsWith("\uFEFF")) {
    return { line: 1, column: 1, reason: "the text starts with a byte-order mark (U+FEFF, saved as \"UTF-8 with BOM\"): save it as UTF-8 without one" };
  }
  let i = 0;
  const stack: string[] = [];
  const at = (reason: string): JsonSyntaxError => {
    const before = text.slice(0, i);
    const lastBreak = before.lastIndexOf("\n");
    return { line: before.split("\n").length, column: i - lastBreak, reason };
  };
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const string = (): JsonSyntaxError | undefined => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) return at("a string is not closed");
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return at("\\u must be followed by four hexadecimal digits");
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) {
          i += 2;
        } else {
          return at("a string holds an invalid escape (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
        continue;
      }
      if (c < " ") return at("a string holds a line break or control character (write it as \\n, \\t, …)");
      i++;
    }
  };
  const propertyName = (): JsonSyntaxError | undefined => {
    skipSpace();
    if (text[i] !== '"') return at(text[i] === undefined ? "the text ends inside an object" : "a property name in double quotes was expected");
    const e = string();
    if (e) return e;
    skipSpace();
    if (text[i] !== ":") return at("':' was expected after the property name");
    i++;
    return undefined;
  };

  for (;;) {
    // A value.
    skipSpace();
    const c = text[i];
    if (c === undefined) return at(stack.length === 0 ? "the text holds no value" : `the text ends inside ${stack[stack.length - 1] === "{" ? "an object" : "an array"}`);
    if (c === "{" || c === "[") {
      i++;
      skipSpace();
      const close = c === "{" ? "}" : "]";
      if (text[i] === close) {
        i++;
      } else {
        stack.push(c);
        if (c === "{") {
          const e = propertyName();
          if (e) return e;
        }
        continue;
      }
    } else if (c === '"') {
      const e = string();
      if (e) return e;
    } else if (text.startsWith("true", i) || text.startsWith("null", i)) {
      i += 4;
    } else if (text.startsWith("false", i)) {
      i += 5;
    } else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return at("a value was expected (an object, array, string in double quotes, number, true, false or null)");
      i = NUMBER.lastIndex;
    }
    // After a value: close what it ends, or go on to the next element.
    for (;;) {
      skipSpace();
      const open = stack[stack.length - 1];
      if (open === undefined) return i === text.length ? undefined : at("nothing may follow the JSON value");
      const d = text[i];
      if (d === ",") {
        i++;
        if (open === "{") {
          const e = propertyName();
          if (e) return e;
        }
        break;
      }
      if (d === (open === "{" ? "}" : "]")) {
        i++;
        stack.pop();
        continue;
      }
      if (d === undefined) return at(`the text ends inside ${open === "{" ? "an object" : "an array"}`);
      return at(open === "{" ? "',' or '}' was expected after the property's value" : "',' or ']' was expected after the array element");
    }
  }
}
