// Training Center: the official Phoenix client against Fenix. Participants complete exercises and get their own
// participant_status; trainers get session_overview (and presence, to see who is online). Sessions start over HTTP
// (POST /training_sessions/{id}/start), which broadcasts training_session_started to every open page of the session.
import { Socket, Presence } from "/vendor/phoenix.mjs";

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
$("session").value = query.get("session") || "morning";
if (query.get("role") === "trainer") $("role-trainer").checked = true;

let channel = null;
let presence = null;
let overview = null;
let session = null;
let plan = [];
let myStatus = null;

function setStatus(text, online) {
  $("status").textContent = text;
  $("status").classList.toggle("online", online);
}

function showError(reason) {
  $("action-error").textContent = reason ? `Not done: ${reason}` : "";
  $("action-error").hidden = !reason;
}

function announce(text) {
  $("announcement").textContent = text;
  $("announcement").hidden = false;
}

function setState(state) {
  for (const el of document.querySelectorAll(".session-state")) el.textContent = state;
  $("start-session").disabled = state !== "waiting";
  $("end-session").disabled = state !== "started";
  if (overview) overview.state = state;
  if (myStatus && myStatus.state !== state) renderStatus({ ...myStatus, state });
}

function push(event, payload) {
  channel.push(event, payload)
    .receive("ok", () => showError(null))
    .receive("error", ({ reason }) => showError(reason))
    .receive("timeout", () => showError("the server did not answer"));
}

// Participant view ------------------------------------------------------------------------------------------------

function renderStatus(next) {
  myStatus = next;
  const { state, completed, progress } = next;
  setState(state);
  $("plan-hint").textContent = {
    waiting: "Waiting for the trainer to start the session.",
    started: "Mark each exercise done as you finish it.",
    ended: "The session is over.",
  }[state] ?? "";
  $("progress").value = progress;
  $("progress-text").textContent = `${progress}%`;
  $("exercises").replaceChildren(...plan.map(({ name, label }) => {
    const done = completed.includes(name);
    const li = document.createElement("li");
    li.dataset.exercise = name;
    li.dataset.done = String(done);
    const text = document.createElement("span");
    text.className = "label grow";
    text.textContent = label;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = done ? "Done ✓" : "Mark done";
    button.disabled = done || state !== "started";
    button.setAttribute("aria-label", done ? `${label}: done` : `Mark ${label} done`);
    button.addEventListener("click", () => push("complete_exercise", { name }));
    li.append(text, button);
    return li;
  }));
}

// Trainer view ----------------------------------------------------------------------------------------------------

function renderRoster() {
  if (!overview) return;
  const online = new Set(presence ? presence.list((name) => name) : []);
  const labels = Object.fromEntries(overview.exercises.map((e) => [e.name, e.label]));
  $("roster").tBodies[0].replaceChildren(...overview.participants.map(({ participant, progress, completed }) => {
    const tr = document.createElement("tr");
    tr.dataset.participant = participant;
    tr.dataset.online = String(online.has(participant));
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = participant;
    const status = document.createElement("td");
    const dot = document.createElement("span");
    dot.className = online.has(participant) ? "dot on" : "dot";
    status.append(dot, online.has(participant) ? "online" : "away");
    const bar = document.createElement("td");
    bar.className = "progress";
    bar.textContent = `${progress}%`;
    const done = document.createElement("td");
    done.className = "done";
    done.textContent = completed.map((c) => labels[c] ?? c).join(", ") || "—";
    tr.append(name, status, bar, done);
    return tr;
  }));
  $("roster-empty").hidden = overview.participants.length > 0;
}

async function startSession() {
  const response = await fetch(`/training_sessions/${encodeURIComponent(session)}/start`, { method: "POST" });
  if (!response.ok) {
    const { reason } = await response.json().catch(() => ({ reason: response.statusText }));
    showError(reason);
  }
}

// Joining ---------------------------------------------------------------------------------------------------------

function start(name, role) {
  const socket = new Socket("/training/socket", { params: { name, role }, longPollFallbackMs: 2500 });
  socket.onOpen(() => setStatus("online", true));
  socket.onError(() => setStatus("reconnecting…", false));
  socket.connect();

  channel = socket.channel(`training_session:${session}`, {});
  channel.on("training_session_started", ({ started_at }) => {
    setState("started");
    announce(`The session started at ${new Date(started_at).toLocaleTimeString()}.`);
  });
  channel.on("training_session_ended", () => {
    setState("ended");
    announce("The session has ended. Well done!");
  });

  if (role === "trainer") {
    presence = new Presence(channel);
    presence.onSync(renderRoster);
    channel.on("session_overview", (next) => { overview = next; setState(next.state); renderRoster(); });
    $("start-session").addEventListener("click", () => startSession().catch((e) => showError(e.message)));
    $("end-session").addEventListener("click", () => push("end_session", {}));
  } else {
    channel.on("participant_status", renderStatus);
  }

  let joins = 0;
  channel.join()
    .receive("ok", ({ exercises }) => {
      if (joins++ > 0) {
        // A rejoin (reconnect, server restart): the server pushes the session as it is now; an announcement or an
        // error from before may no longer be true.
        $("announcement").hidden = true;
        showError(null);
      }
      plan = exercises;
      $("login").hidden = true;
      $("gym").hidden = false;
      $(role === "trainer" ? "trainer-view" : "participant-view").hidden = false;
      for (const el of document.querySelectorAll(".session-name")) el.textContent = session;
    })
    .receive("error", ({ reason }) => {
      $("login-error").textContent = `Could not join: ${reason}`;
      $("login-error").hidden = false;
    });
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  session = $("session").value.trim();
  const role = document.querySelector("input[name=role]:checked").value;
  if (name && session) start(name, role);
});
