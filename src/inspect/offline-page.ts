/**
 * The offline inspector's one page: inline CSS, inline JS and an inline SVG diagram, no
 * external URL of any kind, so it works on an air-gapped host. It highlights the live state
 * and appends to an event log from the server's Server-Sent Events (`events`, relative), and
 * runs under a nonce-based Content-Security-Policy that also forbids loading anything else.
 */
import type { MachineGraph } from '../graph/machine-graph.js';
import { layoutMachineGraph, renderDiagramSvg } from './diagram-svg.js';
import { escapeHtml, pageHead } from './html.js';

export interface OfflinePageOptions {
  title: string;
  graph: MachineGraph;
  /** CSP nonce for the inline `<style>` and `<script>`. */
  nonce: string;
}

const STYLE = `
:root { --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #687085; --line: #c9cfdb;
  --active: #1a7f5a; --active-bg: #dff5ea; --accent: #2f5fd0; --warn: #b4560b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: center; gap: 14px; padding: 12px 20px; background: #1f2430; color: #e9edf5; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; }
header .machine { color: #9aa4b8; }
.badge { padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; }
#current { background: var(--active); color: #fff; font-family: ui-monospace, monospace; }
#connection { margin-left: auto; background: #39404f; color: #cfd6e4; }
#connection.live { background: #234d3b; color: #b9f0d4; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; padding: 16px 20px; }
.wide { grid-column: 1 / -1; }
section { background: var(--card); border: 1px solid #e1e5ec; border-radius: 10px; padding: 12px 14px; min-width: 0; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 8px; }
.diagram-wrap { overflow-x: auto; }
svg.diagram { max-width: 100%; height: auto; display: block; margin: 0 auto; }
g.state rect { fill: #fff; stroke: #8d97ab; stroke-width: 1.5; }
g.state text { text-anchor: middle; font-family: ui-monospace, monospace; fill: var(--ink); }
g.state text.label { font-size: 14px; font-weight: 600; }
g.state text.detail { font-size: 10.5px; fill: var(--muted); }
g.state.active rect { fill: var(--active-bg); stroke: var(--active); stroke-width: 3.5; }
g.state.active text.label { fill: var(--active); }
path.edge { fill: none; stroke: var(--line); stroke-width: 1.4; }
path.edge.outgoing { stroke: #7f9be0; stroke-width: 1.8; }
path.edge.taken { stroke: var(--accent); stroke-width: 3; }
marker path { fill: #8d97ab; }
table { width: 100%; border-collapse: collapse; font-size: 12.5px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f4; vertical-align: top; overflow-wrap: anywhere; }
td, th.key { font-family: ui-monospace, monospace; }
th.key { white-space: nowrap; overflow-wrap: normal; width: 1%; padding-right: 14px; }
tr.outgoing td { background: #eef3ff; }
#log-wrap { max-height: 420px; overflow-y: auto; }
#log tr.changed td.state { color: var(--active); font-weight: 600; }
.muted { color: var(--muted); }
td.muted { white-space: nowrap; overflow-wrap: normal; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
`;

const SCRIPT = `
(() => {
  const $ = (id) => document.getElementById(id);
  const MAX_ROWS = 200;
  const cell = (text, className) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  };
  const time = (ms) => {
    const d = new Date(ms);
    const pad = (n, w) => String(n).padStart(w || 2, '0');
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  };
  const show = (key, value) => {
    if (value === null || value === undefined) return String(value);
    if (typeof value === 'number' && value > 1e12 && /(At|Until)$/.test(key)) return new Date(value).toISOString();
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  };
  const flatten = (object, prefix, rows) => {
    for (const [key, value] of Object.entries(object)) {
      const name = prefix + key;
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length <= 4) flatten(value, name + '.', rows);
      else rows.push([name, show(key, value)]);
    }
    return rows;
  };
  let lastFrom = null;
  function highlight(states, from) {
    if (from !== undefined) lastFrom = from;
    from = lastFrom;
    for (const g of document.querySelectorAll('g.state')) g.classList.toggle('active', states.includes(g.dataset.state));
    for (const p of document.querySelectorAll('path.edge')) {
      p.classList.toggle('outgoing', states.includes(p.dataset.from));
      p.classList.toggle('taken', !!from && from.includes(p.dataset.from) && states.includes(p.dataset.to));
    }
    for (const tr of document.querySelectorAll('#transitions tr[data-from]')) tr.classList.toggle('outgoing', states.includes(tr.dataset.from));
    $('current').textContent = states.length ? states.join(', ') : '—';
    document.body.dataset.state = states.join(' ');
  }
  function showLive(live, from) {
    highlight(live.states || [], from);
    $('status').textContent = live.status || '—';
    const rows = live.context && typeof live.context === 'object' ? flatten(live.context, '', []) : [];
    $('context').replaceChildren(...rows.map(([key, value]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.className = 'key';
      th.textContent = key;
      tr.append(th, cell(value));
      return tr;
    }));
  }
  function addLog(entry) {
    const tr = document.createElement('tr');
    if (entry.from) tr.className = 'changed';
    tr.dataset.seq = String(entry.seq);
    tr.append(cell(time(entry.at), 'muted'), cell(entry.event), cell(entry.from ? entry.from + ' → ' + entry.state : entry.state, 'state'));
    const log = $('log');
    log.prepend(tr);
    while (log.children.length > MAX_ROWS) log.lastElementChild.remove();
    $('count').textContent = String(entry.seq);
  }
  const setConnection = (text, live) => {
    $('connection').textContent = text;
    $('connection').classList.toggle('live', live);
  };
  // The access token this page was opened with (?token=) opens the event stream too.
  const token = new URLSearchParams(location.search).get('token') || '';
  const source = new EventSource('events?token=' + encodeURIComponent(token));
  source.addEventListener('hello', (message) => {
    const data = JSON.parse(message.data);
    $('log').replaceChildren();
    for (const entry of data.log) addLog(entry);
    const last = data.log[data.log.length - 1];
    showLive(data.live, last && last.from ? last.from.split(', ') : null);
  });
  source.addEventListener('update', (message) => {
    const data = JSON.parse(message.data);
    if (data.entry) addLog(data.entry);
    const from = data.entry && data.entry.from ? data.entry.from.split(', ') : undefined;
    showLive(data.live, from);
  });
  source.onopen = () => setConnection('live', true);
  source.onerror = () => setConnection('reconnecting…', false);
})();
`;

function transitionRows(graph: MachineGraph): string {
  return graph.transitions
    .map((transition) => {
      const to = transition.internal ? '(stays)' : transition.to;
      return `<tr data-from="${escapeHtml(transition.from)}"><td>${escapeHtml(transition.from)}</td><td>${escapeHtml(transition.event)}</td><td>${escapeHtml(transition.guard ?? '')}</td><td>${escapeHtml(to)}</td></tr>`;
    })
    .join('\n');
}

export function renderOfflinePage(options: OfflinePageOptions): string {
  const { graph } = options;
  const nonce = escapeHtml(options.nonce);
  const title = escapeHtml(options.title);
  return `${pageHead({ title: options.title, nonce: options.nonce, style: STYLE })}
<body data-state="">
<header>
  <h1>${title}</h1>
  <span class="machine">machine <code>${escapeHtml(graph.id)}</code></span>
  <span class="badge" id="current">—</span>
  <span class="badge" id="connection">connecting…</span>
</header>
<main>
  <section class="wide">
    <h2>State diagram</h2>
    <div class="diagram-wrap">
${renderDiagramSvg(layoutMachineGraph(graph))}
    </div>
    <p class="note">Green: the live state. Blue: the transition just taken; light blue: the ways out of the live state.</p>
  </section>
  <section>
    <h2>Event log · <span id="count">0</span> events</h2>
    <div id="log-wrap">
      <table>
        <thead><tr><th>time</th><th>event</th><th>state</th></tr></thead>
        <tbody id="log"></tbody>
      </table>
    </div>
  </section>
  <section>
    <h2>Live context · status <span id="status">—</span></h2>
    <table><tbody id="context"></tbody></table>
    <p class="note">Metadata only: token fingerprints and deadlines. Tokens never reach this page.</p>
  </section>
  <section class="wide">
    <h2>Transitions</h2>
    <table id="transitions">
      <thead><tr><th>from</th><th>event</th><th>guard</th><th>to</th></tr></thead>
      <tbody>
${transitionRows(graph)}
      </tbody>
    </table>
  </section>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
