// Fenix history for the official phoenix.js client (no dependencies; works in browsers and Node).
//
//   import { historyChannel } from "./fenix-history.mjs";
//   const channel = historyChannel(socket, "rooms:lobby", { user }, { last: 50, onJoin: (info) => { ... } });
//
// The channel is a plain phoenix.js Channel. On every (re)join it sends the position of the last message it saw
// (join params member "fenix_history": {"since": position, "last": n}); the server replays what was missed, in order,
// before any live message, or answers "not recovered" (all or nothing). Positions arrive in the ref slot of broadcast
// frames ("<epoch>:<offset>", never a bare number) and in the join reply's "history" member. See docs/history.md.

/** A position as the server sends it: "<epoch>:<offset>" (epoch: lowercase letters and digits). */
const POSITION = /^[0-9a-z]{1,32}:[0-9]{1,19}$/;

/**
 * Creates `socket.channel(topic, params)` with history recovery wired in.
 * @param {object} socket a phoenix.js Socket
 * @param {string} topic
 * @param {object|function} params the app's join params (an object, or a function evaluated at every join)
 * @param {object} [options]
 * @param {number} [options.last] messages to replay when there is nothing to recover from, or it cannot be (0–max)
 * @param {string} [options.since] a position to recover from on the first join (e.g. kept in sessionStorage)
 * @param {(info: {first: boolean, enabled: boolean, recovered: boolean, replayed: number, position: string|null, reason: string|null}) => void} [options.onJoin]
 *   called at every successful (re)join, before the channel's own "ok" callbacks and before any replayed message:
 *   `recovered` false on a rejoin means messages may be missing (reload your state); `enabled` false: the topic keeps no history
 * @param {(position: string) => void} [options.onPosition] called whenever the position moves (to persist it)
 * @returns the phoenix.js Channel, with `channel.history` ({position, recovered, enabled}: null before the first join reply)
 */
export function historyChannel(socket, topic, params = {}, options = {}) {
  const appParams = typeof params === "function" ? params : () => params;
  const last = options.last ?? 0;
  let position = options.since && POSITION.test(options.since) ? options.since : null;
  let recovered = null;
  let enabled = null;
  let joins = 0;

  const move = (next) => {
    if (next !== position) {
      position = next;
      if (next && options.onPosition) options.onPosition(next);
    }
  };

  const channel = socket.channel(topic, () => {
    const request = {};
    if (position) request.since = position;
    if (last > 0) request.last = last;
    return { ...appParams(), fenix_history: request };
  });

  const appOnMessage = channel.onMessage.bind(channel);
  channel.onMessage = (event, payload, ref, joinRef) => {
    if (event === "phx_reply") {
      if (ref != null && ref === channel.joinRef() && payload && payload.status === "ok") {
        const history = payload.history;
        const info = history
          ? { enabled: true, recovered: history.recovered === true, replayed: history.replayed | 0, position: history.position ?? null, reason: history.reason ?? null }
          : { enabled: false, recovered: false, replayed: 0, position: null, reason: "not_enabled" };
        info.first = joins++ === 0;
        recovered = info.recovered;
        enabled = info.enabled;
        if (info.enabled) move(info.position);
        if (options.onJoin) options.onJoin(info);
      }
    } else if (typeof ref === "string" && POSITION.test(ref)) {
      move(ref);
    }
    return appOnMessage(event, payload, ref, joinRef);
  };

  channel.history = {
    get position() { return position; },
    get recovered() { return recovered; },
    get enabled() { return enabled; },
  };
  return channel;
}

/** True when `ref` (the second argument of a channel.on callback) is a history position. */
export const isPosition = (ref) => typeof ref === "string" && POSITION.test(ref);
