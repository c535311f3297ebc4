// Pointing Party: the official Phoenix client (npm "phoenix", copied to /vendor at build time) against Fenix.
// The server pushes room_state / new_card (card, driver, round) and winner; presences carry voted_in, never the vote.
import { Socket, Presence } from "/vendor/phoenix.mjs";

const $ = (id) => document.getElementById(id);
const room = new URLSearchParams(location.search).get("room") || "lobby";

const NO_STATE = { card: null, driver: null, round: 0, position: 0, total: 0, finished: false };

const view = {
  me: null,
  cards: [],
  state: NO_STATE,
  myVote: null,
  winner: null,
  presence: null,
};

function setStatus(text, online) {
  $("status").textContent = text;
  $("status").classList.toggle("online", online);
}

function showError(reason) {
  $("action-error").textContent = reason ? `Not done: ${reason}` : "";
  $("action-error").hidden = !reason;
}

function people() {
  if (!view.presence) return [];
  const { card, round } = view.state;
  return view.presence
    .list((name, { metas }) => ({ name, voted: card !== null && metas.some((m) => m.voted_in === round) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function renderPeople(list) {
  const { card, driver } = view.state;
  $("users").replaceChildren(...list.map(({ name, voted }) => {
    const li = document.createElement("li");
    li.dataset.user = name;
    li.dataset.voted = String(voted);
    const label = document.createElement("span");
    label.className = "grow";
    label.textContent = name === view.me ? `${name} (you)` : name;
    li.append(label);
    if (name === driver) li.append(badge("driver", "badge"));
    if (card) li.append(voted ? badge("voted", "badge ok") : badge("thinking…", "badge wait"));
    return li;
  }));
  $("count").textContent = `(${list.length})`;
}

function badge(text, className) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  return span;
}

function renderTable(list) {
  const { card, driver, position, total, finished } = view.state;
  $("no-card").hidden = card !== null;
  $("ticket").hidden = card === null;
  $("no-card-text").textContent = finished ? "All cards are pointed. Start again?" : "Nobody is pointing yet.";
  if (!card) return;

  $("ticket-id").textContent = card.id;
  $("ticket-position").textContent = `${position} of ${total}`;
  $("ticket-title").textContent = card.title;
  $("ticket-description").textContent = card.description;
  for (const button of $("cards").children) {
    button.setAttribute("aria-pressed", String(button.dataset.points === view.myVote));
  }

  const waitingFor = list.filter((p) => !p.voted).map((p) => p.name);
  const complete = list.length > 0 && waitingFor.length === 0;
  const winner = complete && view.winner && view.winner.round === view.state.round ? view.winner : null;
  $("result").hidden = !winner;
  if (winner) {
    $("result").classList.toggle("tie", winner.outcome === "tie");
    const votes = (n) => `${n} ${n === 1 ? "vote" : "votes"}`;
    $("result").textContent = winner.outcome === "tie"
      ? `Tie between ${winner.points.join(" and ")} (${votes(winner.winner_votes)} each, ${votes(winner.votes)} in all)`
      : `Winner: ${winner.points[0]} (${votes(winner.winner_votes)} of ${winner.votes})`;
  }
  $("waiting").textContent = waitingFor.length ? `Waiting for ${waitingFor.join(", ")}.` : "";

  const driving = driver === view.me;
  $("next").hidden = !driving;
  $("driver-hint").textContent = driving ? "You are the driver." : `${driver} deals the next card.`;
}

function render() {
  const list = people();
  renderPeople(list);
  renderTable(list);
}

function applyState(state) {
  if (state.round !== view.state.round) {
    view.myVote = null;
    view.winner = null;
  }
  view.state = state;
  render();
}

function start(name) {
  const socket = new Socket("/pointing/socket", { params: { name }, longPollFallbackMs: 2500 });
  socket.onOpen(() => setStatus("online", true));
  socket.onError(() => setStatus("reconnecting…", false));
  socket.connect();

  const channel = socket.channel(`pointing:${room}`, {});
  view.presence = new Presence(channel);
  view.presence.onSync(render);
  channel.on("room_state", applyState);
  channel.on("new_card", (state) => { showError(null); applyState(state); });
  channel.on("winner", (winner) => { view.winner = winner; render(); });

  const push = (event, payload, onOk) => channel.push(event, payload)
    .receive("ok", (reply) => { showError(null); onOk?.(reply); })
    .receive("error", ({ reason }) => showError(reason))
    .receive("timeout", () => showError("the server did not answer"));

  let joins = 0;
  channel.join()
    .receive("ok", ({ name: me, cards }) => {
      if (joins++ > 0) {
        // A rejoin (reconnect, server restart): the server is about to push the room as it is now. Forget what this
        // page believed (the card, its vote, a result, an error), so nothing stale stays on screen.
        view.state = NO_STATE;
        view.myVote = null;
        view.winner = null;
        showError(null);
      }
      view.me = me;
      view.cards = cards;
      $("cards").replaceChildren(...cards.map((points) => {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.points = points;
        button.textContent = points;
        button.setAttribute("aria-label", `${points} points`);
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => push("vote", { points }, () => { view.myVote = points; render(); }));
        return button;
      }));
      $("login").hidden = true;
      $("party").hidden = false;
      $("room-name").textContent = `room “${room}”, as ${me}`;
      render();
    })
    .receive("error", ({ reason }) => {
      $("login-error").textContent = `Could not join: ${reason}`;
      $("login-error").hidden = false;
    });

  $("start").addEventListener("click", () => push("start_pointing", {}));
  $("next").addEventListener("click", () => push("next_card", {}));
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  if (name) start(name);
});
