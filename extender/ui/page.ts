// The status page: one self-contained HTML document (inline CSS and JS, no external requests, no
// build step). It polls status.json next to itself and rebuilds the DOM with textContent only, so pod
// names and reasons from the wire are never parsed as HTML.
export const POLL_INTERVAL_MS = 3_000;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Climatik status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; background: #f6f7f9; color: #1d2330; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 20px 0 8px; }
  .meta, .note { color: #5b6475; font-size: 12px; } .err { color: #a4161a; font-weight: 600; }
  .row { margin-bottom: 12px; } .row-name { font-weight: 600; margin-bottom: 4px; }
  .racks { display: flex; flex-wrap: wrap; gap: 8px; }
  .rack { background: #fff; border: 1px solid #d5d9e0; border-radius: 6px; padding: 8px; width: 170px; }
  .rack .id { font-weight: 700; } .cell { border-radius: 4px; padding: 2px 6px; margin: 3px 0; color: #fff; }
  .stale { background: repeating-linear-gradient(45deg, #8a8f98, #8a8f98 6px, #9aa0a8 6px, #9aa0a8 12px) !important; }
  .bar { height: 6px; background: #e3e6eb; border-radius: 3px; overflow: hidden; } .bar > div { height: 100%; }
  table { border-collapse: collapse; background: #fff; width: 100%; } td, th { border: 1px solid #d5d9e0; padding: 3px 6px; text-align: left; vertical-align: top; font-size: 12px; }
  .legend span { display: inline-block; width: 28px; height: 10px; }
  td ul { margin: 0; padding-left: 16px; }
</style>
</head>
<body>
<h1>Climatik racks</h1>
<div class="meta" id="meta">loading…</div>
<div class="err" id="error"></div>
<div class="meta legend">colour: <span style="background:hsl(120,65%,38%)"></span> cool / under budget
  <span style="background:hsl(60,65%,38%)"></span> <span style="background:hsl(0,65%,38%)"></span> at redline / budget; striped = stale, nameplate assumed</div>
<h2>Racks</h2><div id="rows"></div>
<h2>Plan</h2><div id="plan"></div>
<h2>Recent placement decisions</h2><div id="decisions"></div>
<h2>Power capping</h2><div id="capper"></div>
<script>
"use strict";
const POLL_MS = ${POLL_INTERVAL_MS};
const statusUrl = location.pathname.replace(/\\/?$/, '/') + 'status.json';
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'style') e.style.cssText = v; else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
const fmtW = (w) => Math.round(w).toLocaleString('en-US') + ' W';
const fmtTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\\.\\d+Z$/, 'Z');
/** 0 → green, 1 → red, beyond 1 darker red. */
function heat(t) {
  const c = Math.max(0, Math.min(1, t));
  return 'hsl(' + Math.round(120 - 120 * c) + ',65%,' + (t > 1 ? 28 : 38) + '%)';
}
function rackCard(r, s) {
  const inletT = r.inletC === null || s.redlineInletC === null ? 0 : (r.inletC - s.supplyTemperatureC) / (s.redlineInletC - s.supplyTemperatureC);
  const inlet = el('div', { class: 'cell inlet' + (r.inletStale ? ' stale' : ''), 'data-value': r.inletC === null ? '' : r.inletC, style: 'background:' + heat(inletT) },
    'inlet ', r.inletC === null ? 'n/a' : r.inletC.toFixed(1) + ' °C');
  const ratio = r.powerW / r.powerBudgetW;
  const power = el('div', { class: 'cell power' + (r.powerStale ? ' stale' : ''), 'data-value': r.powerW, style: 'background:' + heat(ratio), title: r.powerNote },
    el('span', { class: 'power-w' }, fmtW(r.powerW)), ' / ', el('span', { class: 'budget', 'data-value': r.powerBudgetW }, fmtW(r.powerBudgetW)));
  const bar = el('div', { class: 'bar' }, el('div', { style: 'width:' + Math.min(100, ratio * 100).toFixed(1) + '%;background:' + heat(ratio) }));
  const target = el('div', { class: 'target', 'data-value': r.targetW === null ? '' : r.targetW }, 'plan target: ', r.targetW === null ? 'none' : fmtW(r.targetW));
  return el('div', { class: 'rack', 'data-rack': r.id }, el('div', { class: 'id' }, r.id),
    inlet, power, bar, target, el('div', { class: 'note' }, r.nodes + (r.nodes === 1 ? ' node' : ' nodes') + (r.powerStale ? ' · ' + r.powerNote : '')));
}
function decisionRow(d) {
  if (d.verb === 'bind') {
    return el('tr', { class: 'decision', 'data-verb': 'bind' }, el('td', {}, fmtTime(d.atMs)), el('td', {}, 'bind'), el('td', {}, d.pod),
      el('td', {}, d.error ? 'failed' : 'bound to ' + d.node), el('td', {}, d.error));
  }
  const reasons = el('ul', {});
  for (const f of d.failed) reasons.append(el('li', {}, f.node + ': ' + f.reason + (f.unresolvable ? ' (unresolvable)' : '')));
  if (d.failedCount > d.failed.length) reasons.append(el('li', {}, '… ' + (d.failedCount - d.failed.length) + ' more'));
  const outcome = d.error ? 'error' : d.passedCount + ' passed' + (d.passed.length ? ' (' + d.passed.join(', ') + (d.passedCount > d.passed.length ? ', …' : '') + ')' : '') + ', ' + d.failedCount + ' rejected';
  return el('tr', { class: 'decision', 'data-verb': 'filter' }, el('td', {}, fmtTime(d.atMs)), el('td', {}, 'filter'), el('td', {}, d.pod),
    el('td', {}, outcome), el('td', {}, d.error || reasons));
}
function actionTable(title, list, actions) {
  if (!actions.length) return el('div', { class: 'note' }, title + ': none');
  const t = el('table', {}, el('tr', {}, ...['time', 'kind', 'target', 'value', 'rack', 'reason'].map((h) => el('th', {}, h))));
  for (const a of actions) t.append(el('tr', { class: 'action', 'data-list': list }, ...[a.time, a.kind, a.target, a.value === undefined ? '' : a.value, a.rack || '', a.reason].map((v) => el('td', {}, v))));
  return el('div', {}, el('div', {}, title), t);
}
function render(s) {
  document.getElementById('meta').textContent = 'updated ' + fmtTime(s.generatedAtMs) +
    (s.telemetry ? ' · telemetry ' + fmtTime(s.telemetry.takenAtMs) : ' · no telemetry yet') +
    (s.supplyTemperatureC === null ? '' : ' · supply ' + s.supplyTemperatureC + ' °C, redline ' + s.redlineInletC + ' °C');
  const problems = s.telemetry ? s.telemetry.problems : [];
  document.getElementById('error').textContent = problems.join('; ');
  const rows = document.getElementById('rows');
  rows.replaceChildren(s.topologyLoaded ? '' : el('div', { class: 'err' }, 'No rack topology loaded yet.'));
  for (const row of s.rows) rows.append(el('div', { class: 'row', 'data-row': row.row }, el('div', { class: 'row-name' }, row.row ? 'row ' + row.row : 'racks'),
    el('div', { class: 'racks' }, ...row.racks.map((r) => rackCard(r, s)))));
  const p = s.plan;
  document.getElementById('plan').replaceChildren(p === null ? el('div', { class: 'note' }, 'no plan computed yet') :
    el('div', { id: 'plan-summary' }, p.planner + ' · ' + (p.feasible ? 'feasible' : 'infeasible: ' + p.reason) + ' · computed ' + fmtTime(p.computedAtMs) +
      (p.warnings.length ? ' · ' + p.warnings.join('; ') : '')));
  const dec = document.getElementById('decisions');
  if (!s.decisions.length) dec.replaceChildren(el('div', { class: 'note' }, 'no filter or bind requests since this replica started'));
  else dec.replaceChildren(el('table', { id: 'decision-table' }, el('tr', {}, ...['time', 'verb', 'pod', 'outcome', 'reasons'].map((h) => el('th', {}, h))), ...s.decisions.map(decisionRow)));
  const cap = document.getElementById('capper');
  if (s.capper.source === 'none') cap.replaceChildren(el('div', { class: 'note', id: 'capper-none' }, 'No policy source: the extender runs offline, so capper recommendations and actions are not shown.'));
  else if (s.capper.error) cap.replaceChildren(el('div', { class: 'err', id: 'capper-error' }, s.capper.error));
  else if (!s.capper.policies.length) cap.replaceChildren(el('div', { class: 'note' }, 'No PowerCappingPolicy objects.'));
  else cap.replaceChildren(...s.capper.policies.map((pol) => el('div', { class: 'policy', 'data-policy': pol.namespace + '/' + pol.name },
    el('div', { class: 'row-name' }, pol.namespace + '/' + pol.name + ' · ' + pol.mode +
      (pol.racksOverCap === null ? '' : ' · racks over cap: ' + pol.racksOverCap) + (pol.activeActions === null ? '' : ' · active actions: ' + pol.activeActions)),
    pol.problem ? el('div', { class: 'err' }, pol.problem) : null,
    el('div', { class: 'note' }, ...pol.racks.flatMap((r, i) => [i ? ' · ' : null, el('span', { class: 'policy-rack', 'data-policy-rack': r.id },
      r.id + ' ' + r.state + ' (cap ' + fmtW(r.capW) + (r.measuredW === undefined ? '' : ', measured ' + fmtW(r.measuredW)) +
      (r.forecastW === undefined ? '' : ', forecast ' + fmtW(r.forecastW)) + ')')])),
    pol.conditions.length ? el('div', { class: 'note conditions' }, ...pol.conditions.flatMap((c, i) => [i ? ' · ' : null,
      el('span', { class: 'condition', 'data-type': c.type, title: c.message }, c.type + '=' + c.status + (c.reason ? ' (' + c.reason + ')' : ''))])) : null,
    actionTable('recommended', 'recommended', pol.recommendedActions), actionTable('applied (newest first)', 'applied', pol.appliedActions))));
}
async function poll() {
  try {
    const res = await fetch(statusUrl, { cache: 'no-store' });
    if (!res.ok) throw new Error('status.json: HTTP ' + res.status);
    render(await res.json());
    document.body.dataset.loaded = String(Date.now());
  } catch (err) {
    document.getElementById('error').textContent = 'cannot load status: ' + err.message;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}
poll();
</script>
</body>
</html>
`;
