// The report's page script, inlined as text. It lays out what src/report/data.ts computed: the
// SVG sequence diagram a page at a time, the packet list a page at a time with its filters, the
// keepalive timelines, and the links between findings, arrows and rows. Plain ES2017, no
// libraries, no network. Capture text is only ever set with textContent (captures are hostile).
// (Kept free of backticks and dollar-brace so it can live in this template literal.)

export const REPORT_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var PAGE_ITEMS = 150, PAGE_ROWS = 250;
  var ROW_H = 26, TOP = 56, GUTTER = 120, LANE_W = 210;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(t) { return Number(t).toFixed(3); }
  var SEV_MARK = { violation: '!', warning: '!', info: 'i', 'not-observable': '?' };
  var SEV_COLOR = { violation: '#c62828', warning: '#b26a00', info: '#1565c0', 'not-observable': '#6d6d6d' };

  // ---- frame lookups ------------------------------------------------------------------------
  function itemIndexOfFrame(f) {
    // Items are in frame order; a ping run covers firstFrame..lastFrame.
    var lo = 0, hi = D.items.length - 1, best = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (D.items[mid][1] <= f) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return -1;
    var it = D.items[best];
    if (it[1] === f) {
      // Several packets in one frame: the first item of that frame.
      while (best > 0 && D.items[best - 1][1] === f) best--;
      return best;
    }
    return it[0] === 1 && f <= it[6] ? best : -1;
  }
  var rowIndex = {};
  D.rows.forEach(function (r, i) { rowIndex[r[0]] = i; });
  var findingsOfFrame = {};
  D.findings.forEach(function (f, i) {
    f.frames.forEach(function (fr) { (findingsOfFrame[fr] = findingsOfFrame[fr] || []).push(i); });
  });

  // ---- sequence diagram -----------------------------------------------------------------------
  var diagramPage = 0;
  var diagramPages = Math.max(1, Math.ceil(D.items.length / PAGE_ITEMS));
  function laneX(i) { return GUTTER + 40 + i * LANE_W; }

  function renderDiagram(highlight) {
    var wrap = document.getElementById('diagram-wrap');
    wrap.textContent = '';
    var n = D.participants.length;
    var first = diagramPage * PAGE_ITEMS;
    var items = D.items.slice(first, first + PAGE_ITEMS);
    var width = laneX(Math.max(0, n - 1)) + 300;
    var height = TOP + items.length * ROW_H + 20;
    var svg = sv('svg', { xmlns: SVGNS, width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, id: 'diagram', role: 'img' });
    svg.appendChild(sv('title', {}, 'MQTT sequence diagram of ' + D.source));
    var defs = sv('defs');
    ['end', 'start'].forEach(function (kind) {
      var m = sv('marker', { id: 'head-' + kind, viewBox: '0 0 10 10', refX: kind === 'end' ? 9 : 1, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      m.appendChild(sv('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#444' }));
      defs.appendChild(m);
    });
    svg.appendChild(defs);
    wrap.appendChild(svg);
    // Lifeline heads and lines.
    D.participants.forEach(function (p, i) {
      var x = laneX(i);
      var g = sv('g', { 'class': 'head' });
      var name = p.name.length > 24 ? p.name.slice(0, 23) + '\u2026' : p.name;
      g.appendChild(sv('rect', { x: x - 85, y: 8, width: 170, height: 26, rx: 4 }));
      g.appendChild(sv('text', { x: x, y: 26, 'text-anchor': 'middle', 'font-weight': p.kind === 'broker' ? 700 : 400 }, name));
      g.appendChild(sv('title', {}, p.name + (p.endpoints.length ? ' (' + p.endpoints.join(', ') + ')' : '')));
      svg.appendChild(g);
      svg.appendChild(sv('line', { 'class': 'lifeline', x1: x, y1: 34, x2: x, y2: height - 6 }));
    });
    svg.appendChild(sv('text', { x: 8, y: 48, 'class': 'muted', fill: '#5b6570' }, 'No.'));
    svg.appendChild(sv('text', { x: 100, y: 48, 'text-anchor': 'end', fill: '#5b6570' }, 'Time'));
    var yOfFrame = {};
    items.forEach(function (it, k) {
      var y = TOP + k * ROW_H + ROW_H / 2;
      var kind = it[0], frame = it[1];
      var g = sv('g', { 'data-frame': frame, id: 'arrow-' + frame });
      g.appendChild(sv('rect', { 'class': 'bg', x: 0, y: y - ROW_H / 2, width: width, height: ROW_H }));
      g.appendChild(sv('text', { x: 8, y: y + 4 }, String(frame)));
      g.appendChild(sv('text', { x: 100, y: y + 4, 'text-anchor': 'end' }, fmt(it[2])));
      var x1 = laneX(it[3]), x2 = laneX(it[4]);
      var findings = kind === 0 ? it[7] : kind === 2 ? it[6] : [];
      var label = it[5];
      if (kind === 0) {
        g.setAttribute('class', 'arrow t-' + it[6] + (findings.some(function (i) { return D.findings[i].severity === 'violation'; }) ? ' bad' : ''));
        g.setAttribute('data-type', it[6]);
        g.appendChild(sv('line', { x1: x1, y1: y + 5, x2: x2 + (x2 > x1 ? -2 : 2), y2: y + 5, 'marker-end': 'url(#head-end)' }));
        if (it[8].length) label += '  \u21d2 #' + it[8].join(' #');
        if (it[9] !== null) label += '  \u21d0 #' + it[9];
        yOfFrame[frame] = y;
      } else if (kind === 1) {
        g.setAttribute('class', 'pings');
        g.appendChild(sv('line', { x1: x1, y1: y + 5, x2: x2, y2: y + 5, 'marker-end': 'url(#head-end)', 'marker-start': 'url(#head-start)' }));
        label += ' (#' + frame + '\u2013#' + it[6] + ')';
      } else {
        g.setAttribute('class', 'close');
        g.appendChild(sv('line', { x1: x1 - 6, y1: y - 1, x2: x1 + 6, y2: y + 11 }));
        g.appendChild(sv('line', { x1: x1 - 6, y1: y + 11, x2: x1 + 6, y2: y - 1 }));
        x2 = x1 + 2 * LANE_W / 3;
      }
      svg.appendChild(g);
      var lo = Math.min(x1, x2), hi = Math.max(x1, x2);
      var text = sv('text', { 'class': 'label', x: kind === 2 ? x1 + 14 : (x1 + x2) / 2, y: y, 'text-anchor': kind === 2 ? 'start' : 'middle' }, label);
      g.appendChild(text);
      // A label wider than its arrow starts at the arrow's left end instead of spilling into the
      // gutter; it may then run over lifelines to the right (the white halo keeps it legible).
      var tw = text.getComputedTextLength ? text.getComputedTextLength() : 0;
      var end = kind === 2 ? x1 + 14 + tw : (x1 + x2 + tw) / 2;
      if (kind !== 2 && tw > hi - lo - 12) {
        text.setAttribute('x', lo + 6);
        text.setAttribute('text-anchor', 'start');
        end = lo + 6 + tw;
      }
      g.appendChild(sv('title', {}, 'Frame ' + frame + ', ' + fmt(it[2]) + ' s: ' + label));
      findings.forEach(function (fi, j) {
        var f = D.findings[fi];
        var mx = Math.max(hi, end) + 14 + j * 20;
        var m = sv('g', { 'class': 'mark', 'data-finding': fi });
        m.appendChild(sv('circle', { cx: mx, cy: y + 5, r: 8, fill: SEV_COLOR[f.severity] || '#666' }));
        m.appendChild(sv('text', { x: mx, y: y + 8.5, 'text-anchor': 'middle' }, String(fi + 1)));
        m.appendChild(sv('title', {}, f.id + ' (' + f.clause + '): ' + f.message));
        m.addEventListener('click', function (ev) { ev.stopPropagation(); showFinding(fi); });
        g.appendChild(m);
      });
      g.addEventListener('click', function () { goToRow(frame, true); });
    });
    // A client's PUBLISH and the broker's copies of it: a dashed curve along the broker's lifeline.
    items.forEach(function (it) {
      if (it[0] !== 0 || it[9] === null) return;
      var y1 = yOfFrame[it[9]], y2 = yOfFrame[it[1]];
      if (y1 === undefined) return;
      var bx = laneX(it[3]);
      var bend = bx - 22 - Math.min(18, (y2 - y1) / 20);
      svg.insertBefore(sv('path', { 'class': 'fwd', d: 'M' + bx + ',' + (y1 + 5) + ' C' + bend + ',' + (y1 + 5) + ' ' + bend + ',' + (y2 + 5) + ' ' + bx + ',' + (y2 + 5) }), svg.firstChild.nextSibling);
    });
    document.getElementById('diagram-page').textContent = 'items ' + (D.items.length ? first + 1 : 0) + '\u2013' + (first + items.length) + ' of ' + D.items.length + ' (page ' + (diagramPage + 1) + ' of ' + diagramPages + ')';
    if (highlight) highlightFrames(highlight);
  }

  function highlightFrames(frames) {
    document.querySelectorAll('#diagram .hl').forEach(function (e) { e.classList.remove('hl'); });
    var firstEl = null;
    frames.forEach(function (f) {
      var k = itemIndexOfFrame(f);
      if (k < 0) return;
      var e = document.getElementById('arrow-' + D.items[k][1]);
      if (e) { e.classList.add('hl'); firstEl = firstEl || e; }
    });
    return firstEl;
  }

  function goToArrow(frames, scroll) {
    var k = -1;
    for (var i = 0; i < frames.length && k < 0; i++) k = itemIndexOfFrame(frames[i]);
    if (k < 0) return null;
    var page = Math.floor(k / PAGE_ITEMS);
    if (page !== diagramPage) { diagramPage = page; renderDiagram(); }
    var e = highlightFrames(frames);
    if (e && scroll) e.scrollIntoView({ block: 'center' });
    return e;
  }

  // ---- packet list ------------------------------------------------------------------------------
  var filtered = D.rows.map(function (_, i) { return i; });
  var listPage = 0;
  var openDetails = {};
  var fClient = document.getElementById('f-client'), fType = document.getElementById('f-type'), fTopic = document.getElementById('f-topic');
  var clientNames = [], types = [];
  D.participants.forEach(function (p) { if (p.kind === 'client') clientNames.push(p.name); });
  D.rows.forEach(function (r) { String(r[7]).split(',').forEach(function (t) { if (t && types.indexOf(t) < 0) types.push(t); }); });
  clientNames.forEach(function (n) { fClient.appendChild(el('option', { value: n }, n)); });
  types.sort().forEach(function (t) { fType.appendChild(el('option', { value: t }, t)); });

  function topicTest(filter) {
    if (!filter) return null;
    if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) return function (t) { return t.indexOf(filter) >= 0; };
    // MQTT topic filter (3.1.1 section 4.7): + one level, # the rest (and the parent).
    var f = filter.split('/');
    return function (topic) {
      var t = topic.split('/');
      for (var i = 0; i < f.length; i++) {
        if (f[i] === '#') return true;
        if (i >= t.length) return false;
        if (f[i] !== '+' && f[i] !== t[i]) return false;
      }
      return f.length === t.length;
    };
  }

  function applyFilter() {
    var c = fClient.value, ty = fType.value, tt = topicTest(fTopic.value.trim());
    filtered = [];
    for (var i = 0; i < D.rows.length; i++) {
      var r = D.rows[i];
      if (c && D.connName[r[6]] !== c) continue;
      if (ty && String(r[7]).split(',').indexOf(ty) < 0) continue;
      if (tt && !String(r[8]).split('\n').some(function (t) { return t !== '' && tt(t); })) continue;
      filtered.push(i);
    }
    listPage = 0;
    renderList();
  }
  [fClient, fType].forEach(function (e) { e.addEventListener('change', applyFilter); });
  fTopic.addEventListener('input', applyFilter);
  document.getElementById('f-reset').addEventListener('click', function () { fClient.value = ''; fType.value = ''; fTopic.value = ''; applyFilter(); });

  function renderList(highlightFrame) {
    var body = document.getElementById('list-body');
    body.textContent = '';
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE_ROWS));
    if (listPage >= pages) listPage = pages - 1;
    var slice = filtered.slice(listPage * PAGE_ROWS, (listPage + 1) * PAGE_ROWS);
    slice.forEach(function (i) {
      var r = D.rows[i];
      var tr = el('tr', { 'class': 'row' + (r[0] === highlightFrame ? ' hl' : ''), id: 'row-' + r[0], 'data-frame': r[0] });
      [r[0], r[1], r[2], r[3], 'MQTT', r[4]].forEach(function (v, k) { tr.appendChild(el('td', k === 0 || k === 1 || k === 5 ? { 'class': 'num' } : {}, v)); });
      var info = el('td', {}, r[5]);
      (findingsOfFrame[r[0]] || []).forEach(function (fi) {
        var a = el('a', { 'class': 'fr', href: '#finding-' + fi, title: D.findings[fi].id }, ' [' + (fi + 1) + ']');
        a.style.color = SEV_COLOR[D.findings[fi].severity];
        a.addEventListener('click', function (ev) { ev.preventDefault(); ev.stopPropagation(); showFinding(fi); });
        info.appendChild(a);
      });
      tr.appendChild(info);
      tr.addEventListener('click', function () { toggleDetail(r[0]); });
      body.appendChild(tr);
      if (openDetails[r[0]]) body.appendChild(detailRow(i));
    });
    document.getElementById('list-count').textContent = 'showing ' + filtered.length + ' of ' + D.rows.length + ' frames';
    document.getElementById('list-page').textContent = 'page ' + (listPage + 1) + ' of ' + pages;
  }

  function detailRow(i) {
    var r = D.rows[i];
    var tr = el('tr', { 'class': 'detail', id: 'detail-' + r[0] });
    var td = el('td', { colspan: 7 });
    var idx = D.details ? D.details.rows[i] : null;
    var text = idx ? idx.map(function (k) { return D.details.lines[k]; }).join('\n') : null;
    td.appendChild(el('pre', {}, text || 'Frame ' + r[0] + ': ' + r[5] + '\n(no detail recorded)'));
    var back = el('a', { 'class': 'fr noprint', href: '#diagram-section' }, 'show in diagram');
    back.addEventListener('click', function (ev) { ev.preventDefault(); goToArrow([r[0]], true); });
    td.appendChild(back);
    tr.appendChild(td);
    return tr;
  }

  function toggleDetail(frame) {
    openDetails[frame] = !openDetails[frame];
    var row = document.getElementById('row-' + frame);
    var next = row && row.nextSibling;
    if (!openDetails[frame]) { if (next && next.classList && next.classList.contains('detail')) next.remove(); return; }
    if (row) row.parentNode.insertBefore(detailRow(rowIndex[frame]), next);
  }

  function goToRow(frame, scroll) {
    var i = rowIndex[frame];
    if (i === undefined) return null;
    var pos = filtered.indexOf(i);
    if (pos < 0) { fClient.value = ''; fType.value = ''; fTopic.value = ''; applyFilter(); pos = filtered.indexOf(i); }
    listPage = Math.floor(pos / PAGE_ROWS);
    renderList(frame);
    var row = document.getElementById('row-' + frame);
    if (row && scroll) row.scrollIntoView({ block: 'center' });
    return row;
  }

  function pager(prev, next, fn) {
    document.getElementById(prev).addEventListener('click', function () { fn(-1); });
    document.getElementById(next).addEventListener('click', function () { fn(1); });
  }
  pager('diagram-prev', 'diagram-next', function (d) { diagramPage = Math.min(diagramPages - 1, Math.max(0, diagramPage + d)); renderDiagram(); });
  pager('list-prev', 'list-next', function (d) { listPage = Math.max(0, listPage + d); renderList(); });

  // ---- findings ----------------------------------------------------------------------------------
  function showFinding(fi) {
    var tr = document.getElementById('finding-' + fi);
    document.querySelectorAll('tr.finding.hl').forEach(function (e) { e.classList.remove('hl'); });
    if (tr) { tr.classList.add('hl'); tr.scrollIntoView({ block: 'center' }); }
  }
  document.querySelectorAll('a.fr[data-frame]').forEach(function (a) {
    a.addEventListener('click', function (ev) {
      ev.preventDefault();
      var f = Number(a.getAttribute('data-frame'));
      var fi = a.getAttribute('data-finding');
      var frames = fi !== null ? D.findings[Number(fi)].frames : [f];
      goToRow(f, false);
      document.querySelectorAll('#list tr.row').forEach(function (r) {
        if (frames.indexOf(Number(r.getAttribute('data-frame'))) >= 0) r.classList.add('hl');
      });
      goToArrow([f].concat(frames.filter(function (x) { return x !== f; })), true);
    });
  });

  // ---- keepalive timelines -------------------------------------------------------------------
  function timeline(c) {
    var W = 900, H = 64, L = 10, R = 10;
    // The connection's life, plus a little room to show the window after its last packet.
    var t0 = c.first, t1 = Math.max(c.last + Math.min(c.keepAlive || 0, (c.last - c.first) * 0.05), c.first + 0.001);
    var span = t1 - t0;
    function X(t) { return L + (Math.min(t, t1) - t0) / span * (W - L - R); }
    var svg = sv('svg', { xmlns: SVGNS, width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
    var client = c.c2s.concat(c.pings).sort(function (a, b) { return a - b; });
    if (c.keepAlive) {
      // After each client packet the client has keepAlive seconds before it must send again
      // (MQTT-3.1.2-23); the broker may wait 1.5 times that (MQTT-3.1.2-24).
      var ka = c.keepAlive;
      client.forEach(function (t, i) {
        var next = i + 1 < client.length ? client[i + 1] : c.last;
        svg.appendChild(sv('rect', { 'class': 'win', x: X(t), y: 14, width: Math.max(0.5, X(Math.min(t + ka, Math.max(next, t))) - X(t)), height: 22 }));
        if (next > t + ka) svg.appendChild(sv('rect', { 'class': 'grace', x: X(t + ka), y: 14, width: Math.max(0.5, X(Math.min(next, t + 1.5 * ka)) - X(t + ka)), height: 22 }));
        if (next > t + 1.5 * ka) svg.appendChild(sv('rect', { 'class': 'late', x: X(t + 1.5 * ka), y: 14, width: Math.max(0.5, X(next) - X(t + 1.5 * ka)), height: 22 }));
      });
    }
    c.c2s.forEach(function (t) { svg.appendChild(sv('line', { 'class': 'c2s', x1: X(t), x2: X(t), y1: 10, y2: 25 })); });
    c.s2c.forEach(function (t) { svg.appendChild(sv('line', { 'class': 's2c', x1: X(t), x2: X(t), y1: 25, y2: 40 })); });
    c.pings.forEach(function (t) { svg.appendChild(sv('circle', { 'class': 'ping', cx: X(t), cy: 25, r: 3.5 })); });
    c.closes.forEach(function (t) {
      var x = X(t);
      svg.appendChild(sv('path', { d: 'M' + (x - 5) + ',20 L' + (x + 5) + ',30 M' + (x - 5) + ',30 L' + (x + 5) + ',20', stroke: '#b26a00', 'stroke-width': 2 }));
    });
    c.marks.forEach(function (m) {
      var x = X(m[0]);
      var p = sv('path', { 'class': 'kmark', d: 'M' + (x - 6) + ',4 L' + (x + 6) + ',4 L' + x + ',13 z' });
      p.appendChild(sv('title', {}, D.findings[m[1]].id + ': ' + D.findings[m[1]].message));
      p.addEventListener('click', function () { showFinding(m[1]); });
      svg.appendChild(p);
    });
    svg.appendChild(sv('line', { x1: L, x2: W - R, y1: 46, y2: 46, stroke: '#9aa4ae' }));
    svg.appendChild(sv('text', { x: L, y: 60 }, fmt(t0) + ' s'));
    svg.appendChild(sv('text', { x: W - R, y: 60, 'text-anchor': 'end' }, fmt(t1) + ' s'));
    return svg;
  }
  var kaBox = document.getElementById('keepalive-list');
  var KA_OPEN = 12, KA_MAX = 500;
  D.connections.slice(0, KA_MAX).forEach(function (c, i) {
    var d = el('details', { 'class': 'ka', id: 'ka-' + c.id });
    var s = el('summary', {}, c.name + ' \u2014 stream ' + c.id + ', ' + c.client + ' \u2192 ' + c.server + ', keepalive ' + (c.keepAlive === null ? 'unknown' : c.keepAlive === 0 ? 'off (0)' : c.keepAlive + ' s') + (c.version ? ', MQTT ' + c.version : '') + (c.ended ? ', ended: ' + c.ended : '') + (c.marks.length ? ', ' + c.marks.length + ' finding(s)' : ''));
    d.appendChild(s);
    var drawn = false;
    function draw() { if (!drawn && d.open) { d.appendChild(timeline(c)); drawn = true; } }
    d.addEventListener('toggle', draw);
    if (i < KA_OPEN || c.marks.length) d.open = true;
    kaBox.appendChild(d);
    draw();
  });
  if (D.connections.length > KA_MAX) kaBox.appendChild(el('p', { 'class': 'muted' }, (D.connections.length - KA_MAX) + ' more connections not shown.'));
  window.addEventListener('beforeprint', function () { document.querySelectorAll('details.ka').forEach(function (d) { d.open = true; }); });

  renderDiagram();
  renderList();
  // A link from another page (grading feedback: "<student>-<file>.html#row-12") opens at that row.
  var hashRow = /^#row-([0-9]+)$/.exec(location.hash);
  if (hashRow) { var hr = goToRow(Number(hashRow[1]), true); if (hr) hr.classList.add('hl'); }
  document.body.setAttribute('data-ready', '1');
})();
`;
