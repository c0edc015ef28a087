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
