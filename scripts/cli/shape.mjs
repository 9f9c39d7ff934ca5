// The shape of a JSON answer, checked before the CLI reads it: an answer of another shape (a
// proxy's `null`, an array, a number where a name belongs) is named as such, never read as
// `undefined` or crashed on.
import { visible } from "./terminal.mjs";

/**
 * @typedef {string | Shape[] | { [member: string]: Shape }} Shape
 *   a type ("string", "number", "boolean", "null"; alternatives joined with "|"; a trailing "?"
 *   on a member that may be absent), `[item]` for an array of items, or an object of its
 *   members' shapes (the member "*" shapes every member; members not named are allowed)
 */

/**
 * What is wrong with `value` against `shape`, or undefined when it fits: the first misfit,
 * with the path to it (`users[2].claims.role`).
 * @param {unknown} value
 * @param {Shape} shape
 * @returns {string|undefined}
 */
export function misfit(value, shape, at = "") {
  const what = at === "" ? "the answer" : `"${visible(at)}"`;
  if (typeof shape === "string") {
    const types = shape.replace(/\?$/, "").split("|");
    return types.includes(kind(value)) ? undefined : `${what} is ${named(kind(value))}, not ${types.map(named).join(" or ")}`;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return `${what} is ${named(kind(value))}, not an array`;
    for (const [i, item] of value.entries()) {
      const wrong = misfit(item, shape[0], `${at}[${i}]`);
      if (wrong !== undefined) return wrong;
    }
    return undefined;
  }
  if (kind(value) !== "object") return `${what} is ${named(kind(value))}, not an object`;
  for (const [name, member] of Object.entries(shape)) {
    const names = name === "*" ? Object.keys(value) : [name];
    for (const n of names) {
      const path = at === "" ? n : `${at}.${n}`;
      if (!Object.hasOwn(value, n)) {
        if (typeof member === "string" && member.endsWith("?")) continue;
        return `"${visible(path)}" is missing`;
      }
      const wrong = misfit(value[n], member, path);
      if (wrong !== undefined) return wrong;
    }
  }
  return undefined;
}

/** A JSON value's kind: "null", "array", or its typeof. */
function kind(v) {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** "a string", "an object", "null". */
function named(kind) {
  return kind === "null" ? "null" : /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
