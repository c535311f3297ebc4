// Drives the official `phoenix` client for the C# integration tests.
// Commands arrive as JSON lines on stdin; everything observed leaves as JSON lines on stdout.
// PHOENIX_PACKAGE=phoenix17 runs the same commands with the 1.7 client.
const { Socket, Presence, LongPoll } = await import(process.env.PHOENIX_PACKAGE || "phoenix");
import WebSocket from "ws";
// Fenix's optional history module, from the repository (src/js), exactly as pages load it.
const { historyChannel, isPosition } = await import(new URL("../../../src/js/fenix-history.mjs", import.meta.url));
import readline from "node:readline";

const sockets = new Map();
const channels = new Map();
const presences = new Map();

const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");

const encodePayload = (payload) =>
  payload instanceof ArrayBuffer ? { binary: Array.from(new Uint8Array(payload)) } : payload;

const decodePayload = (command) =>
  command.binary ? new Uint8Array(command.binary).buffer : (command.payload ?? {});

// A WebSocket that a proxy or firewall blocks: it fails before it ever opens (drives longPollFallbackMs).
class BlockedWebSocket {
  constructor() {
    this.readyState = 3;
    setTimeout(() => {
      this.onerror && this.onerror(new Error("blocked"));
      this.onclose && this.onclose({ code: 1006, reason: "blocked", wasClean: false });
    }, 5);
  }
  close() {}
  send() { throw new Error("blocked"); }
}

// Node has no sessionStorage; the fallback remembers its choice there.
const sessionStorage = (() => {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k) };
})();

const transports = { websocket: WebSocket, longpoll: LongPoll, blocked: BlockedWebSocket };

function connect({ id, url, params, opts = {} }) {
  const { transport = "websocket", ...rest } = opts;
  const socket = new Socket(url, { transport: transports[transport], params, reconnectAfterMs: () => 50, sessionStorage, ...rest });
  socket.onOpen(() => emit({ type: "open", socket: id, transport: socket.transport === LongPoll ? "longpoll" : "websocket" }));
  socket.onClose((e) => emit({ type: "close", socket: id, code: e && e.code }));
  socket.onError((e) => emit({ type: "error", socket: id, message: String(e && (e.message || e.type || e)) }));
  socket.connect();
  sockets.set(id, socket);
}

function channel({ id, socket, topic, params }) {
  const chan = sockets.get(socket).channel(topic, params ?? {});
  chan.onMessage = (event, payload, ref) => {
    if (event !== "phx_reply" && !event.startsWith("chan_reply_")) {
      emit({ type: "message", channel: id, event, payload: encodePayload(payload), ref: ref ?? null });
    }
    return payload;
  };
  chan.onError((reason) => emit({ type: "channel_error", channel: id, reason: reason ?? null }));
  chan.onClose(() => emit({ type: "channel_close", channel: id }));
  channels.set(id, chan);
}

// A channel made by fenix-history.mjs: every (re)join reports what the server recovered; messages carry the position.
function history({ id, socket, topic, params, opts = {} }) {
  const chan = historyChannel(sockets.get(socket), topic, params ?? {}, {
    ...opts,
    onJoin: (info) => emit({ type: "history_join", channel: id, ...info }),
  });
  const inner = chan.onMessage;
  chan.onMessage = (event, payload, ref, joinRef) => {
    const handled = inner(event, payload, ref, joinRef);
    if (event !== "phx_reply" && !event.startsWith("chan_reply_")) {
      emit({ type: "message", channel: id, event, payload: encodePayload(payload), ref: ref ?? null, isPosition: isPosition(ref), position: chan.history.position });
    }
    return handled;
  };
  chan.onError((reason) => emit({ type: "channel_error", channel: id, reason: reason ?? null }));
  chan.onClose(() => emit({ type: "channel_close", channel: id }));
  channels.set(id, chan);
}

function join({ channel: id }) {
  channels.get(id).join()
    .receive("ok", (response) => emit({ type: "join", channel: id, status: "ok", response: encodePayload(response) }))
    .receive("error", (response) => emit({ type: "join", channel: id, status: "error", response }))
    .receive("timeout", () => emit({ type: "join", channel: id, status: "timeout" }));
}

function push(command) {
  const chan = channels.get(command.channel);
  chan.push(command.event, decodePayload(command), command.timeout ?? 10000)
    .receive("ok", (response) => emit({ type: "reply", id: command.id, status: "ok", response: encodePayload(response) }))
    .receive("error", (response) => emit({ type: "reply", id: command.id, status: "error", response: encodePayload(response) }))
    .receive("timeout", () => emit({ type: "reply", id: command.id, status: "timeout" }));
}

function presence({ channel: id }) {
  const p = new Presence(channels.get(id));
  p.onJoin((key, current, joined) => emit({ type: "presence_join", channel: id, key, new: !current, metas: joined.metas }));
  p.onLeave((key, remaining, left) => emit({ type: "presence_leave", channel: id, key, remaining: remaining.metas.length, metas: left.metas }));
  p.onSync(() => emit({ type: "presence_sync", channel: id, list: p.list((key, { metas }) => ({ key, metas })) }));
  presences.set(id, p);
}

const handlers = {
  connect,
  channel,
  join,
  push,
  presence,
  history,
  reconnect: ({ socket }) => sockets.get(socket).connect(),
  // What a load balancer does when the node behind it dies: the socket's next automatic reconnect (and its channels'
  // rejoins) reach another node. phoenix.js keeps the WebSocket URL in endPoint ("<url>/websocket").
  retarget: ({ socket, url }) => { sockets.get(socket).endPoint = `${url}/websocket`; },
  leave: ({ channel: id }) => channels.get(id).leave().receive("ok", () => emit({ type: "left", channel: id })),
  disconnect: ({ socket }) => sockets.get(socket).disconnect(() => emit({ type: "disconnected", socket })),
  exit: () => process.exit(0),
};

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  try {
    handlers[command.cmd](command);
    emit({ type: "ack", cmd: command.cmd, id: command.id ?? command.channel ?? command.socket ?? null });
  } catch (e) {
    emit({ type: "driver_error", cmd: command.cmd, message: String(e && e.stack || e) });
  }
});
process.stdin.on("end", () => process.exit(0));
emit({ type: "ready" });
