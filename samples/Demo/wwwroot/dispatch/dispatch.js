// Dispatch: the official Phoenix client against Fenix. The server names this connection's hero (user_info), tracks
// it on notifications:lobby and relays notifications sent to everyone, to the others, or to this hero alone.
import { Socket, Presence } from "/vendor/phoenix.mjs";

const $ = (id) => document.getElementById(id);
const MAX_SHOWN = 5;
const KIND_LABELS = { all: "to everyone", others: "to the others", direct: "to you", dispatch: "dispatch" };
let me = null;

function setStatus(text, online) {
  $("status").textContent = text;
  $("status").classList.toggle("online", online);
}

function renderHeroes(presence) {
  const heroes = presence.list((name, { metas }) => ({ name, since: metas[0].online_at })).sort((a, b) => a.name.localeCompare(b.name));
  $("heroes").replaceChildren(...heroes.map(({ name }) => {
    const li = document.createElement("li");
    li.dataset.hero = name;
    const dot = document.createElement("span");
    dot.className = "dot on";
    const label = document.createElement("span");
    label.textContent = name === me ? `${name} (you)` : name;
    li.append(dot, label);
    return li;
  }));
  $("count").textContent = `(${heroes.length})`;

  const selected = $("recipient").value;
  $("recipient").replaceChildren(...heroes.map(({ name }) => new Option(name === me ? `${name} (you)` : name, name)));
  if (heroes.some((h) => h.name === selected)) $("recipient").value = selected;
}

function addNotification({ kind, from, body, sent_at }) {
  const li = document.createElement("li");
  li.dataset.kind = kind;
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = new Date(sent_at);
  meta.textContent = `${from} · ${KIND_LABELS[kind] ?? kind} · ${isNaN(time) ? sent_at : time.toLocaleTimeString()}`;
  const text = document.createElement("span");
  text.className = "body";
  text.textContent = body;
  li.append(meta, text);
  $("notifications").prepend(li);
  while ($("notifications").children.length > MAX_SHOWN) $("notifications").lastElementChild.remove();
  $("empty").hidden = true;
}

// The server signs this page's hero name (user_info.hero_token); sending it back on every (re)connect keeps the name
// across network blips and server restarts. It lives in sessionStorage: per tab, like the hero.
const TOKEN_KEY = "dispatch.hero_token";
const socket = new Socket("/dispatch/socket", {
  longPollFallbackMs: 2500,
  params: () => ({ hero_token: sessionStorage.getItem(TOKEN_KEY) ?? "" }),
});
socket.onOpen(() => setStatus("online", true));
socket.onError(() => setStatus("reconnecting…", false));
socket.connect();

const channel = socket.channel("notifications:lobby", {});
const presence = new Presence(channel);
presence.onSync(() => renderHeroes(presence));
channel.on("user_info", ({ user_name, hero_token }) => {
  if (hero_token) sessionStorage.setItem(TOKEN_KEY, hero_token);
  // Never change who the user is silently (e.g. a server whose keys changed could not verify the old token).
  $("identity-notice").hidden = me === null || me === user_name;
  if (me !== null && me !== user_name) $("identity-notice").textContent = `The server gave you a new name: you are now ${user_name} (you were ${me}).`;
  me = user_name;
  $("hero-name").textContent = user_name;
  document.title = `${user_name} · Dispatch`;
  renderHeroes(presence);
});
channel.on("notification", addNotification);
let joins = 0;
channel.join()
  .receive("ok", () => {
    // A rejoin (reconnect, server restart): what was said before about sending no longer holds.
    if (joins++ > 0) $("send-status").textContent = "";
  })
  .receive("error", ({ reason }) => setStatus(`could not join: ${reason}`, false));

function send(event, extra = {}) {
  const body = $("body").value.trim();
  if (!body) {
    $("body").reportValidity();
    return;
  }
  channel.push(event, { body, ...extra })
    .receive("ok", () => {
      $("send-status").textContent = event === "notify_direct" ? `Sent to ${extra.recipient}.` : "Sent.";
      $("body").value = "";
    })
    .receive("error", ({ reason }) => { $("send-status").textContent = `Not sent: ${reason}`; })
    .receive("timeout", () => { $("send-status").textContent = "Not sent: the server did not answer"; });
}

$("composer").addEventListener("submit", (e) => { e.preventDefault(); send("notify_all"); });
$("notify-others").addEventListener("click", () => send("notify_others"));
$("notify-direct").addEventListener("click", () => send("notify_direct", { recipient: $("recipient").value }));
