// The one option reader of the bench's helper scripts (profile, worker-profile, ab-http,
// loop-ab): `--name value` pairs, and the flags they test with `args.includes`.

/** `opt(name, default)`: the value after `--name` in `args`, else the default. */
export function optionReader(args) {
  return (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
}
