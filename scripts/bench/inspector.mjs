// A minimal client of the V8 inspector that `workerd serve --inspector-addr=127.0.0.1:PORT`
// exposes (Chrome DevTools protocol over a WebSocket; Node 22's global WebSocket). workerd lists
// one target per worker at http://127.0.0.1:PORT/json, each with id = the worker's service name
// in the workerd configuration ("main" for the STS in scripts/serve.mjs, "baseline" for the
// baseline worker) and webSocketDebuggerUrl ws://127.0.0.1:PORT/<id>.
//
// workerd runs some inspector work only when the isolate is next entered: an answer to
// HeapProfiler.collectGarbage (V8 posts the collection as a task) and the chunks of
// HeapProfiler.takeHeapSnapshot do not come while the worker is idle. So every call takes a
// `poke` function, called every 50 ms until the answer is in, that sends the worker a cheap
// request (GET /healthz).
import { writeFileSync } from "node:fs";

/** Connects to worker `id`'s inspector on 127.0.0.1:`port` (`id: null`: the first target). */
export async function connectInspector(port, { id = "main", poke = async () => {} } = {}) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = id === null ? targets[0] : targets.find((t) => t.id === id);
  if (!target) throw new Error(`inspector on port ${port}: no target ${id === null ? "" : `"${id}" `}(targets: ${targets.map((t) => t.id).join(", ")})`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error(`inspector: cannot connect to ${target.webSocketDebuggerUrl}`)), { once: true });
  });
  let seq = 0;
  const pending = new Map();
  const listeners = new Map();
  ws.addEventListener("message", (ev) => {
    const m = JSON.parse(ev.data);
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (p) m.error ? p.reject(new Error(`inspector: ${p.method}: ${m.error.message}`)) : p.resolve(m.result);
    } else listeners.get(m.method)?.(m.params);
  });
  /** Sends `method`; pokes the worker until the answer arrives. */
  const call = async (method, params = {}) => {
    const id = ++seq;
    let done = false;
    const answer = new Promise((resolve, reject) => pending.set(id, { method, resolve, reject })).finally(() => (done = true));
    ws.send(JSON.stringify({ id, method, params }));
    while (!done) {
      await Promise.race([answer, new Promise((r) => setTimeout(r, 50))]);
      if (!done) await poke();
    }
    return answer;
  };
  return {
    call,
    /** Calls `fn(params)` for every event `method` (one listener per method). */
    on: (method, fn) => listeners.set(method, fn),
    close: () => ws.close(),
  };
}

/** The isolate's JavaScript heap right after a full garbage collection: { usedBytes, totalBytes }. */
export async function heapAfterGc(insp) {
  await insp.call("HeapProfiler.collectGarbage");
  const h = await insp.call("Runtime.getHeapUsage");
  return { usedBytes: h.usedSize, totalBytes: h.totalSize };
}

/**
 * Takes a heap snapshot (after a full GC) and sums self sizes two ways, `n` largest of each:
 * - `top`: by kind and constructor ("(string)", "(code)", "Object", "Date", …);
 * - `byHolder`: by its nearest named holders: from each object, the first retainer is followed
 *   upwards (at most 16 steps) through up to three named properties, or up to a closure-context
 *   (module) variable, e.g. "payload (in Object) ← entries (in Object) ← memos (in VerifiedMemo)"
 *   or "leased (context)": which cache or module variable keeps it.
 *   First retainers only: an object held twice is counted once, under one of its holders.
 * Returns { totalBytes, nodes, top: [{ name, count, selfBytes }], byHolder: [same] }; with
 * `saveTo`, also writes the snapshot there (open it in Chrome DevTools → Memory).
 */
export async function heapSummary(insp, { n = 20, saveTo = null } = {}) {
  const chunks = [];
  insp.on("HeapProfiler.addHeapSnapshotChunk", (p) => chunks.push(p.chunk));
  await insp.call("HeapProfiler.collectGarbage");
  await insp.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const raw = chunks.join("");
  if (saveTo) writeFileSync(saveTo, raw);
  const snap = JSON.parse(raw);
  const meta = snap.snapshot.meta;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const [iType, iName, iSize, iEdges] = ["type", "name", "self_size", "edge_count"].map((k) => meta.node_fields.indexOf(k));
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((k) => meta.edge_fields.indexOf(k));
  const { nodes, edges, strings } = snap;
  const count = nodes.length / NF;
  const typeOf = (i) => nodeTypes[nodes[i * NF + iType]];
  const nameOf = (i) => strings[nodes[i * NF + iName]];

  // The first retainer of every node (weak edges and shortcuts skipped), and its edge.
  const firstRetainer = new Int32Array(count).fill(-1);
  const viaEdge = new Int32Array(count).fill(-1);
  for (let i = 0, e = 0; i < count; i++) {
    const end = e + nodes[i * NF + iEdges] * EF;
    for (; e < end; e += EF) {
      const et = edgeTypes[edges[e + eType]];
      if (et === "weak" || et === "shortcut") continue;
      const to = edges[e + eTo] / NF;
      if (firstRetainer[to] === -1) {
        firstRetainer[to] = i;
        viaEdge[to] = e;
      }
    }
  }
  const holder = (i) => {
    const names = [];
    for (let cur = i, step = 0; step < 16 && names.length < 3 && firstRetainer[cur] !== -1; step++) {
      const r = firstRetainer[cur];
      const e = viaEdge[cur];
      const et = edgeTypes[edges[e + eType]];
      if (et === "context" || (et === "property" && typeOf(r) !== "array")) {
        const name = strings[edges[e + eName]];
        if (!/^(table|elements|properties|map|__proto__|constructor|prototype)$/.test(name)) {
          names.push(`${name} (${et === "context" ? "context" : `in ${nameOf(r) || typeOf(r)}`})`);
          if (et === "context") break;
        }
      }
      cur = r;
    }
    return names.length ? names.join(" ← ") : "(no named holder)";
  };
  const add = (map, name, size) => {
    const g = map.get(name) ?? { name, count: 0, selfBytes: 0 };
    g.count++;
    g.selfBytes += size;
    map.set(name, g);
  };
  const groups = new Map();
  const holders = new Map();
  let total = 0;
  for (let i = 0; i < count; i++) {
    const type = typeOf(i);
    const size = nodes[i * NF + iSize];
    total += size;
    add(groups, type === "object" || type === "closure" ? `${nameOf(i)}${type === "closure" ? " (closure)" : ""}` : `(${type})`, size);
    if (type !== "code" && type !== "hidden" && type !== "synthetic") add(holders, holder(i), size);
  }
  const largest = (m) => [...m.values()].sort((a, b) => b.selfBytes - a.selfBytes).slice(0, n);
  return { totalBytes: total, nodes: count, top: largest(groups), byHolder: largest(holders) };
}
