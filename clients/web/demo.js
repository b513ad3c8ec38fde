// The gamehost browser demo: login, lobby, Dou Dizhu, battlemap and race, on the client
// library's typed helpers and events (gamehost-client.browser.js, copied here by build.sh).
// Served by the host itself ([listen] web_root): the page connects back to the host it came
// from, or to ?ws=ws://HOST:PORT/.
import { BattlemapApi, GameHostClient, GameHostError, card as cardPb, racemap as racePb, room as roomPb } from "./gamehost-client.browser.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const wsUrl =
  params.get("ws") ??
  (location.protocol.startsWith("http") ? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/` : "ws://127.0.0.1:7001/");

let c; // the GameHostClient
let me = null; // the Profile
const names = new Map(); // user id (string) -> nickname

// ---------------------------------------------------------------- screens, status, banner
const screens = ["login", "lobby", "ddz", "map", "race"];
let screen = "";
let leaveScreen = null; // cleanup of the current game screen
function show(name) {
  if (screen !== name && leaveScreen) {
    const f = leaveScreen;
    leaveScreen = null;
    f();
  }
  screen = name;
  for (const s of screens) $(`screen-${s}`).hidden = s !== name;
  document.body.dataset.screen = name;
  $("logout").hidden = name === "login";
}
function status(text = "") {
  $("status").textContent = text;
}
function errText(err) {
  if (err instanceof GameHostError) return `${err.codeName ?? err.code}: ${err.text}`;
  return String(err?.message ?? err);
}
function banner(text) {
  $("banner").textContent = text ?? "";
  $("banner").hidden = !text;
}
async function nameOf(userId) {
  const key = String(userId);
  if (c && userId === c.userId && me) return me.nickname;
  if (names.has(key)) return names.get(key);
  names.set(key, `#${key}`);
  try {
    names.set(key, (await c.user.publicProfile(userId)).nickname);
  } catch {}
  return names.get(key);
}
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

// ---------------------------------------------------------------- connection and login
function deviceId() {
  // per tab: two tabs of one browser are two guests, so they can play each other
  let id = sessionStorage.getItem("gh.deviceId");
  if (!id) {
    id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("gh.deviceId", id);
  }
  return id;
}

async function start() {
  show("login");
  status("connecting…");
  try {
    c = await GameHostClient.connect(wsUrl);
  } catch (err) {
    status(`cannot connect to ${wsUrl}: ${errText(err)}`);
    return;
  }
  status("");
  c.on("disconnected", (info) => info.willReconnect && banner("reconnecting…"));
  c.on("reconnecting", (info) => banner(`reconnecting… (attempt ${info.attempt})`));
  c.on("reconnected", () => {
    banner("");
    if (me) refreshProfile();
  });
  c.on("session-lost", () => {
    banner("");
    sessionStorage.removeItem("gh.token");
    me = null;
    show("login");
    status("the session was lost: log in again");
  });
  c.on("reconnect-failed", () => banner("disconnected: reload the page"));
  c.on("kicked", (k) => status(`the server closed the connection: ${k.codeName ?? k.code} ${k.text}`));
  c.on("auth.login", (reply) => reply.token && sessionStorage.setItem("gh.token", reply.token));
  setupDdz();
  setupMap();
  setupRace();
  const token = sessionStorage.getItem("gh.token");
  if (token) {
    try {
      await c.auth.tokenLogin(token);
      await enterLobby();
      return;
    } catch {
      sessionStorage.removeItem("gh.token");
    }
  }
}

async function login(how) {
  status("");
  const u = $("username").value.trim();
  const p = $("password").value;
  try {
    if (how === "guest") await c.auth.guest(deviceId());
    else if (how === "register") await c.auth.register(u, p);
    else await c.auth.login(u, p);
    await enterLobby();
  } catch (err) {
    status(errText(err));
  }
}

async function refreshProfile() {
  me = await c.user.profile();
  names.set(String(me.userId), me.nickname);
  $("nickname").textContent = me.nickname;
  $("coins").textContent = String(me.coins);
  $("level").textContent = String(me.level);
  $("who").textContent = `${me.nickname} · ${me.coins} coins`;
}

async function enterLobby() {
  await refreshProfile();
  show("lobby");
}

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  login("login");
});
$("btn-register").addEventListener("click", () => login("register"));
$("btn-guest").addEventListener("click", () => login("guest"));
$("logout").addEventListener("click", async () => {
  show("login");
  me = null;
  $("who").textContent = "";
  sessionStorage.removeItem("gh.token");
  try {
    await c.auth.logout();
  } catch {}
});
$("nick-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await c.user.updateProfile({ nickname: $("nick-input").value.trim() });
    $("nick-input").value = "";
    await refreshProfile();
    status("");
  } catch (err) {
    status(errText(err));
  }
});
$("btn-ddz").addEventListener("click", () => startDdz());
$("btn-map").addEventListener("click", () => startMap());
$("btn-race").addEventListener("click", () => startRace());

async function leaveRoom() {
  try {
    await c.room.leave();
  } catch {}
}

// ---------------------------------------------------------------- Dou Dizhu
const RANKS = ["3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "A", "2"];
const SUITS = ["♠", "♥", "♦", "♣"];
function cardLabel(id) {
  if (id === 52) return "jkr";
  if (id === 53) return "JKR";
  return RANKS[id >> 2] + SUITS[id & 3];
}
const isRed = (id) => id === 53 || (id < 52 && (id & 3) % 3 !== 0);
function cardEl(id, small = false) {
  const e = el(small ? "span" : "button", { class: `card${isRed(id) ? " red" : ""}${small ? " small" : ""}`, "data-card": id }, cardLabel(id));
  if (!small) {
    e.dataset.test = "card";
    e.type = "button";
  }
  return e;
}
const COMBO = Object.fromEntries(Object.entries(cardPb.ComboType).filter(([, v]) => typeof v === "number").map(([k, v]) => [v, k.toLowerCase().replaceAll("_", " ")]));

const ddz = {
  active: false,
  roomId: 0n,
  view: null, // the last GameView, kept up to date by the events
  selected: new Set(),
  deadline: 0,
  timer: 0,
  result: null,
  busy: false,
};

function setupDdz() {
  c.on("room.state", (s) => {
    if (ddz.active && s.gameType === "doudizhu") {
      ddz.roomId = s.roomId;
      renderRoom(s.members.length, s.seats);
    }
  });
  c.on("room.update", (u) => {
    if (!ddz.active || u.roomId !== ddz.roomId) return;
    if (u.change.case === "memberJoined" || u.change.case === "memberLeft") c.room.get().then((s) => renderRoom(s.members.length, s.seats), () => {});
  });
  c.on("card.dealt", (view) => ddz.active && takeView(view));
  c.on("card.event", onCardEvent);
  setupDdzControls();
}

function takeView(view) {
  ddz.view = view;
  ddz.result = null;
  ddz.selected.clear();
  ddz.deadline = Date.now() + view.turnMsLeft;
  logLine(view.redeals ? `redeal ${view.redeals}` : "cards dealt");
  for (const p of view.players) nameOf(p).then(renderDdz);
  renderDdz();
}

function setupDdzControls() {
  $("bid-1").addEventListener("click", () => ddzAct(() => c.card.bid(1)));
  $("bid-2").addEventListener("click", () => ddzAct(() => c.card.bid(2)));
  $("bid-3").addEventListener("click", () => ddzAct(() => c.card.bid(3)));
  $("bid-pass").addEventListener("click", () => ddzAct(() => c.card.bid(0)));
  $("btn-pass").addEventListener("click", () => ddzAct(() => c.card.pass()));
  $("btn-play").addEventListener("click", () => {
    const cards = [...ddz.selected].sort((a, b) => a - b);
    ddzAct(async () => {
      await c.card.play(cards);
    });
  });
  $("auto-play").addEventListener("change", (e) => ddzAct(() => c.card.setAutoPlay(e.target.checked), true));
  $("hand").addEventListener("click", (e) => {
    const b = e.target.closest(".card");
    if (!b) return;
    const id = Number(b.dataset.card);
    ddz.selected.has(id) ? ddz.selected.delete(id) : ddz.selected.add(id);
    b.classList.toggle("selected", ddz.selected.has(id));
    renderButtons();
  });
  $("ddz-back").addEventListener("click", async () => {
    show("lobby");
    await refreshProfile().catch(() => {});
  });
  $("ddz-again").addEventListener("click", async () => {
    $("ddz-again").hidden = true;
    $("ddz-result").hidden = true;
    ddz.view = null;
    renderDdz();
    try {
      await c.room.ready();
      $("ddz-room").textContent = "waiting for the others to be ready…";
    } catch (err) {
      status(errText(err));
    }
  });
}

function renderRoom(members, seats) {
  if (!ddz.view) $("ddz-room").textContent = `room ${ddz.roomId}: ${members} of ${seats} players — waiting…`;
}

async function startDdz() {
  status("");
  ddz.active = true;
  ddz.view = null;
  ddz.result = null;
  $("ddz-log").textContent = "";
  $("ddz-result").hidden = true;
  $("ddz-again").hidden = true;
  show("ddz");
  leaveScreen = () => {
    ddz.active = false;
    clearInterval(ddz.timer);
    if (!ddz.view || ddz.result) leaveRoom();
    else c.card.setAutoPlay(true).catch(() => {}); // left during the game: the server plays for us
  };
  renderDdz();
  $("ddz-room").textContent = "quick match…";
  ddz.timer = setInterval(renderTimer, 250);
  try {
    // back in a room of ours (a page reload, or the lobby during a game)? else quick match
    let state = await c.room.get().catch(() => null);
    if (state && state.gameType !== "doudizhu") {
      await leaveRoom();
      state = null;
    }
    state ??= await c.room.quickJoin("doudizhu");
    ddz.roomId = state.roomId;
    renderRoom(state.members.length, state.seats);
    if (state.phase === roomPb.Phase.PLAYING) {
      takeView(await c.card.getGame());
      await c.card.setAutoPlay(false).catch(() => {});
    } else await c.room.ready();
  } catch (err) {
    status(errText(err));
  }
}

async function ddzAct(fn, keepSelection = false) {
  if (ddz.busy) return;
  ddz.busy = true;
  renderButtons();
  try {
    await fn();
    status("");
    if (!keepSelection) ddz.selected.clear();
  } catch (err) {
    status(errText(err));
  } finally {
    ddz.busy = false;
    renderDdz();
  }
}

function logLine(text) {
  const li = el("li", {}, text);
  $("ddz-log").prepend(li);
}

function seatName(seat) {
  const v = ddz.view;
  if (!v) return "";
  if (seat === v.seat) return "you";
  return names.get(String(v.players[seat])) ?? `seat ${seat}`;
}

function onCardEvent(e) {
  const v = ddz.view;
  if (!ddz.active || !v || e.gameId !== v.gameId) return;
  const K = cardPb.GameEvent_Kind;
  const who = seatName(e.seat);
  const src = e.source === cardPb.Source.TIMEOUT ? " (timeout)" : e.source === cardPb.Source.AUTO ? " (auto)" : "";
  v.cardCounts = e.cardCounts;
  v.turn = e.turn;
  ddz.deadline = Date.now() + e.turnMsLeft;
  switch (e.kind) {
    case K.BID:
      v.bid = e.bid;
      logLine(`${who} bid ${e.bid}${src}`);
      break;
    case K.PASS:
      logLine(`${who} ${v.phase === cardPb.Phase.BIDDING ? "did not bid" : "passed"}${src}`);
      break;
    case K.PLAY:
      v.lastPlay = { seat: e.seat, cards: e.cards, type: e.type };
      if (e.seat === v.seat) {
        const gone = new Set(e.cards);
        v.hand = v.hand.filter((x) => !gone.has(x));
        ddz.selected.clear();
      }
      logLine(`${who} played ${e.cards.map(cardLabel).join(" ")} (${COMBO[e.type]})${src}`);
      break;
    case K.LANDLORD:
      v.landlord = e.seat;
      v.bid = e.bid;
      v.hole = e.cards;
      v.phase = cardPb.Phase.PLAYING;
      v.lastPlay = undefined;
      if (e.seat === v.seat) v.hand = [...v.hand, ...e.cards].sort((a, b) => a - b);
      logLine(`${who} ${e.seat === v.seat ? "are" : "is"} the landlord (bid ${e.bid})`);
      break;
    case K.AUTO_PLAY:
      if (v.autoPlay) v.autoPlay[e.seat] = e.on;
      if (e.seat === v.seat) $("auto-play").checked = e.on;
      logLine(`${who}: auto-play ${e.on ? "on" : "off"}`);
      break;
    case K.REDEAL:
      logLine("everybody passed: redeal");
      break;
    case K.FINISHED:
    case K.SETTLED:
      v.phase = cardPb.Phase.FINISHED;
      ddz.result = e.result;
      showResult(e.kind === K.SETTLED);
      break;
  }
  // after two passes the seat that played last leads again
  if (v.lastPlay && v.turn === v.lastPlay.seat && v.phase === cardPb.Phase.PLAYING) v.lastPlay = undefined;
  renderDdz();
}

function showResult(settled) {
  const v = ddz.view;
  const r = ddz.result;
  const mine = r.coins[v.seat] ?? 0n;
  const iWon = (v.seat === v.landlord) === r.landlordWon;
  const box = $("ddz-result");
  box.hidden = false;
  box.textContent = "";
  box.append(
    el("span", { class: iWon ? "win" : "loss", "data-test": "ddz-outcome" }, iWon ? "You won" : "You lost"),
    document.createTextNode(` — ${seatName(r.winner)} emptied the hand; ${r.landlordWon ? "the landlord" : "the farmers"} won, score ${r.score}${r.spring ? " (spring)" : ""}${r.antiSpring ? " (anti-spring)" : ""}. Coins: `),
    el("span", { id: "ddz-coins-change", "data-test": "ddz-coins-change", "data-settled": String(settled && r.settled) }, `${mine > 0n ? "+" : ""}${mine}`),
    document.createTextNode(settled ? (r.settled ? " (settled)" : " (not settled yet)") : " (settling…)"),
  );
  if (settled) {
    refreshProfile().catch(() => {});
    $("ddz-again").hidden = false;
  }
}

function renderTimer() {
  const v = ddz.view;
  if (!v || v.phase === cardPb.Phase.FINISHED) {
    $("ddz-timer").textContent = "";
    return;
  }
  $("ddz-timer").textContent = `${Math.max(0, Math.ceil((ddz.deadline - Date.now()) / 1000))} s`;
}

function renderButtons() {
  const v = ddz.view;
  const myTurn = !!v && !ddz.busy && v.turn === v.seat && v.phase !== cardPb.Phase.FINISHED;
  const bidding = myTurn && v.phase === cardPb.Phase.BIDDING;
  const playing = myTurn && v.phase === cardPb.Phase.PLAYING;
  for (const n of [1, 2, 3]) $(`bid-${n}`).disabled = !bidding || n <= v.bid;
  $("bid-pass").disabled = !bidding;
  $("btn-play").disabled = !playing || ddz.selected.size === 0;
  $("btn-pass").disabled = !playing || !v.lastPlay;
  document.body.dataset.myTurn = String(myTurn);
}

function renderDdz() {
  const v = ddz.view;
  if (!v) {
    $("hand").textContent = "";
    for (const id of ["count-prev", "count-next", "count-me", "ddz-hole", "ddz-last", "ddz-turn", "my-role"]) $(id).textContent = "";
    $("ddz-bid").textContent = "0";
    $("ddz-landlord").textContent = "—";
    renderButtons();
    return;
  }
  $("ddz-room").textContent = `room ${v.roomId} · game ${v.gameId}`;
  const prev = (v.seat + 2) % 3;
  const next = (v.seat + 1) % 3;
  const role = (s) => (v.landlord < 0 ? "" : s === v.landlord ? " (landlord)" : " (farmer)");
  for (const [tag, s] of [["prev", prev], ["next", next]]) {
    $(`opp-${tag}`).dataset.seat = s;
    $(`opp-${tag}`).querySelector(".name").textContent = seatName(s);
    $(`opp-${tag}`).querySelector(".role").textContent = role(s) + (v.autoPlay?.[s] ? " [auto]" : "");
    $(`count-${tag}`).textContent = String(v.cardCounts[s] ?? "");
    $(`opp-${tag}`).classList.toggle("on-turn", v.turn === s && v.phase !== cardPb.Phase.FINISHED);
  }
  $("my-role").textContent = role(v.seat);
  $("count-me").textContent = String(v.hand.length);
  document.querySelector(".me").classList.toggle("on-turn", v.turn === v.seat && v.phase !== cardPb.Phase.FINISHED);
  $("ddz-bid").textContent = String(v.bid);
  $("ddz-landlord").textContent = v.landlord < 0 ? "—" : seatName(v.landlord);
  $("ddz-hole").replaceChildren(...(v.hole ?? []).map((x) => cardEl(x, true)));
  const lp = v.lastPlay;
  $("ddz-last").replaceChildren(
    ...(lp && lp.cards.length ? [document.createTextNode(`${seatName(lp.seat)}: `), ...lp.cards.map((x) => cardEl(x, true)), document.createTextNode(` ${COMBO[lp.type]}`)] : [document.createTextNode(v.phase === cardPb.Phase.PLAYING ? `${seatName(v.turn)} lead${v.turn === v.seat ? "" : "s"}` : "—")]),
  );
  $("ddz-turn").textContent = v.phase === cardPb.Phase.FINISHED ? "game over" : `${seatName(v.turn)}${v.phase === cardPb.Phase.BIDDING ? " (bidding)" : ""}`;
  $("ddz-turn").dataset.mine = String(v.turn === v.seat);
  $("ddz-last").dataset.leads = String(!lp);
  const hand = $("hand");
  const wanted = v.hand.join(",");
  if (hand.dataset.cards !== wanted) {
    hand.dataset.cards = wanted;
    hand.replaceChildren(...v.hand.map((x) => cardEl(x)));
  }
  for (const b of hand.children) b.classList.toggle("selected", ddz.selected.has(Number(b.dataset.card)));
  renderButtons();
  renderTimer();
}

// ---------------------------------------------------------------- battlemap
const map = {
  active: false,
  entered: null,
  x: 0,
  y: 0,
  dir: 0,
  known: new Map(), // entity id -> Entity
  shown: new Map(), // entity id -> { x, y, user, born, gone } for drawing and the animations
  keys: new Set(),
  lastMove: 0,
  timer: 0,
  frame: 0,
};
const SCALE = 3; // canvas pixels per map unit

function setupMap() {
  c.on("battlemap.entered", (en) => {
    if (!map.active) return;
    mapEntered(en);
  });
  c.on("battlemap.view", (u) => {
    if (!map.active) return;
    const now = performance.now();
    for (const id of u.disappeared) {
      const s = map.shown.get(id);
      if (s) s.gone = now;
    }
    BattlemapApi.applyView(map.known, u);
    for (const e of u.appeared) {
      map.shown.set(e.id, { x: e.x, y: e.y, user: e.userId, born: now, gone: 0 });
      nameOf(e.userId).then(renderPlayers);
    }
    for (const m of BattlemapApi.moves(u)) {
      const s = map.shown.get(m.id);
      if (s) Object.assign(s, { x: m.x, y: m.y });
    }
    renderPlayers();
  });
  c.on("battlemap.correction", (k) => {
    if (!map.active) return;
    map.x = k.x;
    map.y = k.y;
    map.dir = k.dir;
    document.body.dataset.corrected = String(Number(document.body.dataset.corrected ?? 0) + 1);
  });
  c.on("battlemap.left", () => {
    if (map.active) {
      status("you left the map (taken over by another connection?)");
      show("lobby");
    }
  });
  c.on("server-error", (err) => {
    if (map.active && err.requestId === 3002) status(`move refused: ${err.codeName}`);
  });
  window.addEventListener("keydown", (e) => {
    if ((screen !== "map" && screen !== "race") || !e.key.startsWith("Arrow")) return;
    e.preventDefault();
    map.keys.add(e.key);
  });
  window.addEventListener("keyup", (e) => map.keys.delete(e.key));
  window.addEventListener("blur", () => map.keys.clear());
  $("map-back").addEventListener("click", () => show("lobby"));
}

function mapEntered(en) {
  map.entered = en;
  map.x = en.x;
  map.y = en.y;
  map.dir = en.dir;
  map.known.clear();
  map.shown.clear();
  map.lastMove = performance.now();
  $("map-name").textContent = `${en.map} · ${en.width}×${en.height} · speed ${en.maxSpeed}/s`;
  renderPlayers();
}

async function startMap() {
  status("");
  map.active = true;
  map.entered = null;
  show("map");
  leaveScreen = () => {
    map.active = false;
    clearInterval(map.timer);
    cancelAnimationFrame(map.frame);
    map.keys.clear();
    c.battlemap.leave().catch(() => {});
  };
  try {
    mapEntered(await c.battlemap.enter(""));
  } catch (err) {
    status(errText(err));
    return;
  }
  $("map-canvas").focus();
  map.timer = setInterval(mapTick, map.entered.tickMs || 100);
  const draw = () => {
    drawMap();
    map.frame = requestAnimationFrame(draw);
  };
  draw();
}

function arrows() {
  let dx = 0;
  let dy = 0;
  if (map.keys.has("ArrowLeft")) dx -= 1;
  if (map.keys.has("ArrowRight")) dx += 1;
  if (map.keys.has("ArrowUp")) dy -= 1;
  if (map.keys.has("ArrowDown")) dy += 1;
  return [dx, dy];
}

function mapTick() {
  const en = map.entered;
  if (!en) return;
  const now = performance.now();
  const dt = Math.min(now - map.lastMove, 1000) / 1000;
  const [dx, dy] = arrows();
  if (!dx && !dy) {
    map.lastMove = now;
    return;
  }
  const len = Math.hypot(dx, dy);
  const step = en.maxSpeed * 0.95 * dt; // a little under the server's speed
  map.x = Math.min(en.width, Math.max(0, map.x + (dx / len) * step));
  map.y = Math.min(en.height, Math.max(0, map.y + (dy / len) * step));
  map.dir = Math.atan2(dy, dx);
  map.lastMove = now;
  c.battlemap.move(map.x, map.y, map.dir); // at most one a tick
}

function dot(ctx, x, y, color, label, alpha, radius = 6) {
  ctx.globalAlpha = alpha;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = "#222";
  ctx.fillText(label, x + radius + 3, y + 4);
  ctx.globalAlpha = 1;
}

function drawMap() {
  const en = map.entered;
  const cv = $("map-canvas");
  const ctx = cv.getContext("2d");
  ctx.clearRect(0, 0, cv.width, cv.height);
  if (!en) return;
  const ox = cv.width / 2 - map.x * SCALE;
  const oy = cv.height / 2 - map.y * SCALE;
  const px = (x) => ox + x * SCALE;
  const py = (y) => oy + y * SCALE;
  // the grid cells, the 9-grid around you shaded, the map's edge
  const cell = en.cellSize || 50;
  const cx = Math.floor(map.x / cell);
  const cy = Math.floor(map.y / cell);
  ctx.fillStyle = "#eef5ff";
  ctx.fillRect(px((cx - 1) * cell), py((cy - 1) * cell), 3 * cell * SCALE, 3 * cell * SCALE);
  ctx.strokeStyle = "#dde";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let gx = Math.max(0, Math.floor((map.x - cv.width / 2 / SCALE) / cell)) * cell; gx <= Math.min(en.width, map.x + cv.width / 2 / SCALE); gx += cell) {
    ctx.moveTo(px(gx), py(0));
    ctx.lineTo(px(gx), py(en.height));
  }
  for (let gy = Math.max(0, Math.floor((map.y - cv.height / 2 / SCALE) / cell)) * cell; gy <= Math.min(en.height, map.y + cv.height / 2 / SCALE); gy += cell) {
    ctx.moveTo(px(0), py(gy));
    ctx.lineTo(px(en.width), py(gy));
  }
  ctx.stroke();
  ctx.strokeStyle = "#333";
  ctx.lineWidth = 2;
  ctx.strokeRect(px(0), py(0), en.width * SCALE, en.height * SCALE);
  ctx.font = "12px system-ui, sans-serif";
  const now = performance.now();
  for (const [id, s] of map.shown) {
    let alpha = Math.min(1, (now - s.born) / 400); // fade in
    let radius = 6 * Math.min(1, 0.3 + (now - s.born) / 400);
    if (s.gone) {
      alpha = 1 - (now - s.gone) / 600; // fade out
      radius = 6 + (now - s.gone) / 60;
      if (alpha <= 0) {
        map.shown.delete(id);
        continue;
      }
    }
    dot(ctx, px(s.x), py(s.y), "#e53935", names.get(String(s.user)) ?? `#${s.user}`, alpha, radius);
  }
  dot(ctx, px(map.x), py(map.y), "#1e88e5", `${me?.nickname ?? "you"} (you)`, 1, 7);
  $("map-pos").textContent = `${map.x.toFixed(1)}, ${map.y.toFixed(1)}`;
}

function renderPlayers() {
  const ul = $("map-players");
  const items = [...map.known.values()].map((e) =>
    el("li", { "data-test": "map-player", "data-user": String(e.userId), "data-entity": String(e.id) }, names.get(String(e.userId)) ?? `#${e.userId}`),
  );
  ul.replaceChildren(...items);
  ul.dataset.count = String(items.length);
}

// ---------------------------------------------------------------- race
const race = {
  active: false,
  view: null, // RaceView
  track: null,
  phase: "",
  goAt: 0, // local time of the go
  endAt: 0,
  x: 0,
  y: 0,
  lap: 1,
  next: 0,
  lastPass: 0,
  passing: false,
  finished: false,
  lastReport: 0,
  lastFrame: 0,
  frame: 0,
  roomId: 0n,
};

function setupRace() {
  c.on("racemap.view", (v) => {
    if (!race.active) return;
    raceView(v);
  });
  c.on("racemap.go", () => {
    if (!race.active) return;
    race.phase = "racing";
    race.goAt = Date.now();
    race.lastPass = race.goAt;
    renderRace();
  });
  c.on("racemap.standings", (s) => {
    if (!race.active) return;
    race.endAt = Date.now() + Number(s.timeLeftMs);
    renderStandings(s.standings);
  });
  c.on("racemap.finished", (e) => {
    if (race.active && e.userId === c.userId) race.finished = true;
  });
  c.on("racemap.result", (r) => {
    if (!race.active) return;
    race.phase = "over";
    renderStandings(r.standings);
    const mine = r.standings.find((s) => s.userId === c.userId);
    const box = $("race-result");
    box.hidden = false;
    box.textContent = "";
    box.append(
      el("span", { "data-test": "race-place", class: mine?.place === 1 ? "win" : "" }, mine ? `Place ${mine.place}` : "—"),
      document.createTextNode(
        ` of ${r.standings.length} · ${mine && mine.state === racePb.RacerState.FINISHED ? `your time ${(Number(mine.finishMs) / 1000).toFixed(2)} s` : "not finished"} · ${r.reason === racePb.RaceResult_Reason.TIME_LIMIT ? "time limit" : "all finished"}`,
      ),
    );
    $("race-again").hidden = false;
    renderRace();
  });
  $("race-back").addEventListener("click", () => show("lobby"));
  $("race-again").addEventListener("click", async () => {
    $("race-again").hidden = true;
    $("race-result").hidden = true;
    race.phase = "waiting";
    renderRace();
    try {
      await c.room.ready();
    } catch (err) {
      status(errText(err));
    }
  });
}

function raceView(v) {
  race.view = v;
  race.track = v.track;
  const cps = v.track.checkpoints;
  race.phase = v.phase === racePb.Phase.COUNTDOWN ? "countdown" : "racing";
  race.goAt = Date.now() + Math.max(0, Number(v.goAtMs) - Date.now());
  if (race.phase === "racing") race.goAt = Date.now() - Number(v.raceMs);
  race.endAt = race.goAt + Number(v.track.timeLimitMs);
  const you = v.you;
  race.finished = you?.state === racePb.RacerState.FINISHED;
  race.lap = you?.lap || 1;
  race.next = you ? you.checkpoint % cps.length : 0;
  if (race.phase === "countdown" || !race.x) {
    // start just before the first checkpoint, on the way from the last one
    const a = cps[cps.length - 1].at;
    const b = cps[0].at;
    const d = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const back = Math.min(d / 2, cps[0].radius * 3);
    race.x = b.x - ((b.x - a.x) / d) * back;
    race.y = b.y - ((b.y - a.y) / d) * back;
    if (cps.length === 1) race.x = b.x - cps[0].radius * 3;
  }
  race.lastPass = race.goAt;
  $("race-track").textContent = `${v.track.name} · ${v.track.laps} lap${v.track.laps > 1 ? "s" : ""} · ${cps.length} checkpoints`;
  renderStandings(v.standings);
  renderRace();
}

async function startRace() {
  status("");
  race.active = true;
  race.view = null;
  race.track = null;
  race.phase = "waiting";
  race.x = 0;
  race.finished = false;
  $("race-result").hidden = true;
  $("race-again").hidden = true;
  $("race-standings").textContent = "";
  show("race");
  leaveScreen = () => {
    race.active = false;
    cancelAnimationFrame(race.frame);
    map.keys.clear();
    if (race.phase === "waiting" || race.phase === "over") leaveRoom();
  };
  race.lastFrame = performance.now();
  const loop = () => {
    raceFrame();
    race.frame = requestAnimationFrame(loop);
  };
  loop();
  try {
    let state = await c.room.get().catch(() => null);
    if (state && state.gameType !== "race") {
      await leaveRoom();
      state = null;
    }
    state ??= await c.room.quickJoin("race");
    race.roomId = state.roomId;
    $("race-phase").textContent = `room ${state.roomId}: waiting for ${state.seats} racers…`;
    if (state.phase === roomPb.Phase.PLAYING) raceView(await c.racemap.race());
    else await c.room.ready();
  } catch (err) {
    status(errText(err));
  }
}

function raceSpeed() {
  const t = race.track;
  return t && t.maxSpeed > 0 ? t.maxSpeed * 0.9 : 40; // units per second
}

function raceFrame() {
  const now = performance.now();
  const dt = Math.min(now - race.lastFrame, 100) / 1000;
  race.lastFrame = now;
  if (race.track && race.phase === "racing" && !race.finished) {
    const [dx, dy] = arrows();
    if (dx || dy) {
      const len = Math.hypot(dx, dy);
      race.x += (dx / len) * raceSpeed() * dt;
      race.y -= (dy / len) * raceSpeed() * dt; // up is +y on the track
    }
    const cp = race.track.checkpoints[race.next];
    const inside = Math.hypot(race.x - cp.at.x, race.y - cp.at.y) <= cp.radius;
    if (inside && !race.passing && Date.now() - race.lastPass >= Number(cp.minMs)) passCheckpoint();
    if (Date.now() - race.lastReport > 250) {
      race.lastReport = Date.now();
      c.racemap.reportPosition({ x: race.x, y: race.y });
    }
  }
  drawRace();
  renderRace();
}

async function passCheckpoint() {
  race.passing = true;
  try {
    const ok = await c.racemap.pass(race.next, { x: race.x, y: race.y });
    race.lastPass = Date.now();
    race.next = ok.nextCheckpoint;
    race.lap = ok.finished ? ok.lap : ok.checkpoint === race.track.checkpoints.length - 1 ? ok.lap + 1 : ok.lap;
    if (ok.finished) race.finished = true;
    status("");
  } catch (err) {
    status(errText(err));
    race.lastPass = Date.now() - Number(race.track.checkpoints[race.next].minMs) + 300; // retry shortly
  } finally {
    race.passing = false;
  }
}

function renderRace() {
  let clock = "";
  if (race.phase === "countdown") clock = `go in ${Math.max(0, (race.goAt - Date.now()) / 1000).toFixed(1)} s`;
  else if (race.phase === "racing") clock = `${((Date.now() - race.goAt) / 1000).toFixed(1)} s`;
  const phase = { waiting: null, countdown: "Countdown", racing: race.finished ? "Finished!" : "Go!", over: "Race over" }[race.phase];
  if (phase !== null && phase !== undefined) $("race-phase").textContent = phase;
  document.body.dataset.racePhase = race.phase;
  $("race-clock").textContent = clock;
  $("race-lap").textContent = String(race.lap);
  $("race-next").textContent = String(race.next);
}

function renderStandings(list) {
  const ol = $("race-standings");
  const stateName = { [racePb.RacerState.RACING]: "", [racePb.RacerState.FINISHED]: "finished", [racePb.RacerState.DISCONNECTED]: "disconnected", [racePb.RacerState.RETIRED]: "retired" };
  ol.replaceChildren(
    ...list.map((s) => {
      nameOf(s.userId);
      const who = s.userId === c.userId ? "you" : names.get(String(s.userId)) ?? `#${s.userId}`;
      const what = s.state === racePb.RacerState.FINISHED ? `${(Number(s.finishMs) / 1000).toFixed(2)} s` : `lap ${s.lap}, ${s.checkpoint} cp${stateName[s.state] ? ", " + stateName[s.state] : ""}`;
      return el("li", { "data-test": "race-standing", "data-user": String(s.userId), "data-place": String(s.place) }, `${s.place}. ${who} — ${what}`);
    }),
  );
}

function drawRace() {
  const cv = $("race-canvas");
  const ctx = cv.getContext("2d");
  ctx.clearRect(0, 0, cv.width, cv.height);
  const t = race.track;
  if (!t) return;
  const pts = t.checkpoints.map((p) => p.at);
  const xs = [...pts.map((p) => p.x), race.x];
  const ys = [...pts.map((p) => p.y), race.y];
  const pad = 30 + Math.max(...t.checkpoints.map((p) => p.radius));
  const minX = Math.min(...xs) - pad;
  const maxX = Math.max(...xs) + pad;
  const minY = Math.min(...ys) - pad;
  const maxY = Math.max(...ys) + pad;
  const s = Math.min(cv.width / (maxX - minX), cv.height / (maxY - minY));
  const px = (x) => (x - minX) * s + (cv.width - (maxX - minX) * s) / 2;
  const py = (y) => cv.height - ((y - minY) * s + (cv.height - (maxY - minY) * s) / 2);
  ctx.strokeStyle = "#bbb";
  ctx.lineWidth = 10;
  ctx.beginPath();
  pts.forEach((p, i) => (i ? ctx.lineTo(px(p.x), py(p.y)) : ctx.moveTo(px(p.x), py(p.y))));
  if (pts.length > 2) ctx.closePath();
  ctx.stroke();
  ctx.font = "12px system-ui, sans-serif";
  t.checkpoints.forEach((cp, i) => {
    ctx.lineWidth = 2;
    ctx.strokeStyle = i === race.next && !race.finished ? "#2e7d32" : "#888";
    ctx.fillStyle = i === race.next && !race.finished ? "rgba(46,125,50,.2)" : "rgba(0,0,0,.04)";
    ctx.beginPath();
    ctx.arc(px(cp.at.x), py(cp.at.y), Math.max(3, cp.radius * s), 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#222";
    ctx.fillText(String(i), px(cp.at.x) - 3, py(cp.at.y) + 4);
  });
  ctx.fillStyle = "#1e88e5";
  ctx.beginPath();
  ctx.arc(px(race.x), py(race.y), 6, 0, 2 * Math.PI);
  ctx.fill();
}

// exposed for tests and for a look in the console
window.demo = { get client() { return c; }, ddz, map, race };
start();
