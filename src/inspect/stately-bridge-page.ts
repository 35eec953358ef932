/**
 * The page the operator opens for the online (Stately) inspector: it embeds the Stately
 * inspector UI and forwards the relay's sanitized frames to it with `postMessage`, addressed
 * to the inspector's origin only. The frames come from our loopback WebSocket (`/viewer`).
 */
import { escapeHtml, pageHead, scriptJson } from './html.js';

export const DEFAULT_STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

const STYLE = `
html, body { margin: 0; height: 100%; font: 13px system-ui, sans-serif; }
body { display: flex; flex-direction: column; }
header { padding: 4px 10px; background: #1f2430; color: #cfd6e4; }
iframe { border: 0; flex: 1; width: 100%; }
`;

export function statelyBridgePage(options: { inspectorUrl: string; nonce: string }): string {
  const origin = new URL(options.inspectorUrl).origin;
  const nonce = escapeHtml(options.nonce);
  return `${pageHead({ title: 'oauth-recovery · Stately inspector', nonce: options.nonce, style: STYLE })}
<body>
<header>oauth-recovery → Stately inspector · events are sanitized before they leave the process · <span id="status">connecting…</span></header>
<iframe id="inspector" src="${escapeHtml(options.inspectorUrl)}"></iframe>
<script nonce="${nonce}">
(() => {
  const origin = ${scriptJson(origin)};
  const iframe = document.getElementById('inspector');
  const status = document.getElementById('status');
  const buffered = [];
  let connected = false;
  const post = (data) => iframe.contentWindow.postMessage(data, origin);
  window.addEventListener('message', (event) => {
    if (event.origin !== origin || !event.data || event.data.type !== '@statelyai.connected') return;
    connected = true;
    for (const data of buffered.splice(0)) post(data);
  });
  // The access token this page was opened with (?token=) opens the viewer too.
  const token = new URLSearchParams(location.search).get('token') || '';
  const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/viewer?token=' + encodeURIComponent(token));
  socket.onopen = () => { status.textContent = 'live'; };
  socket.onclose = () => { status.textContent = 'disconnected (reload to reconnect)'; };
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (connected) post(data);
    else buffered.push(data);
  };
})();
</script>
</body>
</html>
`;
}
