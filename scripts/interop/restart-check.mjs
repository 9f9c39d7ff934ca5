// After scripts/interop/run.sh restarted the runtime on the same Durable Object storage:
// the token cancelled before the restart is still invalid, the other one still valid, and the
// user directory holds what was done to it before (scripts/interop/directory.mjs).
// usage: node scripts/interop/restart-check.mjs --url URL --work DIR   (prints "N passed, M failed")
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { manageToken } from "../cli/lifecycle.mjs";
import { parseArgs } from "../cli/input.mjs";
import { directoryAfterRestart } from "./directory.mjs";

const f = parseArgs(process.argv.slice(2), { url: "value", work: "value" }).opts;
const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
let passed = 0;
let failed = 0;
const report = (name, ok, detail) => {
  ok ? passed++ : failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name} — ${detail}`);
};
for (const [file, want] of [["cancelled-token.xml", false], ["valid-token.xml", true]]) {
  try {
    const v = await manageToken({ url: f.url, ...VALIDATOR, op: "Validate", token: readFileSync(join(f.work, file), "utf8") });
    report(`restart: ${file} is ${want ? "valid" : "invalid"} after the restart`, v.valid === want, v.reason ?? v.fault?.reason ?? "");
  } catch (e) {
    report(`restart: ${file}`, false, e.message);
  }
}
try {
  await directoryAfterRestart({ url: f.url, work: f.work, report });
} catch (e) {
  report("restart: the user directory", false, e.message);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
