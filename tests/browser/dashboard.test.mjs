// The dashboard of tfe-server (/_tfe/ui/, docs/dashboard.md) in a real browser: Debian's headless
// Chromium driven by playwright-core (pinned in tests/browser/package-lock.json).
//
//   node tests/browser/dashboard.test.mjs --server BUILD/tools/tfe-server --modules BUILD/browser/node_modules
//        [--workdir DIR] [--chromium /usr/bin/chromium] [--screenshots docs/img] [--install "COMMAND"]
//
// Exit status: 0 every check passed, 1 a check failed, 77 skipped (no Chromium or no node_modules:
// the message says how to install them). Nothing sleeps to wait: every wait is a condition polled by
// Playwright (or read off a process's output) against a deadline, and no duration is asserted; the
// page's load time is measured and printed, not judged.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

// ---- arguments and dependencies ---------------------------------------------------------------------
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.server || !args.modules) {
  console.error('usage: dashboard.test.mjs --server TFE_SERVER --modules NODE_MODULES [--workdir DIR] ' +
    '[--chromium PATH] [--screenshots DIR] [--install COMMAND]');
  process.exit(2);
}
const chromiumPath = args.chromium || '/usr/bin/chromium';
const install = args.install || 'bash tests/browser/install.sh <repo>/build';
if (!fs.existsSync(chromiumPath)) {
  console.log(`dashboard_browser: SKIPPED: no Chromium at ${chromiumPath}. Install it with:\n  ${install}\n` +
    '(or as root: apt-get install -y chromium)');
  process.exit(77);
}
if (!fs.existsSync(path.join(args.modules, 'playwright-core', 'package.json'))) {
  console.log(`dashboard_browser: SKIPPED: playwright-core is not installed in ${args.modules}. Install it with:\n  ${install}`);
  process.exit(77);
}
const require = createRequire(path.join(path.resolve(args.modules), '..', 'package.json'));
const { chromium } = require('playwright-core');
const screenshots = args.screenshots ? path.resolve(args.screenshots) : null;
const workdir = path.resolve(args.workdir || os.tmpdir());
fs.mkdirSync(workdir, { recursive: true });
const scratch = fs.mkdtempSync(path.join(workdir, 'dashboard-'));
process.env.TMPDIR = scratch;  // the browser's profile goes here, not to the shared /tmp

// ---- checks -------------------------------------------------------------------------------------------
let passed = 0;
const failures = [];
function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log('ok   ' + name);
  } else {
    failures.push(name);
    console.log('FAIL ' + name + (detail !== undefined ? ': ' + detail : ''));
  }
}
// Runs one step; a thrown error (a wait that timed out, an HTTP failure) fails the step, not the run.
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, (e && e.message ? e.message : String(e)).split('\n')[0]);
  }
}
const WAIT = { timeout: 20000 };  // deadline of every wait (a safety net, never the expected time)

// ---- tfe-server processes -------------------------------------------------------------------------------
const servers = [];
async function startServer(extra) {
  const child = spawn(args.server, ['--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const origin = await new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        child.stdout.off('data', onData);
        const m = /^listening on (http:\/\/\S+)$/.exec(line);
        m ? resolve(m[1]) : reject(new Error('tfe-server said: ' + line + err));
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error('tfe-server exited with ' + code + ': ' + err)));
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const s = { child, origin, exited, stderr: () => err };
  servers.push(s);
  return s;
}
async function stopServer(s) {
  s.child.kill('SIGTERM');
  return s.exited;
}

// ---- the API and the admin API, from the test (not the page) -------------------------------------------
const TOKEN = 'browser-test-token';
async function http(method, url, body, headers) {
  const h = Object.assign({ Authorization: 'Bearer ' + TOKEN }, headers || {});
  let payload;
  if (body !== undefined && !(body instanceof Uint8Array)) {
    h['Content-Type'] = 'application/vnd.api+json';
    payload = JSON.stringify(body);
  } else {
    payload = body;
  }
  const res = await fetch(url, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  return { status: res.status, json, text };
}
async function must(method, url, body, want = 200) {
  const r = await http(method, url, body);
  if (r.status !== want) throw new Error(`${method} ${url}: ${r.status}, wanted ${want}: ${r.text.slice(0, 300)}`);
  return r.json;
}
// An organization with workspaces, each with an uploaded configuration version (runs are created by the test).
async function seed(base, org, workspaces) {
  const api = base + 'api/v2/';
  await must('POST', api + 'organizations', { data: { type: 'organizations', attributes: { name: org, email: 'ops@' + org + '.example' } } }, 201);
  const ids = {};
  for (const name of workspaces) {
    const ws = await must('POST', api + 'organizations/' + org + '/workspaces', { data: { type: 'workspaces', attributes: { name } } }, 201);
    const cv = await must('POST', api + 'workspaces/' + ws.data.id + '/configuration-versions',
      { data: { type: 'configuration-versions', attributes: { 'auto-queue-runs': false } } }, 201);
    const up = await http('PUT', cv.data.attributes['upload-url'], new Uint8Array(zlib.gzipSync(Buffer.from('main.tf'))),
      { 'Content-Type': 'application/octet-stream' });
    if (up.status !== 200) throw new Error('upload: ' + up.status);
    ids[name] = ws.data.id;
  }
  return ids;
}
async function createRun(base, wsId, message) {
  const doc = await must('POST', base + 'api/v2/runs', { data: { type: 'runs', attributes: { message },
    relationships: { workspace: { data: { type: 'workspaces', id: wsId } } } } }, 201);
  return doc.data.id;
}
async function runStatus(base, id) {
  return (await must('GET', base + 'api/v2/runs/' + id)).data.attributes.status;
}

// ---- the browser ------------------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const figures = {};
async function newPage(origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.setDefaultTimeout(WAIT.timeout);
  return { page, context, requests, errors, origin };
}
async function shoot(page, name) {
  if (!screenshots) return;
  fs.mkdirSync(screenshots, { recursive: true });
  await page.mouse.move(1279, 799);  // no hover highlight
  await page.screenshot({ path: path.join(screenshots, name), fullPage: false });
  console.log('screenshot ' + path.join(screenshots, name));
}
const badgeOf = (page, sel) => page.locator(sel + ' .badge').first();

try {
  // The default instance: tokens on the API (the dashboard reads it with one), loopback admin access.
  const A = await startServer(['--token', TOKEN, '--seed', '7', '--plan-duration', '400ms', '--apply-duration', '400ms']);
  const base = A.origin + '/';
  const ui = await newPage(A.origin);
  const { page } = ui;

  await step('the page loads, goes live and shows the empty instance', async () => {
    const r = await page.goto(A.origin + '/_tfe/ui');  // redirected to /_tfe/ui/
    check('GET /_tfe/ui redirects to /_tfe/ui/', page.url() === A.origin + '/_tfe/ui/', page.url());
    check('the page answers 200 text/html', r.status() === 200 && /text\/html/.test(r.headers()['content-type']));
    check('the page forbids fetches elsewhere (CSP)', /default-src 'none'/.test(r.headers()['content-security-policy'] || ''));
    await page.waitForSelector('body[data-live="on"]', WAIT);
    await page.getByText('No organizations yet').waitFor(WAIT);
    check('the empty instance says so', true);
    // Measured on a second load (the first one also starts the browser's renderer).
    await page.reload();
    await page.waitForSelector('body[data-live="on"]', WAIT);
    await page.getByText('No organizations yet').waitFor(WAIT);
    const t = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return { response: n.responseEnd - n.startTime, dom: n.domContentLoadedEventEnd - n.startTime,
        load: n.loadEventEnd - n.startTime, firstRender: window.tfeDashboard.firstRender, bytes: n.decodedBodySize };
    });
    figures.load = t;
    console.log(`page load: ${t.bytes} bytes; response ${t.response.toFixed(1)} ms, DOMContentLoaded ` +
      `${t.dom.toFixed(1)} ms, load ${t.load.toFixed(1)} ms, first data rendered ${t.firstRender.toFixed(1)} ms`);
    const journal = await must('GET', base + '_tfe/requests', undefined, 200);
    check('the dashboard\'s own reads are not in the journal', journal.meta.count === 0, JSON.stringify(journal.meta));
  });

  let ws = {};
  await step('organizations and workspaces created through the API appear', async () => {
    ws = await seed(base, 'acme', ['staging', 'production']);
    await page.locator(`tr[data-workspace="${ws.staging}"]`).waitFor(WAIT);
    await page.locator(`tr[data-workspace="${ws.production}"]`).waitFor(WAIT);
    check('both workspaces are listed under acme', (await page.locator('section[data-org="acme"] tr[data-workspace]').count()) === 2);
  });

  let run1, run2, run3;
  await step('runs created through the API appear and move live', async () => {
    await page.click(`a[href="#/ws/${ws.staging}"]`);
    await page.getByText('No runs yet.').waitFor(WAIT);
    run1 = await createRun(base, ws.staging, 'first change');
    await page.locator(`tr[data-run="${run1}"]`).waitFor(WAIT);
    check('the new run is listed', true);
    await page.locator(`tr[data-run="${run1}"] .badge[data-status="cost_estimated"]`).waitFor(WAIT);
    check('the run reached cost_estimated on the page (run events)', true);
    const segs = await page.locator(`.timeline[data-run="${run1}"] .seg`).evaluateAll((els) => els.map((e) => e.dataset.status));
    check('its timeline shows where it spent its time', ['pending', 'plan_queued', 'planning', 'planned', 'cost_estimated']
      .every((s) => segs.includes(s)), segs.join(','));
    run2 = await createRun(base, ws.staging, 'second change');
    await page.locator(`tr[data-run="${run2}"] .badge[data-status="pending"]`).waitFor(WAIT);
    check('a second run waits behind the first (pending)', true);
    await page.click('a[href="#/"]');
    await page.locator(`tr[data-workspace="${ws.staging}"] .queue a[href="#/run/${run2}"]`).waitFor(WAIT);
    const lock = await page.locator(`tr[data-workspace="${ws.staging}"] td:nth-child(4)`).innerText();
    check('the workspace list shows the queue and the lock', lock.includes('locked by') && lock.includes(run1), lock);
    await shoot(page, 'dashboard-workspaces.png');
  });

  await step('Apply on a confirmable run takes it to applied', async () => {
    await page.click(`a[href="#/run/${run1}"]`);
    const apply = page.locator('button[data-action="apply"]');
    await apply.waitFor(WAIT);
    await page.waitForSelector('button[data-action="apply"]:not([disabled])', WAIT);
    check('Apply is offered for a cost_estimated run', true);
    check('Force cancel is not offered', await page.locator('button[data-action="force-cancel"]').isDisabled());
    await page.fill('#action-comment', 'Looks good from the dashboard');
    await shoot(page, 'dashboard-run.png');
    await apply.click();
    await page.locator(`div.run-view[data-run="${run1}"][data-status="applied"]`).waitFor(WAIT);
    check('the run reached applied on the page', true);
    check('the API agrees', (await runStatus(base, run1)) === 'applied');
    await page.getByText('Looks good from the dashboard').waitFor(WAIT);
    check('the apply comment is shown', true);
    const plan = await page.locator('[data-phase="plan"]').innerText();
    check('the plan shows its counts and log', /\+\s*1\s*to add/.test(plan) && /Plan: 1 to add/.test(plan), plan.slice(0, 300));
    check('the apply log is shown', /Apply complete/.test(await page.locator('[data-phase="apply"] pre.log').innerText()));
    check('the JSON plan is offered', (await page.locator('#plan-json pre').count()) === 1);
    const steps = await page.locator('table.steps tr[data-status]').evaluateAll((els) => els.map((e) => e.dataset.status));
    check('the timeline table lists every status through applied', steps[steps.length - 1] === 'applied' &&
      steps.includes('confirmed') && steps.includes('applying'), steps.join(','));
    const forged = await fetch(base + '_tfe/ui/api/v2/runs/' + run1 + '/actions/discard', { method: 'POST' });
    check('a change through the dashboard\'s API without X-TFE-Dashboard is refused', forged.status === 403);
    const journaled = await must('GET', base + '_tfe/requests?route=' + encodeURIComponent('POST /api/v2/runs/:id/actions/apply'), undefined, 200);
    check('the dashboard\'s apply is not in the journal', journaled.meta.count === 0);
  });

  await step('advance moves a run through the admin API', async () => {
    // run2 starts once run1 is applied; advance it to applied without confirming.
    await page.goto(A.origin + '/_tfe/ui/#/run/' + run2);
    await page.locator(`div.run-view[data-run="${run2}"]`).waitFor(WAIT);
    await page.selectOption('#advance-to', 'applied');
    await page.click('button[data-action="advance"]');
    await page.locator(`div.run-view[data-run="${run2}"][data-status="applied"]`).waitFor(WAIT);
    check('the run was advanced to applied', (await runStatus(base, run2)) === 'applied');
    await page.locator('button[data-action="apply"][disabled]').waitFor(WAIT);
    check('a final run offers no action', await page.locator('button[data-action="discard"]').isDisabled());
  });

  await step('discard and cancel buttons act on the run', async () => {
    run3 = await createRun(base, ws.production, 'to be discarded');
    await page.goto(A.origin + '/_tfe/ui/#/run/' + run3);
    await page.waitForSelector(`div.run-view[data-run="${run3}"] button[data-action="discard"]:not([disabled])`, WAIT);
    await page.locator(`div.run-view[data-run="${run3}"][data-status="cost_estimated"]`).waitFor(WAIT);
    await page.click('button[data-action="discard"]');
    await page.locator(`div.run-view[data-run="${run3}"][data-status="discarded"]`).waitFor(WAIT);
    check('Discard took the run to discarded', (await runStatus(base, run3)) === 'discarded');
  });

  await step('the journal lists requests, filters by route and by run, and grows live', async () => {
    await page.click('a[href="#/journal"]');
    await page.locator('table.journal tr.entry').first().waitFor(WAIT);
    const all = await page.locator('table.journal tr.entry').count();
    const server = await must('GET', base + '_tfe/requests', undefined, 200);
    check('every journaled request is listed', all === server.meta.count, `${all} rows, ${server.meta.count} journaled`);
    await shoot(page, 'dashboard-journal.png');
    await page.selectOption('#journal-route', 'POST /api/v2/runs');
    await page.waitForFunction(() => location.hash.includes('route='), null, WAIT);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table.journal tr.entry')];
      return rows.length === 3 && rows.every((r) => r.dataset.route === 'POST /api/v2/runs');
    }, null, WAIT);
    check('the route filter keeps the 3 run creations', true);
    const run4 = await createRun(base, ws.production, 'seen live in the journal');
    await page.waitForFunction((id) => {
      const first = document.querySelector('table.journal tr.entry');
      return first && first.classList.contains('fresh') && first.textContent.includes(id);
    }, run4, WAIT);
    check('a new request appears at the top without a reload', (await page.locator('table.journal tr.entry').count()) === 4);
    await http('GET', base + 'api/v2/runs/' + run4);  // another route: filtered out
    await page.fill('#journal-run', run1);
    await page.press('#journal-run', 'Enter');
    await page.waitForFunction((id) => location.hash.includes('run=' + id), run1, WAIT);
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('table.journal tr.entry')];
      return rows.length === 1 && rows[0].textContent.includes(id);
    }, run1, WAIT);
    check('route and run filters together keep the one creation of run1', true);
    await page.click('#journal-clear-filters');
    await page.waitForFunction((n) => document.querySelectorAll('table.journal tr.entry').length === n,
      (await must('GET', base + '_tfe/requests', undefined, 200)).meta.count, WAIT);
    check('"Show all" lists everything again', true);
    await page.locator('table.journal tr.entry').first().click();
    await page.locator('table.journal tr.bodies pre').first().waitFor(WAIT);
    check('a row opens its request and response bodies', true);
  });

  await step('fault rules in force are shown and follow changes', async () => {
    await page.click('a[href="#/faults"]');
    await page.locator('#faults-empty').waitFor(WAIT);
    await must('POST', base + '_tfe/faults', [{ method: 'GET', path: '/api/v2/organizations/*', status: 503, count: 2 }], 201);
    await page.locator('table.faults tr[data-rule="0"]').waitFor(WAIT);
    const row = await page.locator('table.faults tr[data-rule="0"]').innerText();
    check('the new rule is listed live', row.includes('/api/v2/organizations/*') && row.includes('503'), row);
    await http('GET', base + 'api/v2/organizations/acme');  // fires it once
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('table.faults tr[data-rule="0"] td')];
      return cells.length > 8 && cells[8].textContent === '1';
    }, null, WAIT);
    check('its fired count follows the requests', true);
    await shoot(page, 'dashboard-faults.png');
    await must('DELETE', base + '_tfe/faults', undefined, 204);
    await page.locator('#faults-empty').waitFor(WAIT);
    check('clearing the rules empties the list', true);
  });

  await step('the workspace view for the README screenshot', async () => {
    // More runs for a fuller picture: one errored by script, one planning while the screenshot is taken.
    await must('POST', base + '_tfe/script', { next: true, plan: { errored: true, 'error-message': 'Error: invalid provider configuration' } }, 204);
    const bad = await createRun(base, ws.staging, 'broken provider');
    await page.goto(A.origin + '/_tfe/ui/#/ws/' + ws.staging);
    await page.locator(`tr[data-run="${bad}"] .badge[data-status="errored"]`).waitFor(WAIT);
    const again = await createRun(base, ws.staging, 'fix the provider');
    await page.locator(`tr[data-run="${again}"] .badge[data-status="cost_estimated"]`).waitFor(WAIT);
    await createRun(base, ws.staging, 'next change');
    await page.locator('table.runs tr[data-run]').nth(4).waitFor(WAIT);
    check('the workspace lists its five runs', (await page.locator('table.runs tr[data-run]').count()) === 5);
    await shoot(page, 'dashboard.png');
  });

  await step('a tenant has its own dashboard under /t/NAME/', async () => {
    const t = await must('POST', base + '_tfe/tenants', { name: 'browser' }, 201);
    const tui = await newPage(A.origin);
    await tui.page.goto(t['base-url'] + '_tfe/ui/');
    await tui.page.waitForSelector('body[data-live="on"]', WAIT);
    await tui.page.getByText('No organizations yet').waitFor(WAIT);
    check('the tenant page says which tenant it shows', (await tui.page.locator('#instance').innerText()) === 'tenant browser');
    const tws = await seed(t['base-url'], 'tenantorg', ['only']);
    await tui.page.locator(`tr[data-workspace="${tws.only}"]`).waitFor(WAIT);
    const trun = await createRun(t['base-url'], tws.only, 'tenant run');
    await tui.page.locator(`tr[data-workspace="${tws.only}"] a[href="#/run/${trun}"]`).first().waitFor(WAIT);
    check('the tenant\'s run appears on the tenant\'s page', true);
    const outside = tui.requests.filter((u) => !u.startsWith(A.origin + '/t/browser/'));
    check('every request of the tenant page stays under /t/browser/', outside.length === 0, outside.join(' '));
    await page.goto(A.origin + '/_tfe/ui/#/');
    await page.reload();  // the tenant list is read when the page connects
    await page.locator('section[data-org="acme"]').waitFor(WAIT);
    check('the default instance does not show the tenant\'s organization', (await page.locator('section[data-org="tenantorg"]').count()) === 0);
    await page.locator('#tenant-picker:not([hidden])').waitFor(WAIT);
    check('the default instance offers the tenant', (await page.locator('#tenants option[value="browser"]').count()) === 1);
    check('the tenant page ran without script errors', tui.errors.length === 0, tui.errors.join(' | '));
    await must('DELETE', base + '_tfe/tenants/browser', undefined, 204);
    await tui.page.waitForSelector('#live[data-state="off"]:text("gone")', WAIT);
    check('deleting the tenant ends its page\'s stream', true);
    await tui.context.close();
  });

  check('every request of the page went to the server itself', ui.requests.every((u) => u.startsWith(A.origin + '/')),
    ui.requests.filter((u) => !u.startsWith(A.origin + '/')).join(' '));
  check('the page ran without script errors', ui.errors.length === 0, ui.errors.join(' | '));

  await step('stopping the server with the page connected', async () => {
    const exit = await stopServer(A);
    check('tfe-server stops with an event stream open (exit status 0)', exit.code === 0, JSON.stringify(exit) + A.stderr());
    await page.waitForSelector('body[data-live="off"]', WAIT);
    check('the page notices the stream ended', true);
  });
  await ui.context.close();

  // A server with an admin token: the page asks for it once and keeps it in the tab.
  await step('with --admin-token the page asks for the token', async () => {
    const B = await startServer(['--admin-token', 'admin-secret', '--token', TOKEN]);
    const anon = await fetch(B.origin + '/_tfe/events');
    check('GET /_tfe/events without the token is 401', anon.status === 401);
    const bui = await newPage(B.origin);
    await bui.page.goto(B.origin + '/_tfe/ui/');
    await bui.page.locator('#auth:not([hidden])').waitFor(WAIT);
    check('the page asks for the admin token', true);
    await bui.page.fill('#admin-token', 'wrong');
    await bui.page.click('#auth-submit');
    await bui.page.getByText('The admin token was refused').waitFor(WAIT);
    check('a wrong token is refused', true);
    await bui.page.fill('#admin-token', 'admin-secret');
    await bui.page.click('#auth-submit');
    await bui.page.waitForSelector('body[data-live="on"]', WAIT);
    await bui.page.getByText('No organizations yet').waitFor(WAIT);
    check('the right token opens the dashboard', await bui.page.locator('#auth').isHidden());
    await bui.page.reload();
    await bui.page.waitForSelector('body[data-live="on"]', WAIT);
    check('the token is kept for the tab (sessionStorage)', await bui.page.locator('#auth').isHidden());
    await bui.context.close();
    const exit = await stopServer(B);
    check('the second tfe-server stops cleanly', exit.code === 0, JSON.stringify(exit));
  });
} catch (e) {
  check('the test ran to its end', false, e && e.stack ? e.stack : String(e));
} finally {
  await browser.close().catch(() => {});
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
}

if (figures.load) {
  const t = figures.load;
  console.log(`figures: page ${t.bytes} bytes, load event ${t.load.toFixed(1)} ms, first data ${t.firstRender.toFixed(1)} ms`);
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
