// Generated from dashboard/ by scripts/embed-docs.py (`make docs`): do not edit by hand.

/// The dashboard's files (`GET /`, `GET /dashboard/{asset}`), as compiled into the binary.
public enum DashboardAssets {
    /// `dashboard/index.html`: The page.
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard</title>
<!-- Relative addresses throughout, so the page works with the ingress behind a path prefix. -->
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard/dashboard.css">
<script src="dashboard/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <h1>Switchboard</h1>
  <span id="overall" class="pill" data-status="unknown" role="status" aria-live="polite">…</span>
  <span id="feed-state" class="feed" data-state="connecting">connecting</span>
  <span class="spacer"></span>
  <span id="clock" class="muted"></span>
</header>

<main class="grid">
  <section id="system" class="panel" aria-labelledby="system-title">
    <h2 id="system-title">System</h2>
    <p class="muted small">Redis <span id="redis" data-status="unknown">…</span>
      · transport <span id="transport">…</span> · payment breaker <span id="breaker" data-state="unknown">…</span></p>
    <ul id="services" class="services"></ul>
  </section>

  <section id="flow" class="panel" aria-labelledby="flow-title">
    <h2 id="flow-title">Flow <span class="muted small">events/s over the last 10 s</span></h2>
    <svg id="flow-graph" viewBox="0 0 920 300" role="img" aria-label="The saga: services and the events between them"></svg>
    <table class="figures">
      <thead><tr><th>service</th><th>handled</th><th>failed</th><th>dead-lettered</th>
        <th>p50</th><th>p95</th><th>p99</th></tr></thead>
      <tbody id="figures"></tbody>
    </table>
    <h3>Orders/s <span class="legend"><i class="progress"></i>confirmed <i class="failure"></i>cancelled</span>
      <span id="orders-rate" class="muted small"></span></h3>
    <svg id="orders-chart" viewBox="0 0 600 90" preserveAspectRatio="none" role="img"
         aria-label="Orders confirmed and cancelled per second, last 5 minutes"></svg>
  </section>

  <section id="events" class="panel" aria-labelledby="events-title">
    <h2 id="events-title">Live events <span id="events-count" class="muted small"></span></h2>
    <div class="controls">
      <label>type <input id="filter-type" type="search" placeholder="e.g. payment" size="12"></label>
      <label>order <input id="filter-order" type="search" placeholder="order id" size="16"></label>
      <button id="pause" type="button" aria-pressed="false">Pause</button>
      <span id="paused-note" class="muted small" aria-live="polite"></span>
    </div>
    <div id="event-list" class="event-list" tabindex="0" aria-label="Latest events, newest first">
      <table>
        <thead><tr><th>time</th><th>type</th><th>order</th><th>service</th></tr></thead>
        <tbody id="event-rows"></tbody>
      </table>
    </div>
  </section>

  <section id="order" class="panel" aria-labelledby="order-title">
    <h2 id="order-title">An order</h2>
    <form id="order-form" class="controls">
      <label>order id <input id="order-id" name="order" size="36" autocomplete="off" required></label>
      <button type="submit">Show</button>
    </form>
    <p id="order-status" class="small" aria-live="polite"></p>
    <ol id="timeline" class="timeline"></ol>
  </section>

  <section id="deadletters" class="panel" aria-labelledby="deadletters-title">
    <h2 id="deadletters-title">Dead letters <span id="deadletters-count" class="muted small"></span></h2>
    <ul id="deadletter-list" class="letters"></ul>
  </section>

  <section id="place" class="panel" aria-labelledby="place-title">
    <h2 id="place-title">Place a test order</h2>
    <form id="place-form" class="place">
      <label>SKU <select id="place-sku" name="sku">
        <option>BOOK-1</option><option>MUG-1</option><option>PEN-1</option></select></label>
      <label>quantity <input id="place-quantity" name="quantity" type="number" min="1" max="1000000" value="1" required></label>
      <label>card <select id="place-card" name="card">
        <option value="4242424242424242">4242 4242 4242 4242: succeeds</option>
        <option value="4000000000000002">4000 0000 0000 0002: card_declined</option>
        <option value="4000000000009995">4000 0000 0000 9995: insufficient_funds</option>
      </select></label>
      <button type="submit">Place order</button>
    </form>
    <p id="place-result" class="small" aria-live="polite"></p>
  </section>
</main>

<dialog id="confirm-replay">
  <form method="dialog">
    <p>Replay dead letter <code id="confirm-id"></code> on <code id="confirm-channel"></code>?
      It is published again as it arrived and removed from the store.</p>
    <div class="controls"><button value="cancel" autofocus>Cancel</button>
      <button id="confirm-ok" value="replay" class="danger">Replay</button></div>
  </form>
</dialog>
</body>
</html>

"""#
    /// `dashboard/dashboard.css`: Its style sheet.
    public static let css = #"""
/* The colours of `switchboard tail`: green progress, red failures, yellow compensation, cyan the rest. */
:root {
  --bg: #0f1419; --panel: #171d24; --line: #2a323c; --text: #d8dee6; --muted: #8a96a3;
  --progress: #3fb950; --failure: #f85149; --compensation: #d29922; --other: #39c5cf; --focus: #58a6ff;
  color-scheme: dark;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, sans-serif; }
code, .mono, td, .timeline { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 13px; margin: 10px 0 4px; font-weight: 600; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }

.top { display: flex; align-items: center; gap: 12px; padding: 8px 16px; border-bottom: 1px solid var(--line); }
.spacer { flex: 1; }
.pill { padding: 2px 10px; border-radius: 10px; font-weight: 600; min-width: 84px; text-align: center; }
.pill[data-status="ok"] { background: var(--progress); color: #04140a; }
.pill[data-status="degraded"], .pill[data-status="overloaded"] { background: var(--compensation); color: #1d1404; }
.pill[data-status="down"], .pill[data-status="unknown"] { background: var(--failure); color: #1f0504; }
.feed::before { content: "●"; margin-right: 4px; }
.feed[data-state="live"]::before { color: var(--progress); }
.feed[data-state="connecting"]::before, .feed[data-state="cut"]::before { color: var(--compensation); }

.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; padding: 12px 16px;
  grid-template-rows: auto 1fr auto auto; align-items: start;
  grid-template-areas: "system flow flow" "place flow flow" "events events order" "dead dead order"; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
#system { grid-area: system; } #flow { grid-area: flow; } #place { grid-area: place; } #events { grid-area: events; }
#order { grid-area: order; align-self: stretch; } #deadletters { grid-area: dead; }
@media (max-width: 1100px) {
  .grid { grid-template-columns: 1fr; grid-template-rows: none; grid-template-areas: "system" "flow" "events" "order" "dead" "place"; }
}

[data-status="up"], [data-status="ok"], [data-state="closed"] { color: var(--progress); }
[data-status="down"], [data-state="open"] { color: var(--failure); }
[data-state="half-open"], [data-state="halfOpen"] { color: var(--compensation); }
.pill[data-status] { color: #0b0f14; }

.services { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 6px; }
.services li { border: 1px solid var(--line); border-left: 4px solid var(--failure); border-radius: 4px; padding: 4px 8px; min-height: 58px; }
.services li[data-status="up"] { border-left-color: var(--progress); }
.services .name { font-weight: 600; color: var(--text); }
.services .instances { font-size: 11.5px; color: var(--muted); overflow-wrap: anywhere; }

#flow-graph { width: 100%; height: auto; display: block; }
#flow-graph .node rect { fill: #1f2730; stroke: var(--line); stroke-width: 1.5; }
#flow-graph .node[data-status="up"] rect { stroke: var(--progress); }
#flow-graph .node[data-status="down"] rect { stroke: var(--failure); }
#flow-graph .node text { fill: var(--text); font-size: 13px; font-weight: 600; text-anchor: middle; }
#flow-graph .node .sub { fill: var(--muted); font-size: 10.5px; font-weight: 400; }
#flow-graph path { fill: none; stroke-width: 1.6; opacity: .75; }
#flow-graph path.arrowhead { fill: currentColor; stroke: none; opacity: 1; }
#flow-graph text.rate { font-size: 10.5px; font-family: ui-monospace, monospace; }
.progress { color: var(--progress); stroke: var(--progress); }
.failure { color: var(--failure); stroke: var(--failure); }
.compensation { color: var(--compensation); stroke: var(--compensation); }
.other { color: var(--other); stroke: var(--other); }
text.progress { fill: var(--progress); stroke: none; } text.failure { fill: var(--failure); stroke: none; }
text.compensation { fill: var(--compensation); stroke: none; } text.other { fill: var(--other); stroke: none; }
.legend i { display: inline-block; width: 10px; height: 3px; margin: 0 4px 3px 10px; background: currentColor; }

table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); }
td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 1px 4px 1px 0; height: 20px; }
.figures td, .figures th { text-align: right; font-variant-numeric: tabular-nums; }
.figures td:first-child, .figures th:first-child { text-align: left; }
#orders-chart { width: 100%; height: 90px; display: block; background: #12171d; border-radius: 4px; }
#orders-chart polyline { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }

.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 6px; }
input, select, button { font: inherit; color: var(--text); background: #0f1419; border: 1px solid var(--line); border-radius: 4px; padding: 3px 6px; }
button { cursor: pointer; background: #222b35; }
button:hover { border-color: var(--focus); }
button[aria-pressed="true"] { background: var(--compensation); color: #1d1404; }
button.danger { border-color: var(--failure); }
.event-list { height: 280px; overflow-y: auto; border: 1px solid var(--line); border-radius: 4px; }
.event-list thead th { position: sticky; top: 0; background: var(--panel); }
.event-list th:nth-child(1) { width: 96px; } .event-list th:nth-child(2) { width: 150px; } .event-list th:nth-child(4) { width: 110px; }
.event-list tbody tr:hover { background: #1f2730; }
button.link { background: none; border: none; padding: 0; color: var(--text); text-decoration: underline dotted; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }

.timeline { list-style: none; padding: 0; margin: 0; height: 420px; overflow-y: auto; }
.timeline li { display: grid; grid-template-columns: 92px 70px 1fr; gap: 6px; padding: 2px 0; border-bottom: 1px dashed var(--line); }
.timeline .hop { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
#order-status [data-status="confirmed"] { color: var(--progress); }
#order-status [data-status="cancelled"] { color: var(--failure); }

.letters { list-style: none; padding: 0; margin: 0; height: 200px; overflow-y: auto; }
.letters li { border-bottom: 1px solid var(--line); padding: 4px 0; display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; }
.letters .reason { color: var(--failure); }
.letters .payload { grid-column: 1 / -1; color: var(--muted); font-family: ui-monospace, monospace; font-size: 11.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

.place { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; }
.place label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
#place-quantity { width: 90px; }

dialog { background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: 6px; max-width: 460px; }
dialog::backdrop { background: rgba(0, 0, 0, .5); }
.timeline .who { grid-column: 2 / -1; color: var(--muted); }

"""#
    /// `dashboard/dashboard.js`: Its script: the panels and their feeds.
    public static let javaScript = #"""
// The dashboard: polls health, dead letters and the metrics summary, streams every event over
// server-sent events, and shows an order's timeline. Every address is relative to the page, so the
// ingress may sit behind a path prefix. Nothing here changes state except placing a test order and
// replaying a dead letter (after a confirmation).
"use strict";

const REQUIRED = ["order", "stock", "payment", "notification", "ingress"];
const MAX_ROWS = 100;          // rows in the live list
const KEPT_EVENTS = 1000;      // events kept for re-filtering
const DRAW_EVERY_MS = 500;     // the live list is drawn at most this often
const ROWS_PER_DRAW = 25;      // the newest rows added per draw (about what the list shows at once)
const RATE_WINDOW_MS = 10000;  // edge rates: events/s over this window
const CHART_SAMPLES = 150;     // orders/s chart: 5 minutes of 2 s samples

const $ = (id) => document.getElementById(id);
const svgNS = "http://www.w3.org/2000/svg";

// --- colours, as `switchboard tail` paints event types ----------------------------------------------
function tone(type) {
  const last = String(type).split(".").pop();
  if (["rejected", "failed", "cancelled"].includes(last)) return "failure";
  if (last === "released") return "compensation";
  if (["reserved", "completed", "confirmed", "sent"].includes(last)) return "progress";
  return "other";
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function clockTime(iso) {
  const date = new Date(iso);
  if (isNaN(date)) return "";
  return date.toISOString().slice(11, 23);
}

const service = (source) => String(source || "").replace(/^switchboard\//, "");

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

// --- the system: /health ------------------------------------------------------------------------------
const health = { services: {} };

async function refreshHealth() {
  let report;
  try {
    report = (await getJSON("health")).body;
  } catch {
    report = null;
  }
  const overall = $("overall");
  if (!report) {
    overall.dataset.status = "down";
    overall.textContent = "unreachable";
    return;
  }
  overall.dataset.status = report.status;
  overall.textContent = report.status;
  $("redis").dataset.status = report.redis.status;
  $("redis").textContent = report.redis.status
    + (report.redis.latencyMilliseconds != null ? ` (${report.redis.latencyMilliseconds.toFixed(1)} ms)` : "");
  health.services = report.services || {};
  const names = [...new Set([...REQUIRED, ...Object.keys(health.services)])];
  const list = $("services");
  const items = names.map((name) => {
    const entry = health.services[name] || { status: "down", instances: [] };
    const instances = entry.instances.map((i) => `${i.instance} (pid ${i.pid}, ${i.version})`).join(", ");
    return element("li", { "data-service": name, "data-status": entry.status },
      element("div", {}, element("span", { class: "name", text: name }), " ",
        element("span", { "data-status": entry.status, class: "small", text: entry.status })),
      element("div", { class: "instances", text: instances || "no live instance" }));
  });
  list.replaceChildren(...items);
  const all = Object.values(health.services).flatMap((s) => s.instances);
  $("transport").textContent = [...new Set(all.map((i) => i.transport))].join(", ") || "?";
  const payment = (health.services.payment || { instances: [] }).instances;
  const breaker = payment.map((i) => (i.details || {}).breaker).find(Boolean) || "unknown";
  $("breaker").dataset.state = breaker;
  $("breaker").textContent = breaker;
  for (const node of document.querySelectorAll("#flow-graph .node")) {
    node.dataset.status = (health.services[node.dataset.service] || { status: "down" }).status;
  }
}

// --- the flow: /dashboard/summary ---------------------------------------------------------------------
const NODES = {
  ingress: [70, 150], stock: [330, 40], payment: [330, 260], order: [600, 150], notification: [850, 150],
};
const EMITTER = {
  "order.created": "ingress", "stock.reserved": "stock", "stock.rejected": "stock", "stock.released": "stock",
  "payment.completed": "payment", "payment.failed": "payment", "order.confirmed": "order",
  "order.cancelled": "order", "notification.sent": "notification",
};
// Who handles what (the services' subscriptions): drawn before any event passed.
const SUBSCRIPTIONS = {
  order: ["order.created", "stock.reserved", "stock.rejected", "payment.completed", "payment.failed"],
  stock: ["order.created", "order.cancelled", "order.confirmed"],
  payment: ["order.created", "stock.reserved", "order.cancelled"],
  notification: ["order.confirmed", "order.cancelled"],
};
// Where along its edge a label sits (0.5 otherwise), and how far an edge bends to its left (30 otherwise),
// where the middle of the drawing is crowded.
const LABEL_AT = { "ingress>order": 0.3 };
const BEND = { "stock>payment": -30 };
const summaries = [];   // [{at, summary}], the last RATE_WINDOW_MS and a bit
const chart = [];       // [{confirmed, cancelled}] per sample (orders/s)

function drawGraph() {
  const svg = $("flow-graph");
  const defs = document.createElementNS(svgNS, "defs");
  for (const name of ["progress", "failure", "compensation", "other"]) {
    const marker = document.createElementNS(svgNS, "marker");
    for (const [k, v] of Object.entries({ id: `arrow-${name}`, viewBox: "0 0 8 8", refX: "8", refY: "4",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" })) marker.setAttribute(k, v);
    const path = document.createElementNS(svgNS, "path");
    path.setAttribute("d", "M0,0 L8,4 L0,8 z");
    path.setAttribute("class", `arrowhead ${name}`);
    marker.append(path);
    defs.append(marker);
  }
  svg.append(defs);
  const pairs = {};
  for (const [to, types] of Object.entries(SUBSCRIPTIONS)) {
    for (const type of types) (pairs[`${EMITTER[type]}>${to}`] ||= []).push(type);
  }
  for (const [pair, types] of Object.entries(pairs)) {
    const [from, to] = pair.split(">");
    const [x1, y1] = NODES[from], [x2, y2] = NODES[to];
    // Bend each edge to its left, so the two directions between two services do not overlap.
    const dx = x2 - x1, dy = y2 - y1, length = Math.hypot(dx, dy);
    const bend = BEND[pair] ?? 30;
    const mx = (x1 + x2) / 2 - (dy / length) * bend, my = (y1 + y2) / 2 + (dx / length) * bend;
    const shrink = (x, y, tx, ty) => {  // stop at the node's box
      const ax = tx - x, ay = ty - y, t = Math.min(58 / Math.abs(ax || 1e-9), 24 / Math.abs(ay || 1e-9), 1);
      return [x + ax * t, y + ay * t];
    };
    const [sx, sy] = shrink(x1, y1, mx, my), [ex, ey] = shrink(x2, y2, mx, my);
    const path = document.createElementNS(svgNS, "path");
    const kind = tone(types[0]);
    path.setAttribute("d", `M${sx},${sy} Q${mx},${my} ${ex},${ey}`);
    path.setAttribute("class", kind);
    path.setAttribute("marker-end", `url(#arrow-${kind})`);
    svg.append(path);
    // The labels sit beside the middle of the curve, on its outer side, stacked away from it.
    const side = Math.sign(bend), nx = (-dy / length) * side, ny = (dx / length) * side;
    const t = LABEL_AT[pair] || 0.5;
    const lx = (1 - t) ** 2 * sx + 2 * t * (1 - t) * mx + t ** 2 * ex + nx * 10;
    const ly = (1 - t) ** 2 * sy + 2 * t * (1 - t) * my + t ** 2 * ey + ny * 10;
    const anchor = nx > 0.5 ? "start" : nx < -0.5 ? "end" : "middle";
    types.forEach((type, index) => {
      const label = document.createElementNS(svgNS, "text");
      const line = ny >= 0 ? index + 1 : index - types.length + 1;
      label.setAttribute("x", lx);
      label.setAttribute("y", ly + line * 12 - (ny >= 0 ? 3 : 0));
      label.setAttribute("text-anchor", anchor);
      label.setAttribute("class", `rate ${tone(type)}`);
      label.dataset.type = type;
      label.dataset.service = to;
      label.textContent = `${type} 0.0/s`;
      svg.append(label);
    });
  }
  for (const [name, [x, y]] of Object.entries(NODES)) {
    const group = document.createElementNS(svgNS, "g");
    group.setAttribute("class", "node");
    group.dataset.service = name;
    group.dataset.status = "unknown";
    const rect = document.createElementNS(svgNS, "rect");
    for (const [k, v] of Object.entries({ x: x - 55, y: y - 21, width: 110, height: 42, rx: 6 })) rect.setAttribute(k, v);
    const title = document.createElementNS(svgNS, "text");
    title.setAttribute("x", x); title.setAttribute("y", y - 3); title.textContent = name;
    const sub = document.createElementNS(svgNS, "text");
    sub.setAttribute("x", x); sub.setAttribute("y", y + 13); sub.setAttribute("class", "sub");
    sub.dataset.figure = name;
    group.append(rect, title, sub);
    svg.append(group);
  }
}

function fmtSeconds(value) {
  if (value == null) return "–";
  return value < 1 ? `${(value * 1000).toFixed(value < 0.01 ? 2 : 1)} ms` : `${value.toFixed(2)} s`;
}

async function refreshSummary() {
  let summary;
  try {
    const answer = await getJSON("dashboard/summary");
    if (answer.status !== 200) return;
    summary = answer.body;
  } catch {
    return;
  }
  const now = performance.now();
  summaries.push({ at: now, summary });
  while (summaries.length > 2 && now - summaries[1].at >= RATE_WINDOW_MS) summaries.shift();
  const base = summaries[0];
  const seconds = (now - base.at) / 1000;
  const handled = (s, type, to) => (s.edges.find((e) => e.type === type && e.service === to) || { handled: 0 }).handled;
  for (const label of document.querySelectorAll("#flow-graph text.rate")) {
    const { type, service: to } = label.dataset;
    // A count that fell is a process that left with its figures: no rate rather than a negative one.
    const rate = seconds > 0 ? Math.max(0, handled(summary, type, to) - handled(base.summary, type, to)) / seconds : 0;
    label.textContent = `${type} ${rate.toFixed(1)}/s`;
    label.dataset.rate = rate.toFixed(3);
  }
  const rows = Object.keys(summary.services).sort((a, b) => REQUIRED.indexOf(a) - REQUIRED.indexOf(b)).map((name) => {
    const f = summary.services[name];
    const l = f.latencySeconds || {};
    return element("tr", { "data-service": name },
      element("td", { text: name }), element("td", { text: f.handled }),
      element("td", { class: f.failed ? "failure" : "", text: f.failed }),
      element("td", { class: f.deadLettered ? "failure" : "", text: f.deadLettered }),
      element("td", { text: fmtSeconds(l.p50) }), element("td", { text: fmtSeconds(l.p95) }),
      element("td", { text: fmtSeconds(l.p99) }));
  });
  $("figures").replaceChildren(...rows);
  for (const sub of document.querySelectorAll("#flow-graph .sub")) {
    const name = sub.dataset.figure;
    sub.textContent = name === "ingress"
      ? `${summary.published["order.created"] || 0} accepted`
      : `${(summary.services[name] || { handled: 0 }).handled} handled`;
  }
  const previous = summaries.length > 1 ? summaries[summaries.length - 2] : null;
  if (previous) {
    const dt = (now - previous.at) / 1000;
    chart.push({
      confirmed: Math.max(0, summary.orders.confirmed - previous.summary.orders.confirmed) / dt,
      cancelled: Math.max(0, summary.orders.cancelled - previous.summary.orders.cancelled) / dt,
    });
    if (chart.length > CHART_SAMPLES) chart.shift();
    drawChart();
  }
  $("clock").textContent = clockTime(summary.time) + " UTC";
}

function drawChart() {
  const svg = $("orders-chart");
  const top = Math.max(1, ...chart.map((s) => Math.max(s.confirmed, s.cancelled)));
  const line = (key, kind) => {
    const points = chart.map((s, i) => `${(i + CHART_SAMPLES - chart.length) * (600 / (CHART_SAMPLES - 1))},`
      + `${88 - (s[key] / top) * 80}`).join(" ");
    const polyline = document.createElementNS(svgNS, "polyline");
    polyline.setAttribute("points", points);
    polyline.setAttribute("class", kind);
    return polyline;
  };
  svg.replaceChildren(line("confirmed", "progress"), line("cancelled", "failure"));
  const last = chart[chart.length - 1];
  $("orders-rate").textContent = `now ${last.confirmed.toFixed(1)} confirmed/s, ${last.cancelled.toFixed(1)} `
    + `cancelled/s; peak ${top.toFixed(1)}/s`;
}

// --- live events: /dashboard/events -------------------------------------------------------------------
const events = [];      // the messages as received (`parse`), newest last
const pending = [];     // those that arrived while paused
let seen = 0;
let pausedByButton = false;
let hovering = false;

// One message of the stream: its channel, a space, the message as published.
function parse(line) {
  const cut = line.indexOf(" ");
  const channel = cut < 0 ? line : line.slice(0, cut);
  const raw = cut < 0 ? "" : line.slice(cut + 1);
  let body = null;
  try { body = JSON.parse(raw); } catch { body = null; }
  const isEvent = body && typeof body === "object" && typeof body.type === "string" && body.id;
  const dataPart = isEvent ? body.data : body;
  return {
    channel,
    type: isEvent ? body.type : channel,
    order: (isEvent && body.correlationid) || (dataPart && dataPart.orderId) || "",
    service: isEvent ? service(body.source) : "(not an event)",
    time: isEvent ? body.time : new Date().toISOString(),
    valid: Boolean(isEvent),
  };
}

function matches(event) {
  const type = $("filter-type").value.trim().toLowerCase();
  const order = $("filter-order").value.trim();
  return (!type || event.type.toLowerCase().includes(type)) && (!order || event.order.includes(order));
}

function row(event) {
  const orderCell = element("td", {});
  if (event.order) {
    const button = element("button", { type: "button", class: "link", title: `show order ${event.order}`,
      text: event.order });
    button.addEventListener("click", () => showOrder(event.order));
    orderCell.append(button);
  }
  return element("tr", { "data-type": event.type, "data-order": event.order },
    element("td", { text: clockTime(event.time) }),
    element("td", { class: event.valid ? tone(event.type) : "failure", text: event.type }),
    orderCell, element("td", { text: event.service }));
}

function isPaused() { return pausedByButton || hovering; }

// Adds the newest `most` of `list` (raw messages, oldest first) that pass the filters, parsing only
// as many as it takes.
function add(list, most = MAX_ROWS) {
  const body = $("event-rows");
  const shown = [];
  for (let index = list.length - 1; index >= 0 && shown.length < most; index -= 1) {
    const event = parse(list[index]);
    if (matches(event)) shown.push(event);
  }
  const rows = shown.map(row);
  body.prepend(...rows);
  while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
}

function rerender() {
  pending.length = 0;  // they are among the events shown again
  setPaused();
  $("event-rows").replaceChildren();
  add(events);
}

function setPaused() {
  const paused = isPaused();
  $("paused-note").textContent = paused ? `paused${pending.length ? `: ${pending.length} new` : ""}` : "";
  if (!paused && pending.length) add(pending.splice(0));
}

// Messages are kept as they arrive and drawn at most every DRAW_EVERY_MS, parsing only those shown:
// a busy bus costs the page a few small DOM updates a second, not one per event.
let incoming = [];
let drawScheduled = false;

// One server-sent event holds the messages of the last tenth of a second, one per line.
function receive(message) {
  incoming.push(...message.data.split("\n"));
  if (!drawScheduled) {
    drawScheduled = true;
    setTimeout(draw, DRAW_EVERY_MS);
  }
}

function keep(list, batch) {
  list.push(...batch.slice(-KEPT_EVENTS));
  if (list.length > KEPT_EVENTS) list.splice(0, list.length - KEPT_EVENTS);
}

function draw() {
  drawScheduled = false;
  const batch = incoming;
  incoming = [];
  seen += batch.length;
  $("events-count").textContent = `${seen} seen`;
  keep(events, batch);
  if (isPaused()) {
    keep(pending, batch);
    setPaused();
  } else {
    add(batch, ROWS_PER_DRAW);
  }
  // Events may follow the final one (notification.sent): the timeline takes them too.
  if (currentOrder && batch.some((data) => data.includes(currentOrder))) scheduleOrderRefresh();
}

function connect() {
  const source = new EventSource("dashboard/events");
  source.onopen = () => { $("feed-state").dataset.state = "live"; $("feed-state").textContent = "live"; };
  source.onerror = () => { $("feed-state").dataset.state = "connecting"; $("feed-state").textContent = "reconnecting"; };
  source.onmessage = receive;
}

// --- an order: /orders/{id}/trace ---------------------------------------------------------------------
let currentOrder = "";
let currentFinal = false;
let refreshTimer = null;

function showOrder(id) {
  $("order-id").value = id;
  currentOrder = id;
  currentFinal = false;
  $("timeline").replaceChildren();
  refreshOrder();
}

function scheduleOrderRefresh(delay = 100) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshOrder, delay);
}

async function refreshOrder() {
  const id = currentOrder;
  if (!id) return;
  let answer;
  try {
    answer = await getJSON(`orders/${encodeURIComponent(id)}/trace`);
  } catch {
    return scheduleOrderRefresh(2000);
  }
  if (id !== currentOrder) return;
  const status = $("order-status");
  if (answer.status !== 200) {
    status.replaceChildren(`order ${id}: ${(answer.body && answer.body.detail) || answer.status}`);
    return;
  }
  const trace = answer.body;
  currentFinal = trace.final;
  const byID = new Map(trace.events.map((e) => [e.id, e]));
  const first = trace.events[0];
  const total = first ? (new Date(trace.events[trace.events.length - 1].time) - new Date(first.time)) : 0;
  status.replaceChildren(`order ${id}: `, element("strong", { "data-status": trace.status, text: trace.status }),
    ` · ${trace.events.length} events, ${total} ms from first to last${trace.final ? "" : " · live"}`);
  const items = trace.events.map((event, index) => {
    const cause = (event.causationid && byID.get(event.causationid)) || (index > 0 ? trace.events[index - 1] : null);
    const hop = cause ? `+${new Date(event.time) - new Date(cause.time)} ms` : "start";
    const after = event.causationid && byID.get(event.causationid) ? `after ${byID.get(event.causationid).type}` : "";
    return element("li", { "data-type": event.type },
      element("span", { text: clockTime(event.time) }), element("span", { class: "hop", text: hop }),
      element("span", { class: tone(event.type), text: event.type }),
      element("span", { class: "who", text: `${service(event.source)} ${after}` }));
  });
  $("timeline").replaceChildren(...items);
  if (!trace.final) scheduleOrderRefresh(2000);
}

// --- dead letters: /deadletters, POST /deadletters/{id}/replay ---------------------------------------
let shownLetters = null;

async function refreshDeadLetters() {
  let answer;
  try {
    answer = await getJSON("deadletters");
  } catch {
    return;
  }
  if (answer.status !== 200) return;
  const letters = answer.body.deadLetters.slice().reverse();
  const key = letters.map((l) => l.id).join(",");
  $("deadletters-count").textContent = `${letters.length}`;
  if (key === shownLetters) return;
  shownLetters = key;
  const items = letters.slice(0, 100).map((letter) => {
    const button = element("button", { type: "button", "aria-label": `Replay ${letter.id}`, text: "Replay…" });
    button.addEventListener("click", () => confirmReplay(letter));
    return element("li", { "data-id": letter.id },
      element("div", {}, element("code", { text: letter.id }), " ",
        element("span", { class: "muted small", text: `${clockTime(letter.time)} ${letter.channel} · ${letter.service}` })),
      button,
      element("div", { class: "reason small", text: letter.reason }),
      element("div", { class: "payload", title: letter.payload, text: letter.payload }));
  });
  if (letters.length > 100) items.push(element("li", { class: "muted small", text: `and ${letters.length - 100} older` }));
  if (!letters.length) items.push(element("li", { class: "muted small", text: "no dead letters" }));
  $("deadletter-list").replaceChildren(...items);
}

function confirmReplay(letter) {
  const dialog = $("confirm-replay");
  $("confirm-id").textContent = letter.id;
  $("confirm-channel").textContent = letter.channel;
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "replay") return;
    const response = await fetch(`deadletters/${encodeURIComponent(letter.id)}/replay`, { method: "POST" });
    if (response.status !== 200) {
      const problem = await response.json().catch(() => ({}));
      alert(`Replay failed: ${problem.detail || response.status}`);
    }
    refreshDeadLetters();
  };
  dialog.showModal();
}

// --- place a test order: POST /orders -----------------------------------------------------------------
async function placeOrder(submit) {
  submit.preventDefault();
  const body = {
    customerId: "dashboard",
    items: [{ sku: $("place-sku").value, quantity: Number($("place-quantity").value) }],
    payment: { card: $("place-card").value },
  };
  const result = $("place-result");
  try {
    const response = await fetch("orders", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 202 || response.status === 200) {
      result.textContent = `order ${answer.orderId} accepted`;
      result.dataset.order = answer.orderId;
      showOrder(answer.orderId);
    } else {
      result.textContent = `refused (${response.status}): ${answer.detail || ""}`;
    }
  } catch (error) {
    result.textContent = `not sent: ${error}`;
  }
}

// --- start ----------------------------------------------------------------------------------------------
function start() {
  drawGraph();
  $("pause").addEventListener("click", () => {
    pausedByButton = !pausedByButton;
    $("pause").setAttribute("aria-pressed", String(pausedByButton));
    $("pause").textContent = pausedByButton ? "Resume" : "Pause";
    setPaused();
  });
  const list = $("event-list");
  list.addEventListener("mouseenter", () => { hovering = true; setPaused(); });
  list.addEventListener("mouseleave", () => { hovering = false; setPaused(); });
  $("filter-type").addEventListener("input", rerender);
  $("filter-order").addEventListener("input", rerender);
  $("order-form").addEventListener("submit", (submit) => {
    submit.preventDefault();
    showOrder($("order-id").value.trim());
  });
  $("place-form").addEventListener("submit", placeOrder);
  connect();
  const every = (milliseconds, task) => { task(); setInterval(task, milliseconds); };
  every(2000, refreshHealth);
  every(2000, refreshSummary);
  every(3000, refreshDeadLetters);
}

start();

"""#
}
