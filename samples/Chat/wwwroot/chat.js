// The Chat page: the official Phoenix client (npm "phoenix", copied to /vendor at build time) against Fenix.
// With history on the server (Chat --Chat:History true, the Demo), fenix-history.mjs recovers what a dropped
// connection missed; without it, the page works as before.
import { Socket, Presence } from "/vendor/phoenix.mjs";
import { historyChannel } from "/vendor/fenix-history.mjs";

const $ = (id) => document.getElementById(id);
const messages = $("messages");

// The server closes a connection whose message is over its limit (WebSocket close 1009), and the message is lost: the
// page measures each message before sending it instead. 1 MiB is the server's default WebSocket MaxMessageSize; the
// margin covers the frame around the body ([join_ref, ref, topic, event, {...}]).
const MAX_MESSAGE_BYTES = 1024 * 1024;
const FRAME_MARGIN_BYTES = 128;
const encoder = new TextEncoder();

/** The encoded size of a message with this body, or null when it fits the limit. */
function oversize(body) {
  const bytes = encoder.encode(JSON.stringify({ body })).length + FRAME_MARGIN_BYTES;
  return bytes > MAX_MESSAGE_BYTES ? bytes : null;
}

const kilobytes = (bytes) => `${Math.ceil(bytes / 1024).toLocaleString()} KB`;

function addLine(text, { user, kind } = {}) {
  const li = document.createElement("li");
  if (kind) li.className = kind;
  if (user) {
    const who = document.createElement("span");
    who.className = "user";
    who.textContent = user;
    li.append(who);
  }
  li.append(document.createTextNode(text));
  messages.append(li);
  messages.scrollTop = messages.scrollHeight;
}

function setStatus(text, online) {
  $("status").textContent = text;
  $("status").classList.toggle("online", online);
}

function renderOnline(presence) {
  const names = presence.list((user, { metas }) => ({ user, sessions: metas.length }));
  names.sort((a, b) => a.user.localeCompare(b.user));
  $("online").replaceChildren(...names.map(({ user, sessions }) => {
    const li = document.createElement("li");
    li.textContent = sessions > 1 ? `${user} (${sessions})` : user;
    li.dataset.user = user;
    return li;
  }));
  $("online-count").textContent = `(${names.length})`;
}

function start(user) {
  const socket = new Socket("/socket", { params: { user }, longPollFallbackMs: 2500 });
  socket.onOpen(() => setStatus("online", true));
  socket.onError(() => setStatus("reconnecting…", false));
  socket.onClose((event) => {
    // Only a client bypassing the check below gets here: say so rather than losing the message silently.
    if (event && event.code === 1009) addLine("The server closed the connection: a message was over its size limit and was not delivered.", { kind: "system" });
  });
  socket.connect();

  // With history on the server: the last 50 messages on arrival; after a drop, everything missed (or, if that cannot
  // be recovered, the last 50 again). Without it the page behaves as before.
  let joins = 0;
  const channel = historyChannel(socket, "rooms:lobby", {}, {
    last: 50,
    onJoin: ({ enabled, recovered }) => {
      if (joins === 0 || !enabled) return; // the first join, or no history: see the "ok" callback below
      if (recovered) {
        addLine("Reconnected. Here is what was said while you were away.", { kind: "system" });
      } else {
        messages.replaceChildren();
        addLine("Reconnected: some messages may be missing; here are the latest.", { kind: "system" });
      }
    },
  });
  const presence = new Presence(channel);
  presence.onSync(() => renderOnline(presence));

  channel.on("new_msg", ({ user, body }) => addLine(body, { user }));
  channel.on("shout", ({ user, body }) => addLine(body, { user, kind: "shout" }));

  channel.join()
    .receive("ok", () => {
      if (joins++ > 0) {
        if (channel.history.enabled !== true) addLine("Reconnected. Messages sent while you were away are not shown.", { kind: "system" });
        return;
      }
      $("login").hidden = true;
      $("room").hidden = false;
      $("me").textContent = `as ${user}`;
      addLine(`You joined as ${user}.`, { kind: "system" });
      $("body").focus();
    })
    .receive("error", ({ reason }) => {
      $("login-error").textContent = `Could not join: ${reason}`;
      $("login-error").hidden = false;
    });

  const checkSize = () => {
    const bytes = oversize($("body").value.trim());
    $("composer-hint").hidden = bytes === null;
    $("composer-hint").textContent = bytes === null ? "" : `Too long to send: ${kilobytes(bytes)}, the limit is ${kilobytes(MAX_MESSAGE_BYTES)}.`;
    $("body").setAttribute("aria-invalid", String(bytes !== null));
    return bytes;
  };
  $("body").addEventListener("input", checkSize);

  const send = (event) => {
    const body = $("body").value.trim();
    if (!body) return;
    const bytes = checkSize();
    if (bytes !== null) {
      addLine(`Not sent: your message is ${kilobytes(bytes)}, over the ${kilobytes(MAX_MESSAGE_BYTES)} limit. Shorten it and send again.`, { kind: "system" });
      return; // the text stays in the input, to be shortened
    }
    channel.push(event, { body })
      .receive("error", ({ reason }) => addLine(`Not sent: ${reason}`, { kind: "system" }));
    if (event === "shout") addLine(body, { user: `${user} (shouted)`, kind: "shout" });
    $("body").value = "";
    checkSize();
  };
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send("new_msg"); });
  $("shout").addEventListener("click", () => send("shout"));
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const user = $("name").value.trim();
  if (user) start(user);
});
