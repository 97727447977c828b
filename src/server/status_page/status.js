// edgefront's status page: polls /status.json (with the admin token, if any, as a bearer
// header) and draws it with plain canvas. Served by the binary; no external script.
'use strict';

const TOKEN_KEY = 'edgefront-admin-token';
const POLL_MS = 500;
const WINDOW_MS = 5 * 60 * 1000;  // what the charts show of the ten minutes kept
const COLORS = ['#1f5fbf', '#c62828', '#1a7f37', '#b26a00', '#7b3fb0', '#00838f'];
const MARKED = {failover: '#c62828', ejection: '#c62828', unhealthy: '#c62828',
                recovery: '#1a7f37', fault: '#b26a00'};

const $ = (id) => document.getElementById(id);
const escapeHtml = (s) => String(s).replace(/[&<>"']/g,
    (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]);
const clock = (ms) => new Date(ms).toLocaleTimeString([], {hour12: false});

// The token: from the URL fragment (#token=...), kept for this tab, or asked for.
function takeTokenFromFragment() {
  const m = location.hash.match(/(?:^#|&)token=([^&]*)/);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

function askForToken(message) {
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  setState('error', 'login needed');
}

function setState(cls, text) {
  const s = $('state');
  s.className = 'state ' + cls;
  s.textContent = text;
}

// ---------------------------------------------------------------------------- charts

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// series: [{name, values}] parallel to t; a null value is a gap. markers: [{t, color}].
function drawChart(canvas, t, series, opts) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const left = 44, right = 8, top = 16, bottom = 18;
  const end = opts.now, start = end - WINDOW_MS;
  const x = (ms) => left + (ms - start) / WINDOW_MS * (w - left - right);
  let max = opts.max || 0;
  if (!opts.max) {
    for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
    max = niceMax(max);
  }
  const y = (v) => top + (1 - v / max) * (h - top - bottom);
  g.font = '10px system-ui, sans-serif';
  g.strokeStyle = '#e3e6eb';
  g.fillStyle = '#667085';
  for (let i = 0; i <= 4; ++i) {
    const v = max * i / 4;
    g.beginPath(); g.moveTo(left, y(v)); g.lineTo(w - right, y(v)); g.stroke();
    g.fillText(+v.toPrecision(3) + (opts.unit || ''), 2, y(v) + 3);
  }
  for (let m = 0; m <= 5; ++m) {
    const ms = start + m * WINDOW_MS / 5;
    const label = m === 5 ? 'now' : '-' + (5 - m) + 'm';
    g.fillText(label, Math.min(x(ms) - 8, w - right - g.measureText(label).width), h - 4);
  }
  for (const mk of opts.markers || []) {
    if (mk.t < start) continue;
    g.strokeStyle = mk.color; g.setLineDash([3, 3]);
    g.beginPath(); g.moveTo(x(mk.t), top); g.lineTo(x(mk.t), h - bottom); g.stroke();
    g.setLineDash([]);
  }
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    g.strokeStyle = color; g.lineWidth = 1.5;
    g.beginPath();
    let pen = false;
    for (let i = 0; i < t.length; ++i) {
      const v = s.values[i];
      if (t[i] < start || v === null || v === undefined) { pen = false; continue; }
      if (pen) g.lineTo(x(t[i]), y(Math.min(v, max))); else g.moveTo(x(t[i]), y(Math.min(v, max)));
      pen = true;
    }
    g.stroke();
    g.fillStyle = color;
    g.fillText(s.name, left + 6 + k * 90, 11);
  });
  g.lineWidth = 1;
}

// Per-second deltas as rates; a ratio is null where its denominator is zero.
function perSecond(t, values) {
  return values.map((v, i) => (i === 0 ? v : v * 1000 / Math.max(1, t[i] - t[i - 1])));
}
function percent(num, den) { return num.map((v, i) => (den[i] > 0 ? 100 * v / den[i] : null)); }

// ---------------------------------------------------------------------------- rendering

const cards = new Map();  // distribution id -> its card's elements

function card(id) {
  if (cards.has(id)) return cards.get(id);
  const el = document.createElement('div');
  el.className = 'distribution';
  el.dataset.distribution = id;
  const chart = (key, title) => `<div class="chart"><div class="title">${title}</div>` +
      `<canvas data-chart="${key}"></canvas></div>`;
  el.innerHTML = `<h2>Distribution ${escapeHtml(id)}</h2><div class="charts">` +
      chart('rps', 'Requests per second') + chart('hit', 'Cache hit rate (%)') +
      chart('errors', 'Error rates (% of requests)') +
      chart('latency', 'OriginLatency (ms, mean per second)') +
      '</div><h3>Origin groups</h3><div class="groups"></div>' +
      '<h3>Origins</h3><div class="origins"></div>';
  $('distributions').appendChild(el);
  const c = {el, charts: {}, groups: el.querySelector('.groups'),
             origins: el.querySelector('.origins')};
  for (const cv of el.querySelectorAll('canvas')) c.charts[cv.dataset.chart] = cv;
  cards.set(id, c);
  return c;
}

function verdict(v) { return `<span class="verdict ${escapeHtml(v)}">${escapeHtml(v)}</span>`; }

function renderDistribution(d, doc, markers) {
  const c = card(d.id);
  const s = d.series, now = doc.now_ms;
  drawChart(c.charts.rps, s.t, [{name: 'req/s', values: perSecond(s.t, s.requests)}],
            {now, markers});
  drawChart(c.charts.hit, s.t, [{name: 'hit rate', values: percent(s.hits, s.lookups)}],
            {now, max: 100, unit: '%', markers});
  drawChart(c.charts.errors, s.t, [
    {name: '4xx', values: percent(s.e4xx, s.requests)},
    {name: '5xx', values: percent(s.e5xx, s.requests)},
    {name: 'total', values: percent(s.e4xx.map((v, i) => v + s.e5xx[i]), s.requests)},
  ], {now, unit: '%', markers});
  // Origins' latency points share the sampler's clock: draw each on its own times.
  const latency = d.origins.filter((o) => o.latency.t.length);
  if (latency.length) {
    const t = latency[0].latency.t;
    drawChart(c.charts.latency, t, latency.map((o) => ({
      name: o.id, values: t.map((_, i) => o.latency.mean_ms[i] ?? null)})), {now, unit: '', markers});
  } else {
    drawChart(c.charts.latency, [], [], {now, markers});
  }
  c.groups.innerHTML = d.groups.length ? d.groups.map((g) =>
      `<div class="group" data-group="${escapeHtml(g.id)}" data-serving="${escapeHtml(g.serving ?? '')}">` +
      `<strong>${escapeHtml(g.id)}</strong><ul>` + g.members.map((m) =>
          `<li class="member${m.origin === g.serving ? ' serving' : ''}" ` +
          `data-origin="${escapeHtml(m.origin)}" data-verdict="${escapeHtml(m.verdict)}">` +
          `${verdict(m.verdict)}${escapeHtml(m.origin)} <small>(${m.failovers_from} failed over)</small></li>`
      ).join('') + '</ul></div>').join('') : '<span class="empty">no origin groups</span>';
  c.origins.innerHTML = d.origins.map((o) =>
      `<div class="origin" data-origin="${escapeHtml(o.id)}" data-verdict="${escapeHtml(o.verdict)}">` +
      `${verdict(o.verdict)}${escapeHtml(o.id)}` +
      (o.ejected_for_ms > 0 ? ` <small>back in ${(o.ejected_for_ms / 1000).toFixed(1)} s</small>` : '') +
      ` <small>${o.served} served</small></div>`).join('');
}

function renderEvents(events) {
  $('events').innerHTML = events.length ? events.slice().reverse().map((e) =>
      `<li class="event event-${escapeHtml(e.kind)}" data-kind="${escapeHtml(e.kind)}" ` +
      `data-subject="${escapeHtml(e.subject)}"><time>${clock(e.t_ms)}</time>` +
      `<span class="kind ${escapeHtml(e.kind)}">${escapeHtml(e.kind)}</span>` +
      `<span>${escapeHtml(e.distribution ? e.distribution + ' / ' : '')}` +
      `<strong>${escapeHtml(e.subject)}</strong>: ${escapeHtml(e.detail)}</span></li>`).join('')
      : '<li class="empty">nothing happened yet</li>';
}

function renderTables(doc) {
  $('faults').innerHTML = doc.faults.length
      ? '<tr><th>id</th><th>distribution</th><th>fault</th><th>attempts met</th></tr>' +
        doc.faults.map((f) => `<tr class="fault"><td>#${f.id}</td><td>${escapeHtml(f.distribution || '*')}` +
            `</td><td>${escapeHtml(f.fault)}</td><td>${f.applied}</td></tr>`).join('')
      : '<tr><td class="empty">none</td></tr>';
  $('invalidations').innerHTML = doc.invalidations.length
      ? '<tr><th>time</th><th>distribution</th><th>id</th><th>paths</th></tr>' +
        doc.invalidations.slice().reverse().map((i) => `<tr><td>${clock(i.t_ms)}</td>` +
            `<td>${escapeHtml(i.distribution)}</td><td>${escapeHtml(i.id)}</td>` +
            `<td>${escapeHtml(i.paths.join(' '))}</td></tr>`).join('')
      : '<tr><td class="empty">none</td></tr>';
}

function render(doc) {
  const markers = doc.events.filter((e) => MARKED[e.kind]).map((e) => ({t: e.t_ms, color: MARKED[e.kind]}));
  for (const d of doc.distributions) renderDistribution(d, doc, markers);
  renderEvents(doc.events);
  renderTables(doc);
  $('updated').textContent = 'updated ' + clock(doc.now_ms);
  document.body.dataset.updatedAt = String(doc.now_ms);
}

// ---------------------------------------------------------------------------- polling

async function poll() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  try {
    const r = await fetch('/status.json', {
      cache: 'no-store', headers: token ? {Authorization: 'Bearer ' + token} : {}});
    if (r.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken(token ? 'That token was refused.' : '');
      return;  // polling resumes after a login
    }
    if (!r.ok) throw new Error('HTTP ' + r.status);
    render(await r.json());
    setState('live', 'live');
  } catch (e) {
    setState('error', 'unreachable: ' + e.message);
  }
  setTimeout(poll, POLL_MS);
}

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('login').hidden = true;
  poll();
});

takeTokenFromFragment();
poll();
