// vpcsim serve: the page. Plain JavaScript and SVG, no framework. Everything comes from
// the JSON API (docs/web.md); the state a person chose lives in the URL's hash
// (#step=12&from=My-EC2&to=Custom-NLB&port=80&protocol=tcp&tab=trace), so a view can be
// shared, reloaded or opened by a test.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 230;
// The diagram shrinks to fit its pane down to this scale, then scrolls (readable on a projector).
const MIN_SCALE = 0.8;
const LINE_H = 19;
const PAD = 12;
const GAP = 14;
// A subnet shows this many nodes until it is expanded (a 1,000-instance world still draws).
const SHOWN_PER_SUBNET = 6;
const LABEL_CHARS = 24;
// The kinds of node a click traces to (the others are on the way, not destinations).
const TRACEABLE = new Set(["instance", "load-balancer", "vpc-endpoint"]);
const TABS = ["trace", "steps", "reach", "console"];

const state = {
  steps: null,
  step: 0,
  world: null,
  trace: null,
  expanded: new Set(),
  tab: "trace",
  reach: null,
  reachPort: null,
};

const $ = (id) => document.getElementById(id);

function recordError(text) {
  const box = $("errors");
  box.hidden = false;
  box.textContent += text + "\n";
}
window.addEventListener("error", (e) => recordError("error: " + e.message));
window.addEventListener("unhandledrejection", (e) => recordError("unhandled: " + (e.reason && e.reason.message)));

// A call to the API: the JSON answer, or an Error carrying the server's message.
async function api(path, body) {
  const init = body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
  const response = await fetch(path, init);
  const json = await response.json();
  if (!response.ok) {
    throw new ApiError(json.error || response.statusText);
  }
  return json;
}

class ApiError extends Error {}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function short(text) {
  return text.length > LABEL_CHARS ? text.slice(0, LABEL_CHARS - 1) + "\u2026" : text;
}

// ---- the URL's hash -------------------------------------------------------------------

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  return Object.fromEntries(p.entries());
}

function writeHash() {
  const p = new URLSearchParams();
  p.set("step", state.step);
  p.set("tab", state.tab);
  if (state.trace) {
    for (const k of ["from", "to", "port", "protocol"]) p.set(k, $(k).value);
  }
  if (state.tab === "reach" && state.reachPort) p.set("rport", state.reachPort);
  history.replaceState(null, "", "#" + p.toString());
}

// ---- layout: nested boxes computed here, then drawn -----------------------------------

function nodeHeight(node) {
  return node.label.length * LINE_H + PAD;
}

// Lays out a subnet's nodes in a column, load balancer nodes and endpoints first; past
// SHOWN_PER_SUBNET, the rest collapse into a "+N more" box until expanded.
function layoutSubnet(c, nodes) {
  const header = c.label.length * LINE_H + 8;
  const rank = (id) => (nodes[id].kind === "instance" ? 1 : 0);
  const all = [...c.nodes].sort((a, b) => rank(a) - rank(b));
  const open = state.expanded.has(c.id) || all.length <= SHOWN_PER_SUBNET;
  const shown = open ? all : all.slice(0, SHOWN_PER_SUBNET - 1);
  const items = [];
  let y = header + PAD;
  for (const id of shown) {
    const h = nodeHeight(nodes[id]);
    items.push({ id, dx: PAD, dy: y, h });
    y += h + GAP / 2;
  }
  let more = null;
  if (!open) {
    more = { dx: PAD, dy: y, h: LINE_H * 2, count: all.length - shown.length, hidden: all.slice(shown.length) };
    y += more.h + GAP / 2;
  }
  return { kind: "subnet", c, w: NODE_W + 2 * PAD, h: y + PAD / 2, items, more, header };
}

function layoutColumn(kind, c, children, header) {
  let y = header + PAD;
  let w = 0;
  for (const ch of children) {
    ch.dy = y;
    y += ch.h + GAP;
    w = Math.max(w, ch.w);
  }
  return { kind, c, children, w: w + 2 * PAD, h: y, header };
}

function layoutVpc(c, nodes) {
  const header = c.label.length * LINE_H + 8;
  const gateways = c.nodes.map((id) => ({ id, h: nodeHeight(nodes[id]) }));
  const gwH = gateways.reduce((m, g) => Math.max(m, g.h), 0);
  const zones = c.clusters.map((az) => layoutColumn("az", az, az.clusters.map((s) => layoutSubnet(s, nodes)), LINE_H + 8));
  let x = PAD;
  const top = header + (gwH ? gwH + GAP : 0) + PAD;
  let h = 0;
  for (const z of zones) {
    z.dx = x;
    z.dy = top;
    x += z.w + GAP;
    h = Math.max(h, z.h);
  }
  const w = Math.max(x - GAP + PAD, NODE_W + 2 * PAD);
  return { kind: "vpc", c, zones, gateways, w, h: top + h + PAD, header };
}

// Absolute positions of every drawn node: {id: {x, y, w, h}}; hidden nodes map to their "+N more" box.
function layout(topology) {
  const nodes = Object.fromEntries(topology.nodes.map((n) => [n.id, n]));
  const pos = {};
  const boxes = [];
  const vpcs = topology.clusters.map((c) => layoutVpc(c, nodes));
  const internet = topology.top.filter((id) => nodes[id].kind === "internet");
  const services = topology.top.filter((id) => nodes[id].kind !== "internet");
  let y = PAD;
  let x = PAD;
  const rowTop = y;
  for (const id of internet) {
    pos[id] = { x, y: rowTop, w: NODE_W, h: nodeHeight(nodes[id]) };
    x += NODE_W + GAP * 3;
  }
  y += internet.length ? nodeHeight(nodes[internet[0]]) + GAP * 3 : 0;
  x = PAD;
  let rowH = 0;
  for (const v of vpcs) {
    place(v, x, y, pos, boxes, nodes);
    x += v.w + GAP * 3;
    rowH = Math.max(rowH, v.h);
  }
  const width = Math.max(x, NODE_W * 2);
  if (internet.length) pos[internet[0]].x = Math.max(PAD, (width - NODE_W) / 2);
  y += rowH + GAP * 3;
  x = PAD;
  let svcH = 0;
  for (const id of services) {
    const h = nodeHeight(nodes[id]);
    pos[id] = { x, y, w: NODE_W, h };
    x += NODE_W + GAP * 3;
    svcH = Math.max(svcH, h);
  }
  const spread = services.length ? (width - services.length * (NODE_W + GAP * 3)) / 2 : 0;
  for (const id of services) pos[id].x += Math.max(0, spread);
  return { pos, boxes, nodes, width: Math.max(width, x), height: y + svcH + PAD };
}

function place(v, x, y, pos, boxes, nodes) {
  boxes.push({ level: "vpc", c: v.c, x, y, w: v.w, h: v.h });
  // A VPC is an edge's end too (a peering connection's); it is not drawn as a node.
  pos[v.c.id] = { x, y, w: v.w, h: v.h, cluster: true };
  let gx = x + PAD;
  for (const g of v.gateways) {
    pos[g.id] = { x: gx, y: y + v.header, w: NODE_W, h: g.h };
    gx += NODE_W + GAP;
  }
  for (const z of v.zones) {
    const zx = x + z.dx;
    const zy = y + z.dy;
    boxes.push({ level: "az", c: z.c, x: zx, y: zy, w: z.w, h: z.h });
    for (const s of z.children) {
      const sx = zx + PAD;
      const sy = zy + s.dy;
      boxes.push({ level: "subnet", c: s.c, x: sx, y: sy, w: s.w, h: s.h });
      for (const it of s.items) pos[it.id] = { x: sx + it.dx, y: sy + it.dy, w: NODE_W, h: it.h };
      if (s.more) {
        const box = { x: sx + s.more.dx, y: sy + s.more.dy, w: NODE_W, h: s.more.h, more: s.c.id, count: s.more.count };
        boxes.push({ level: "more", ...box });
        for (const id of s.more.hidden) pos[id] = box;
      }
    }
  }
}

// ---- drawing ---------------------------------------------------------------------------

function center(p) {
  return { x: p.x + p.w / 2, y: p.y + p.h / 2 };
}

// Where the line from a's centre to b's centre leaves a's box.
function clip(a, b) {
  const c = center(a);
  const d = center(b);
  const dx = d.x - c.x;
  const dy = d.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : a.w / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : a.h / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

function segment(a, b, offset) {
  const p = clip(a, b);
  const q = clip(b, a);
  const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  const ox = (-(q.y - p.y) / len) * offset;
  const oy = ((q.x - p.x) / len) * offset;
  return { x1: p.x + ox, y1: p.y + oy, x2: q.x + ox, y2: q.y + oy };
}

// A path's hop as a curve: between two nodes of one column it leaves by the column's side
// (forward on the right, return on the left) and loops back; otherwise it bows, forward
// and return to opposite sides. Its middle point carries the sequence number.
function curve(a, b, kind) {
  if (Math.abs(a.x - b.x) < 20) {
    const right = kind === "fwd";
    const x = right ? Math.max(a.x + a.w, b.x + b.w) : Math.min(a.x, b.x);
    const y1 = a.y + a.h / 2;
    const y2 = b.y + b.h / 2;
    const cx = x + (right ? 1 : -1) * (30 + Math.abs(y2 - y1) * 0.15);
    return { d: `M ${x} ${y1} C ${cx} ${y1} ${cx} ${y2} ${x} ${y2}`, mid: { x: x / 4 + cx * 0.75 - (right ? 0 : 14), y: (y1 + y2) / 2 } };
  }
  const s = segment(a, b, 0);
  const len = Math.hypot(s.x2 - s.x1, s.y2 - s.y1) || 1;
  const bend = Math.min(90, 18 + len * 0.25);
  const nx = (-(s.y2 - s.y1) / len) * bend;
  const ny = ((s.x2 - s.x1) / len) * bend;
  const cx = (s.x1 + s.x2) / 2 + nx;
  const cy = (s.y1 + s.y2) / 2 + ny;
  return { d: `M ${s.x1} ${s.y1} Q ${cx} ${cy} ${s.x2} ${s.y2}`, mid: { x: (s.x1 + s.x2) / 4 + cx / 2, y: (s.y1 + s.y2) / 4 + cy / 2 } };
}

function drawTopology() {
  const t = state.world.topology;
  const trace = state.trace;
  if (trace) {
    for (const [id] of [...trace.drawn.forward, ...trace.drawn.return]) expandFor(t, id);
    if (trace.drawn.blocked) expandFor(t, trace.drawn.blocked.node);
  }
  const L = layout(t);
  const root = $("topology");
  root.replaceChildren();
  root.setAttribute("viewBox", `0 0 ${L.width} ${L.height}`);
  const room = $("map").clientWidth - 4;
  const scale = Math.min(1.15, Math.max(MIN_SCALE, room / L.width));
  root.setAttribute("width", Math.round(L.width * scale));
  root.setAttribute("height", Math.round(L.height * scale));
  root.append(markers());
  for (const b of L.boxes) root.append(drawBox(b));
  const edges = svg("g", { class: "edges" });
  for (const e of t.edges) {
    const a = L.pos[e.from];
    const b = L.pos[e.to];
    if (!a || !b || a === b) continue;
    edges.append(svg("line", { class: "edge " + e.kind, ...segment(a, b, 0) }));
  }
  root.append(edges);
  for (const [id, p] of Object.entries(L.pos)) {
    if (p.more || p.cluster) continue;
    root.append(drawNode(L.nodes[id], p));
  }
  if (trace) root.append(drawPaths(trace, L));
}

// Opens the subnet that holds node `id`, so a traced path shows the node itself.
function expandFor(topology, id) {
  const walk = (c) => {
    if (c.level === "subnet" && c.nodes.includes(id)) state.expanded.add(c.id);
    c.clusters.forEach(walk);
  };
  topology.clusters.forEach(walk);
}

function markers() {
  const defs = svg("defs");
  for (const kind of ["fwd", "ret", "blocked"]) {
    defs.append(
      svg("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead " + kind })));
  }
  return defs;
}

function drawBox(b) {
  if (b.level === "more") {
    const g = svg("g", { class: "more", tabindex: 0, role: "button", "data-subnet": b.more });
    g.append(svg("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8 }));
    g.append(svg("text", { x: b.x + PAD, y: b.y + LINE_H * 1.3 }, `+ ${b.count} more (click to show)`));
    const open = () => {
      state.expanded.add(b.more);
      drawTopology();
    };
    g.addEventListener("click", open);
    g.addEventListener("keydown", (e) => e.key === "Enter" && open());
    return g;
  }
  const g = svg("g", { class: "cluster " + b.level, "data-id": b.c.id });
  g.append(svg("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: b.level === "vpc" ? 12 : 8 }));
  b.c.label.forEach((line, i) => {
    g.append(svg("text", { x: b.x + PAD, y: b.y + LINE_H * (i + 1) }, short(line)));
  });
  return g;
}

function drawNode(n, p) {
  const g = svg("g", { class: "node " + n.kind, "data-node": n.id, tabindex: 0, role: "button" });
  g.append(svg("title", {}, n.label.join("\n") + "\nEnter: trace to it; Shift+Enter: trace from it"));
  g.append(svg("rect", { x: p.x, y: p.y, width: p.w, height: p.h, rx: 8 }));
  n.label.forEach((line, i) => {
    g.append(svg("text", { x: p.x + PAD, y: p.y + LINE_H * (i + 1), class: i === 0 ? "name" : "" }, short(line)));
  });
  const pick = (e) => pickNode(n, e.shiftKey);
  g.addEventListener("click", pick);
  g.addEventListener("keydown", (e) => e.key === "Enter" && pick(e));
  const b = state.trace && state.trace.drawn.blocked;
  if (b && b.node === n.id) g.classList.add("blocked");
  return g;
}

// Clicking a node: trace to it (or, with Shift, from it when it is an instance).
function pickNode(n, asSource) {
  const name = n.kind === "internet" ? "internet" : n.label[0].replace(/ \(NLB node\)$/, "").replace(/^endpoint /, "");
  if (asSource) {
    if (![...$("from").options].some((o) => o.value === name)) return;
    $("from").value = name;
  } else {
    if (!TRACEABLE.has(n.kind)) return;
    $("to").value = name;
  }
  showTab("trace");
  runTrace();
}

function drawPaths(trace, L) {
  const g = svg("g", { class: "paths" });
  const draw = (nodes, kind) => {
    for (let i = 1; i < nodes.length; i++) {
      const a = L.pos[nodes[i - 1][0]];
      const b = L.pos[nodes[i][0]];
      if (!a || !b || a === b) continue;
      const c = curve(a, b, kind);
      g.append(svg("path", { class: "path " + kind, "data-from": nodes[i - 1][0], "data-to": nodes[i][0], "marker-end": `url(#arrow-${kind})`, d: c.d }));
      g.append(svg("text", { class: "seq " + kind, x: c.mid.x + 4, y: c.mid.y + 5 }, String(nodes[i][1])));
    }
  };
  draw(trace.drawn.forward, "fwd");
  draw(trace.drawn["return"], "ret");
  const b = trace.drawn.blocked;
  if (b && L.pos[b.node]) {
    const last = trace.drawn.forward[trace.drawn.forward.length - 1];
    if (last && last[0] !== b.node && L.pos[last[0]]) {
      g.append(svg("line", { class: "path blocked", "marker-end": "url(#arrow-blocked)", ...segment(L.pos[last[0]], L.pos[b.node], 0) }));
    }
    const p = L.pos[b.node];
    g.append(svg("text", { class: "blocked-code", x: p.x, y: p.y - 6 }, "\u2718 " + b.code));
  }
  return g;
}

// ---- the trace pane --------------------------------------------------------------------

async function runTrace() {
  const q = new URLSearchParams({ step: state.step, from: $("from").value, to: $("to").value.trim(), protocol: $("protocol").value });
  if ($("protocol").value !== "icmp" && $("port").value) q.set("port", $("port").value);
  const out = $("trace-result");
  if (!$("to").value.trim()) {
    state.trace = null;
    out.replaceChildren();
    drawTopology();
    return;
  }
  try {
    state.trace = await api("/api/trace?" + q.toString());
    out.replaceChildren(...traceView(state.trace));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    state.trace = null;
    out.replaceChildren(el("p", { class: "problem", role: "alert" }, e.message));
  }
  drawTopology();
  writeHash();
}

function traceView(t) {
  const f = t.flow;
  const verdict = f.reachable
    ? el("p", { class: "verdict ok", id: "verdict" }, `\u2714 REACHABLE: ${f.from} \u2192 ${f.to} (${f.address}) ${f.protocol} ${f.port}`)
    : el("p", { class: "verdict blocked", id: "verdict" }, `\u2718 NOT REACHABLE: ${f.from} \u2192 ${f.to} (${f.address}) ${f.protocol} ${f.port}`);
  const parts = [verdict];
  if (t.explanation) {
    parts.push(el("div", { class: "explanation", id: "explanation" },
      el("p", {}, el("strong", { class: "code" }, t.explanation.code), " ", t.explanation.message.replace(t.explanation.code + " ", "")),
      el("p", { class: "paragraph" }, (t.explanation.paragraph || "").replaceAll("`", ""))));
  }
  const decisive = t.explanation ? t.analysis.Explanations[0].Component.Id : null;
  parts.push(el("h3", {}, "Forward path"), hopTable(t.hops.forward, decisive));
  if (t.hops["return"].length) parts.push(el("h3", {}, "Return path"), hopTable(t.hops["return"], null));
  return parts;
}

function hopTable(hops, decisive) {
  const table = el("table", { class: "hops" });
  table.append(el("thead", {}, el("tr", {}, ...["#", "Component", "Matched"].map((h) => el("th", { scope: "col" }, h)))));
  const body = el("tbody");
  let last = null;
  const decisiveRow = decisive === null ? -1 : hops.map((h) => h.id).lastIndexOf(decisive);
  hops.forEach((h, i) => {
    const cls = i === decisiveRow ? "decisive" : "";
    body.append(el("tr", { class: cls },
      el("td", {}, String(h.seq)),
      el("td", {}, el("div", { class: "kind" }, h.kind), el("div", {}, h.name || h.id)),
      el("td", {}, h.matched || "")));
    const packet = el("td", { colspan: 3, class: "packet" });
    if (h.inbound && h.inbound !== last) packet.append(el("div", {}, "packet " + h.inbound));
    if (h.outbound) packet.append(el("div", { class: "rewrite" }, "rewritten \u2192 " + h.outbound));
    last = h.outbound || h.inbound || last;
    if (packet.childNodes.length) body.append(el("tr", { class: "packet-row " + cls }, el("td", {}), packet));
  });
  table.append(body);
  return table;
}

// ---- the timeline ----------------------------------------------------------------------

function stepTitle(n) {
  return n === 0 ? "Step 0: the stacks, before any step" : `Step ${n}: ${state.steps.steps[n - 1].title}`;
}

async function setStep(n) {
  const last = state.steps.last;
  state.step = Math.max(0, Math.min(last, n));
  $("slider").value = state.step;
  $("step-label").textContent = `World after ${stepTitle(state.step)} (of ${state.steps.steps.length})`;
  $("prev").disabled = state.step === 0;
  $("next").disabled = state.step === last;
  for (const li of $("steps").children) li.classList.toggle("current", Number(li.dataset.step) === state.step);
  await loadWorld();
}

async function loadWorld() {
  state.world = await api("/api/world?step=" + state.step);
  $("reset").hidden = !state.world.edited;
  fillChoices();
  if (state.tab === "reach") await loadReach();
  if ($("to").value.trim()) {
    await runTrace();
  } else {
    drawTopology();
    writeHash();
  }
}

function fillChoices() {
  const from = state.pendingFrom || $("from").value;
  state.pendingFrom = null;
  $("from").replaceChildren(...state.world.sources.map((s) => el("option", {}, s)), el("option", { value: "internet" }, "the internet"));
  if ([...$("from").options].some((o) => o.value === from)) $("from").value = from;
  const on = $("on").value;
  $("on").replaceChildren(...state.world.sources.map((s) => el("option", {}, s)));
  if ([...$("on").options].some((o) => o.value === on)) $("on").value = on;
  $("destinations").replaceChildren(...state.world.destinations.map((d) => el("option", { value: d })));
}

function stepsView() {
  const s = state.steps;
  $("title").textContent = s.name;
  $("description").textContent = s.description || "";
  const items = [el("li", { "data-step": 0 }, stepButton(0))];
  s.steps.forEach((step, i) => {
    const li = el("li", { "data-step": i + 1, class: step.status }, stepButton(i + 1));
    if (step.description) li.append(el("p", { class: "narrative" }, step.description));
    if (step.command) li.append(el("code", { class: "command" }, (step.on ? step.on + "$ " : "") + step.command));
    const o = step.outcome;
    if (o && (o.stdout || o.stderr)) li.append(el("pre", { class: "output" }, (o.stdout + o.stderr).slice(0, 4000)));
    const failed = step.checks.filter((c) => !c.held);
    for (const c of failed) li.append(el("p", { class: "problem" }, `${c.key}: expected ${c.expected}, got ${c.actual}`));
    items.push(li);
  });
  $("steps").replaceChildren(...items);
  $("slider").max = s.last;
}

function stepButton(n) {
  const b = el("button", { type: "button", class: "step", disabled: n > state.steps.last ? "" : null }, stepTitle(n));
  b.addEventListener("click", () => setStep(n));
  return b;
}

// ---- the console -----------------------------------------------------------------------

async function runCommand() {
  const command = $("command").value.trim();
  if (!command) return;
  const out = $("console-output");
  const prompt = command.startsWith("aws ") ? "$ " : `${$("on").value}$ `;
  out.append(el("span", { class: "prompt" }, prompt + command + "\n"));
  try {
    const r = await api("/api/run", { step: state.step, on: $("on").value || null, command });
    out.append(r.stdout, el("span", { class: "stderr" }, r.stderr));
    if (r.explanation) out.append(el("span", { class: "blocked" }, `(vpcsim: blocked: ${r.explanation})\n`));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    out.append(el("span", { class: "stderr" }, e.message + "\n"));
  }
  out.scrollTop = out.scrollHeight;
  $("command").value = "";
  await loadWorld();
}

// ---- the reachability matrix -----------------------------------------------------------

// The matrix of the world shown (vpcsim reach --json's document), fetched when the Reach tab
// is open; classes of identical rows and columns are one row or column.
async function loadReach() {
  const out = $("reach-result");
  try {
    state.reach = await api("/api/reach?step=" + state.step);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    state.reach = null;
    out.replaceChildren(el("p", { class: "problem", role: "alert" }, e.message));
    return;
  }
  const ports = state.reach.ports;
  const chosen = ports.includes(state.reachPort) ? state.reachPort : ports.includes("tcp:80") ? "tcp:80" : ports[0];
  $("reach-port").replaceChildren(...ports.map((p) => el("option", {}, p)));
  $("reach-port").value = chosen;
  state.reachPort = chosen;
  out.replaceChildren(reachTable(state.reach, chosen));
  writeHash();
}

// A class's legend: its first names and how many more.
function legend(members) {
  const names = members.map((m) => m.name);
  const shown = names.slice(0, 3).join(", ");
  return names.length > 3 ? `${shown} (+${names.length - 3} more)` : shown;
}

function classes(items) {
  const out = [];
  for (const item of items) (out[item.class] ||= []).push(item);
  return out;
}

// What a trace needs to name a member: the internet, an instance's name, an endpoint's id.
function traceName(m) {
  if (m.kind === "internet") return "internet";
  return m.kind === "vpc-endpoint" ? m.id : m.name;
}

function reachTable(r, port) {
  const rows = classes(r.sources);
  const cols = classes(r.destinations);
  const cells = new Map(r.cells.filter((c) => c.port === port).map((c) => [c.source_class + "," + c.destination_class, c]));
  const table = el("table", { class: "reach", id: "reach-table" });
  table.append(el("caption", {}, `From each source (rows) to each destination (columns), ${port}; identical rows and columns are merged. A cell traces its first pair.`));
  table.append(el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "from \\ to"), ...cols.map((c) => el("th", { scope: "col" }, legend(c))))));
  const body = el("tbody");
  rows.forEach((members, sc) => {
    const tr = el("tr", {}, el("th", { scope: "row" }, legend(members)));
    cols.forEach((dests, dc) => {
      const c = cells.get(sc + "," + dc);
      tr.append(el("td", {}, c ? reachCell(c, members, dests, port) : ""));
    });
    body.append(tr);
  });
  table.append(body);
  return table;
}

function reachCell(c, members, dests, port) {
  const varies = Array.isArray(c.by_source);
  const ok = c.verdict === "reachable";
  const text = varies ? "varies" : ok ? "\u2714" : c.verdict === "elsewhere" || c.verdict === "no-address" ? c.verdict : "\u2718 " + c.verdict;
  const cls = "reach-cell " + (varies ? "varies" : ok ? "ok" : "blocked");
  const from = members.find((m) => m.kind === "internet" || m.kind === "instance");
  const title = varies ? "depends on the source: a load balancer's flow hash decided" : c.verdict + (c.on_return ? " (on the return path)" : "");
  const b = el("button", { type: "button", class: cls, title, disabled: from ? null : "" }, text);
  b.addEventListener("click", () => {
    $("from").value = traceName(from);
    $("to").value = traceName(dests[0]);
    const [protocol, number] = port.split(":");
    $("protocol").value = protocol;
    if (number) $("port").value = number;
    showTab("trace");
    runTrace();
  });
  return b;
}

// ---- tabs and keys ---------------------------------------------------------------------

function showTab(name) {
  state.tab = name;
  for (const t of TABS) {
    $("tab-" + t).setAttribute("aria-selected", String(t === name));
    $("pane-" + t).hidden = t !== name;
  }
  writeHash();
  if (name === "reach" && state.world) loadReach();
}

function typing(target) {
  return ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName) && target.type !== "range";
}

function wire() {
  $("prev").addEventListener("click", () => setStep(state.step - 1));
  $("next").addEventListener("click", () => setStep(state.step + 1));
  $("slider").addEventListener("change", () => setStep(Number($("slider").value)));
  $("reset").addEventListener("click", async () => {
    await api("/api/reset", { step: state.step });
    await loadWorld();
  });
  $("trace-form").addEventListener("submit", (e) => {
    e.preventDefault();
    runTrace();
  });
  $("console-form").addEventListener("submit", (e) => {
    e.preventDefault();
    runCommand();
  });
  for (const t of TABS) $("tab-" + t).addEventListener("click", () => showTab(t));
  $("reach-port").addEventListener("change", () => {
    state.reachPort = $("reach-port").value;
    if (state.reach) $("reach-result").replaceChildren(reachTable(state.reach, state.reachPort));
    writeHash();
  });
  document.addEventListener("keydown", (e) => {
    if (typing(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowLeft" && e.target.id !== "slider") setStep(state.step - 1);
    else if (e.key === "ArrowRight" && e.target.id !== "slider") setStep(state.step + 1);
    else if (e.key === "t") showTab("trace");
    else if (e.key === "s") showTab("steps");
    else if (e.key === "c") showTab("console");
    else if (e.key === "r") showTab("reach");
  });
}

async function main() {
  wire();
  const h = readHash();
  state.steps = await api("/api/steps");
  stepsView();
  if (h.from) state.pendingFrom = h.from;
  if (h.to) $("to").value = h.to;
  if (h.port) $("port").value = h.port;
  if (h.protocol) $("protocol").value = h.protocol;
  if (h.rport) state.reachPort = h.rport;
  showTab(TABS.includes(h.tab) ? h.tab : "trace");
  const step = Number(h.step);
  await setStep(h.step !== undefined && Number.isInteger(step) ? step : state.steps.default_step);
  // How long the page took to become usable, from navigation start (docs/web.md, "Speed").
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "yes";
}

main().catch((e) => recordError("error: " + e.message));
