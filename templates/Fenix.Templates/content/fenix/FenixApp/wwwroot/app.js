// The page: the official Phoenix JavaScript client (npm "phoenix", copied to /vendor by the first build) against Fenix.
const $ = (id) => document.getElementById(id);

function show(problem) {
  $("problem").textContent = problem;
  $("problem").hidden = false;
}

function line(text, { user, kind } = {}) {
  const li = document.createElement("li");
  if (kind) li.className = kind;
  if (user) {
    const who = document.createElement("strong");
    who.textContent = `${user}: `;
    li.append(who);
  }
  li.append(document.createTextNode(text));
  $("messages").append(li);
  $("messages").scrollTop = $("messages").scrollHeight;
}

async function tokenFor(name) {
  const response = await fetch("/api/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body.token;
}

function join({ Socket, Presence }, token) {
  const socket = new Socket("/socket", { params: { token }, longPollFallbackMs: 2500 });
  socket.onOpen(() => { $("status").textContent = "online"; $("status").className = "online"; });
  socket.onClose(() => { $("status").textContent = "offline"; $("status").className = ""; });
  socket.connect();

  const channel = socket.channel("room:lobby");
  const presence = new Presence(channel);
  presence.onSync(() => {
    const users = presence.list((user, { metas }) => ({ user, sessions: metas.length }));
    users.sort((a, b) => a.user.localeCompare(b.user));
    $("online").replaceChildren(...users.map(({ user, sessions }) => {
      const li = document.createElement("li");
      li.textContent = sessions > 1 ? `${user} (${sessions})` : user;
      return li;
    }));
    $("online-count").textContent = `(${users.length})`;
  });

  channel.on("new_msg", ({ user, body }) => line(body, { user }));
  channel.join()
    .receive("ok", ({ user }) => line(`You joined the lobby as ${user}.`, { kind: "info" }))
    .receive("error", ({ reason }) => show(`Could not join: ${reason}`));

  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    channel.push("new_msg", { body: $("body").value })
      .receive("error", ({ reason }) => line(`Not sent: ${reason}`, { kind: "error" }))
      .receive("timeout", () => line("Not sent: no answer from the server.", { kind: "error" }));
    $("body").value = "";
  });
  $("ping").addEventListener("click", () => {
    const sentAt = performance.now();
    channel.push("ping", { sentAt })
      .receive("ok", () => line(`pong in ${Math.round(performance.now() - sentAt)} ms`, { kind: "info" }));
  });
}

async function start() {
  let phoenix;
  try {
    phoenix = await import("/vendor/phoenix.mjs");
  } catch {
    show("The phoenix JavaScript client is missing: install Node.js (with npm), then run the app again (its build fetches the client).");
    $("login").hidden = true;
    return;
  }

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const token = await tokenFor($("name").value);
      $("login").hidden = true;
      $("room").hidden = false;
      join(phoenix, token);
      $("body").focus();
    } catch (error) {
      show(error.message);
    }
  });
}

start();
