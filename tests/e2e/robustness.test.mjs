// End-to-end robustness: the Content Security Policy holds on every page, markup in data and links
// shows as text and never runs, a data folder that turns bad on a later visit costs no good data,
// the first visit never reloads itself, and "Clear saved data" removes every saved copy.
// Environment: SITE_DIR (the release build, public URL /), DATA_DIR (the mirrored fixture data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch } from './browser.mjs';
import { serve } from './server.mjs';

const SITE_DIR = process.env.SITE_DIR ?? 'dist';
const DATA_DIR = process.env.DATA_DIR ?? 'target/e2e-data';
const ROUTES = ['', 'chain', 'rotation', 'asymmetry', 'lead-lag', 'backtest', 'beyond', 'explore', 'data'];
// Without quotes: error messages quote values with escapes, which would hide a literal match.
const XSS = ['<img src=x onerror=window.__xss=1>', '<script>window.__xss=2</script>', '<svg onload=window.__xss=3>'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * A fresh context whose pages report every Content Security Policy violation, page error, console
 * error (but those `allowed` matches) and request off 127.0.0.1 into `problems`.
 */
async function open({ allowed = null, width = 1200 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const problems = [];
  await context.exposeFunction('__tidelineCsp', (what) => problems.push(`csp violation: ${what}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__tidelineCsp(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !(allowed && allowed.test(m.text()))) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!/^(blob:|data:)?(http:\/\/127\.0\.0\.1:|image)/.test(r.url())) problems.push(`off-host request: ${r.url()}`); });
  return { context, page, problems };
}

async function answer(page) {
  await page.locator('h1.answer').waitFor({ timeout: 30000 });
}

async function latest(page) {
  const value = page.getByTestId('latest-value');
  await value.waitFor({ timeout: 30000 });
  return value.getAttribute('data-usd-bn');
}

/** The Data page's status row of `id`, as text, once the page has loaded the data. */
async function statusRow(page, id) {
  const row = page.locator('table.status tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${id.replace('.', '\\.')}$`) }) });
  await row.first().waitFor({ timeout: 30000 });
  return (await row.first().textContent()).replace(/\s+/g, ' ');
}

/** Waits (up to 40 s: a request that never answers is given up after 15 s) for the status row of
 * `id` to match `pattern`: the saved copies draw first, the network's verdict comes after. */
async function rowMatches(page, id, pattern) {
  const deadline = Date.now() + 40000;
  let row = '';
  while (Date.now() < deadline) {
    row = await statusRow(page, id);
    if (pattern.test(row)) return row;
    await page.waitForTimeout(250);
  }
  assert.fail(`${id}: ${row} does not match ${pattern}`);
}

async function gotoData(page) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Data' }).click();
  await page.locator('table.status').waitFor({ timeout: 30000 });
}

function sha256(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

async function waitForControl(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20000 });
}

test('the Content Security Policy is in the page, allows every page, and refuses injected script', async () => {
  const server = await serve(SITE_DIR, DATA_DIR);
  const { context, page, problems } = await open({ allowed: /status of 404/ });
  try {
    for (const name of ['index.html', '404.html']) {
      const html = fs.readFileSync(path.join(SITE_DIR, name), 'utf8');
      const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
      assert.ok(csp, `${name} has a Content-Security-Policy meta tag`);
      assert.equal((html.match(/Content-Security-Policy/g) ?? []).length, 1, `one policy in ${name}`);
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      assert.deepEqual(directives['object-src'], ["'none'"]);
      assert.deepEqual(directives['base-uri'], ["'none'"]);
      assert.ok(!directives['script-src'].includes("'unsafe-inline'") && !directives['script-src'].includes("'unsafe-eval'"));
      assert.ok(directives['script-src'].every((s) => s === "'self'" || s === "'wasm-unsafe-eval'" || /^'sha256-[A-Za-z0-9+/=]+'$/.test(s)));
      assert.ok(directives['connect-src'].every((s) => s === "'self'" || /^https:\/\//.test(s)), directives['connect-src'].join(' '));
      // Every inline script of the page is allowed by its hash, and only those.
      const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      assert.ok(inline.length >= 1, 'Trunk\'s loader is inline');
      for (const body of inline) {
        assert.ok(directives['script-src'].includes(`'sha256-${crypto.createHash('sha256').update(body).digest('base64')}'`));
      }
      // The policy comes before every script, and after <base> (which 'base-uri none' would refuse).
      assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'));
      assert.ok(html.indexOf('<base ') < html.indexOf('Content-Security-Policy'));
    }
    // Every page, reached by the navigation, draws under the policy with no violation.
    await page.goto(server.url);
    await answer(page);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    for (const route of ROUTES.slice(1)) {
      await nav.locator(`a[href$="/${route}"]`).first().click();
      await page.waitForURL((u) => u.pathname.endsWith(`/${route}`));
      await answer(page);
    }
    assert.deepEqual(problems, []);
    // Script injected into the page by a flaw would not run: the policy refuses it, and says so.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 200));
      return window.__injected === 1;
    });
    assert.equal(ran, false, 'an injected inline script did not run');
    assert.ok(problems.some((p) => /csp violation: script-src/.test(p)), problems.join('\n'));
  } finally {
    await context.close();
    await server.close();
  }
});

test('markup in an upload, a feed body and a link shows as text and never runs', async () => {
  // A data folder whose reverse-repo file holds markup in a cell; the manifest describes that file
  // (as a mirror that wrote it would), so the page reads it and refuses it for its content.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tideline-markup-'));
  fs.cpSync(DATA_DIR, dir, { recursive: true });
  const body = `observation_date,RRPONTSYD\n2024-06-18,${XSS[0]}\n`;
  fs.writeFileSync(path.join(dir, 'RRPONTSYD.csv'), body);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  for (const e of manifest.series) if (e.id === 'RRPONTSYD') Object.assign(e, { sha256: sha256(body), rows: 1, last: '2024-06-18' });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const server = await serve(SITE_DIR, dir);
  const { context, page, problems } = await open({ allowed: /status of 404/ });
  try {
    // The link: markup in a parameter's value comes back in the notice as text.
    await page.goto(`${server.url}data?series=${encodeURIComponent(XSS[1])}&as_of=${encodeURIComponent(XSS[2])}`);
    const notice = page.getByTestId('link-notice');
    await notice.waitFor({ timeout: 30000 });
    assert.ok((await notice.textContent()).includes(XSS[2]), await notice.textContent());
    // The feed body: the refused cell is quoted as text in the series' status.
    assert.ok((await statusRow(page, 'RRPONTSYD')).includes(XSS[0]));
    // Uploads: markup as the file name, the series name, the header and a cell.
    await page.locator('#upload-role').waitFor({ timeout: 20000 });
    await page.setInputFiles('#upload-file', {
      name: `${XSS[0]}.csv`, mimeType: 'text/csv',
      buffer: Buffer.from(`date,${XSS[1]}\n2024-06-18,1.5\n2024-06-19,1.6\n`),
    });
    await page.getByText('2 observations, 2024-06-18 to 2024-06-19').waitFor({ timeout: 10000 });
    await page.fill('#upload-name', XSS[2]);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('ul.uploads li').filter({ hasText: 'window.__xss=3' }).waitFor({ timeout: 10000 });
    await page.setInputFiles('#upload-file', {
      name: 'cells.csv', mimeType: 'text/csv', buffer: Buffer.from(`date,value\n2024-06-18,${XSS[1]}\n`),
    });
    await page.locator('.upload-error').filter({ hasText: XSS[1] }).waitFor({ timeout: 10000 });
    const text = await page.locator('main').textContent();
    assert.ok(text.includes(`${XSS[0]}.csv`), 'the file name shows as text');
    // Nothing ran and no element was made from the data.
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('main img[src="x"], main svg[onload], main script').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a data folder that turns bad on a later visit costs no good data, says what failed, and recovers', async () => {
  const server = await serve(SITE_DIR, DATA_DIR);
  // Failed requests are the point here; the browser logs them.
  const { context, page, problems } = await open({ allowed: /Failed to load resource|status of (404|500)/ });
  const read = (name) => fs.readFileSync(path.join(DATA_DIR, name), 'utf8');
  try {
    await page.goto(server.url);
    const good = await latest(page);
    await waitForControl(page);
    await page.reload();
    assert.equal(await latest(page), good);

    // Second visit: the balance sheet in trillions (wrong units, in a file the manifest describes),
    // a 500, an HTML page with status 200, a file cut inside its last line that still parses, and
    // a flow table turned to garbage.
    const walcl = read('WALCL.csv').trim().split('\n')
      .map((line, i) => (i === 0 ? line : `${line.split(',')[0]},${Number(line.split(',')[1]) / 1e6}`)).join('\n') + '\n';
    const manifest = JSON.parse(read('manifest.json'));
    for (const e of manifest.series) if (e.id === 'WALCL') e.sha256 = sha256(walcl);
    const rrp = read('RRPONTSYD.csv');
    const faults = {
      'manifest.json': { body: JSON.stringify(manifest), type: 'application/json' },
      'WALCL.csv': { body: walcl },
      'WDTGAL.csv': { status: 500, body: 'Internal Server Error', type: 'text/plain' },
      'WTREGEN.csv': { body: '<!DOCTYPE html><html><body><h1>Site maintenance</h1></body></html>', type: 'text/html' },
      'RRPONTSYD.csv': { body: rrp.slice(0, rrp.trimEnd().length - 1) },
      'etf_flows.csv': { body: 'Date,IBIT,Total\n\u0000\u0001garbage,,,\n' },
    };
    server.setFault((file) => faults[file] ?? null);
    await page.reload();
    assert.equal(await latest(page), good, 'the figures are those of the last good copies');
    await gotoData(page);
    await rowMatches(page, 'WALCL', /outside the plausible range|plausible/i);
    await rowMatches(page, 'WDTGAL', /HTTP 500.*saved for offline use/);
    // The manifest's digest is checked before the parser sees the body: the HTML page is refused
    // as a file the mirror did not write.
    await rowMatches(page, 'WTREGEN', /sha256/);
    await rowMatches(page, 'RRPONTSYD', /sha256/);
    await rowMatches(page, 'etf_flows.csv', /sha256/);
    for (const id of ['WALCL', 'WTREGEN', 'RRPONTSYD', 'etf_flows.csv']) {
      assert.match(await statusRow(page, id), /saved copy in this browser/, `${id} uses its saved copy`);
    }

    // Third visit: the Treasury's account never answers (the page gives up after its timeout).
    server.setFault((file) => (file === 'WDTGAL.csv' ? { hang: true } : null));
    await page.goto(server.url);
    assert.equal(await latest(page), good);
    await gotoData(page);
    await rowMatches(page, 'WDTGAL', /no answer within/);

    // The folder is good again: every series comes from it, with no warning left.
    server.setFault(null);
    await page.goto(server.url);
    assert.equal(await latest(page), good);
    await gotoData(page);
    for (const id of ['WALCL', 'WDTGAL', 'WTREGEN', 'RRPONTSYD', 'etf_flows.csv']) {
      const row = await rowMatches(page, id, /data folder/);
      assert.doesNotMatch(row, /HTTP|HTML|sha256|no answer|line 2|plausible/, `${id}: ${row}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('the first visit never reloads itself when the service worker takes control', async () => {
  const server = await serve(SITE_DIR, DATA_DIR);
  const { context, page, problems } = await open();
  try {
    await page.goto(server.url);
    await answer(page);
    let loads = 0;
    page.on('load', () => { loads += 1; });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Data' }).click();
    await page.fill('#upload-name', 'half-filled');
    await waitForControl(page);
    await page.waitForTimeout(500);
    assert.equal(loads, 0, 'no reload');
    assert.equal(await page.inputValue('#upload-name'), 'half-filled');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('"Clear saved data" removes every saved copy: offline, nothing is left to show', async () => {
  const server = await serve(SITE_DIR, DATA_DIR);
  const { context, page, problems } = await open({ allowed: /Failed to load resource|ERR_INTERNET_DISCONNECTED|Failed to fetch/ });
  try {
    await page.goto(server.url);
    await latest(page);
    await waitForControl(page);
    await page.reload();
    await latest(page);
    await gotoData(page);
    const persisted = await page.evaluate(() => navigator.storage.persisted());
    assert.equal(typeof persisted, 'boolean');
    await context.setOffline(true);
    page.once('dialog', (d) => d.accept());
    await Promise.all([page.waitForEvent('load'), page.getByTestId('clear-saved').click()]);
    // The shell still opens offline, but no series is left: the overview says the model cannot
    // run, and the Data page gives each series' failure.
    await page.goto(server.url);
    await page.getByTestId('load-error').waitFor({ timeout: 30000 });
    assert.equal(await page.getByTestId('latest-value').count(), 0);
    // The service worker may open its data cache again (empty) for the requests since.
    const left = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((k) => /tideline-(data|live)/.test(k));
      const entries = await Promise.all(names.map(async (k) => (await (await caches.open(k)).keys()).map((r) => r.url)));
      return entries.flat();
    });
    assert.deepEqual(left, []);
    // The Data page names what is missing.
    await gotoData(page);
    assert.match(await statusRow(page, 'WALCL'), /no copy|offline|Failed|network/i);
    await context.setOffline(false);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
});
