// Self-test of the --memory instrument (scripts/bench/inspector.mjs) against a Node process
// whose heap is known: a module variable holding 24 MiB of strings, and 32 MiB of garbage it
// made and dropped. Uses Node's own V8 inspector (same protocol as workerd's), no network.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { connectInspector, heapAfterGc, heapSummary } from "../inspector.mjs";

const CHILD = `
// Flat one-byte strings on the V8 heap, 512 KiB each (Buffer#toString makes larger ones
// external, off the heap; padEnd and repeat make ropes that share their parts).
const flat = (i) => Buffer.alloc(512 * 1024, 97 + (i % 26)).toString("latin1");
const held = new Map();
for (let i = 0; i < 48; i++) held.set(i, flat(i));
let junk = [];
for (let i = 0; i < 64; i++) junk.push(flat(i));
junk = null;
console.log("ready");
setInterval(() => held.size, 1000); // keeps held (a closure-context variable) alive
`;

let child;
let insp;
before(async () => {
  child = spawn(process.execPath, ["--inspect=127.0.0.1:0", "-e", CHILD], { stdio: ["ignore", "pipe", "pipe"] });
  // The inspector's port (stderr), then "ready" once the heap is built (stdout).
  const port = await new Promise((resolve, reject) => {
    let err = "";
    let out = "";
    let p;
    const check = () => p && out.includes("ready") && resolve(p);
    child.stderr.on("data", (d) => {
      err += d;
      const m = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) p = Number(m[1]);
      check();
    });
    child.stdout.on("data", (d) => {
      out += d;
      check();
    });
    child.once("exit", (code) => reject(new Error(`child exited (${code}): ${err}`)));
  });
  insp = await connectInspector(port, { id: null });
  await insp.call("HeapProfiler.enable");
});
after(() => {
  insp?.close();
  child?.kill();
});

test("heap after a full GC counts what is held and not the garbage", async () => {
  const { usedBytes, totalBytes } = await heapAfterGc(insp);
  const mib = usedBytes / 1048576;
  assert.ok(mib >= 24 && mib < 24 + 16, `heap used after GC ${mib.toFixed(2)} MiB (24 MiB held, 32 MiB garbage)`);
  assert.ok(totalBytes >= usedBytes);
});

test("the snapshot summary names the variable that holds the heap", async () => {
  const s = await heapSummary(insp, { n: 5 });
  assert.ok(s.totalBytes / 1048576 >= 24);
  assert.equal(s.top[0].name, "(string)");
  const first = s.byHolder[0];
  assert.match(first.name, /^held \(context\)$/);
  assert.ok(first.selfBytes / 1048576 >= 24, `${first.name}: ${first.selfBytes} bytes`);
});
