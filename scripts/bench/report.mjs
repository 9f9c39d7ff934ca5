// Renders a bench report as a plain-text table (stdout) and as markdown (bench/results/latest.md).
const f1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));
const f2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(2));
const n0 = (x) => Math.round(x).toLocaleString("en-US");

function rows(r) {
  return r.scenarios.map((s) => [s.name, n0(s.rps), f2(s.p50Ms), f2(s.p99Ms), String(s.errors), s.cpuUsPerReq ? n0(s.cpuUsPerReq) : "–", s.vs ? `${f2(s.ratio)} × ${s.vs}` : "", s.ofFloor ? `${Math.round(s.ofFloor * 100)} %` : "", s.note ?? ""]);
}
const HEAD = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "workerd CPU µs/req", "ratio to baseline", "of floor", "note"];

function microRows(r) {
  const all = r.microAllCpus ? new Map(r.microAllCpus.cases.map((c) => [c.name, c])) : null;
  return r.micro.cases.map((c) => {
    const row = [c.name, c.msPerOp.toFixed(3), c.cpuMsPerOp.toFixed(3), n0(c.opsPerSec)];
    if (all) row.push(all.get(c.name)?.msPerOp.toFixed(3) ?? "–");
    return row;
  });
}
function microHead(r) {
  const head = ["case (one call at a time)", "ms/op", "CPU ms/op", "ops/s"];
  return r.microAllCpus ? [...head, "ms/op, all CPUs"] : head;
}
/** Which CPUs the judged micro run had (older reports: not recorded, all). */
function microTitle(r) {
  return r.micro.cpus === "0" ? "In-process (Node, same key, same assertion; pinned to one CPU)" : "In-process (Node, same key, same assertion; all CPUs)";
}

function machineLine(r) {
  const m = r.machine;
  const s = r.settings;
  return `${m.cores} cores, ${m.cpu}; Node ${m.node}; workerd ${m.workerd}; ${m.os}` + (s.tool ? `; load: ${s.tool}, ${s.connections} connections, ${s.threads} threads, ${s.duration} s per scenario` : "") + (s.statusLeaseMilliseconds != null ? `; limits.statusLeaseMilliseconds = ${s.statusLeaseMilliseconds} (not the default)` : "");
}

function text(head, body) {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(head), w.map((x) => "-".repeat(x)).join("  "), ...body.map(line)].join("\n");
}

function md(head, body) {
  return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...body.map((b) => `| ${b.join(" | ")} |`)].join("\n");
}

function targetRows(r) {
  return r.targets.map((t) => [
    t.what,
    // Three decimals where two would round a miss up to the target (0.497 → "0.50") or a
    // bare pass down to it.
    t.unit.startsWith("×") ? `${Math.abs(t.value - t.min) < 0.005 ? t.value.toFixed(3) : f2(t.value)}${t.unit}` : t.unit === "%" ? `${f1(t.value)} %` : t.unit === "MiB" ? `${f2(t.value)} MiB` : t.unit === "ms" ? `${f2(t.value)} ms` : String(t.value),
    t.floor === undefined ? "" : t.unit === "ms" ? `${f2(t.floor)} ms` : `${f2(t.floor)}×`,
    // A "≤" target (max) is out of reach when its floor is above it; a "≥" one when below.
    t.met ? "met" : t.floor !== undefined && t.max !== undefined && t.floor > t.max ? "MISSED (floor above target)" : t.floor !== undefined && t.floor < t.min ? "MISSED (floor below target)" : "MISSED",
  ]);
}

function extras(r) {
  const out = [];
  if (r.micro) {
    const q = r.micro.ratios;
    out.push(`micro ratios: sign vs xml-crypto ${f2(q.signVsXmlCrypto)}×, vs xmldsigjs ${f2(q.signVsXmldsigjs)}× (build+sign as Issue does: ${f2(q.buildSignVsXmlCrypto)}×, ${f2(q.buildSignVsXmldsigjs)}×); verify vs xml-crypto ${f2(q.verifyVsXmlCrypto)}×, vs xmldsigjs ${f2(q.verifyVsXmldsigjs)}×; our sign = ${f2(q.signOverRawRsa)} × raw RSA sign; our build+sign = ${f2(q.buildSignOverFloor)} × the WebCrypto floor (SHA-256 + RSA sign), which is itself ${f2(q.floorVsXmlCrypto)}× faster than xml-crypto and ${f2(q.floorVsXmldsigjs)}× faster than xmldsigjs. Assertion ${r.micro.unsignedBytes} bytes unsigned, ${r.micro.assertionBytes} signed.`);
    if (q.encryptVsXmlEncryption !== undefined) {
      out.push(`micro encryption (aes256-gcm + rsa-oaep-mgf1p): ours ${f2(q.encryptVsXmlEncryption)}× faster than xml-encryption; ours = ${f2(q.encryptOverFloor)} × the WebCrypto floor (content-key import + AES-GCM + RSA-OAEP), which is itself ${f2(q.encryptFloorVsXmlEncryption)}× faster than xml-encryption.`);
    }
  }
  if (r.microAllCpus) {
    const q = r.microAllCpus.ratios;
    out.push(`micro on all CPUs (unpinned, reported, not judged: each of Node's WebCrypto calls then waits for its pool thread to wake on the other CPU): build+sign vs xml-crypto ${f2(q.buildSignVsXmlCrypto)}×, vs xmldsigjs ${f2(q.buildSignVsXmldsigjs)}×; verify vs xml-crypto ${f2(q.verifyVsXmlCrypto)}×; build+sign = ${f2(q.buildSignOverFloor)} × the WebCrypto floor, which is ${f2(q.floorVsXmlCrypto)}× faster than xml-crypto.`);
  }
  if (r.soak) out.push(`soak: 60 s of Validate, ${n0(r.soak.rps)} req/s, ${r.soak.errors} errors; workerd RSS ${f1(r.soak.rssAt10sMiB)} MiB at 10 s → ${f1(r.soak.rssAt60sMiB)} MiB at 60 s (max ${f1(r.soak.rssMaxMiB)}), growth ${f1(r.soak.growthPct)} %.`);
  if (r.scale) out.push(r.scale.settings.interleaved ? scaleLine(r.scale) : olderScaleLine(r.scale));
  if (r.memory) out.push(...memoryLine(r.memory));
  return out;
}

// --memory (scripts/bench/memory.mjs): the isolate's heap after a full GC, every `step` tokens.
const MEM_HEAD = ["distinct tokens presented", "heap used after GC, MiB", "heap allocated, MiB", "workerd RSS, MiB", "elapsed s"];
function memoryRows(m) {
  return m.samples.map((s, i) => [`${n0(s.tokens)}${i === 0 ? " (start, after warm-up)" : i === m.samples.length - 1 ? " (end)" : ""}`, f2(s.usedMiB), f2(s.totalMiB), f1(s.rssMiB), f1(s.seconds)]);
}
function memoryTitle(m) {
  return `Memory: the STS isolate's JavaScript heap after a full GC (V8 inspector), ${n0(m.tokens)} distinct tokens presented`;
}
function memoryLine(m) {
  const q = m.requests;
  const p = m.presented;
  const line = `memory: ${n0(m.tokens)} distinct tokens presented in ${f1(m.seconds)} s (${n0(p.jwtExchanged)} JWTs as token-exchange subjects, ${n0(p.jwtIntrospected)} JWTs introspected, ${n0(p.samlValidated)} SAML 2.0 assertions validated over WS-Trust), ${m.concurrency} chains in flight, ${n0(q.exchange)} token exchanges, ${n0(q.introspect)} introspections, ${n0(q.validate)} Validates, 0 errors; heap after GC ${f2(m.startMiB)} MiB at start → ${f2(m.endMiB)} MiB at the end (limit ${m.limitMiB} MiB: ${m.met ? "met" : "MISSED"}).`;
  if (!m.snapshot) return [line];
  const top = m.snapshot.top.slice(0, 10).map((g) => `${g.name} ${f2(g.selfBytes / 1048576)} MiB (${n0(g.count)})`).join("; ");
  const held = m.snapshot.byHolder.slice(0, 10).map((g) => `${g.name} ${f2(g.selfBytes / 1048576)} MiB (${n0(g.count)})`).join("; ");
  return [line, `heap snapshot at the end (${f2(m.snapshot.totalBytes / 1048576)} MiB), self sizes by constructor: ${top}.`, `the same by nearest named holder (first retainers only): ${held}.`];
}

const pct1 = (x) => `${x > 0 ? "+" : ""}${f1(x)}`;

function scaleLine(s) {
  const c = s.settings.connections;
  return `scale (${c} connection${c === 1 ? "" : "s"}, one-use tokens; ${s.settings.rounds} rounds after a warm-up, each a Validate run and a Cancel run of ${n0(s.settings.pool)} tokens per side whose requests go to either shard in random order, every request timed): carol's fresh shard vs alice's shard (same claims, same token size) after ${s.issuedNote} and ${n0(s.cancelledLoadedBeforeRounds)} cancels (this run's, in alice's shard before the first measured round, which starts right after the last of them): p50 fresh → loaded, by round: Validate ${s.before.rounds.map((x, i) => `${f2(x.validate.p50Ms)}→${f2(s.after.rounds[i].validate.p50Ms)}`).join(", ")} ms (${s.validateRoundChangesPct.map(pct1).join(", ")} %); Cancel ${s.before.rounds.map((x, i) => `${f2(x.cancel.p50Ms)}→${f2(s.after.rounds[i].cancel.p50Ms)}`).join(", ")} ms (${s.cancelRoundChangesPct.map(pct1).join(", ")} %); change (median round): Validate ${pct1(s.validateP50ChangePct)} %, Cancel ${pct1(s.cancelP50ChangePct)} %.`;
}

/** Reports written before 2026-11-24's interleaved design: each side measured in runs of its own. */
function olderScaleLine(s) {
  return `scale (2 connections, one-use tokens, ${s.settings.rounds} alternating rounds of 3 s per side after a warm-up, medians): carol's fresh shard → alice's shard (same claims, same token size) after ${s.issuedNote} and ${n0(s.cancelledLoadedBeforeRounds)} cancels (this run's, in alice's shard before the first measured round; rounds start ${s.settings.settleSeconds ?? 0} s after the last of them): Validate p50 ${f2(s.before.validate.p50Ms)} → ${f2(s.after.validate.p50Ms)} ms, Cancel p50 ${f2(s.before.cancel.p50Ms)} → ${f2(s.after.cancel.p50Ms)} ms (medians of each side's rounds); change${s.settings.design?.includes("paired") ? " (median of the rounds' paired changes)" : ""}: Validate ${f1(s.validateP50ChangePct)} %, Cancel ${f1(s.cancelP50ChangePct)} %; rounds (fresh/loaded Cancel p50 ms): ${s.before.rounds.map((r, i) => `${f2(r.cancel.p50Ms)}/${f2(s.after.rounds[i].cancel.p50Ms)}`).join(", ")}.`;
}

const FLOOR_NOTE =
  "\"floor\": the same ratio for the minimum work alone, measured in the same run — for HTTP, the baseline worker doing " +
  "only the WebCrypto operations (and, for a first presentation, the one revocation RPC: a SQLite-backed Durable Object " +
  "point read) the operation needs; in-process, WebCrypto's SHA-256 + RSA sign with nothing else. The exchange floors are " +
  "for the benchmark's repeated subject token (its verification remembered, its revocation answer leased: the signing " +
  "alone); Validate's is a first presentation's (digest, RSA verify, RPC), which a repeated assertion can beat.";

export function renderTable(r) {
  const parts = [`machine: ${machineLine(r)}`];
  if (r.scenarios.length) parts.push(text(HEAD, rows(r)));
  if (r.micro) parts.push(microTitle(r), text(microHead(r), microRows(r)));
  if (r.memory) parts.push(memoryTitle(r.memory), text(MEM_HEAD, memoryRows(r.memory)));
  parts.push(...extras(r));
  if (r.targets.length) parts.push(text(["target", "measured", "floor", ""], targetRows(r)));
  return parts.join("\n\n");
}

export function renderMarkdown(r) {
  const parts = [`# Benchmark results (${r.date})`, `Machine: ${machineLine(r)}.`];
  if (r.scenarios.length) parts.push("## HTTP (plain workerd, `npm run bench`)", md(HEAD, rows(r)));
  if (r.micro) parts.push(`## ${microTitle(r)}`, md(microHead(r), microRows(r)));
  if (r.memory) parts.push(`## ${memoryTitle(r.memory)}`, md(MEM_HEAD, memoryRows(r.memory)));
  const ex = extras(r);
  if (ex.length) parts.push(ex.map((e) => `- ${e}`).join("\n"));
  if (r.targets.length) parts.push("## Targets", FLOOR_NOTE, md(["target", "measured", "floor", "status"], targetRows(r)));
  return parts.join("\n\n") + "\n";
}
