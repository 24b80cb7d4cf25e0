import type { FastifyInstance } from 'fastify';

/** GET /phone: a simulated handset for the demo, talking to the /_sim/ control API. */
export function registerPhonePage(app: FastifyInstance): void {
  app.get('/phone', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(PHONE_PAGE),
  );
}

// One self-contained page: inline CSS and vanilla JS, no build step. All message text is set
// with textContent, never innerHTML, because it is whatever a customer or agent typed.
// The script avoids backticks and backslashes so this TypeScript template stays literal.
export const PHONE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>Simulated phone</title>
<link rel="icon" href="data:,">
<style>
  :root { --me: #0066cc; --them: #e9e9eb; --bg: #ffffff; --muted: #6b7280; --danger: #c0262d; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { font: 16px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #d9dde3; color: #111; }
  .phone { display: flex; flex-direction: column; height: 100%; max-width: 480px; margin: 0 auto; background: var(--bg); }
  @media (min-width: 560px) { .phone { height: calc(100% - 32px); margin-top: 16px; border-radius: 24px; overflow: hidden; box-shadow: 0 10px 40px rgba(0,0,0,.25); } }
  header { padding: 12px 14px 10px; border-bottom: 1px solid #e5e7eb; background: #f8f8fa; }
  header h1 { font-size: 15px; margin: 0 0 8px; color: var(--muted); font-weight: 600; text-align: center; }
  .fields { display: grid; grid-template-columns: auto 1fr; gap: 6px 8px; align-items: center; }
  .fields label { font-size: 13px; color: var(--muted); }
  .fields input { width: 100%; font: inherit; padding: 6px 10px; border: 1px solid #d1d5db; border-radius: 10px; background: #fff; }
  #thread { flex: 1; overflow-y: auto; padding: 14px 12px; display: flex; flex-direction: column; gap: 6px; }
  .empty { margin: auto; color: var(--muted); text-align: center; font-size: 14px; padding: 0 24px; }
  .msg { max-width: 78%; display: flex; flex-direction: column; }
  .msg.me { align-self: flex-end; align-items: flex-end; }
  .msg.them { align-self: flex-start; align-items: flex-start; }
  .bubble { padding: 8px 12px; border-radius: 18px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .me .bubble { background: var(--me); color: #fff; border-bottom-right-radius: 6px; }
  .them .bubble { background: var(--them); color: #111; border-bottom-left-radius: 6px; }
  .msg.failed .bubble { opacity: .55; }
  .bubble img { display: block; max-width: 100%; max-height: 260px; border-radius: 12px; margin: 2px 0; }
  .bubble a { color: inherit; }
  .meta { font-size: 11px; color: var(--muted); margin: 2px 6px 4px; }
  .meta.bad { color: var(--danger); }
  #banner { display: none; background: #fde8e8; color: var(--danger); padding: 8px 14px; font-size: 14px; }
  #banner.show { display: block; }
  form { border-top: 1px solid #e5e7eb; padding: 8px 10px calc(8px + env(safe-area-inset-bottom)); background: #f8f8fa; }
  #preview { display: none; align-items: center; gap: 8px; margin: 0 0 8px 44px; font-size: 13px; color: var(--muted); }
  #preview.show { display: flex; }
  #preview img { height: 48px; border-radius: 8px; }
  #preview button { border: 0; background: #e5e7eb; border-radius: 50%; width: 24px; height: 24px; cursor: pointer; }
  .row { display: flex; align-items: flex-end; gap: 8px; }
  .attach { flex: none; width: 36px; height: 36px; border-radius: 50%; display: grid; place-items: center; background: #e5e7eb; color: #374151; cursor: pointer; }
  .attach:focus-within { outline: 2px solid var(--me); }
  .attach input { position: absolute; opacity: 0; width: 1px; height: 1px; }
  textarea { flex: 1; font: inherit; resize: none; max-height: 120px; padding: 7px 12px; border: 1px solid #d1d5db; border-radius: 18px; }
  #send { flex: none; height: 36px; padding: 0 16px; border: 0; border-radius: 18px; background: var(--me); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  #send:disabled { opacity: .5; cursor: default; }
</style>
</head>
<body>
<div class="phone">
  <header>
    <h1>Simulated phone</h1>
    <div class="fields">
      <label for="me">My number</label>
      <input id="me" inputmode="tel" autocomplete="off" placeholder="+14155550123">
      <label for="to">Text</label>
      <input id="to" list="support-numbers" inputmode="tel" autocomplete="off" placeholder="support number or short code">
      <datalist id="support-numbers"></datalist>
    </div>
  </header>
  <div id="banner" role="alert"></div>
  <main id="thread" aria-live="polite"></main>
  <form id="composer" aria-label="Write a text">
    <div id="preview"><img alt=""><span id="preview-name"></span><button type="button" id="unattach" aria-label="Remove picture">&times;</button></div>
    <div class="row">
      <label class="attach" title="Attach a picture"><svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 11.5l-8.5 8.5a5 5 0 0 1-7-7l9-9a3.5 3.5 0 0 1 5 5l-9 9a2 2 0 0 1-3-3l8-8"/></svg><input id="file" type="file" accept="image/*" aria-label="Attach a picture"></label>
      <textarea id="body" rows="1" placeholder="Text message" aria-label="Message"></textarea>
      <button id="send" type="submit">Send</button>
    </div>
  </form>
</div>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var me = $('me'), to = $('to'), thread = $('thread'), banner = $('banner');
  var body = $('body'), file = $('file'), send = $('send');
  var preview = $('preview'), previewImg = preview.querySelector('img'), previewName = $('preview-name');
  var params = new URLSearchParams(location.search);
  var attachment = null;          // { contentType, data (base64), name, dataUrl }
  var webhookResults = {};        // messageSid -> { status, body } of the desk's webhook
  var lastRendered = '';

  // Another area code than the simulator's own numbers (415), so a visitor is never handed a support number.
  function randomNumber() { return '+1628555' + String(100 + Math.floor(Math.random() * 100)).padStart(4, '0'); }
  me.value = params.get('from') || localStorage.getItem('sim-phone-me') || randomNumber();
  to.value = params.get('to') || localStorage.getItem('sim-phone-to') || '';
  localStorage.setItem('sim-phone-me', me.value);

  function showError(text) { banner.textContent = text; banner.classList.toggle('show', Boolean(text)); }

  function api(method, path, payload) {
    return fetch(path, {
      method: method,
      headers: payload ? { 'Content-Type': 'application/json' } : {},
      body: payload ? JSON.stringify(payload) : undefined
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (!res.ok) throw new Error(json.error || ('HTTP ' + res.status));
        return json;
      });
    });
  }

  function loadSupportNumbers() {
    api('GET', '/_sim/support-numbers').then(function (numbers) {
      var list = $('support-numbers');
      list.replaceChildren();
      numbers.forEach(function (n) {
        var option = document.createElement('option');
        option.value = n.address;
        option.label = n.friendlyName + (n.kind === 'short_code' ? ' (short code)' : '');
        list.appendChild(option);
      });
      if (!to.value && numbers.length > 0) { to.value = numbers[0].address; refresh(); }
    }).catch(function (e) { showError('Cannot reach the simulator: ' + e.message); });
  }

  function time(iso) { return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

  function mineMeta(m) {
    var result = webhookResults[m.sid];
    if (!result) return { text: time(m.dateCreated) + ' · sent', bad: false };
    if (result.status >= 200 && result.status < 300) return { text: time(m.dateCreated) + ' · delivered to the desk', bad: false };
    if (result.status === 0 && !result.body) return { text: time(m.dateCreated) + ' · no webhook configured for this number', bad: true };
    return { text: time(m.dateCreated) + ' · the desk answered ' + (result.status || 'nothing') + (result.body ? ': ' + result.body.slice(0, 80) : ''), bad: true };
  }

  function theirMeta(m) {
    var labels = { accepted: 'sending', queued: 'sending', sending: 'sending', sent: 'sent', delivered: 'delivered', undelivered: 'not delivered', failed: 'failed' };
    var text = time(m.dateCreated) + ' · ' + (labels[m.status] || m.status);
    if (m.errorCode) text += ' (' + m.errorCode + (m.errorMessage ? ': ' + m.errorMessage : '') + ')';
    return { text: text, bad: m.status === 'undelivered' || m.status === 'failed' };
  }

  function renderMessage(m) {
    var mine = m.direction === 'inbound';
    var wrap = document.createElement('div');
    wrap.className = 'msg ' + (mine ? 'me' : 'them') + (m.status === 'failed' || m.status === 'undelivered' ? ' failed' : '');
    var bubble = document.createElement('div');
    bubble.className = 'bubble';
    m.media.forEach(function (item) {
      if (item.contentType.indexOf('image/') === 0) {
        var img = document.createElement('img');
        img.src = item.url; img.alt = 'picture'; img.loading = 'lazy';
        bubble.appendChild(img);
      } else {
        var link = document.createElement('a');
        link.href = item.url; link.target = '_blank'; link.rel = 'noopener';
        link.textContent = 'attachment (' + item.contentType + ')';
        bubble.appendChild(link);
      }
    });
    if (m.body) bubble.appendChild(document.createTextNode(m.body));
    var info = mine ? mineMeta(m) : theirMeta(m);
    var meta = document.createElement('div');
    meta.className = 'meta' + (info.bad ? ' bad' : '');
    meta.textContent = info.text;
    wrap.appendChild(bubble);
    wrap.appendChild(meta);
    return wrap;
  }

  function render(messages) {
    var key = JSON.stringify([messages, webhookResults]);
    if (key === lastRendered) return;
    lastRendered = key;
    thread.replaceChildren();
    if (messages.length === 0) {
      var empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = to.value ? 'No messages with ' + to.value + ' yet. Say hello!' : 'Pick a number to text.';
      thread.appendChild(empty);
      return;
    }
    messages.forEach(function (m) { thread.appendChild(renderMessage(m)); });
    thread.scrollTop = thread.scrollHeight; // only re-rendered when something changed
  }

  function refresh() {
    if (!me.value || !to.value) { render([]); return; }
    api('GET', '/_sim/phones/' + encodeURIComponent(me.value) + '/messages?with=' + encodeURIComponent(to.value))
      .then(function (messages) { showError(''); render(messages); })
      .catch(function (e) { showError(e.message); });
  }

  function clearAttachment() {
    attachment = null; file.value = '';
    preview.classList.remove('show');
  }

  file.addEventListener('change', function () {
    var chosen = file.files && file.files[0];
    if (!chosen) return clearAttachment();
    if (chosen.size > 5 * 1024 * 1024) { showError('Pictures must be 5 MB or less.'); return clearAttachment(); }
    var reader = new FileReader();
    reader.onload = function () {
      var dataUrl = String(reader.result);
      attachment = { contentType: chosen.type || 'application/octet-stream', data: dataUrl.slice(dataUrl.indexOf(',') + 1), name: chosen.name };
      previewImg.src = dataUrl;
      previewName.textContent = chosen.name;
      preview.classList.add('show');
    };
    reader.readAsDataURL(chosen);
  });
  $('unattach').addEventListener('click', clearAttachment);

  body.addEventListener('input', function () { body.style.height = 'auto'; body.style.height = Math.min(body.scrollHeight, 120) + 'px'; });
  body.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); }
  });

  $('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = body.value;
    if (!text.trim() && !attachment) return;
    if (!me.value || !to.value) { showError('Enter your number and the number to text.'); return; }
    var payload = { to: to.value.trim(), body: text };
    if (attachment) payload.media = [{ contentType: attachment.contentType, data: attachment.data }];
    send.disabled = true;
    api('POST', '/_sim/phones/' + encodeURIComponent(me.value.trim()) + '/messages', payload)
      .then(function (result) {
        webhookResults[result.messageSid] = { status: result.webhookStatus, body: result.webhookBody };
        body.value = ''; body.style.height = 'auto'; clearAttachment();
        // A dropped message never reaches the thread, so say where it went.
        showError(result.dropped ? 'Twilio dropped this message: the Messaging Service of this number has no inbound URL and does not defer to the number.' : '');
        refresh();
      })
      .catch(function (err) { showError(err.message); })
      .finally(function () { send.disabled = false; body.focus(); });
  });

  [me, to].forEach(function (input) {
    input.addEventListener('change', function () {
      localStorage.setItem('sim-phone-me', me.value.trim());
      localStorage.setItem('sim-phone-to', to.value.trim());
      lastRendered = '';
      refresh();
    });
  });

  loadSupportNumbers();
  refresh();
  setInterval(refresh, 1000);
})();
</script>
</body>
</html>
`;
