#pragma once
// The dashboard page's script, second part: the plots (Chart.js), and the histograms and rank
// plots computed from the kept draws.
#include <string_view>

namespace exmc::dash {

// clang-format off
inline constexpr std::string_view page_plots_js = R"exmc('use strict';
// The plots of the exmc dashboard page (Chart.js): per quantity a trace, per-chain densities and a
// rank plot; for the sampler lp__, step size, tree depth, acceptance, energy and a pair plot with
// the divergent transitions. Histograms and ranks are computed here from the kept draws.
const charts = new Map();

// Shades the warmup iterations of a trace.
const shadePlugin = {
  id: 'exmcShade',
  beforeDatasetsDraw(chart, args, o) {
    if (!o || !(o.until > 0)) return;
    const x = chart.scales.x, a = chart.chartArea;
    const right = Math.min(Math.max(x.getPixelForValue(o.until), a.left), a.right);
    if (right <= a.left) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(120,120,120,0.12)';
    ctx.fillRect(a.left, a.top, right - a.left, a.bottom - a.top);
    ctx.fillStyle = '#777';
    ctx.font = '11px sans-serif';
    if (right - a.left > 50) ctx.fillText('warmup', a.left + 4, a.top + 12);
    ctx.restore();
  },
};

function baseOptions(title, xlabel, ylabel, extra = {}) {
  return {
    animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false,
    elements: { point: { radius: 0, hitRadius: 3 }, line: { borderWidth: 1, tension: 0 } },
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: { type: 'linear', title: { display: !!xlabel, text: xlabel }, ticks: { maxTicksLimit: 7 } },
      y: { type: extra.logy ? 'logarithmic' : 'linear', title: { display: !!ylabel, text: ylabel }, ticks: { maxTicksLimit: 6 } },
    },
    plugins: {
      legend: { display: false },
      title: { display: true, text: title, align: 'start', font: { size: 12, weight: '600' } },
      decimation: { enabled: true, algorithm: 'min-max' },
      tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.parsed.y, 4)} at ${fmt(c.parsed.x, 5)}` } },
      exmcShade: { until: extra.shade || 0 },
    },
  };
}
// The chart in the container with this id, made on first use.
function chart(box, id, type, options) {
  let c = charts.get(id);
  if (c && c.canvas.isConnected) return c;
  const wrap = h('div', { class: 'plot', 'data-plot': id }, h('canvas'));
  box.append(wrap);
  c = new Chart(wrap.firstChild.getContext('2d'), { type, data: { datasets: [] }, options, plugins: [shadePlugin] });
  charts.set(id, c);
  return c;
}
// Replaces the chart's datasets and redraws it; the container's data-points attribute counts
// the points drawn (the browser test reads it).
function draw(c, datasets, title) {
  c.data.datasets = datasets;
  if (title != null) c.options.plugins.title.text = title;
  c.update('none');
  let n = 0;
  for (const d of datasets) n += d.data.length;
  c.canvas.parentNode.dataset.points = n;
}
const lineSet = (c, data, extra = {}) => ({ label: chainLabel(c), data, borderColor: color(c), backgroundColor: color(c, 0.25), borderWidth: 1, pointRadius: 0, ...extra });
const refLine = (x0, x1, y, label) => ({ label, data: [{ x: x0, y }, { x: x1, y }], borderColor: '#888', borderDash: [4, 4], borderWidth: 1, pointRadius: 0 });

// {x, y} points of a chain: a statistics column, or quantity j, from the kept records.
function xy(t, col, j, phase) {
  const ys = col ? t[col] : t.q[X.selection.indexOf(j)];
  const out = [];
  if (!ys) return out;
  const w = X.meta.warmup;
  for (let i = 0; i < t.it.length; ++i) {
    const it = t.it[i];
    if (phase === 'sampling' && it < w) continue;
    if (phase === 'warmup' && it >= w) continue;
    const y = ys[i];
    if (y != null) out.push({ x: it, y });
  }
  return out;
}
// The chains drawn: those the toggles show; for the statistics of the draws (densities, ranks,
// energy, pair plot) not the failed ones either, which the fit leaves out too.
function chainsShown(forStatistics) {
  const out = [];
  X.chains.forEach((d, c) => {
    if (d && visible(c) && !(forStatistics && X.status[c] && X.status[c].state === 'failed')) out.push(c);
  });
  return out;
}
// Sampling draws when enough chains have some, else everything kept (early in warmup).
function phaseForHistograms(j) {
  const k = X.selection.indexOf(j);
  let n = 0;
  for (const c of chainsShown(true)) n += X.chains[c].pts.it.filter((it) => it >= X.meta.warmup).length;
  return { phase: n >= 20 ? 'sampling' : 'all', ok: k >= 0 };
}

function bins(values, count) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  return { lo, hi, width: (hi - lo) / count, count };
}
function histogram(values, b, density) {
  const counts = new Array(b.count).fill(0);
  let n = 0;
  for (const v of values) {
    if (!isFinite(v)) continue;
    counts[Math.min(b.count - 1, Math.max(0, Math.floor((v - b.lo) / b.width)))]++;
    n++;
  }
  return counts.map((k, i) => ({ x: b.lo + (i + 0.5) * b.width, y: density ? k / Math.max(1, n) / b.width : k }));
}

function quantityRow(j) {
  const id = 'q' + j;
  let row = document.querySelector(`.qrow[data-q="${j}"]`);
  if (!row) {
    row = h('div', { class: 'qrow', 'data-q': j });
    byId('quantities').append(row);
  }
  const name = X.names[j];
  const k = X.selection.indexOf(j);
  const trace = chart(row, id + 'trace', 'line', baseOptions(name + ': trace', 'iteration', null, { shade: X.meta.warmup }));
  const dens = chart(row, id + 'dens', 'line', baseOptions(name + ': density per chain', name, null));
  const rank = chart(row, id + 'rank', 'line', baseOptions(name + ': rank plot', 'rank (bins)', 'count / expected'));
  if (k < 0) {
    for (const c of [trace, dens, rank]) draw(c, [], name + ': waiting for data');
    return row;
  }
  const shown = chainsShown();
  const sets = shown.map((c) => lineSet(c, xy(X.chains[c].pts, null, j)));
  const divs = [];
  for (const c of shown) for (const p of xy(X.chains[c].div, null, j)) divs.push(p);
  sets.push({ label: 'divergent', type: 'scatter', data: divs, borderColor: RED, backgroundColor: RED, pointStyle: 'crossRot', pointRadius: 4, borderWidth: 1.5 });
  draw(trace, sets, `${name}: trace (${divs.length} divergent marked)`);

  const { phase } = phaseForHistograms(j);
  const used = chainsShown(true);
  const per = used.map((c) => xy(X.chains[c].pts, null, j, phase === 'sampling' ? 'sampling' : null).map((p) => p.y));
  const all = [].concat(...per);
  const b = bins(all, Math.min(60, Math.max(10, Math.round(Math.sqrt(all.length / Math.max(1, per.length)) * 2))));
  draw(dens, used.map((c, i) => lineSet(c, histogram(per[i], b, true), { stepped: 'middle' })),
    `${name}: density per chain${phase === 'sampling' ? '' : ' (warmup draws)'}`);

  if (phase !== 'sampling') { draw(rank, [], `${name}: rank plot (after warmup)`); return row; }
  // Ranks of the pooled draws; each chain's histogram of its ranks, scaled by what a uniform
  // spread would give: well-mixed chains all lie near 1.
  const pooled = [];
  per.forEach((vals, i) => vals.forEach((v) => pooled.push([v, i])));
  pooled.sort((a, b2) => a[0] - b2[0]);
  const B = Math.max(5, Math.min(20, Math.floor(pooled.length / (10 * Math.max(1, per.length)))));
  const counts = per.map(() => new Array(B).fill(0));
  pooled.forEach(([, i], r) => { counts[i][Math.min(B - 1, Math.floor((r * B) / pooled.length))]++; });
  const sets2 = used.map((c, i) => lineSet(c, counts[i].map((n, bin) => ({ x: bin, y: per[i].length ? (n * B) / per[i].length : 0 })), { stepped: 'middle' }));
  sets2.push(refLine(0, B - 1, 1, 'uniform'));
  draw(rank, sets2, `${name}: rank plot (${B} bins)`);
  return row;
}

function movingMean(pts, w) {
  const out = [];
  let s = 0;
  for (let i = 0; i < pts.length; ++i) {
    s += pts[i].y;
    if (i >= w) s -= pts[i - w].y;
    out.push({ x: pts[i].x, y: s / Math.min(i + 1, w) });
  }
  return out;
}

function samplerPlots() {
  const box = byId('sampler');
  const m = X.meta, shown = chainsShown();
  let last = 1;  // the reference lines end where the draws do
  for (const c of shown) last = Math.max(last, X.chains[c].pts.it[X.chains[c].pts.it.length - 1] || 0);
  const lp = chart(box, 'lp', 'line', baseOptions('lp__', 'iteration', null, { shade: m.warmup }));
  draw(lp, shown.map((c) => lineSet(c, xy(X.chains[c].pts, 'lp'))));
  const step = chart(box, 'step', 'line', baseOptions('step size per chain', 'iteration', null, { shade: m.warmup, logy: true }));
  draw(step, shown.map((c) => lineSet(c, xy(X.chains[c].pts, 'step').filter((p) => p.y > 0))));
  const depth = chart(box, 'depth', 'line', baseOptions('tree depth per chain', 'iteration', null, { shade: m.warmup }));
  const dsets = shown.map((c) => lineSet(c, movingMean(xy(X.chains[c].pts, 'depth'), 25)));
  dsets.push(refLine(0, last, m.max_depth, 'max_depth'));
  draw(depth, dsets, `tree depth per chain (moving mean of 25 kept draws; limit ${m.max_depth} dashed)`);
  const acc = chart(box, 'accept', 'line', baseOptions('acceptance statistic per chain', 'iteration', null, { shade: m.warmup }));
  const asets = shown.map((c) => lineSet(c, movingMean(xy(X.chains[c].pts, 'accept'), 25)));
  if (m.target_accept != null) asets.push(refLine(0, last, m.target_accept, 'target'));
  draw(acc, asets, 'acceptance per chain (moving mean of 25 kept draws' + (m.target_accept != null ? `; target ${m.target_accept} dashed)` : ')'));
  energyPlot(box, chainsShown(true));
  pairPlot(box, chainsShown(true));
}

function energyPlot(box, shown) {
  const opts = baseOptions('energy', 'energy − mean', 'density');
  opts.plugins.legend = { display: true, labels: { boxWidth: 12 } };
  const c = chart(box, 'energy', 'line', opts);
  const marg = [], jump = [];
  for (const k of shown) {
    const t = X.chains[k].pts;
    const e = [], j = [];
    t.it.forEach((it, i) => { if (it >= X.meta.warmup) { e.push(t.energy[i]); j.push(t.jump[i]); } });
    const mean = e.reduce((a, v) => a + v, 0) / Math.max(1, e.length);
    e.forEach((v) => marg.push(v - mean));
    j.forEach((v) => { if (v != null) jump.push(v); });
  }
  const ebfmi = X.status.map((s, k) => [k, s.ebfmi]).filter(([, v]) => isFinite(v));
  const low = ebfmi.filter(([, v]) => v < 0.3);
  const text = !ebfmi.length ? 'energy (after warmup)'
    : ebfmi.length <= 6 ? 'energy; E-BFMI ' + ebfmi.map(([k, v]) => `${k + 1}: ${fmt(v, 2)}`).join(', ')
      : `energy; E-BFMI min ${fmt(Math.min(...ebfmi.map(([, v]) => v)), 2)}, ${low.length} chain(s) below 0.3`;
  if (!marg.length) { draw(c, [], text); return; }
  const b = bins(marg.concat(jump), 40);
  draw(c, [
    { label: 'marginal energy', data: histogram(marg, b, true), borderColor: '#1f77b4', backgroundColor: 'rgba(31,119,180,0.25)', fill: true, stepped: 'middle', pointRadius: 0 },
    { label: 'energy transition', data: histogram(jump, b, true), borderColor: '#ff7f0e', backgroundColor: 'rgba(255,127,14,0.25)', fill: true, stepped: 'middle', pointRadius: 0 },
  ], text + (low.length ? ' (low!)' : ''));
}

function pairPlot(box, shown) {
  const [a, b] = X.pair;
  const opts = baseOptions('pair plot', X.names[a] || '', X.names[b] || '');
  opts.interaction = { mode: 'nearest', intersect: true };
  opts.plugins.decimation = { enabled: false };  // for sorted lines only
  const c = chart(box, 'pair', 'scatter', opts);
  c.options.scales.x.title.text = X.names[a] || '';
  c.options.scales.y.title.text = X.names[b] || '';
  const ka = X.selection.indexOf(a), kb = X.selection.indexOf(b);
  if (ka < 0 || kb < 0) { draw(c, [], 'pair plot: waiting for data'); return; }
  let sampling = false;
  for (const k of shown) if (X.chains[k].pts.it.some((it) => it >= X.meta.warmup)) sampling = true;
  const pts = (t, k) => {
    const out = [];
    t.it.forEach((it, i) => {
      if (sampling && it < X.meta.warmup) return;
      const x = t.q[ka] && t.q[ka][i], y = t.q[kb] && t.q[kb][i];
      if (x != null && y != null) out.push({ x, y });
    });
    // Chart.js takes unparsed data as sorted by x and sets the x range from its two ends.
    return out.sort((p, q) => p.x - q.x);
  };
  const sets = shown.map((k) => ({ label: chainLabel(k), data: pts(X.chains[k].pts, k), borderColor: color(k, 0.5), backgroundColor: color(k, 0.35), pointRadius: 1.6 }));
  const div = [];
  for (const k of shown) for (const p of pts(X.chains[k].div, k)) div.push(p);
  sets.push({ label: 'divergent', data: div, borderColor: RED, backgroundColor: RED, pointStyle: 'crossRot', pointRadius: 4.5, borderWidth: 1.5 });
  draw(c, sets, `pair plot${sampling ? '' : ' (warmup)'}: ${div.length} divergent in red`);
}

function plots() {
  if (!X.meta) return;
  const keep = new Set(X.plotted.map(String));
  document.querySelectorAll('.qrow').forEach((row) => {
    if (keep.has(row.dataset.q)) return;
    row.querySelectorAll('.plot').forEach((p) => charts.get(p.dataset.plot)?.destroy());
    row.querySelectorAll('.plot').forEach((p) => charts.delete(p.dataset.plot));
    row.remove();
  });
  for (const j of X.plotted) quantityRow(j);
  samplerPlots();
}
)exmc";
// clang-format on

}  // namespace exmc::dash
