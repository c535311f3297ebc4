// The Fenix dashboard page. It talks to the dashboard's own Fenix socket with a minimal Phoenix V2 JSON client (join,
// push with replies, heartbeats, reconnect with backoff) and draws the nodes' snapshots: every node of the cluster
// broadcasts one per refresh interval on "fenix_dashboard" while a page watches. Rates come from consecutive totals.

const TOPIC = "fenix_dashboard";
const HISTORY = 120; // chart points (one per second: two minutes)
const STALE_MS = 5000; // a node silent this long is shown as stale, and left out of the sums
const COLORS = { websocket: "#e8590c", longpoll: "#2563eb", in: "#e8590c", out: "#2563eb", slow: "#b91c1c" };

// A minimal Phoenix channels client (protocol V2, JSON): enough for one channel on one socket. -------------------

class MiniSocket {
  constructor(url, { onStatus }) {
    this.url = url;
    this.onStatus = onStatus;
    this.ref = 0;
    this.pending = new Map(); // ref → resolve(reply)
    this.handlers = new Map(); // event → callback
    this.joinRef = null;
    this.attempt = 0;
  }

  connect(topic, payload, onJoined) {
    this.topic = topic;
    this.joinPayload = payload;
    this.onJoined = onJoined;
    this.open();
  }

  on(event, callback) { this.handlers.set(event, callback); }

  push(event, payload) {
    return new Promise((resolve) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.joinRef) {
        resolve({ status: "error", response: { reason: "not connected" } });
        return;
      }
      const ref = String(++this.ref);
      this.pending.set(ref, resolve);
      this.ws.send(JSON.stringify([this.joinRef, ref, this.topic, event, payload]));
    });
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${this.url}/websocket?vsn=2.0.0`);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onStatus("online");
      const ref = String(++this.ref);
      this.joinRef = ref;
      this.pending.set(ref, ({ status, response }) => {
        if (status === "ok") this.onJoined(response);
        else this.onStatus(`refused: ${response && response.reason}`);
      });
      ws.send(JSON.stringify([ref, ref, this.topic, "phx_join", this.joinPayload]));
      this.heartbeat = setInterval(() => this.beat(), 30000);
    };
    ws.onmessage = (e) => this.receive(JSON.parse(e.data));
    ws.onclose = () => {
      clearInterval(this.heartbeat);
      this.joinRef = null;
      for (const resolve of this.pending.values()) resolve({ status: "error", response: { reason: "disconnected" } });
      this.pending.clear();
      const delay = [1000, 2000, 5000, 10000][Math.min(this.attempt++, 3)];
      this.onStatus("reconnecting…");
      setTimeout(() => this.open(), delay);
    };
  }

  beat() {
    if (this.awaitingBeat) { this.ws.close(); return; } // the last heartbeat was never answered
    const ref = String(++this.ref);
    this.awaitingBeat = true;
    this.pending.set(ref, () => { this.awaitingBeat = false; });
    this.ws.send(JSON.stringify([null, ref, "phoenix", "heartbeat", {}]));
  }

  receive([joinRef, ref, topic, event, payload]) {
    if (event === "phx_reply" && this.pending.has(ref)) {
      const resolve = this.pending.get(ref);
      this.pending.delete(ref);
      resolve(payload);
    } else if (topic === this.topic && (event === "phx_error" || event === "phx_close")) {
      this.ws.close(); // rejoin through a fresh connection
    } else if (topic === this.topic && this.handlers.has(event)) {
      this.handlers.get(event)(payload);
    }
  }
}

// State -----------------------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const nodes = new Map(); // name → { snapshot, seenAt, rates }
const series = { in: [], out: [], slow: [], websocket: [], longpoll: [] };
let selectedTopic = null;

function receiveSnapshot(snapshot) {
  const previous = nodes.get(snapshot.node);
  let rates = previous ? previous.rates : { in: 0, out: 0, slow: 0 };
  if (previous && snapshot.at > previous.snapshot.at && snapshot.started_at === previous.snapshot.started_at) {
    const seconds = (snapshot.at - previous.snapshot.at) / 1000;
    const rate = (key) => Math.max(0, (snapshot[key] - previous.snapshot[key]) / seconds);
    rates = { in: rate("messages_in"), out: rate("messages_out"), slow: rate("slow_consumers") };
  } else if (previous) {
    rates = { in: 0, out: 0, slow: 0 }; // the node restarted: its totals started over
  }
  nodes.set(snapshot.node, { snapshot, seenAt: Date.now(), rates });
}

function freshNodes() {
  const now = Date.now();
  return [...nodes.values()].filter((n) => now - n.seenAt <= STALE_MS);
}

function sample() {
  const fresh = freshNodes();
  const sum = (f) => fresh.reduce((total, n) => total + f(n), 0);
  push(series.in, sum((n) => n.rates.in));
  push(series.out, sum((n) => n.rates.out));
  push(series.slow, sum((n) => n.rates.slow));
  push(series.websocket, sum((n) => n.snapshot.connections.websocket || 0));
  push(series.longpoll, sum((n) => n.snapshot.connections.longpoll || 0));
}

function push(list, value) {
  list.push(value);
  if (list.length > HISTORY) list.shift();
}

// Rendering -------------------------------------------------------------------------------------------------------

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function renderNodes() {
  const now = Date.now();
  const peerStatus = new Map(); // node → up? as the other nodes' presence sees it
  for (const { snapshot } of nodes.values()) for (const peer of snapshot.peers) {
    peerStatus.set(peer.node, (peerStatus.get(peer.node) ?? true) && peer.up);
  }
  const names = new Set([...nodes.keys(), ...peerStatus.keys()]);
  const rows = [...names].sort().map((name) => {
    const tr = document.createElement("tr");
    tr.dataset.node = name;
    const known = nodes.get(name);
    const stale = !known || now - known.seenAt > STALE_MS;
    const down = peerStatus.get(name) === false;
    const state = down ? "down" : stale ? (known ? "stale" : "no data") : "live";
    tr.dataset.state = state;
    const stateCell = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = `state ${down ? "down" : stale ? "stale" : "live"}`;
    badge.textContent = state;
    badge.title = down ? "Presence on the other nodes has not heard from it" : stale ? "No figures for 5 s (is AddDashboard() on this node?)" : "Reporting";
    stateCell.append(badge);
    tr.append(cell(name), stateCell);
    if (!known) {
      const empty = cell("known to presence only", "muted");
      empty.colSpan = 9;
      tr.append(empty);
      return tr;
    }
    const s = known.snapshot;
    tr.append(
      cell(s.connected ? s.backend : `${s.backend} (disconnected)`, s.connected ? "" : "link-bad"),
      cell(number.format(s.connections.websocket || 0), "num"),
      cell(number.format(s.connections.longpoll || 0), "num"),
      cell(number.format(s.channels), "num"),
      cell(number.format(known.rates.in), "num"),
      cell(number.format(known.rates.out), "num"),
      cell(number.format(s.slow_consumers), "num"),
      cell(duration(s.at - s.started_at)),
      cell(s.version));
    return tr;
  });
  $("nodes").tBodies[0].replaceChildren(...rows);
}

function mergedTopics() {
  const topics = new Map();
  for (const { snapshot } of freshNodes()) for (const row of snapshot.topics) {
    const merged = topics.get(row.topic) ?? { topic: row.topic, channels: 0, presence: null, nodes: 0 };
    merged.channels += row.channels;
    merged.nodes += 1;
    if (row.presence_keys != null) merged.presence = Math.max(merged.presence ?? 0, row.presence_keys); // replicated: the same everywhere
    topics.set(row.topic, merged);
  }
  return [...topics.values()].sort((a, b) => b.channels - a.channels || a.topic.localeCompare(b.topic));
}

function renderTopics(topics) {
  const filter = $("topic-filter").value.trim().toLowerCase();
  const shown = topics.filter((t) => !filter || t.topic.toLowerCase().includes(filter));
  $("topics").tBodies[0].replaceChildren(...shown.map((t) => {
    const tr = document.createElement("tr");
    tr.dataset.topic = t.topic;
    tr.setAttribute("aria-selected", String(t.topic === selectedTopic));
    const name = cell(t.topic, "topic");
    name.title = t.topic;
    tr.append(name, cell(number.format(t.channels), "num"), cell(t.presence == null ? "–" : number.format(t.presence), "num"), cell(String(t.nodes), "num"));
    tr.addEventListener("click", () => selectTopic(t.topic));
    return tr;
  }));
  $("topics-empty").hidden = shown.length > 0;
  const total = freshNodes().reduce((sum, n) => sum + n.snapshot.topic_count, 0);
  $("topics-note").textContent = total > topics.length ? `busiest ${topics.length} of ${total} per node` : "";
}

function renderErrors() {
  const all = [];
  for (const { snapshot } of nodes.values()) for (const e of snapshot.errors) all.push({ ...e, node: snapshot.node });
  all.sort((a, b) => b.at - a.at || b.seq - a.seq);
  const shown = all.slice(0, 50);
  $("errors").replaceChildren(...shown.map((e) => {
    const li = document.createElement("li");
    li.dataset.event = String(e.event_id);
    const time = document.createElement("time");
    time.dateTime = new Date(e.at).toISOString();
    time.textContent = new Date(e.at).toLocaleTimeString();
    const node = document.createElement("span");
    node.textContent = e.node;
    node.className = "node";
    const level = document.createElement("span");
    level.className = `level-${e.level}`;
    level.textContent = e.level;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = `${e.category} [${e.event_id}] ${e.message}`;
    if (e.exception) {
      const ex = document.createElement("span");
      ex.className = "exception";
      ex.textContent = e.exception;
      text.append(ex);
    }
    li.append(time, node, level, text);
    return li;
  }));
  $("errors-empty").hidden = shown.length > 0;
}

function renderSummary(topics) {
  const fresh = freshNodes();
  const sum = (f) => fresh.reduce((total, n) => total + f(n), 0);
  $("sum-nodes").textContent = String(fresh.length);
  $("sum-connections").textContent = number.format(sum((n) => Object.values(n.snapshot.connections).reduce((a, b) => a + b, 0)));
  $("sum-channels").textContent = number.format(sum((n) => n.snapshot.channels));
  $("sum-topics").textContent = number.format(topics.length);
  $("sum-in").textContent = number.format(sum((n) => n.rates.in));
  $("sum-out").textContent = number.format(sum((n) => n.rates.out));
}

function renderPresence(topic, keys) {
  $("presence-topic").textContent = topic;
  $("presence").tBodies[0].replaceChildren(...keys.map(({ key, metas }) => {
    const tr = document.createElement("tr");
    tr.dataset.key = key;
    const name = cell(key, "key");
    name.title = key;
    tr.append(name, cell(String(metas), "num"));
    return tr;
  }));
  $("presence-empty").textContent = keys.length ? "" : "Nobody is present on this topic.";
  $("presence-empty").hidden = keys.length > 0;
}

async function selectTopic(topic) {
  selectedTopic = topic;
  renderAll();
  await refreshPresence();
}

/** Asks this node for the selected topic's presences (replicated: any node knows them); every second while selected. */
async function refreshPresence() {
  const topic = selectedTopic;
  if (topic === null) return;
  const { status, response } = await socket.push("presence", { topic });
  if (status === "ok" && selectedTopic === topic) renderPresence(topic, response.keys);
}

// Charts: a line per series on a canvas, scaled to the device's pixels; the y axis grows with the data. -------------

function drawChart(canvas, lines) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio)) { canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio); }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const max = niceMax(Math.max(...lines.flatMap((l) => l.values), 0));
  const left = 44, right = 8, top = 8, bottom = 18;
  const w = width - left - right, h = height - top - bottom;
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#6b7280";
  g.strokeStyle = "#eef0f3";
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + h - (h * i) / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + w, y); g.stroke();
    g.textAlign = "right"; g.textBaseline = "middle";
    g.fillText(number.format((max * i) / 4), left - 6, y);
  }
  g.textAlign = "left"; g.textBaseline = "top";
  g.fillText("−2 min", left, top + h + 4);
  g.textAlign = "right";
  g.fillText("now", left + w, top + h + 4);
  for (const { values, color } of lines) {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    values.forEach((v, i) => {
      const x = left + w - ((values.length - 1 - i) * w) / (HISTORY - 1);
      const y = top + h - (v / max) * h;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  }
}

/** The axis maximum: four gridline steps of 1, 2 or 5 × a power of ten (whole numbers), at least 4. */
function niceMax(value) {
  const raw = Math.max(4, value) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return 4 * [1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= raw);
}

function legend(canvas, entries) {
  if (canvas.nextElementSibling?.classList.contains("legend")) return;
  const div = document.createElement("div");
  div.className = "legend";
  for (const [label, color] of entries) {
    const span = document.createElement("span");
    span.textContent = label;
    span.style.setProperty("--swatch", color);
    div.append(span);
  }
  canvas.after(div);
}

function renderCharts() {
  drawChart($("chart-in"), [{ values: series.in, color: COLORS.in }]);
  drawChart($("chart-out"), [{ values: series.out, color: COLORS.out }]);
  drawChart($("chart-slow"), [{ values: series.slow, color: COLORS.slow }]);
  drawChart($("chart-connections"), [
    { values: series.websocket, color: COLORS.websocket },
    { values: series.longpoll, color: COLORS.longpoll },
  ]);
  legend($("chart-connections"), [["WebSocket", COLORS.websocket], ["Long poll", COLORS.longpoll]]);
}

function renderAll() {
  const topics = mergedTopics();
  renderSummary(topics);
  renderNodes();
  renderTopics(topics);
  renderErrors();
  renderCharts();
}

// Start -----------------------------------------------------------------------------------------------------------

function setStatus(text) {
  $("status").textContent = text;
  $("status").className = `pill ${text === "online" ? "online" : "offline"}`;
}

const socket = new MiniSocket(new URL("socket", location.href).pathname, { onStatus: setStatus });
socket.on("node", (snapshot) => { receiveSnapshot(snapshot); });
socket.connect(TOPIC, {}, (snapshot) => { receiveSnapshot(snapshot); renderAll(); });
$("topic-filter").addEventListener("input", () => renderTopics(mergedTopics()));
window.addEventListener("resize", renderCharts);
setInterval(() => { sample(); renderAll(); refreshPresence(); }, 1000);
