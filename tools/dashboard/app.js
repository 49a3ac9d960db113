// The tfe-server dashboard (docs/dashboard.md): plain JavaScript, no dependencies, no build step.
// Data comes from the instance this page belongs to, through relative URLs only:
//   api/v2/...   the API, through the dashboard (not faulted, not journaled; /_tfe/ui/api/v2/...)
//   v1/...       capability URLs (logs), the same way
//   ../...       the admin API (/_tfe/requests, /_tfe/faults, /_tfe/runs/{id}/advance, /_tfe/clock)
//   ../events    server-sent events; the page refreshes what an event concerns (no polling loop)
'use strict';
(function () {
  const TOKEN_KEY = 'tfe-admin-token';
  const FINAL = new Set(['applied', 'planned_and_finished', 'policy_soft_failed', 'discarded', 'errored',
    'canceled', 'force_canceled']);
  const STATUSES = ['pending', 'plan_queued', 'planning', 'planned', 'cost_estimating', 'cost_estimated',
    'policy_checking', 'policy_checked', 'policy_override', 'policy_soft_failed', 'planned_and_finished',
    'confirmed', 'apply_queued', 'applying', 'applied', 'discarded', 'errored', 'canceled', 'force_canceled'];
  // What a status means for the timeline: waiting in a queue, waiting for a user, working, or final.
  const KIND = {
    pending: 'wait', plan_queued: 'wait', confirmed: 'wait', apply_queued: 'wait',
    planned: 'user', cost_estimated: 'user', policy_checked: 'user', policy_override: 'user',
    planning: 'work', cost_estimating: 'work', policy_checking: 'work', applying: 'work',
    applied: 'good', planned_and_finished: 'good',
    discarded: 'bad', errored: 'bad', canceled: 'bad', force_canceled: 'bad', policy_soft_failed: 'bad',
  };

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    now: null,            // the instance's clock at the last hello/clock answer (ms), and when it was read
    nowReadAt: 0,
    manualClock: false,
    journal: null,        // the journal view's live state
    renders: 0,
  };
  const $ = (id) => document.getElementById(id);
  window.tfeDashboard = { state: state, firstRender: null, eventsSeen: 0 };

  // ---- DOM helpers (text only: nothing from the server is ever parsed as HTML) -----------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'style') el.setAttribute('style', v);
      else if (k in el && typeof v !== 'string') el[k] = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const badge = (status) => h('span', { class: 'badge ' + (KIND[status] || ''), 'data-status': status, text: status });
  const runLink = (id) => h('a', { href: '#/run/' + id, class: 'mono', text: id });
  const wsLink = (id, name) => h('a', { href: '#/ws/' + id, text: name || id });

  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toISOString().replace('T', ' ').replace('Z', '');
  }
  function fmtDuration(ms) {
    if (!(ms >= 0)) return '';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    if (ms < 3600000) return Math.floor(ms / 60000) + ' m ' + Math.round((ms % 60000) / 1000) + ' s';
    return (ms / 3600000).toFixed(1) + ' h';
  }
  // The instance's "now" in ms: its clock as last read, moved on with the wall clock unless frozen.
  function engineNow() {
    if (state.now === null) return Date.now();
    return state.manualClock ? state.now : state.now + (Date.now() - state.nowReadAt);
  }

  // ---- HTTP ------------------------------------------------------------------------------------
  class AuthError extends Error {}
  async function call(method, url, body) {
    // X-TFE-Dashboard: changes through the dashboard's API need it (another site's page cannot send it).
    const headers = { Accept: 'application/vnd.api+json, application/json, text/plain', 'X-TFE-Dashboard': '1' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    if (body !== undefined) headers['Content-Type'] = 'application/vnd.api+json';
    const res = await fetch(url, {
      method: method, headers: headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      showAuth(res.status, text);
      throw new AuthError('HTTP ' + res.status);
    }
    let json = null;
    if (text && /json/.test(res.headers.get('Content-Type') || '')) {
      try { json = JSON.parse(text); } catch (e) { json = null; }
    }
    return { status: res.status, ok: res.ok, json: json, text: text };
  }
  async function get(url) {
    const r = await call('GET', url);
    if (!r.ok) throw new Error('GET ' + url + ': ' + r.status + ' ' + errorText(r));
    return r.json !== null ? r.json : r.text;
  }
  function errorText(r) {
    const e = r.json && r.json.errors && r.json.errors[0];
    return e ? (e.detail || e.title || '') : r.text.slice(0, 200);
  }
  const api = (path) => 'api/v2/' + path;
  const admin = (path) => '../' + path;
  // A capability URL the API handed out (log-read-url), read through the dashboard: its path
  // without the instance's prefix, relative to this page.
  function viaDashboard(url) {
    const path = new URL(url, location.href).pathname;
    const at = path.indexOf('/v1/');
    return at < 0 ? null : path.slice(at + 1);
  }

  // ---- access ----------------------------------------------------------------------------------
  function showAuth(status, text) {
    $('auth').hidden = false;
    $('view').hidden = true;
    let detail = '';
    try { detail = JSON.parse(text).errors[0].detail; } catch (e) { detail = ''; }
    $('auth-message').textContent = status === 403
      ? (detail || 'The admin API is served to loopback clients only.')
      : (state.token ? 'The admin token was refused. ' : '') +
        'This tfe-server needs its admin token (--admin-token); it is kept in this tab only.';
    $('admin-token').hidden = status === 403;
    $('auth-submit').hidden = status === 403;
    setLive('off', 'no access');
  }
  $('auth-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.token = $('admin-token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('auth').hidden = true;
    $('view').hidden = false;
    connectEvents();
    refresh();
  });

  // ---- live events (fetch + a stream reader: EventSource cannot send the admin token) ----------
  let eventsGeneration = 0;
  function setLive(s, text) {
    const el = $('live');
    el.dataset.state = s;
    el.textContent = text;
    document.body.dataset.live = s;
  }
  async function connectEvents() {
    const generation = ++eventsGeneration;
    let retry = 2000;
    setLive('off', 'connecting');
    try {
      const headers = { Accept: 'text/event-stream' };
      if (state.token) headers.Authorization = 'Bearer ' + state.token;
      const res = await fetch(admin('events'), { headers: headers, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) {
        showAuth(res.status, await res.text());
        return;
      }
      if (res.status === 404) {  // a deleted tenant: nothing will come back
        setLive('off', 'gone');
        return;
      }
      if (!res.ok || !res.body) throw new Error('events: HTTP ' + res.status);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || generation !== eventsGeneration) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const ev = parseEvent(block);
          if (ev.retry) retry = ev.retry;
          if (ev.data !== null) onEvent(ev.event || 'message', ev.data);
        }
      }
    } catch (e) {
      // the server went away: reconnect below
    }
    if (generation !== eventsGeneration) return;
    setLive('off', 'reconnecting');
    setTimeout(() => { if (generation === eventsGeneration) connectEvents(); }, retry);  // once, not a loop
  }
  function parseEvent(block) {
    const ev = { event: null, data: null, retry: 0 };
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line[0] === ':') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'event') ev.event = value;
      else if (field === 'data') ev.data = ev.data === null ? value : ev.data + '\n' + value;
      else if (field === 'retry' && /^\d+$/.test(value)) ev.retry = Number(value);
    }
    return ev;
  }
  function onEvent(type, text) {
    let data = {};
    try { data = JSON.parse(text); } catch (e) { return; }
    window.tfeDashboard.eventsSeen++;
    if (type === 'hello') {
      setLive('on', 'live');
      setClock(data.now, data['manual-clock']);
      $('instance').textContent = data.prefix ? 'tenant ' + data.prefix.replace(/^\/t\//, '') : 'default instance';
      if (!data.prefix) loadTenants();  // the tenant registry answers at the default instance only
      refresh();  // events may have been missed while disconnected
      return;
    }
    const view = currentView();
    if (type === 'run') {
      if (view.name === 'workspaces' || (view.name === 'workspace' && view.arg === data.workspace) ||
          (view.name === 'run' && (view.arg === data.run || view.workspace === data.workspace))) refresh();
      return;
    }
    if (type === 'request') {
      if (view.name === 'journal' && state.journal) state.journal.live(data);
      const changed = data.method !== 'GET' && data.method !== 'HEAD' && data.status < 400;
      if (changed && view.name !== 'journal' && view.name !== 'faults') refresh();
      if (view.name === 'faults' && data.faulted) refresh();
      return;
    }
    if (type === 'admin') {
      if (data.path.indexOf('/_tfe/clock') === 0 || data.path === '/_tfe/reset' || data.path === '/_tfe/restore')
        readClock();
      if (view.name === 'journal' && data.path.indexOf('/_tfe/requests') !== 0 && data.path !== '/_tfe/reset' &&
          data.path !== '/_tfe/restore') return;
      refresh();
    }
  }
  function setClock(iso, manual) {
    const t = Date.parse(iso);
    if (!isNaN(t)) {
      state.now = t;
      state.nowReadAt = Date.now();
    }
    state.manualClock = !!manual;
    $('clock').textContent = manual ? 'manual clock: ' + fmtTime(iso) : '';
  }
  async function readClock() {
    try {
      const c = await get(admin('clock'));
      setClock(c.now, c.manual);
    } catch (e) { /* shown elsewhere */ }
  }

  // ---- routing and refresh -----------------------------------------------------------------------
  function currentView() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, query] = hash.split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query || '');
    if (parts[0] === 'journal') return { name: 'journal', params: params };
    if (parts[0] === 'faults') return { name: 'faults' };
    if (parts[0] === 'ws' && parts[1]) return { name: 'workspace', arg: parts[1] };
    if (parts[0] === 'run' && parts[1]) return { name: 'run', arg: parts[1], workspace: lastRunWorkspace[parts[1]] };
    return { name: 'workspaces' };
  }
  const lastRunWorkspace = {};
  const VIEWS = { workspaces: renderWorkspaces, workspace: renderWorkspace, run: renderRun, journal: renderJournal,
    faults: renderFaults };

  // One render at a time; events that arrive meanwhile cause exactly one more.
  let rendering = false, dirty = false, renderGeneration = 0;
  function refresh() {
    dirty = true;
    if (!rendering) setTimeout(drain, state.renders ? 30 : 0);  // coalesces a burst of events into one render
  }
  async function drain() {
    if (rendering) return;
    rendering = true;
    while (dirty) {
      dirty = false;
      const view = currentView();
      const generation = ++renderGeneration;
      let content;
      try {
        content = await VIEWS[view.name](view);
      } catch (e) {
        if (e instanceof AuthError) break;
        content = h('div', { class: 'panel error', text: String(e.message || e) });
      }
      if (generation !== renderGeneration || !content) continue;
      swapView(content);
      state.renders++;
      if (!window.tfeDashboard.firstRender) window.tfeDashboard.firstRender = performance.now();
      document.body.dataset.renders = String(state.renders);
    }
    rendering = false;
  }
  // Replaces the view, keeping what the user typed or opened ([data-keep] elements, by id).
  function swapView(content) {
    const view = $('view');
    const kept = {};
    for (const el of view.querySelectorAll('[data-keep]')) {
      kept[el.id] = el.tagName === 'DETAILS' ? { open: el.open } : { value: el.value, focus: document.activeElement === el };
    }
    view.replaceChildren(content);
    for (const [id, k] of Object.entries(kept)) {
      const el = document.getElementById(id);
      if (!el) continue;
      if ('open' in k) el.open = k.open;
      else {
        el.value = k.value;
        if (k.focus) el.focus();
      }
    }
  }
  function markNav(name) {
    for (const a of document.querySelectorAll('#nav a')) {
      const v = a.dataset.view;
      a.classList.toggle('current', v === name || (v === 'workspaces' && (name === 'workspace' || name === 'run')));
    }
  }
  window.addEventListener('hashchange', () => {
    state.journal = null;
    markNav(currentView().name);
    refresh();
  });

  // ---- timeline ----------------------------------------------------------------------------------
  // The statuses a run went through, from its status-timestamps: [{status, at}], in time order
  // (lifecycle order among equal times).
  function statusSteps(run) {
    const ts = run.attributes['status-timestamps'] || {};
    const steps = [];
    for (const [key, iso] of Object.entries(ts)) {
      const status = key === 'plan-queueable-at' ? 'pending' : key.replace(/-at$/, '').replace(/-/g, '_');
      const at = Date.parse(iso);
      if (STATUSES.includes(status) && !isNaN(at)) steps.push({ status: status, at: at });
    }
    if (!steps.length) steps.push({ status: 'pending', at: Date.parse(run.attributes['created-at']) });
    steps.sort((a, b) => a.at - b.at || STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status));
    return steps;
  }
  // Where the run spent its time: [{status, from, to}]; the current status runs until now.
  function segments(run, now) {
    const steps = statusSteps(run);
    const out = [];
    for (let i = 0; i < steps.length; i++) {
      const last = i === steps.length - 1;
      const to = last ? (FINAL.has(steps[i].status) ? steps[i].at : Math.max(now, steps[i].at)) : steps[i + 1].at;
      out.push({ status: steps[i].status, from: steps[i].at, to: to });
    }
    return out;
  }
  function timeline(run, t0, t1, big) {
    const span = Math.max(1, t1 - t0);
    const bar = h('div', { class: 'timeline' + (big ? ' big' : ''), 'data-run': run.id });
    for (const s of segments(run, engineNow())) {
      const left = ((s.from - t0) / span) * 100;
      const width = ((s.to - s.from) / span) * 100;
      bar.append(h('div', {
        class: 'seg ' + (KIND[s.status] || 'wait'), 'data-status': s.status,
        style: 'left:' + left.toFixed(3) + '%;width:' + width.toFixed(3) + '%',
        title: s.status + ': ' + fmtDuration(s.to - s.from) + ' (from ' + fmtTime(new Date(s.from).toISOString()) + ')',
      }));
    }
    return bar;
  }
  function legend() {
    const item = (kind, text) => h('span', {}, h('i', { class: 'seg ' + kind, style: 'position:static' }), text);
    return h('div', { class: 'legend' }, item('wait', 'queued'), item('user', 'waiting for a user'),
      item('work', 'working'), item('good', 'done'), item('bad', 'stopped'));
  }
  function span(runs, now) {
    let t0 = Infinity, t1 = -Infinity;
    for (const r of runs) for (const s of segments(r, now)) { t0 = Math.min(t0, s.from); t1 = Math.max(t1, s.to); }
    return t0 === Infinity ? [now, now] : [t0, Math.max(t1, t0 + 1)];
  }

  // ---- view: organizations and their workspaces --------------------------------------------------
  async function renderWorkspaces() {
    markNav('workspaces');
    const orgs = (await get(api('organizations?page%5Bsize%5D=100'))).data;
    const root = h('div', {});
    if (!orgs.length) {
      root.append(h('div', { class: 'panel empty', text: 'No organizations yet. Create one through the API (POST /api/v2/organizations).' }));
      return root;
    }
    const results = await Promise.all(orgs.map((o) => Promise.all([
      get(api('organizations/' + encodeURIComponent(o.id) + '/workspaces?include=current_run%2Ccurrent_state_version&page%5Bsize%5D=100')),
      get(api('organizations/' + encodeURIComponent(o.id) + '/runs?page%5Bsize%5D=100')),
    ])));
    orgs.forEach((org, i) => {
      const [wsDoc, runDoc] = results[i];
      const included = {};
      for (const inc of wsDoc.included || []) included[inc.type + '/' + inc.id] = inc;
      const queues = {};
      for (const r of runDoc.data) {
        const ws = r.relationships.workspace && r.relationships.workspace.data && r.relationships.workspace.data.id;
        if (!ws || FINAL.has(r.attributes.status)) continue;
        (queues[ws] = queues[ws] || []).push(r);
      }
      const panel = h('section', { class: 'panel', 'data-org': org.id });
      panel.append(h('h2', {}, 'Organization ', h('span', { class: 'mono', text: org.id }),
        h('span', { class: 'muted', text: '  ' + wsDoc.data.length + ' workspace' + (wsDoc.data.length === 1 ? '' : 's') })));
      if (!wsDoc.data.length) {
        panel.append(h('div', { class: 'empty', text: 'No workspaces.' }));
        root.append(panel);
        return;
      }
      const table = h('table', { class: 'workspaces' },
        h('thead', {}, h('tr', {}, ['Workspace', 'Current run', 'Queue', 'Lock', 'Latest state version']
          .map((t) => h('th', { text: t })))));
      const body = h('tbody', {});
      for (const ws of wsDoc.data) {
        const rel = ws.relationships || {};
        const cur = rel['current-run'] && rel['current-run'].data;
        const curRun = cur && included['runs/' + cur.id];
        const sv = rel['current-state-version'] && rel['current-state-version'].data;
        const svDoc = sv && included['state-versions/' + sv.id];
        const queue = (queues[ws.id] || []).filter((r) => !cur || r.id !== cur.id);
        const lockedBy = rel['locked-by'] && rel['locked-by'].data;
        body.append(h('tr', { 'data-workspace': ws.id },
          h('td', {}, wsLink(ws.id, ws.attributes.name), h('div', { class: 'muted mono', text: ws.id })),
          h('td', {}, curRun ? [runLink(curRun.id), ' ', badge(curRun.attributes.status)] : h('span', { class: 'muted', text: 'none' })),
          h('td', { class: 'queue' }, queue.length
            ? queue.map((r) => h('div', {}, runLink(r.id), ' ', badge(r.attributes.status)))
            : h('span', { class: 'muted', text: 'empty' })),
          h('td', {}, ws.attributes.locked
            ? ['locked', lockedBy ? [' by ', lockedBy.type === 'runs' ? runLink(lockedBy.id) : h('span', { class: 'mono', text: lockedBy.id })] : '']
            : h('span', { class: 'muted', text: 'unlocked' })),
          h('td', {}, svDoc
            ? [h('span', { text: 'serial ' + svDoc.attributes.serial }), h('div', { class: 'muted', text: fmtTime(svDoc.attributes['created-at']) })]
            : h('span', { class: 'muted', text: sv ? sv.id : 'none' }))));
      }
      table.append(body);
      panel.append(table);
      root.append(panel);
    });
    return root;
  }

  // ---- view: one workspace's runs with their timelines -------------------------------------------
  async function renderWorkspace(view) {
    markNav('workspace');
    const id = encodeURIComponent(view.arg);
    const [wsDoc, runDoc] = await Promise.all([
      get(api('workspaces/' + id + '?include=current_state_version')),
      get(api('workspaces/' + id + '/runs?page%5Bsize%5D=50')),
      state.manualClock ? readClock() : null,
    ]);
    const ws = wsDoc.data;
    const org = ws.relationships.organization.data.id;
    const sv = (wsDoc.included || []).find((x) => x.type === 'state-versions');
    const runs = runDoc.data;
    for (const r of runs) lastRunWorkspace[r.id] = ws.id;
    const now = engineNow();
    const [t0, t1] = span(runs, now);
    const root = h('div', { 'data-workspace': ws.id });
    root.append(h('div', { class: 'panel' },
      h('h2', {}, h('a', { href: '#/', text: org }), ' / ', ws.attributes.name),
      h('div', { class: 'row' },
        h('span', { class: 'mono muted', text: ws.id }),
        h('span', {}, ws.attributes.locked ? 'locked' : 'unlocked'),
        h('span', {}, 'auto-apply: ' + (ws.attributes['auto-apply'] ? 'on' : 'off')),
        h('span', {}, 'state: ' + (sv ? 'serial ' + sv.attributes.serial + ' (' + sv.id + ')' : 'none')),
        h('span', {}, runDoc.meta && runDoc.meta.pagination ? runDoc.meta.pagination['total-count'] + ' runs' : runs.length + ' runs'))));
    const panel = h('div', { class: 'panel' }, h('h3', { text: 'Runs (newest first): where each spent its time' }));
    if (!runs.length) {
      panel.append(h('div', { class: 'empty', text: 'No runs yet.' }));
    } else {
      const table = h('table', { class: 'runs' }, h('thead', {}, h('tr', {},
        h('th', { text: 'Run' }), h('th', { text: 'Status' }), h('th', { text: 'Created' }),
        h('th', { style: 'width:45%' }, h('div', { class: 'axis' }, h('span', { text: fmtTime(new Date(t0).toISOString()) }),
          h('span', { text: fmtDuration(t1 - t0) }))))));
      const body = h('tbody', {});
      for (const r of runs) {
        body.append(h('tr', { 'data-run': r.id },
          h('td', {}, runLink(r.id), h('div', { class: 'muted', text: r.attributes.message || '' })),
          h('td', {}, badge(r.attributes.status)),
          h('td', { class: 'muted', text: fmtTime(r.attributes['created-at']) }),
          h('td', {}, timeline(r, t0, t1, false))));
      }
      table.append(body);
      panel.append(table, legend());
    }
    root.append(panel);
    return root;
  }

  // ---- view: one run ------------------------------------------------------------------------------
  async function renderRun(view) {
    markNav('run');
    const id = encodeURIComponent(view.arg);
    const [runDoc, comments] = await Promise.all([
      get(api('runs/' + id + '?include=plan%2Capply%2Cworkspace')),
      get(api('runs/' + id + '/comments')).catch(() => ({ data: [] })),
      state.manualClock ? readClock() : null,
    ]);
    const run = runDoc.data;
    const a = run.attributes;
    const inc = (type) => (runDoc.included || []).find((x) => x.type === type);
    const plan = inc('plans'), apply = inc('applies'), ws = inc('workspaces');
    const wsId = run.relationships.workspace.data.id;
    lastRunWorkspace[run.id] = wsId;
    const [planLog, applyLog, planJson] = await Promise.all([
      readLog(plan), readLog(apply),
      plan && plan.attributes.status === 'finished'
        ? call('GET', api('plans/' + encodeURIComponent(plan.id) + '/json-output')).then((r) => (r.ok ? r.text : null))
        : null,
    ]);
    const now = engineNow();
    const segs = segments(run, now);
    const root = h('div', { class: 'run-view', 'data-run': run.id, 'data-status': a.status });
    root.append(h('div', { class: 'panel' },
      h('h2', {}, 'Run ', h('span', { class: 'mono', text: run.id }), ' ', badge(a.status)),
      h('div', { class: 'row' },
        h('span', {}, 'workspace ', wsLink(wsId, ws ? ws.attributes.name : wsId)),
        h('span', { class: 'muted', text: a.message || '' }),
        h('span', { class: 'muted', text: 'source ' + (a.source || '') }),
        a['is-destroy'] ? h('span', { text: 'destroy' }) : null,
        a['auto-apply'] ? h('span', { text: 'auto-apply' }) : null,
        a['position-in-queue'] ? h('span', { text: 'position in queue ' + a['position-in-queue'] }) : null),
      a['error-text'] ? h('p', { class: 'error', text: a['error-text'] }) : null,
      actionsPanel(run)));

    const [t0, t1] = span([run], now);
    const steps = h('table', { class: 'steps' }, h('thead', {}, h('tr', {},
      h('th', { text: 'Status' }), h('th', { text: 'Entered at' }), h('th', { text: 'Time in it' }))));
    const sb = h('tbody', {});
    for (const s of segs) {
      sb.append(h('tr', { 'data-status': s.status }, h('td', {}, badge(s.status)),
        h('td', { class: 'mono', text: fmtTime(new Date(s.from).toISOString()) }),
        h('td', { class: 'num', text: FINAL.has(s.status) ? '' : fmtDuration(s.to - s.from) + (s.to >= now && !FINAL.has(s.status) ? ' so far' : '') })));
    }
    steps.append(sb);
    root.append(h('div', { class: 'panel' }, h('h3', { text: 'Timeline' }), timeline(run, t0, t1, true),
      h('div', { class: 'axis' }, h('span', { text: fmtTime(new Date(t0).toISOString()) }), h('span', { text: fmtDuration(t1 - t0) })),
      legend(), steps));

    root.append(phasePanel('Plan', plan, planLog, planJson), phasePanel('Apply', apply, applyLog, null));

    const cp = h('div', { class: 'panel comments' }, h('h3', { text: 'Comments (' + comments.data.length + ')' }));
    if (!comments.data.length) cp.append(h('div', { class: 'empty', text: 'No comments.' }));
    for (const c of comments.data) {
      cp.append(h('div', { class: 'comment' }, h('span', { class: 'muted', text: fmtTime(c.attributes['created-at']) + '  ' }),
        h('span', { text: c.attributes.body })));
    }
    root.append(cp);
    return root;
  }
  async function readLog(phase) {
    if (!phase || !phase.attributes['log-read-url']) return null;
    const url = viaDashboard(phase.attributes['log-read-url']);
    if (!url) return null;
    const r = await call('GET', url);
    return r.ok ? readableLog(r.text) : null;
  }
  // A log as a person reads it: without the STX/ETX framing bytes, and structured (JSON) lines shown as
  // their @message.
  function readableLog(text) {
    return text.replace(/[\u0002\u0003]/g, '').split('\n').map((line) => {
      if (line[0] !== '{') return line;
      try {
        const j = JSON.parse(line);
        return typeof j['@message'] === 'string' ? j['@message'] : line;
      } catch (e) {
        return line;
      }
    }).join('\n');
  }
  function phasePanel(title, phase, log, planJson) {
    const p = h('div', { class: 'panel phase', 'data-phase': title.toLowerCase() }, h('h3', {}, title + ' ',
      phase ? h('span', { class: 'badge ' + phaseKind(phase.attributes.status), text: phase.attributes.status }) : null));
    if (!phase) {
      p.append(h('div', { class: 'empty', text: 'none' }));
      return p;
    }
    const x = phase.attributes;
    p.append(h('div', { class: 'counts' },
      h('span', { class: 'add' }, '+', h('b', { text: x['resource-additions'] || 0 }), ' to add'),
      h('span', { class: 'chg' }, '~', h('b', { text: x['resource-changes'] || 0 }), ' to change'),
      h('span', { class: 'del' }, '-', h('b', { text: x['resource-destructions'] || 0 }), ' to destroy'),
      h('span', {}, h('b', { text: x['resource-imports'] || 0 }), ' to import')));
    const key = title.toLowerCase();
    p.append(h('details', { id: key + '-log', 'data-keep': true, open: true }, h('summary', { text: 'Log' }),
      h('pre', { class: 'log', text: log === null ? '(no log yet)' : log || '(empty)' })));
    if (planJson !== null) {
      let pretty = planJson;
      try { pretty = JSON.stringify(JSON.parse(planJson), null, 2); } catch (e) { /* as is */ }
      p.append(h('details', { id: 'plan-json', 'data-keep': true }, h('summary', { text: 'JSON plan' }),
        h('pre', { class: 'json', text: pretty })));
    }
    return p;
  }
  function phaseKind(s) {
    return { finished: 'good', errored: 'bad', canceled: 'bad', unreachable: 'bad', running: 'work' }[s] || 'wait';
  }
  function actionsPanel(run) {
    const acts = run.attributes.actions || {};
    const id = run.id;
    const msg = h('span', { id: 'action-message', class: 'muted' });
    const comment = h('input', { type: 'text', id: 'action-comment', 'data-keep': true, placeholder: 'comment (optional)' });
    const act = async (action) => {
      msg.className = 'muted';
      msg.textContent = action + '…';
      const c = comment.value.trim();
      const r = await call('POST', api('runs/' + encodeURIComponent(id) + '/actions/' + action), c ? { comment: c } : {});
      msg.className = r.ok ? 'muted' : 'error';
      msg.textContent = r.ok ? action + ': ' + r.status : action + ' refused: ' + r.status + ' ' + errorText(r);
      if (r.ok) comment.value = '';
      refresh();
    };
    const button = (action, label, enabled, cls) => h('button', {
      type: 'button', 'data-action': action, class: cls || '', disabled: !enabled, onclick: () => act(action), text: label,
    });
    const target = h('select', { id: 'advance-to', 'data-keep': true, 'aria-label': 'status to advance to' },
      STATUSES.filter((s) => s !== 'pending').map((s) => h('option', { value: s, text: s })));
    const advance = async () => {
      msg.className = 'muted';
      msg.textContent = 'advancing…';
      const r = await call('POST', admin('runs/' + encodeURIComponent(id) + '/advance'), { to: target.value });
      msg.className = r.ok ? 'muted' : 'error';
      msg.textContent = r.ok ? 'advanced to ' + target.value : 'advance refused: ' + r.status + ' ' + errorText(r);
      refresh();
    };
    return h('div', { class: 'actions' },
      button('apply', 'Apply', acts['is-confirmable'], 'primary'),
      button('discard', 'Discard', acts['is-discardable']),
      button('cancel', 'Cancel', acts['is-cancelable'], 'danger'),
      button('force-cancel', 'Force cancel', acts['is-force-cancelable'], 'danger'),
      comment,
      h('span', { class: 'muted', text: 'advance to' }), target,
      h('button', { type: 'button', 'data-action': 'advance', disabled: FINAL.has(run.attributes.status), onclick: advance, text: 'Advance' }),
      msg);
  }

  // ---- view: the request journal ------------------------------------------------------------------
  async function renderJournal(view) {
    markNav('journal');
    const route = view.params.get('route') || '';
    const run = view.params.get('run') || '';
    const q = new URLSearchParams({ limit: '200' });
    if (route) q.set('route', route);
    if (run) q.set('run', run);
    const doc = await get(admin('requests?' + q.toString()));
    const meta = doc.meta || {};
    const routes = Object.keys(meta.routes || {}).sort();
    if (route && !routes.includes(route)) routes.push(route);

    const setFilter = (r, id) => {
      const p = new URLSearchParams();
      if (r) p.set('route', r);
      if (id) p.set('run', id);
      const s = p.toString();
      location.hash = '#/journal' + (s ? '?' + s : '');
    };
    const routeSelect = h('select', { id: 'journal-route', 'aria-label': 'route', onchange: () => setFilter(routeSelect.value, runInput.value.trim()) },
      h('option', { value: '', text: 'every route' }), routes.map((r) => h('option', { value: r, text: r, selected: r === route })));
    const runInput = h('input', { type: 'text', id: 'journal-run', placeholder: 'run id', value: run, 'aria-label': 'run id',
      onkeydown: (e) => { if (e.key === 'Enter') setFilter(routeSelect.value, runInput.value.trim()); } });
    const count = h('span', { class: 'muted', id: 'journal-count' });
    const tbody = h('tbody', {});
    const table = h('table', { class: 'journal' }, h('thead', {}, h('tr', {},
      ['#', 'Time', 'Method', 'Target', 'Route', 'Status', 'Runs'].map((t) => h('th', { text: t })))), tbody);

    const entries = new Map();  // seq -> entry (with bodies when known)
    let shown = 0;
    const updateCount = () => {
      count.textContent = shown + ' shown' + (meta.capacity !== undefined ? ' · journal keeps ' + meta.capacity : '') +
        (meta.dropped ? ' · ' + meta.dropped + ' dropped' : '');
    };
    const rowOf = (e, fresh) => {
      const tr = h('tr', { class: 'entry' + (fresh ? ' fresh' : ''), 'data-seq': e.seq, 'data-route': e.route },
        h('td', { class: 'num mono', text: e.seq }),
        h('td', { class: 'mono muted', text: fmtTime(e.at).slice(11) }),
        h('td', { class: 'mono', text: e.method }),
        h('td', { class: 'mono target', text: e.target }),
        h('td', { class: 'mono muted', text: e.route }),
        h('td', { class: 'mono status-' + String(e.status)[0] + 'xx' }, String(e.status), e.faulted ? h('span', { class: 'flag', text: 'faulted' }) : null),
        h('td', {}, (e.runs || []).map((r) => h('div', {}, runLink(r)))));
      tr.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') toggleBodies(tr, e.seq); });
      return tr;
    };
    const toggleBodies = async (tr, seq) => {
      const next = tr.nextSibling;
      if (next && next.classList && next.classList.contains('bodies')) { next.remove(); return; }
      let e = entries.get(seq);
      if (e && e['request-body'] === undefined) {  // a live entry: read it back with its bodies
        const d = await get(admin('requests?' + new URLSearchParams({ route: e.route, limit: '100' }).toString()));
        const found = d.data.find((x) => x.seq === seq);
        if (found) entries.set(seq, (e = found));
      }
      const pretty = (s) => { try { return JSON.stringify(JSON.parse(s), null, 2); } catch (x) { return s; } };
      tr.after(h('tr', { class: 'bodies' }, h('td', { colspan: 7 },
        h('div', { class: 'muted', text: 'request body' }), h('pre', { class: 'json', text: e && e['request-body'] ? pretty(e['request-body']) : '(empty)' }),
        h('div', { class: 'muted', text: 'response body' }), h('pre', { class: 'json', text: e && e['response-body'] ? pretty(e['response-body']) : '(empty or not kept)' }))));
    };
    for (let i = doc.data.length - 1; i >= 0; i--) {  // newest first
      entries.set(doc.data[i].seq, doc.data[i]);
      tbody.append(rowOf(doc.data[i], false));
      shown++;
    }
    updateCount();
    let lastSeq = doc.data.length ? doc.data[doc.data.length - 1].seq : 0;
    state.journal = {
      live(e) {
        if (route && e.route !== route) return;
        if (run && !(e.runs || []).includes(run)) return;
        if (e.seq && e.seq <= lastSeq) return;  // already shown
        if (!e.seq) { refresh(); return; }      // not matched to its journal entry: read the journal again
        lastSeq = e.seq;
        if (!routes.includes(e.route)) {
          routes.push(e.route);
          routeSelect.append(h('option', { value: e.route, text: e.route }));
        }
        entries.set(e.seq, e);
        tbody.prepend(rowOf(e, true));
        shown++;
        if (meta.capacity && shown > meta.capacity && tbody.lastChild) {  // the journal dropped its oldest
          tbody.lastChild.remove();
          shown--;
        }
        const empty = $('journal-empty');
        if (empty) empty.remove();
        updateCount();
      },
    };
    const clear = h('button', { type: 'button', id: 'journal-clear-filters', onclick: () => setFilter('', ''), text: 'Show all' });
    const root = h('div', { class: 'panel' },
      h('h2', { text: 'Request journal' }),
      h('div', { class: 'filters' }, h('label', {}, 'route ', routeSelect), h('label', {}, 'run ', runInput),
        h('button', { type: 'button', onclick: () => setFilter(routeSelect.value, runInput.value.trim()), text: 'Filter' }), clear, count),
      meta.capacity === 0 ? h('p', { class: 'muted', text: 'The journal is off (tfe-server --journal 0).' }) : null,
      table,
      doc.data.length ? null : h('div', { class: 'empty', id: 'journal-empty', text: 'No requests recorded' + (route || run ? ' for this filter.' : ' yet.') }));
    return root;
  }

  // ---- view: fault rules ------------------------------------------------------------------------------
  async function renderFaults() {
    markNav('faults');
    const doc = await get(admin('faults'));
    const rules = doc.rules || [];
    const root = h('div', { class: 'panel' }, h('h2', { text: 'Fault rules in force' }));
    if (!rules.length) {
      root.append(h('div', { class: 'empty', id: 'faults-empty', text: 'None. POST /_tfe/faults adds rules (docs/testing.md#faults).' }));
      return root;
    }
    const cols = ['method', 'path', 'status', 'retry-after', 'latency-ms', 'transport', 'probability', 'count', 'fired', 'body'];
    const table = h('table', { class: 'faults' }, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { text: c })))));
    const body = h('tbody', {});
    rules.forEach((r, i) => {
      body.append(h('tr', { 'data-rule': i }, cols.map((c) => h('td', { class: 'mono', text: r[c] === undefined ? (c === 'method' ? 'any' : '') : r[c] === null ? 'unlimited' : String(r[c]) }))));
    });
    table.append(body);
    root.append(table);
    return root;
  }

  // ---- tenants (at the default instance only: /_tfe/tenants answers there) ----------------------------
  async function loadTenants() {
    let r;
    try { r = await call('GET', admin('tenants')); } catch (e) { return; }
    if (!r.ok || !r.json || !Array.isArray(r.json.tenants)) return;
    const select = $('tenants');
    select.replaceChildren(h('option', { value: '', text: 'default', selected: true }),
      ...r.json.tenants.map((t) => h('option', { value: t.name, text: t.name })));
    $('tenant-picker').hidden = false;
  }
  $('tenants').addEventListener('change', (ev) => {
    if (ev.target.value) location.href = '../../t/' + encodeURIComponent(ev.target.value) + '/_tfe/ui/';
  });
  $('tenants').addEventListener('focus', loadTenants);

  // ---- start ------------------------------------------------------------------------------------------
  markNav(currentView().name);
  refresh();
  connectEvents();
})();
