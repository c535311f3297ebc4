// Drives an app made with `dotnet new fenix` through the official `phoenix` client, as its page does:
// tokens from POST /api/token, two users joining room:lobby, a ping and its reply, a broadcast message, an invalid
// message refused with a reason, Presence joins and leaves, a forged token refused, and the page's files served.
// Usage: node consumer.mjs http://127.0.0.1:PORT  — prints one line per step, exits 1 at the first failure.
import { Socket, Presence } from "phoenix";
import WebSocket from "ws";
import assert from "node:assert/strict";

const base = process.argv[2];
const deadline = setTimeout(() => fail(new Error("the scenario did not finish within 60 s")), 60_000);

function fail(error) {
  console.error(`FAIL: ${error.stack ?? error}`);
  process.exit(1);
}

function step(text) {
  console.log(`ok - ${text}`);
}

/** Resolves with the first value `probe` returns that is not undefined, checking at every `notify()`. */
function waitFor(what, probe) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 15_000);
    const check = () => {
      const value = probe();
      if (value !== undefined) {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      }
    };
    waiters.add(check);
    check();
  });
}
const waiters = new Set();
const notify = () => [...waiters].forEach((check) => check());

async function token(name) {
  const response = await fetch(`${base}/api/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  assert.equal(response.status, 200, `POST /api/token for ${name}`);
  return (await response.json()).token;
}

function user(name, tokenValue) {
  const socket = new Socket(`${base.replace(/^http/, "ws")}/socket`, {
    transport: WebSocket,
    params: { token: tokenValue },
    reconnectAfterMs: () => 100,
  });
  const state = { socket, name, opened: false, errors: 0, messages: [], online: [] };
  socket.onOpen(() => { state.opened = true; notify(); });
  socket.onError(() => { state.errors++; notify(); });
  socket.connect();
  state.channel = socket.channel("room:lobby");
  state.presence = new Presence(state.channel);
  state.presence.onSync(() => { state.online = state.presence.list((key) => key).sort(); notify(); });
  state.channel.on("new_msg", (message) => { state.messages.push(message); notify(); });
  return state;
}

function join(state) {
  return new Promise((resolve, reject) => state.channel.join()
    .receive("ok", resolve)
    .receive("error", (response) => reject(new Error(`join refused: ${JSON.stringify(response)}`)))
    .receive("timeout", () => reject(new Error("join timed out"))));
}

function push(state, event, payload) {
  return new Promise((resolve) => state.channel.push(event, payload)
    .receive("ok", (response) => resolve({ status: "ok", response }))
    .receive("error", (response) => resolve({ status: "error", response }))
    .receive("timeout", () => resolve({ status: "timeout" })));
}

try {
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module" src="app.js">/);
  const client = await fetch(`${base}/vendor/phoenix.mjs`);
  assert.equal(client.status, 200, "the build copied the phoenix client to wwwroot/vendor");
  step("the page and the phoenix client it imports are served");

  const forged = user("mallory", "not-a-token");
  await waitFor("the forged token's refusal", () => (forged.errors > 0 ? true : undefined));
  assert.equal(forged.opened, false);
  forged.socket.disconnect();
  step("a forged token is refused");

  const ann = user("ann", await token("ann"));
  assert.deepEqual(await join(ann), { user: "ann" });
  await waitFor("ann in ann's presence", () => (ann.online.includes("ann") ? true : undefined));
  step("ann joins room:lobby and sees herself in Presence");

  const bob = user("bob", await token("bob"));
  await join(bob);
  await waitFor("bob in ann's presence", () => (ann.online.join() === "ann,bob" ? true : undefined));
  await waitFor("ann in bob's presence", () => (bob.online.join() === "ann,bob" ? true : undefined));
  step("bob joins; both see ann and bob");

  assert.deepEqual(await push(ann, "ping", { n: 42 }), { status: "ok", response: { n: 42 } });
  step("ping gets its reply");

  bob.channel.push("new_msg", { body: "  hello from bob  " }); // no reply: the answer is the broadcast
  const expected = { user: "bob", body: "hello from bob" };
  assert.deepEqual(await waitFor("the broadcast at ann", () => ann.messages[0]), expected);
  assert.deepEqual(await waitFor("the broadcast at bob", () => bob.messages[0]), expected);
  step("bob's message is broadcast to both, with its author");

  const refused = await push(ann, "new_msg", { body: "   " });
  assert.equal(refused.status, "error");
  assert.match(refused.response.reason, /a body of 1 to \d+ characters/);
  step("an empty message is refused with a reason");

  await new Promise((resolve) => bob.channel.leave().receive("ok", resolve));
  bob.socket.disconnect();
  await waitFor("bob's leave in ann's presence", () => (ann.online.join() === "ann" ? true : undefined));
  step("bob leaves; ann's presence drops him");

  ann.socket.disconnect();
  clearTimeout(deadline);
  console.log("consumer scenario passed");
  process.exit(0);
} catch (error) {
  fail(error);
}
