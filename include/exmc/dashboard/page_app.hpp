#pragma once
// The dashboard page's script, first part: state, the live feed (Server-Sent Events) or the
// embedded report data, controls, banners and tables. page_plots.hpp draws the plots.
#include <string_view>

namespace exmc::dash {

// clang-format off
inline constexpr std::string_view page_app_js = R"exmc('use strict';
// State, data feed, controls and tables of the exmc dashboard page. The same code shows a live run
// (fed by Server-Sent Events from the sampler's process) and a static report (data embedded).
const X = {
  mode: 'live', meta: null, names: [], selection: [], run: {}, status: [], chains: [], summary: null,
  now: 0, plotted: [], pair: [-1, -1], hidden: new Set(), conn: 'connecting', updates: 0,
  sort: { key: 0, dir: 1 }, filter: '', source: null, dirty: true,
};
const MAX_PLOTTED = 8;
const COLS = ['it', 'ord', 'lp', 'accept', 'step', 'depth', 'leapfrog', 'divergent', 'energy', 'jump', 't'];
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79'];
const RED = '#d62728';

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}
const byId = (id) => document.getElementById(id);
function fmt(x, digits = 3) {
  if (x == null || !isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}
function duration(s) {
  if (s == null || !isFinite(s) || s < 0) return '–';
  if (s < 60) return s.toFixed(1) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + String(Math.floor(s % 60)).padStart(2, '0') + ' s';
  return Math.floor(s / 3600) + ' h ' + String(Math.floor((s / 60) % 60)).padStart(2, '0') + ' min';
}
function color(c, alpha = 1) {
  const n = X.meta ? X.meta.chains : 1;
  if (n <= PALETTE.length) {
    const p = PALETTE[c % PALETTE.length];
    if (alpha >= 1) return p;
    const v = parseInt(p.slice(1), 16);
    return `rgba(${v >> 16},${(v >> 8) & 255},${v & 255},${alpha})`;
  }
  return `hsla(${Math.round((c * 137.508) % 360)},65%,42%,${alpha})`;
}
const chainLabel = (c) => 'chain ' + (c + 1);
// The sampler's messages start with its own "chain N: ", which the page says already.
const reason = (s) => (s.message || '').replace(/^chain \d+: /, '');
const visible = (c) => !X.hidden.has(c);

// ---- data: snapshots and deltas from the server (or the embedded report) ----

function emptyColumns() {
  const t = { q: [] };
  for (const k of COLS) t[k] = [];
  return t;
}
function chainData(c, epoch) {
  let d = X.chains[c];
  if (!d || d.epoch !== epoch) d = X.chains[c] = { epoch, pts: emptyColumns(), div: emptyColumns(), stride: 1, divStride: 1, version: 0 };
  return d;
}
function append(dst, src) {
  for (let i = 0; i < src.length; ++i) dst.push(src[i]);
}
function merge(p, divergent) {
  const d = chainData(p.chain, p.epoch);
  const key = divergent ? 'div' : 'pts';
  if (p.reset) d[key] = emptyColumns();
  const t = d[key];
  for (const k of COLS) if (p[k]) append(t[k], p[k]);
  (p.q || []).forEach((arr, k) => {
    if (!t.q[k]) t.q[k] = [];
    append(t.q[k], arr);
  });
  d.version++;
}
// Keeps the records the server keeps: iterations that are multiples of the chain's stride, and
// divergences whose ordinal is a multiple of the divergence stride.
function thin(t, col, stride) {
  const keep = [];
  t[col].forEach((v, i) => { if (v % stride === 0) keep.push(i); });
  if (keep.length === t[col].length) return;
  for (const k of COLS) if (t[k].length) t[k] = keep.map((i) => t[k][i]);
  t.q = t.q.map((a) => keep.map((i) => a[i]));
}
function apply(u) {
  if (u.type === 'snapshot') X.chains = [];
  if (u.now != null) X.now = u.now;
  if (u.meta) {
    const first = !X.meta;
    X.meta = u.meta;
    X.names = u.meta.names;
    X.selection = u.meta.selection;
    if (!X.plotted.length) X.plotted = X.selection.slice(0, 3);
    if (X.pair[0] < 0 && X.selection.length) X.pair = [X.selection[0], X.selection[Math.min(1, X.selection.length - 1)]];
    buildControls(first);
  }
  if (u.run) X.run = u.run;
  if (u.chains) X.status = u.chains;
  for (const p of u.points || []) merge(p, false);
  for (const p of u.divergent || []) merge(p, true);
  if (u.summary) X.summary = u.summary;
  X.status.forEach((s, c) => {
    const d = X.chains[c];
    if (!d || d.epoch !== s.epoch) return;
    if (s.stride !== d.stride) { thin(d.pts, 'it', s.stride); d.stride = s.stride; d.version++; }
    if (s.div_stride !== d.divStride) { thin(d.div, 'ord', s.div_stride); d.divStride = s.div_stride; d.version++; }
  });
  X.updates++;
  schedule();
}

function wanted() {
  const set = new Set(X.plotted.filter((j) => j >= 0));
  for (const j of X.pair) if (j >= 0) set.add(j);
  return [...set].sort((a, b) => a - b);
}
function connect() {
  if (X.source) X.source.close();
  const want = wanted();
  const src = new EventSource('api/stream?q=' + (X.meta && want.length ? want.join(',') : 'auto'));
  X.source = src;
  const take = (e) => { if (X.source === src) { X.conn = 'live'; apply(JSON.parse(e.data)); } };
  src.addEventListener('snapshot', take);
  src.addEventListener('delta', take);
  src.addEventListener('end', () => { if (X.source === src) { X.conn = 'closed'; src.close(); schedule(); } });
  src.onerror = () => { if (X.source === src && X.conn !== 'closed') { X.conn = 'lost'; schedule(); } };
}
// In a live page, quantities are streamed only when shown: showing a new one reconnects.
function need(j) {
  if (X.mode === 'live' && j >= 0 && !X.selection.includes(j)) connect();
  schedule();
}

// ---- controls ----

function baseOf(name) {
  const m = /^(.*?)\[(.*)\]$/.exec(name);
  return m ? { base: m[1], index: m[2] } : { base: name, index: null };
}
function plottable() {
  return X.mode === 'live' ? X.names.map((_, j) => j) : X.selection.slice();
}
function buildControls(first) {
  const groups = new Map();
  for (const j of plottable()) {
    const { base, index } = baseOf(X.names[j]);
    if (!groups.has(base)) groups.set(base, []);
    groups.get(base).push({ j, index });
  }
  const baseSel = byId('q-base'), idxSel = byId('q-index');
  baseSel.replaceChildren(...[...groups].map(([b, list]) => h('option', { value: b }, list.length > 1 || list[0].index != null ? `${b} [${list.length}]` : b)));
  const fillIndex = () => {
    const list = groups.get(baseSel.value) || [];
    idxSel.replaceChildren(...list.map((e) => h('option', { value: e.j }, e.index == null ? X.names[e.j] : `[${e.index}]`)));
    idxSel.style.display = list.length > 1 || (list[0] && list[0].index != null) ? '' : 'none';
  };
  baseSel.onchange = fillIndex;
  fillIndex();
  const pairOptions = () => plottable().map((j) => h('option', { value: j }, X.names[j]));
  for (const k of [0, 1]) {
    const s = byId('pair-' + k);
    s.replaceChildren(...pairOptions());
    if (X.pair[k] >= 0) s.value = X.pair[k];
    s.onchange = () => { X.pair[k] = Number(s.value); need(X.pair[k]); };
  }
  if (first) byId('q-add').onclick = () => addPlot(Number(idxSel.value));
  const n = plottable().length;
  byId('q-count').textContent = `${X.names.length} quantities` + (n < X.names.length ? ` (draws of ${n} in this report)` : '');
  chips();
}
function addPlot(j) {
  if (!(j >= 0) || X.plotted.includes(j)) return;
  if (X.plotted.length >= MAX_PLOTTED) X.plotted.shift();
  X.plotted.push(j);
  chips();
  need(j);
}
function chips() {
  byId('q-chips').replaceChildren(...X.plotted.map((j) => h('span', { class: 'chip' }, X.names[j] || '?',
    h('button', { title: 'remove', onclick: () => { X.plotted = X.plotted.filter((k) => k !== j); chips(); schedule(); } }, '×'))));
}
function chainToggles() {
  const n = X.meta ? X.meta.chains : 0;
  const box = byId('chain-toggles');
  if (box.childElementCount === n + 2) {
    [...box.querySelectorAll('.tog')].forEach((b, c) => b.classList.toggle('off', !visible(c)));
    return;
  }
  const all = (show) => () => { X.hidden = show ? new Set() : new Set([...Array(n).keys()]); schedule(); };
  box.replaceChildren(h('button', { onclick: all(true) }, 'all'), h('button', { onclick: all(false) }, 'none'),
    ...[...Array(n).keys()].map((c) => h('button', {
      class: 'tog' + (visible(c) ? '' : ' off'), style: `--c:${color(c)}`, title: chainLabel(c),
      onclick: () => { X.hidden.has(c) ? X.hidden.delete(c) : X.hidden.add(c); schedule(); },
    }, String(c + 1))));
}

// ---- header, banners, tables ----

function runState() {
  if (X.run.state === 'ended') return X.status.some((s) => s.state === 'failed') ? 'failed' : 'finished';
  return X.status.some((s) => s.state === 'running') ? 'running' : 'waiting';
}
function eta(s) {
  if (s.state !== 'running' || !(s.t1 > s.t0) || s.it < 1) return NaN;
  return ((s.total - s.it - 1) * (s.t1 - s.t0)) / s.it;
}
function header() {
  const m = X.meta || {};
  byId('title').textContent = m.title || 'exmc';
  const state = runState();
  document.body.dataset.run = state;
  document.body.dataset.conn = X.conn;
  const done = X.status.reduce((a, s) => a + Math.max(0, s.it + 1), 0);
  const total = X.status.reduce((a, s) => a + s.total, 0);
  const pct = total ? Math.floor((100 * done) / total) : 0;
  const left = Math.max(0, ...X.status.map(eta).filter(isFinite));
  const pill = byId('state');
  pill.className = 'pill ' + state;
  pill.textContent = X.mode === 'report' ? 'report' : state === 'running' ? `running · ${pct}%` : state;
  const facts = [`${m.chains || 0} chains`, `${m.warmup || 0} warmup + ${m.draws || 0} draws`];
  if (X.mode === 'live') facts.push(`elapsed ${duration(X.now)}`, state === 'running' ? `ETA ${duration(left)}` : null);
  else if (m.generated) facts.push(m.generated);
  byId('facts').textContent = facts.filter(Boolean).join(' · ');
}
function banners() {
  const out = [];
  const add = (cls, text) => out.push(h('div', { class: 'banner ' + cls }, text));
  X.status.forEach((s, c) => {
    if (s.state === 'failed') add('failed', `Chain ${c + 1} failed: ${reason(s) || 'no reason given'}`);
    else if (s.state === 'stopped') add('warn', `Chain ${c + 1} stopped early at iteration ${s.it + 1} of ${s.total}.`);
    else if (s.epoch > 0 && s.message) add('info', `Chain ${c + 1} is on attempt ${s.epoch + 1} (${s.message}).`);
  });
  if (X.run.dropped > 0) add('warn', `The dashboard skipped ${X.run.dropped} kept draws it could not file in time (display only: the fit has every draw).`);
  if (X.run.state === 'ended') {
    const ok = X.status.filter((s) => s.state === 'done').length;
    const div = X.status.reduce((a, s) => a + (s.div || 0), 0);
    const rh = X.summary ? Math.max(...X.summary.rows.map((r) => r[6]).filter(isFinite)) : NaN;
    const failed = X.status.length - ok;
    add(failed ? 'failed end' : 'done end', `${X.mode === 'report' ? 'Run' : 'Run finished'}: ${ok} of ${X.status.length} chains completed` +
      `${failed ? `, ${failed} did not` : ''}; ${div} divergent transition${div === 1 ? '' : 's'} after warmup` +
      `${isFinite(rh) ? `; largest R-hat ${fmt(rh, 4)}` : ''}${X.run.final ? ' (summary of all draws)' : ''}.`);
  }
  if (X.mode === 'live' && X.conn === 'lost') add('muted', 'Connection to the sampling process lost; retrying. The page keeps what it has.');
  if (X.mode === 'live' && X.conn === 'closed') add('muted', 'The sampling process has stopped serving; this page keeps the final state.');
  byId('banners').replaceChildren(...out);
}
function chainTable() {
  byId('rate-head').textContent = X.mode === 'report' ? 'time' : 'it/s';
  const rows = X.status.map((s, c) => {
    const frac = s.total ? (s.it + 1) / s.total : 0;
    const warmFrac = s.total && X.meta ? X.meta.warmup / s.total : 0;
    const rate = s.t1 > s.t0 && s.it > 0 ? s.it / (s.t1 - s.t0) : NaN;
    const report = X.mode === 'report';  // a report gives each chain's time (warmup and sampling), not a rate
    const bar = h('div', { class: 'bar' }, h('div', { class: 'warm', style: `width:${100 * Math.min(frac, warmFrac)}%` }),
      h('div', { class: 'samp', style: `left:${100 * warmFrac}%;width:${100 * Math.max(0, frac - warmFrac)}%` }));
    const e = s.ebfmi;
    return h('tr', { class: 'st-' + s.state },
      h('td', {}, h('span', { class: 'swatch', style: `background:${color(c)}` }), String(c + 1)),
      h('td', {}, bar, h('small', {}, `${Math.max(0, s.it + 1)} / ${s.total}`)),
      h('td', {}, s.state === 'running' ? (s.warmup ? 'warmup' : 'sampling') : s.state),
      h('td', {}, report ? duration((X.meta.seconds || [])[c]) : isFinite(rate) ? fmt(rate, 3) : '–'),
      h('td', {}, duration(eta(s))),
      h('td', { class: s.div > 0 ? 'bad' : '' }, `${s.div}` + (s.div_warmup ? ` (+${s.div_warmup} warmup)` : '')),
      h('td', { class: s.depth_hits > 0 ? 'warn' : '' }, String(s.depth_hits)),
      h('td', {}, fmt(s.step)),
      h('td', {}, fmt(s.accept)),
      h('td', { class: e < 0.3 ? 'bad' : '' }, fmt(e)),
      h('td', { class: 'msg', title: reason(s) }, reason(s)));
  });
  byId('chain-rows').replaceChildren(...rows);
}
function summaryTable() {
  const s = X.summary;
  const body = byId('summary-rows');
  if (!s) { byId('summary-note').textContent = 'Waiting for sampling draws.'; return; }
  const minEss = 100 * Math.max(1, s.chains);
  byId('summary-note').textContent = s.final
    ? `All ${s.draws} draws of each of ${s.chains} chains (exmc::summary).`
    : `Running estimates from the kept sampling draws: ${s.draws} per chain` +
      (s.stride > 1 ? ` (every ${s.stride}th iteration)` : '') + `, ${s.chains} chains (exmc::summarise, in the sampling process).`;
  const f = X.filter.toLowerCase();
  let rows = s.rows.filter((r) => !f || (X.names[r[0]] || '').toLowerCase().includes(f));
  const k = X.sort.key;
  rows.sort((a, b) => {
    const x = k === 0 ? a[0] : a[k], y = k === 0 ? b[0] : b[k];
    const nx = !isFinite(x), ny = !isFinite(y);
    if (nx || ny) return nx - ny;
    return X.sort.dir * (x - y);
  });
  const shown = rows.slice(0, 400);
  body.replaceChildren(...shown.map((r) => h('tr', { onclick: () => addPlot(r[0]), title: 'plot ' + X.names[r[0]] },
    h('td', {}, X.names[r[0]]), ...r.slice(1, 6).map((x) => h('td', {}, fmt(x, 4))),
    h('td', { class: r[6] > 1.01 ? 'bad' : '' }, fmt(r[6], 4)),
    h('td', { class: r[7] < minEss ? 'warn' : '' }, fmt(r[7], 4)),
    h('td', { class: r[8] < minEss ? 'warn' : '' }, fmt(r[8], 4)))));
  byId('summary-more').textContent = rows.length > shown.length ? `${rows.length - shown.length} more rows: narrow the filter.` : '';
}
function setupTables() {
  byId('summary-filter').oninput = (e) => { X.filter = e.target.value; summaryTable(); };
  document.querySelectorAll('#summary th').forEach((th, k) => {
    th.onclick = () => { X.sort = { key: k, dir: X.sort.key === k ? -X.sort.dir : k >= 6 ? -1 : 1 }; summaryTable(); };
  });
}

// ---- rendering, at most every 0.7 s and not while the tab is hidden ----

let timer = null, lastRender = 0;
function schedule() {
  if (timer || document.hidden) return;
  timer = setTimeout(() => { timer = null; lastRender = performance.now(); render(); }, Math.max(0, 700 - (performance.now() - lastRender)));
}
document.addEventListener('visibilitychange', () => { if (!document.hidden) schedule(); });
function render() {
  header();
  banners();
  chainToggles();
  chainTable();
  plots();
  summaryTable();
  document.body.dataset.updates = X.updates;
}

function start() {
  setupTables();
  const embedded = JSON.parse(byId('exmc-data').textContent);
  if (embedded) {
    X.mode = 'report';
    X.conn = 'report';
    apply(embedded);
  } else {
    connect();
  }
}
window.addEventListener('load', start);
)exmc";
// clang-format on

}  // namespace exmc::dash
