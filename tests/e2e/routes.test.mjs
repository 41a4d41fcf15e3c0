// End-to-end: the app's frame on the release build under a sub-path (as on GitHub Pages, a static
// server without rewrites: 404.html serves deep links). Every route by deep link in a fresh
// context, at desktop and phone width; back/forward; a copied link in a fresh context; a bad link.
// Environment: SUBPATH_SITE_DIR (the build with --public-url /tideline/), DATA_DIR, OUT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { launch } from './browser.mjs';
import { serve } from './server.mjs';

const SITE = process.env.SUBPATH_SITE_DIR ?? 'target/dist-subpath';
const DATA_DIR = process.env.DATA_DIR ?? 'target/e2e-data';
const OUT_DIR = process.env.OUT_DIR ?? 'tests/e2e/output';
const ROUTES = ['', 'chain', 'rotation', 'asymmetry', 'lead-lag', 'backtest', 'beyond', 'explore', 'data'];

let browser;
let server;
before(async () => {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  browser = await launch();
  server = await serve(SITE, DATA_DIR, { prefix: '/tideline/' });
});
after(async () => {
  await server?.close();
  await browser?.close();
});

/** A fresh context (empty cache, no service worker yet) and a page that records problems. */
async function fresh(width = 1400, height = 900) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // A deep link is answered by 404.html with status 404 (as GitHub Pages does): the browser
    // logs that status for the document itself; it is the mechanism, not a failure.
    if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!/^(blob:)?http:\/\/127\.0\.0\.1:/.test(r.url())) problems.push(`off-host request: ${r.url()}`); });
  return { context, page, problems };
}

/** Waits for the page's answer (its first sentence) and returns it. */
async function answer(page) {
  const h1 = page.locator('h1.answer');
  await h1.waitFor({ timeout: 20000 });
  return (await h1.textContent()).trim();
}

test('every route renders by deep link in a fresh browser, at 1400 px and at 375 px', async () => {
  for (const width of [1400, 375]) {
    for (const route of ROUTES) {
      const { context, page, problems } = await fresh(width, 900);
      try {
        await page.goto(`${server.url}${route}`);
        const text = await answer(page);
        assert.ok(text.length > 10, `${route}: answer "${text}"`);
        if (['', 'chain', 'rotation', 'asymmetry', 'lead-lag', 'beyond'].includes(route)) {
          await page.getByTestId('as-of').waitFor({ timeout: 20000 });
        }
        const current = page.getByRole('navigation', { name: 'Pages' }).locator('a[aria-current="page"]');
        assert.equal(await current.getAttribute('data-page'), route, `${route}: the navigation marks it`);
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scroll <= width, `${route} at ${width}px: scrollWidth ${scroll}`);
        if (route === '' || route === 'chain' || route === 'explore') {
          await page.screenshot({ path: path.join(OUT_DIR, `page-${route || 'overview'}-${width}.png`), fullPage: true });
        }
        assert.deepEqual(problems, [], `${route} at ${width}px`);
      } finally {
        await context.close();
      }
    }
  }
});

test('the phone menu opens, navigates and closes with Escape', async () => {
  const { context, page, problems } = await fresh(375, 800);
  try {
    await page.goto(server.url);
    await answer(page);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    const button = nav.locator('.menu-button');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await button.click();
    await nav.getByRole('link', { name: 'Lead-lag' }).click();
    await answer(page);
    assert.ok(page.url().endsWith('/tideline/lead-lag'), page.url());
    assert.equal(await button.getAttribute('aria-expanded'), 'false', 'closed after navigating');
    await button.click();
    await page.keyboard.press('Escape');
    assert.equal(await button.getAttribute('aria-expanded'), 'false', 'Escape closes it');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('back and forward restore the settings; a copied link shows the same figures in a fresh browser', async () => {
  const { context, page, problems } = await fresh();
  try {
    await page.goto(server.url);
    await answer(page);
    const latestAsOf = await page.getByTestId('as-of').textContent();
    await page.getByLabel('Analysis date').fill('2024-06-21');
    await page.getByLabel('Analysis date').dispatchEvent('change');
    await page.waitForURL(/as_of=2024-06-21/);
    await page.getByTestId('as-of').getByText('2024-06-21').waitFor({ timeout: 10000 });
    const figures = async (p) => ({
      asOf: await p.getByTestId('as-of').textContent(),
      latest: await p.getByTestId('latest-value').getAttribute('data-usd-bn'),
      date: await p.getByTestId('latest-date').textContent(),
    });
    const then = await figures(page);
    // Navigating keeps the settings in the links.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Chain' }).click();
    await page.waitForURL(/\/tideline\/chain\?as_of=2024-06-21$/);
    await page.goBack();
    await page.waitForURL(/\/tideline\/\?as_of=2024-06-21$/);
    await page.goBack();
    await page.waitForURL((u) => !u.search.includes('as_of'));
    await page.getByTestId('as-of').getByText(latestAsOf).waitFor({ timeout: 10000 });
    await page.goForward();
    await page.getByTestId('as-of').getByText('2024-06-21').waitFor({ timeout: 10000 });
    assert.deepEqual(await figures(page), then);
    // The copied link (the address the Copy link button writes) in a fresh browser.
    const link = page.url();
    const other = await fresh();
    try {
      await other.page.goto(link);
      await answer(other.page);
      await other.page.getByTestId('as-of').getByText('2024-06-21').waitFor({ timeout: 20000 });
      assert.deepEqual(await figures(other.page), then);
      assert.deepEqual(other.problems, []);
    } finally {
      await other.context.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a bad link shows a notice, the defaults and every control', async () => {
  const { context, page, problems } = await fresh();
  try {
    await page.goto(`${server.url}lead-lag?as_of=1900-01-01&lag=999&z=abc&series=${'A'.repeat(50)}`);
    const notice = page.getByTestId('link-notice');
    // The as-of date is checked once the data has come, after the parameters that are bad on
    // their own.
    await notice.getByText(/before the data starts/).waitFor({ timeout: 20000 });
    const text = await notice.textContent();
    for (const key of ['as_of=1900-01-01', 'lag=999', 'z=abc', 'series=']) assert.ok(text.includes(key), `${key} in ${text}`);
    assert.match(text, /before the data starts/);
    await answer(page);
    // The link is corrected in place (replaced, not pushed) and the controls are all there.
    await page.waitForURL((u) => u.pathname.endsWith('/tideline/lead-lag') && u.search === '');
    assert.ok(await page.getByLabel('Analysis date').isVisible());
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').count(), 9);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await notice.count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the theme follows the system and the reader\'s choice', async () => {
  const { context, page, problems } = await fresh();
  try {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(server.url);
    await answer(page);
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim());
    assert.equal(await bg(), '#0b1620');
    await page.getByLabel('Colour theme').selectOption('light');
    assert.equal(await bg(), '#f6f8fa');
    await page.reload();
    await answer(page);
    assert.equal(await bg(), '#f6f8fa', 'the choice is kept');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

/** A data folder with six years of weekly WALCL and WDTGAL (the fixtures hold two months, too
 * short for the window presets), mirrored by the `tideline` command like any folder. */
function longData() {
  const from = fs.mkdtempSync(path.join(os.tmpdir(), 'tideline-long-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tideline-long-out-'));
  const rows = (id, base) => {
    const lines = [`observation_date,${id}`];
    const start = Date.parse('2019-01-02');
    for (let w = 0; w < 6 * 52; w++) {
      const day = new Date(start + w * 7 * 86400000).toISOString().slice(0, 10);
      lines.push(`${day},${Math.round(base * (1 + 0.3 * Math.sin(w / 40)))}`);
    }
    return lines.join('\n') + '\n';
  };
  fs.writeFileSync(path.join(from, 'WALCL.csv'), rows('WALCL', 7000000));
  fs.writeFileSync(path.join(from, 'WDTGAL.csv'), rows('WDTGAL', 700000));
  execFileSync('cargo', ['run', '-q', '-p', 'tideline-cli', '--', 'mirror', '--out', out, '--from', from, '--only', 'WALCL,WDTGAL'], { stdio: 'ignore' });
  return out;
}

test('the charts of a page share a crosshair; presets zoom and reset; exports are what is shown', async () => {
  const longServer = await serve(SITE, longData(), { prefix: '/tideline/' });
  const { context, page, problems } = await fresh();
  try {
    await page.goto(`${longServer.url}explore?series=WALCL,WDTGAL`);
    await answer(page);
    const charts = page.locator('figure.chart');
    await charts.nth(1).waitFor({ timeout: 20000 });
    assert.equal(await charts.count(), 2);
    // Hovering the first chart moves the crosshair of the second, to the same date.
    const box = await charts.nth(0).locator('svg.line-chart').boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const first = charts.nth(0).locator('g.crosshair');
    const second = charts.nth(1).locator('g.crosshair');
    await second.waitFor({ timeout: 5000 });
    const date = await first.getAttribute('data-date');
    assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(await second.getAttribute('data-date'), date);
    assert.match(await charts.nth(1).getByTestId('chart-readout').textContent(), new RegExp(`^${date}: `));
    // A preset narrows the axis (and goes into the URL); max restores it.
    const ticks = async () => (await charts.nth(0).locator('g.tick.x text').allTextContents()).join(' ');
    const all = await ticks();
    await charts.nth(0).getByRole('button', { name: '1y', exact: true }).click();
    await page.waitForURL(/range=1y/);
    const zoomed = await ticks();
    assert.notEqual(zoomed, all, 'the date axis changed');
    assert.equal(await charts.nth(1).getByRole('button', { name: '1y', exact: true }).getAttribute('aria-pressed'), 'true');
    await charts.nth(0).getByRole('button', { name: 'max', exact: true }).click();
    await page.waitForURL((u) => !u.search.includes('range='));
    assert.equal(await ticks(), all, 'max restores the axis');
    // CSV: one row per table row; SVG: a document that parses, with the chart's size.
    await charts.nth(0).getByRole('button', { name: '3y', exact: true }).click();
    await charts.nth(0).getByRole('button', { name: 'Show as table' }).click();
    const rows = await charts.nth(0).locator('table tbody tr').count();
    assert.ok(rows > 100, `${rows} rows`);
    const [csv] = await Promise.all([page.waitForEvent('download'), charts.nth(0).getByRole('button', { name: 'CSV' }).click()]);
    const csvText = fs.readFileSync(await csv.path(), 'utf8').trim().split(/\r?\n/);
    assert.equal(csvText[0], 'date,WALCL');
    assert.equal(csvText.length - 1, rows);
    const [svg] = await Promise.all([page.waitForEvent('download'), charts.nth(0).getByRole('button', { name: 'SVG' }).click()]);
    const svgText = fs.readFileSync(await svg.path(), 'utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror') !== null, viewBox: doc.documentElement.getAttribute('viewBox'), paths: doc.querySelectorAll('path.series').length };
    }, svgText);
    assert.equal(parsed.error, false);
    assert.equal(parsed.paths, 1);
    const shownBox = await charts.nth(0).locator('svg.line-chart').getAttribute('viewBox');
    assert.equal(parsed.viewBox, shownBox);
    // PNG: the chart's size (the viewBox is the chart's pixel size).
    const [png] = await Promise.all([page.waitForEvent('download'), charts.nth(0).getByRole('button', { name: 'PNG' }).click()]);
    const bytes = fs.readFileSync(await png.path());
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    const [, , w, h] = shownBox.split(' ').map(Number);
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [Math.round(w), Math.round(h)]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await longServer.close();
  }
});

test('the exported report is the one tideline analyze writes on the same data and settings', async () => {
  const { context, page, problems } = await fresh();
  try {
    await page.goto(`${server.url}?as_of=2024-06-21&lag=8`);
    await page.getByTestId('as-of').getByText('2024-06-21').waitFor({ timeout: 20000 });
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report (JSON)' }).click()]);
    const exported = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tideline-config-')), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ lead_lag: { max_lag: 8 } }));
    const cli = JSON.parse(execFileSync('cargo', ['run', '-q', '-p', 'tideline-cli', '--', 'analyze', '--data', DATA_DIR,
      '--as-of', '2024-06-21', '--config', config], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    // What may differ: how long each took, and where each file was read from (the page reads
    // `data/X.csv` under its root, the command `<folder>/X.csv`).
    const comparable = (r) => {
      const copy = structuredClone(r);
      delete copy.timing;
      for (const s of copy.series) s.source = path.basename(s.source);
      return copy;
    };
    assert.deepEqual(comparable(exported), comparable(cli));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the overview draws the liquidity regime of every week of the report as bands behind net liquidity', async () => {
  // Long generated data: the fixture's nine weeks are too short for a 13-week impulse.
  const longServer = await serve(SITE, longData(), { prefix: '/tideline/' });
  const { context, page, problems } = await fresh();
  try {
    await page.goto(longServer.url);
    await page.getByTestId('latest-value').waitFor({ timeout: 20000 });
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report (JSON)' }).click()]);
    const report = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
    const timeline = report.regimes.timeline;
    assert.ok(timeline.length > 0, 'the lean report keeps the regime timeline');
    // Runs of equal liquidity regimes, each ending where the next begins (chart::spans_of_runs).
    const spans = [];
    for (const week of timeline) {
      const key = week.liquidity ?? 'unknown';
      const last = spans.at(-1);
      if (last && last.key === key) last.last = week.date;
      else { if (last) last.last = week.date; spans.push({ first: week.date, last: week.date, key }); }
    }
    const history = report.net_liquidity.history;
    const [first, end] = [history[0][0], history.at(-1)[0]];
    const shown = spans.filter((s) => s.last >= first && s.first <= end);
    const chart = page.locator('section[aria-labelledby="netliq-title"] svg.line-chart');
    const drawn = await chart.locator('rect.band').evaluateAll((rects) => rects.map((r) => r.getAttribute('class')));
    assert.equal(drawn.length, shown.length);
    assert.deepEqual(drawn, shown.map((s) => `band band-${s.key}`));
    assert.ok(drawn.some((c) => c !== 'band band-unknown'), 'some week has a known liquidity regime');
    await page.getByTestId('band-legend').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await longServer.close();
  }
});
