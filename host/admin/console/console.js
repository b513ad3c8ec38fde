// The gamehost operator console (docs/operations.md, "Console"). Plain ES module, no
// dependency: it polls the admin API of the host that served it every 2 seconds, keeps the
// last 10 minutes of /metrics in memory and draws them on <canvas>.
//
// Stable hooks for browser tests: ids and data-test attributes on the plugin rows
// (data-test="plugin-row", data-plugin, data-state), their cells (data-field), the reload
// controls (reload-strategy-NAME, reload-button-NAME, reload-outcome-NAME), the tiles and
// the charts (chart-ID, data-test="chart"). document.body gets data-polls, the number of
// polls answered, so a test can wait for data.

const POLL_MS = 2000;
const WINDOW_MS = 10 * 60 * 1000;
const GAP_MS = 3 * POLL_MS; // samples further apart than this are not joined by a line
const TOKEN_KEY = 'gamehost-admin-token';
const ROOM_PLUGIN = 'room'; // its open keys are its rooms (plugins/room: one key per room)

const $ = (id) => document.getElementById(id);

// An element with properties (className, textContent, id, ...), data-* attributes from
// `data`, and children.
function el(tag, props = {}, ...children) {
  const { data, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  for (const [k, v] of Object.entries(data ?? {})) node.dataset[k] = v;
  node.append(...children);
  return node;
}

// ---- Formatting ------------------------------------------------------------------------

function pad2(n) {
  return String(n).padStart(2, '0');
}
function formatTime(ms) {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
function formatDateTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatTime(ms)}`;
}
function formatDuration(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
function formatMicros(us) {
  return us >= 10000 ? `${(us / 1000).toFixed(1)} ms` : `${us} µs`;
}
// Up to 3 significant digits, k and M for large values.
function formatNumber(v) {
  if (v == null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a === 0) return '0';
  return String(+v.toPrecision(3));
}
function formatCount(n) {
  return n == null ? '–' : Number(n).toLocaleString('en-US');
}

// ---- The admin API ---------------------------------------------------------------------

let token = globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? '';

class Unauthorized extends Error {}

// Every call carries the token the way the API reads it (admin_server.cpp: the
// Authorization header, "Bearer TOKEN"). /healthz and /metrics ignore it.
async function call(method, path) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token}` },
    cache: 'no-store',
  });
  const text = await res.text();
  if (res.status === 401) throw new Unauthorized(errorText(text) || 'the token was refused');
  return { status: res.status, text };
}

// The reason in an {"error": "..."} answer, or ''.
function errorText(text) {
  try {
    return JSON.parse(text).error ?? '';
  } catch {
    return '';
  }
}

async function getJson(path) {
  const r = await call('GET', path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${errorText(r.text)}`);
  return JSON.parse(r.text);
}

async function getText(path) {
  const r = await call('GET', path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return r.text;
}

// ---- Prometheus text format --------------------------------------------------------------

// [{name, labels: {k: v}, value}] of every sample line; comments and lines it cannot read
// are skipped. Label values may hold \" \\ and \n escapes; timestamps are ignored.
export function parsePrometheus(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!m) continue;
    const labels = {};
    let i = m[0].length;
    let ok = true;
    if (line[i] === '{') {
      i++;
      for (;;) {
        while (line[i] === ' ' || line[i] === ',') i++;
        if (line[i] === '}') break;
        const k = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(i));
        if (!k) {
          ok = false;
          break;
        }
        i += k[0].length;
        let v = '';
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) {
            i++;
            v += line[i] === 'n' ? '\n' : line[i];
          } else {
            v += line[i];
          }
          i++;
        }
        if (i >= line.length) {
          ok = false;
          break;
        }
        i++; // the closing quote
        labels[k[1]] = v;
      }
      i++; // the closing brace
    }
    if (!ok) continue;
    const field = line.slice(i).trim().split(/\s+/)[0];
    const value = field === '+Inf' ? Infinity : field === '-Inf' ? -Infinity : Number(field);
    if (field === '' || (Number.isNaN(value) && field !== 'NaN')) continue;
    out.push({ name: m[0], labels, value });
  }
  return out;
}

// One scrape of /metrics, at time t, with lookups.
class Scrape {
  constructor(t, text) {
    this.t = t;
    this.byName = new Map();
    for (const s of parsePrometheus(text)) {
      if (!this.byName.has(s.name)) this.byName.set(s.name, []);
      this.byName.get(s.name).push(s);
    }
  }
  // The sum of the samples of `name` whose labels include `match` (undefined if none).
  value(name, match = {}) {
    let sum;
    for (const s of this.byName.get(name) ?? []) {
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum = (sum ?? 0) + s.value;
    }
    return sum;
  }
  // Map of label value -> sum of the samples with it.
  by(name, label) {
    const out = new Map();
    for (const s of this.byName.get(name) ?? []) {
      const key = s.labels[label];
      if (key !== undefined) out.set(key, (out.get(key) ?? 0) + s.value);
    }
    return out;
  }
}

// Per second, between two scrapes; null without a previous scrape or when the counter went
// down (the host restarted, or a drain reload started the plugin's counters afresh).
function rate(cur, prev, read) {
  if (!prev) return null;
  const a = read(prev);
  const b = read(cur);
  if (a === undefined || b === undefined || b < a) return null;
  return (b - a) / ((cur.t - prev.t) / 1000);
}

function ratesBy(cur, prev, name, label) {
  const out = new Map();
  for (const key of cur.by(name, label).keys()) {
    out.set(key, rate(cur, prev, (s) => s.by(name, label).get(key)));
  }
  return out;
}

// ---- The charts --------------------------------------------------------------------------

// What each chart shows: series(cur, prev) gives a Map of series name -> value (or null) for
// one scrape. pluginColours: the series are plugins, coloured alike in every such chart.
// hideZero: series that stayed at 0 in the window are not drawn (except those in `keep`).
const CHARTS = [
  {
    id: 'sessions',
    title: 'Sessions and open connections',
    unit: '',
    integer: true,
    series: (cur) => {
      const opened = cur.value('gamehost_connections_total', { event: 'opened' });
      const closed = cur.value('gamehost_connections_total', { event: 'closed' });
      return new Map([
        ['sessions', cur.value('gamehost_sessions') ?? null],
        ['connections open', opened === undefined ? null : opened - (closed ?? 0)],
      ]);
    },
  },
  {
    id: 'frames',
    title: 'Frames in',
    unit: '/s',
    series: (cur, prev) =>
      new Map([['frames in', rate(cur, prev, (s) => s.value('gamehost_frames_in_total'))]]),
  },
  {
    id: 'messages',
    title: 'Messages handled, per plugin',
    unit: '/s',
    pluginColours: true,
    series: (cur, prev) => ratesBy(cur, prev, 'gamehost_plugin_messages_total', 'plugin'),
  },
  {
    id: 'handler',
    title: 'Handler time, mean per message',
    unit: 'ms',
    empty: 'no message handled in the window',
    pluginColours: true,
    series: (cur, prev) => {
      const out = new Map();
      for (const plugin of cur.by('gamehost_plugin_handler_seconds_count', 'plugin').keys()) {
        const count = rate(cur, prev, (s) =>
          s.value('gamehost_plugin_handler_seconds_count', { plugin }));
        const seconds = rate(cur, prev, (s) =>
          s.value('gamehost_plugin_handler_seconds_sum', { plugin }));
        out.set(plugin, count > 0 && seconds != null ? (seconds / count) * 1000 : null);
      }
      return out;
    },
  },
  {
    id: 'errors',
    title: 'Errors, by code name, and handler failures',
    empty: 'no errors',
    unit: '/s',
    hideZero: true,
    keep: ['all errors'],
    series: (cur, prev) => {
      const out = new Map([['all errors', rate(cur, prev, (s) => s.value('gamehost_errors_total'))]]);
      for (const [name, value] of ratesBy(cur, prev, 'gamehost_errors_total', 'name')) out.set(name, value);
      out.set('handler failures', rate(cur, prev, (s) => s.value('gamehost_plugin_failures_total')));
      return out;
    },
  },
  {
    id: 'queue',
    title: 'Queue depth, per plugin',
    unit: 'messages',
    integer: true,
    pluginColours: true,
    series: (cur) => cur.by('gamehost_plugin_queue_depth', 'plugin'),
  },
];

// Per chart: the sample times and, per series, the values at those times (null = none).
class History {
  constructor() {
    this.times = [];
    this.series = new Map();
  }
  push(t, values) {
    this.times.push(t);
    for (const [name, list] of this.series) list.push(values.get(name) ?? null);
    for (const [name, v] of values) {
      if (!this.series.has(name)) {
        this.series.set(name, [...new Array(this.times.length - 1).fill(null), v ?? null]);
      }
    }
    const oldest = t - WINDOW_MS;
    while (this.times.length > 0 && this.times[0] < oldest) {
      this.times.shift();
      for (const list of this.series.values()) list.shift();
    }
    for (const [name, list] of this.series) {
      if (list.every((v) => v == null)) this.series.delete(name); // e.g. an unloaded plugin
    }
  }
}

function themeColours() {
  const css = getComputedStyle(document.documentElement);
  const get = (name) => css.getPropertyValue(name).trim();
  return {
    text: get('--text'),
    muted: get('--muted'),
    grid: get('--grid'),
    series: get('--series').split(/\s+/).filter(Boolean),
  };
}

// A round step for 4 grid lines above `max` (1, 2, 2.5, 5 times a power of ten).
function niceStep(max, integer) {
  const raw = max > 0 ? max / 4 : integer ? 1 : 0.25;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (integer && m === 2.5 && p < 10) continue;
    if (m * p >= raw) return integer ? Math.max(1, m * p) : m * p;
  }
  return 10 * p;
}

// The time the x axis spans: the minutes sampled so far, rounded up (at least 1), up to
// WINDOW_MS, so that a page opened a minute ago does not squeeze its data to one edge.
function spanOf(times, now) {
  const sampled = times.length > 0 ? now - times[0] : 0;
  return Math.min(WINDOW_MS, Math.max(1, Math.ceil(sampled / 60000)) * 60000);
}

// A tick every `step` ms back from now: at most 6 labels.
function tickStep(span) {
  return [10e3, 15e3, 30e3, 60e3, 120e3, 300e3].find((s) => span / s <= 6) ?? 300e3;
}

function ago(ms) {
  if (ms === 0) return 'now';
  return ms % 60000 === 0 ? `−${ms / 60000} min` : `−${ms / 1000} s`;
}

// Draws one chart: time on x (the last `spanOf` ms up to `now`), the series as lines on a
// shared y axis from 0. series: [{name, colour, values}] aligned with `times`.
export function drawChart(canvas, { times, series, now, integer, colours, empty }) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w === 0 || h === 0) return;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);

  const left = 46;
  const right = 10;
  const top = 8;
  const bottom = 20;
  const pw = w - left - right;
  const ph = h - top - bottom;
  let max = 0;
  for (const s of series) {
    for (const v of s.values) if (v != null && Number.isFinite(v)) max = Math.max(max, v);
  }
  const step = niceStep(max, integer);
  const yMax = step * 4;
  const span = spanOf(times, now);
  const start = now - span;
  const x = (t) => left + ((t - start) / span) * pw;
  const y = (v) => top + ph - (Math.min(v, yMax) / yMax) * ph;

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = colours.grid;
  ctx.fillStyle = colours.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const gy = Math.round(y(step * i)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(left, gy);
    ctx.lineTo(left + pw, gy);
    ctx.stroke();
    ctx.fillText(formatNumber(step * i), left - 6, gy);
  }
  ctx.textBaseline = 'top';
  const every = tickStep(span);
  for (let back = span; back >= 0; back -= every) {
    ctx.textAlign = back === span ? 'left' : back === 0 ? 'right' : 'center';
    ctx.fillText(ago(back), x(now - back), top + ph + 5);
  }

  if (series.length === 0) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(times.length < 2 ? 'waiting for samples' : empty ?? 'no data', left + pw / 2, top + ph / 2);
    return;
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top - 1, pw, ph + 2);
  ctx.clip();
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'round';
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.beginPath();
    let last = null; // time of the previous point of the current run
    let run = 0;
    const dot = (i) => ctx.fillRect(x(times[i]) - 1.5, y(s.values[i]) - 1.5, 3, 3);
    for (let i = 0; i < times.length; i++) {
      const v = s.values[i];
      const joined = v != null && Number.isFinite(v) && last !== null && times[i] - last <= GAP_MS;
      if (!joined && run === 1) dot(i - 1); // a lone point would not show as a line
      if (v == null || !Number.isFinite(v)) {
        last = null;
        run = 0;
        continue;
      }
      if (joined) {
        ctx.lineTo(x(times[i]), y(v));
        run++;
      } else {
        ctx.moveTo(x(times[i]), y(v));
        run = 1;
      }
      last = times[i];
    }
    if (run === 1) dot(times.length - 1);
    ctx.stroke();
  }
  ctx.restore();
}

const charts = new Map(); // id -> {def, history, canvas, legend}
const colourIndex = new Map(); // colour group -> Map(series name -> index)

function colourOf(def, name, colours) {
  const group = def.pluginColours ? 'plugins' : def.id;
  if (!colourIndex.has(group)) colourIndex.set(group, new Map());
  const m = colourIndex.get(group);
  if (!m.has(name)) m.set(name, m.size);
  return colours.series[m.get(name) % colours.series.length];
}

function buildCharts() {
  const box = $('charts');
  for (const def of CHARTS) {
    const canvas = el('canvas', { id: `chart-canvas-${def.id}` });
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', def.title);
    const legend = el('ul', { className: 'legend', id: `chart-legend-${def.id}`, data: { test: 'chart-legend' } });
    const caption = el('figcaption', {}, def.title, ' ',
      el('span', { className: 'unit', textContent: def.unit ? `(${def.unit})` : '' }));
    box.append(el('figure', { className: 'chart', id: `chart-${def.id}`, data: { test: 'chart', chart: def.id } },
      caption, canvas, legend));
    charts.set(def.id, { def, history: new History(), canvas, legend });
  }
}

function recordScrape(cur, prev) {
  for (const c of charts.values()) c.history.push(cur.t, c.def.series(cur, prev));
}

// A poll without metrics: a break in every line.
function recordGap(t) {
  for (const c of charts.values()) c.history.push(t, new Map());
}

function drawAll() {
  const colours = themeColours();
  const now = Date.now();
  for (const { def, history, canvas, legend } of charts.values()) {
    const series = [];
    for (const [name, values] of history.series) {
      const allZero = values.every((v) => v == null || v === 0);
      if (def.hideZero && allZero && !(def.keep ?? []).includes(name)) continue;
      series.push({ name, values, colour: colourOf(def, name, colours) });
    }
    drawChart(canvas, { times: history.times, series, now, integer: def.integer, colours, empty: def.empty });
    legend.replaceChildren(...series.map((s) => {
      const latest = s.values.findLast((v) => v != null);
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = s.colour; // CSSOM: allowed by the page's style-src 'self'
      return el('li', { data: { test: 'legend-item', series: s.name } }, swatch, s.name,
        el('span', { className: 'latest', textContent: `${formatNumber(latest)}${def.unit && def.unit !== 'messages' ? ` ${def.unit}` : ''}` }));
    }));
  }
}

// ---- Plugins, status, reloads ------------------------------------------------------------

const rows = new Map(); // row key -> {tr, cells, button, select, outcome}
const outcomes = new Map(); // plugin name -> {state, text}: the last reload asked from here
const seenReloads = new Map(); // plugin name -> at_ms of the last reload seen
const FIELDS = ['plugin', 'version', 'state', 'loaded', 'reloads', 'queue', 'messages', 'failures',
  'open_keys', 'last_reload'];
const NUMERIC = new Set(['reloads', 'queue', 'messages', 'failures', 'open_keys']);

function rowKey(p) {
  return p.state === 'draining' ? `${p.name}@${p.version}:draining` : p.name;
}

function createRow(p) {
  const running = p.state !== 'draining';
  const tr = el('tr', { data: { test: 'plugin-row', plugin: p.name, state: p.state } });
  if (running) tr.id = `plugin-row-${p.name}`;
  const cells = {};
  for (const f of FIELDS) {
    cells[f] = el('td', { className: NUMERIC.has(f) ? 'num' : '', data: { field: f } });
    tr.append(cells[f]);
  }
  const row = { tr, cells };
  const controls = el('td', { data: { field: 'reload' } });
  if (running) {
    row.select = el('select', { id: `reload-strategy-${p.name}`, data: { test: 'reload-strategy' } },
      el('option', { value: '', textContent: 'configured' }),
      el('option', { value: 'handover', textContent: 'handover' }),
      el('option', { value: 'drain', textContent: 'drain' }));
    row.select.setAttribute('aria-label', `reload strategy for ${p.name}`);
    row.button = el('button', { type: 'button', id: `reload-button-${p.name}`, textContent: 'Reload',
      data: { test: 'reload-button' } });
    row.button.addEventListener('click', () => reload(p.name, row));
    row.outcome = el('span', { className: 'outcome', id: `reload-outcome-${p.name}`,
      data: { test: 'reload-outcome' } });
    row.outcome.setAttribute('aria-live', 'polite');
    controls.append(el('div', { className: 'reload' }, row.select, row.button), row.outcome);
  }
  tr.append(controls);
  return row;
}

function showOutcome(row, name) {
  const o = outcomes.get(name);
  if (!row.outcome) return;
  row.outcome.dataset.outcome = o?.state ?? '';
  row.outcome.textContent = o?.text ?? '';
}

function lastReloadText(r) {
  if (!r) return ['–', ''];
  const when = formatDateTime(r.at_ms);
  if (r.ok) return [`ok ${r.detail}${r.pause_us ? `, held ${formatMicros(r.pause_us)}` : ''}`, when];
  return [`refused: ${r.detail}`, when];
}

function updateRow(row, p) {
  const c = row.cells;
  c.plugin.replaceChildren(el('span', { className: 'name', textContent: p.name }),
    el('span', { className: 'file', textContent: p.file }));
  c.version.textContent = p.version;
  c.state.textContent = p.state;
  c.state.className = `state-${p.state}`;
  // Date over time: the column stays narrow enough for the table to fit a 1000 px window.
  const [day, time] = formatDateTime(p.loaded_at_ms).split(' ');
  c.loaded.replaceChildren(el('span', { className: 'line', textContent: day }),
    el('span', { className: 'line', textContent: time }));
  c.loaded.title = `${day} ${time}`;
  c.reloads.textContent = formatCount(p.reloads);
  c.queue.textContent = formatCount(p.queue_depth);
  c.messages.textContent = formatCount(p.messages);
  c.failures.textContent = formatCount(p.failures);
  c.failures.classList.toggle('bad', p.failures > 0);
  c.open_keys.textContent = formatCount(p.open_keys);
  const [text, when] = lastReloadText(p.last_reload);
  c.last_reload.replaceChildren(el('span', { className: p.last_reload && !p.last_reload.ok ? 'bad' : '', textContent: text }),
    el('span', { className: 'file', textContent: when }));
  row.tr.dataset.state = p.state;
  showOutcome(row, p.name);
}

function renderPlugins(list) {
  const body = $('plugins-body');
  const seen = new Set();
  list.forEach((p, i) => {
    const key = rowKey(p);
    seen.add(key);
    let row = rows.get(key);
    if (!row) {
      row = createRow(p);
      rows.set(key, row);
    }
    updateRow(row, p);
    if (body.children[i] !== row.tr) body.insertBefore(row.tr, body.children[i] ?? null);
  });
  for (const [key, row] of rows) {
    if (!seen.has(key)) {
      row.tr.remove();
      rows.delete(key);
    }
  }
}

// The history: at the first poll each plugin's recorded last reload, then each new one.
function noteReloads(list, first) {
  for (const p of list) {
    if (p.state === 'draining' || !p.last_reload) continue;
    if (seenReloads.get(p.name) === p.last_reload.at_ms) continue;
    seenReloads.set(p.name, p.last_reload.at_ms);
    const r = p.last_reload;
    const item = el('li', { data: { test: 'reload-history-item', plugin: p.name, ok: String(r.ok) } },
      el('span', { className: 'muted', textContent: `${formatDateTime(r.at_ms)} ` }),
      el('b', { textContent: p.name }), ' ',
      el('span', { className: r.ok ? 'good' : 'bad', textContent: r.ok ? 'reloaded' : 'refused' }),
      ` ${r.detail}${r.ok && r.pause_us ? ` (messages held ${formatMicros(r.pause_us)})` : ''}`,
      first ? el('span', { className: 'muted', textContent: ' (recorded before this page opened)' }) : '');
    $('reload-history').prepend(item);
  }
}

function renderRooms(list) {
  const rooms = list.filter((p) => p.name === ROOM_PLUGIN);
  if (rooms.length === 0) {
    $('rooms-count').textContent = '–';
    $('rooms-note').textContent = `no "${ROOM_PLUGIN}" plugin loaded`;
    return;
  }
  const total = rooms.reduce((n, p) => n + (p.open_keys ?? 0), 0);
  $('rooms-count').textContent = formatCount(total);
  const draining = rooms.filter((p) => p.state === 'draining').reduce((n, p) => n + p.open_keys, 0);
  $('rooms-note').textContent = draining > 0 ? `${draining} finishing on the draining build`
    : 'open keys of the room plugin';
}

async function reload(name, row) {
  const strategy = row.select.value;
  row.button.disabled = true;
  outcomes.set(name, { state: 'pending', text: `reloading${strategy ? ` (${strategy})` : ''}…` });
  showOutcome(row, name);
  const at = formatTime(Date.now());
  try {
    const q = strategy ? `?strategy=${encodeURIComponent(strategy)}` : '';
    const r = await call('POST', `/v1/plugins/${encodeURIComponent(name)}/reload${q}`);
    if (r.status === 200) {
      const j = JSON.parse(r.text);
      outcomes.set(name, { state: 'ok',
        text: `${at} reloaded ${j.from} → ${j.to}${strategy === 'drain' ? ' (drain)' : ''}, messages held ${formatMicros(j.pause_us)}` });
    } else {
      const reason = errorText(r.text) || r.text.trim();
      outcomes.set(name, { state: r.status === 409 ? 'refused' : 'error',
        text: `${at} ${r.status === 409 ? 'refused' : `error ${r.status}`}: ${reason}` });
    }
  } catch (e) {
    if (e instanceof Unauthorized) {
      askToken(e.message);
      return;
    }
    outcomes.set(name, { state: 'error', text: `${at} no answer: ${e.message}` });
  } finally {
    row.button.disabled = false;
  }
  showOutcome(row, name);
  pollSoon();
}

// ---- The poll loop -------------------------------------------------------------------------

let timer = null;
let running = false;
let polls = 0;
let previous = null; // the last Scrape

function setConnection(state, text) {
  const pill = $('conn-state');
  pill.dataset.state = state;
  pill.textContent = text;
}

async function poll() {
  timer = null;
  const started = Date.now();
  const [health, status, plugins, metrics] = await Promise.allSettled([
    getJson('/healthz'), getJson('/v1/status'), getJson('/v1/plugins'), getText('/metrics')]);
  if (!running) return;
  const failed = [health, status, plugins, metrics].find((r) => r.status === 'rejected');
  if (failed?.reason instanceof Unauthorized) {
    askToken(failed.reason.message);
    return;
  }

  if (health.status === 'fulfilled') {
    $('status-health').textContent = health.value.status;
    $('status-health').dataset.state = health.value.status === 'ok' ? 'ok' : 'bad';
  } else {
    $('status-health').textContent = 'unreachable';
    $('status-health').dataset.state = 'bad';
  }
  if (status.status === 'fulfilled') {
    const s = status.value;
    $('host-version').textContent = s.version;
    $('status-uptime').textContent = formatDuration(s.uptime_s);
    $('sessions-count').textContent = formatCount(s.sessions);
    $('plugins-count').textContent = formatCount(s.plugins);
  }
  if (plugins.status === 'fulfilled') {
    renderPlugins(plugins.value);
    noteReloads(plugins.value, polls === 0);
    renderRooms(plugins.value);
  }
  if (metrics.status === 'fulfilled') {
    const cur = new Scrape(started, metrics.value);
    recordScrape(cur, previous && started - previous.t <= GAP_MS ? previous : null);
    previous = cur;
  } else {
    recordGap(started);
    previous = null;
  }
  drawAll();

  if (failed) {
    setConnection('down', `no answer: ${failed.reason.message}`);
  } else {
    setConnection('up', 'connected');
    $('last-update').textContent = `updated ${formatTime(started)}`;
    polls++;
    document.body.dataset.polls = String(polls);
  }
  schedule(Math.max(0, POLL_MS - (Date.now() - started)));
}

function schedule(ms) {
  if (running && timer === null) timer = setTimeout(poll, ms);
}

// After a reload: the table shows it now rather than at the next tick.
function pollSoon() {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
    schedule(0);
  }
}

function start() {
  $('token-panel').hidden = true;
  $('console').hidden = false;
  $('forget-token').hidden = false;
  running = true;
  schedule(0);
}

function askToken(message) {
  running = false;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  $('console').hidden = true;
  $('forget-token').hidden = true;
  $('token-panel').hidden = false;
  $('token-error').textContent = message ?? '';
  setConnection('idle', 'not connected');
  $('token-input').focus();
}

async function connect(event) {
  event.preventDefault();
  const given = $('token-input').value.trim();
  if (!given) return;
  token = given;
  $('token-submit').disabled = true;
  $('token-error').textContent = '';
  try {
    await getJson('/v1/status'); // checks the token before anything is shown
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    start();
  } catch (e) {
    token = '';
    $('token-error').textContent = e instanceof Unauthorized
      ? 'The host refused this token.' : `The host did not answer: ${e.message}`;
  } finally {
    $('token-submit').disabled = false;
  }
}

function init() {
  buildCharts();
  $('token-form').addEventListener('submit', connect);
  $('forget-token').addEventListener('click', () => askToken(''));
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawAll();
    });
  };
  new ResizeObserver(redraw).observe($('charts'));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', redraw);
  if (token) start();
  else askToken('');
}

// Imported outside a page (node, to test the parser and the scales), it only defines.
if (typeof document !== 'undefined') init();
