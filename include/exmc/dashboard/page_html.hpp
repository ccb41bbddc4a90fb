#pragma once
// The dashboard page's HTML and style sheet, with the places page.hpp fills: @TITLE@, @CHARTJS@
// (the chart library), @DATA@ (a report's data, or null for a live page) and @APP@ (the script).
#include <string_view>

namespace exmc::dash {

// clang-format off
inline constexpr std::string_view page_html = R"exmc(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@TITLE@ · exmc</title>
<style>
:root { --fg: #1d2329; --muted: #66707a; --line: #dde2e7; --bg: #f6f7f9; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 12px; padding: 10px 18px; background: #23303d; color: #fff; position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 17px; margin: 0; font-weight: 600; }
#facts { color: #c9d3dc; }
.pill { padding: 1px 9px; border-radius: 10px; font-weight: 600; background: #566574; }
.pill.running { background: #2f7d32; } .pill.finished { background: #1f5f99; } .pill.failed { background: #b3261e; }
#banners { padding: 0 18px; }
.banner { margin: 8px 0 0; padding: 7px 12px; border-radius: 4px; border-left: 5px solid; }
.banner.failed { background: #fde8e7; border-color: #b3261e; color: #7d1a15; font-weight: 600; }
.banner.warn { background: #fff4dc; border-color: #d18b00; }
.banner.info { background: #e8f1fb; border-color: #1f5f99; }
.banner.done { background: #e7f4e8; border-color: #2f7d32; font-weight: 600; }
.banner.muted { background: #eceff2; border-color: #8a949e; }
section { margin: 12px 18px; padding: 10px 14px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
h2 { font-size: 14px; margin: 0 0 8px; }
.toolbar { margin: 6px 0; display: flex; flex-wrap: wrap; align-items: center; gap: 6px; color: var(--muted); }
select, input, button { font: inherit; padding: 2px 6px; border: 1px solid #b8c0c8; border-radius: 4px; background: #fff; }
button { cursor: pointer; }
.chip { display: inline-flex; align-items: center; gap: 3px; padding: 1px 4px 1px 8px; border-radius: 10px; background: #e8eef4; color: var(--fg); }
.chip button { border: 0; background: none; padding: 0 3px; }
#chain-toggles { display: flex; flex-wrap: wrap; gap: 3px; }
.tog { min-width: 26px; border: 2px solid var(--c); background: var(--c); color: #fff; padding: 0 4px; }
.tog.off { background: #fff; color: var(--c); }
#chain-box { max-height: 330px; overflow: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { position: sticky; top: 0; background: #fff; color: var(--muted); font-weight: 600; cursor: default; }
td:first-child, th:first-child { text-align: left; }
td.msg { text-align: left; white-space: normal; max-width: 420px; color: #7d1a15; }
td.bad { color: #b3261e; font-weight: 600; } td.warn { color: #a06300; font-weight: 600; }
tr.st-failed td { background: #fdf0ef; }
#summary th { cursor: pointer; } #summary tbody tr { cursor: pointer; } #summary tbody tr:hover td { background: #f1f5f9; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.bar { position: relative; display: inline-block; width: 140px; height: 8px; background: #e6e9ec; border-radius: 4px; margin-right: 6px; overflow: hidden; vertical-align: middle; }
.bar .warm { position: absolute; left: 0; top: 0; bottom: 0; background: #9fb3c8; }
.bar .samp { position: absolute; top: 0; bottom: 0; background: #2f7d32; }
.qrow { display: grid; grid-template-columns: 2fr 1fr 1fr; gap: 10px; margin-bottom: 10px; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; }
.plot { position: relative; height: 230px; min-width: 0; }
footer { margin: 0 18px 16px; color: var(--muted); }
@media (max-width: 1000px) { .qrow, .grid { grid-template-columns: 1fr; } }
</style>
</head>
<body data-run="waiting" data-conn="connecting" data-updates="0">
<header><h1 id="title">@TITLE@</h1><span id="state" class="pill">connecting</span><span id="facts"></span></header>
<div id="banners"></div>
<section id="chains-section">
<h2>Chains</h2>
<div id="chain-box"><table id="chains"><thead><tr><th>Chain</th><th>Progress</th><th>Phase</th><th id="rate-head" title="iterations per second (a report: the chain's time)">it/s</th><th>ETA</th>
<th title="divergent transitions after warmup (and during warmup)">Divergent</th><th title="transitions that hit the tree depth limit, after warmup">Max depth</th>
<th>Step size</th><th title="mean acceptance statistic after warmup">Accept</th><th title="energy Bayesian fraction of missing information, after warmup">E-BFMI</th><th>Note</th></tr></thead>
<tbody id="chain-rows"></tbody></table></div>
<div class="toolbar">Show chains: <span id="chain-toggles"></span></div>
</section>
<section id="quantities-section">
<h2>Quantities</h2>
<div class="toolbar"><span id="q-count"></span><select id="q-base" aria-label="quantity"></select><select id="q-index" aria-label="element"></select><button id="q-add">plot</button><span id="q-chips"></span></div>
<div id="quantities"></div>
</section>
<section id="sampler-section">
<h2>Sampler</h2>
<div class="toolbar">Pair plot: <select id="pair-0" aria-label="pair plot x"></select> against <select id="pair-1" aria-label="pair plot y"></select></div>
<div id="sampler" class="grid"></div>
</section>
<section id="summary-section">
<h2>Convergence</h2>
<div class="toolbar"><input id="summary-filter" placeholder="filter quantities" aria-label="filter quantities"><span id="summary-note"></span></div>
<div id="summary-box"><table id="summary"><thead><tr><th>Quantity</th><th>Mean</th><th>SD</th><th>5%</th><th>50%</th><th>95%</th><th>R-hat</th><th>ESS bulk</th><th>ESS tail</th></tr></thead>
<tbody id="summary-rows"></tbody></table></div>
<div id="summary-more" class="toolbar"></div>
</section>
<footer>exmc dashboard · plots drawn with Chart.js · click a row of the table to plot that quantity</footer>
<script>@CHARTJS@</script>
<script id="exmc-data" type="application/json">@DATA@</script>
<script>@APP@</script>
</body>
</html>
)exmc";
// clang-format on

}  // namespace exmc::dash
