// Counter charts (machine page and counters explorer) and recent logs, from Cockpit's
// /api/collection/* pass-through of the collection service. Every problem is shown, not thrown.
(function () {
  function get(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { problem: 'Cockpit answered HTTP ' + r.status }; })
      .catch(function (e) { return { problem: 'request failed: ' + e }; });
  }
  function qs(params) {
    return Object.keys(params).map(function (k) {
      var v = params[k];
      return (Array.isArray(v) ? v : [v]).filter(function (x) { return x !== undefined && x !== null && x !== ''; })
        .map(function (x) { return encodeURIComponent(k) + '=' + encodeURIComponent(x); }).join('&');
    }).filter(Boolean).join('&');
  }
  function fmtTime(ms) { return new Date(ms).toISOString().substring(11, 19); }
  var palette = ['#2456c8', '#d8453b', '#2e9d57', '#d99a1e', '#8e3bbf', '#4aa3c7', '#6b7385', '#c2185b'];
  function draw(canvas, series) {
    var datasets = series.map(function (s, i) {
      return { label: s.machine + (s.app ? '/' + s.app : '') + ' ' + s.counter, borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length], pointRadius: 0, borderWidth: 1.5, tension: 0,
        data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }) };
    });
    if (canvas._chart) { canvas._chart.destroy(); }
    canvas._chart = new Chart(canvas, { type: 'line', data: { datasets: datasets },
      options: { animation: false, maintainAspectRatio: false, parsing: false,
        scales: { x: { type: 'linear', ticks: { callback: function (v) { return fmtTime(v); }, maxTicksLimit: 8 } } },
        plugins: { legend: { labels: { boxWidth: 10 } } } } });
  }
  function problem(el, text) {
    el.innerHTML = '';
    var p = document.createElement('p');
    p.className = 'banner warn collection-problem';
    p.textContent = text;
    el.appendChild(p);
  }

  // Machine page: one chart per counter the machine reports (last hour), and recent logs.
  var box = document.getElementById('machine-counters');
  if (box) {
    var machine = box.getAttribute('data-machine');
    var to = Date.now(), from = to - 3600 * 1000;
    get('/api/collection/counters?' + qs({ machine: machine })).then(function (a) {
      if (a.problem) { problem(box, a.problem); return; }
      var list = (a.counters || []).slice(0, 12);
      box.innerHTML = list.length ? '' : '<p class="muted">This machine reports no counters.</p>';
      list.forEach(function (c) {
        var div = document.createElement('div');
        div.className = 'chart-box';
        var canvas = document.createElement('canvas');
        div.appendChild(canvas);
        box.appendChild(div);
        get('/api/collection/series?' + qs({ machine: machine, counter: c.counter, app: c.app, from: from, to: to, step: 'auto' }))
          .then(function (s) { if (s.problem) { problem(div, s.problem); } else { draw(canvas, s.series || []); } });
      });
    });
    var logs = document.getElementById('machine-logs');
    get('/api/collection/logs?' + qs({ machine: machine, limit: 100 })).then(function (a) {
      if (a.problem) { logs.textContent = a.problem; logs.classList.add('collection-problem'); return; }
      var lines = a.lines || [];
      logs.textContent = lines.length ? lines.map(function (l) {
        return new Date(l.t).toISOString().substring(0, 19) + ' ' + l.app + ' ' + l.level + ' ' + l.text;
      }).join('\n') : 'no log lines';
    });
  }

  // Counters explorer.
  var form = document.getElementById('explorer');
  if (form) {
    var names = document.getElementById('counter-names');
    var prob = document.getElementById('ex-problem');
    get('/api/collection/counters').then(function (a) {
      if (a.problem) { prob.textContent = a.problem; prob.classList.remove('hidden'); return; }
      var seen = {};
      (a.counters || []).forEach(function (c) {
        if (!seen[c.counter]) { seen[c.counter] = 1; var o = document.createElement('option'); o.value = c.counter; names.appendChild(o); }
      });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var machines = document.getElementById('ex-machines').value.split(/[\s,]+/).filter(Boolean);
      var minutes = parseInt(document.getElementById('ex-range').value, 10);
      var to = Date.now();
      get('/api/collection/series?' + qs({ machine: machines, counter: document.getElementById('ex-counter').value,
        app: document.getElementById('ex-app').value, from: to - minutes * 60000, to: to,
        step: document.getElementById('ex-step').value })).then(function (s) {
        if (s.problem) { prob.textContent = s.problem; prob.classList.remove('hidden'); return; }
        prob.classList.add('hidden');
        draw(document.getElementById('ex-chart'), s.series || []);
      });
    });
  }
})();
