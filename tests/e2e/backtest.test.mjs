// End-to-end: the Backtest page runs the strategies in the worker and shows what `tideline
// backtest` computes on the same data and settings: the metrics, the report (its JSON export), the
// sweep (progress, one heatmap cell per combination, a cell run as the strategy) and a rule made
// in the rule builder. The data is the shared real data (decades of prices; the fixtures hold two
// months, too short to backtest), mirrored by the `tideline` command like any folder, read at run
// time and never copied into the project.
// Environment: SUBPATH_SITE_DIR (the build with --public-url /tideline/), SHARED_DATA (default
// ../shared/data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './browser.mjs';
import { serve } from './server.mjs';
import { fresh as freshPage, mirrorShared, skip, tideline } from './shared.mjs';

const SITE = process.env.SUBPATH_SITE_DIR ?? 'target/dist-subpath';

let browser;
let server;
let data;
before(async () => {
  if (skip) return;
  data = mirrorShared('tideline-bt-data-');
  browser = await launch();
  server = await serve(SITE, data, { prefix: '/tideline/' });
});
after(async () => {
  await server?.close();
  await browser?.close();
  if (data) fs.rmSync(data, { recursive: true, force: true });
});

/** `tideline backtest` on the test's data with `args`, as parsed JSON. */
function cli(args) {
  return JSON.parse(tideline(['backtest', '--data', data, ...args]));
}

const fresh = () => freshPage(browser);

const metrics = (page) => page.getByTestId('metrics');

/** Waits for the page's backtest result and returns the metrics table's rows by run name. */
async function shown(page) {
  await metrics(page).waitFor({ timeout: 90000 });
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="metrics"] tbody tr')]
    .map((tr) => [tr.dataset.run, [...tr.children].map((c) => c.textContent.trim())])));
}

const signed = (v, d) => (v === null || v === undefined ? '–' : `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(d)}`);
const pct = (v, d) => (v === null || v === undefined ? '–' : signed(100 * v, d));

/** A run's figures as the page formats them (columns weeks, total return, CAGR, Sharpe, Sortino, max drawdown). */
function expectedRow(run) {
  const m = run.metrics;
  return [String(m.weeks), pct(m.total_return, 1), pct(m.cagr, 1), signed(m.sharpe, 2), signed(m.sortino, 2), pct(m.max_drawdown, 1)];
}
const pick = (cells) => [cells[2], cells[3], cells[4], cells[6], cells[7], cells[8]];

async function download(page, name) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  return fs.readFileSync(await file.path(), 'utf8');
}

test('a timing strategy on the page has the metrics and the report of tideline backtest with the same settings', { skip }, async () => {
  const { context, page, problems } = await fresh();
  try {
    await page.goto(`${server.url}backtest?strat=timing:NASDAQ100:8:0.5:-0.5&cost.equities=5`);
    const rows = await shown(page);
    const settings = await download(page, 'Settings for tideline backtest --config');
    const file = path.join(data, '..', `bt-settings-${process.pid}.json`);
    fs.writeFileSync(file, settings);
    const expected = cli(['--config', file]);
    fs.rmSync(file);
    assert.equal(expected.config.engine.costs.equities_bps, 5, 'the link\'s cost is in the settings');
    const name = expected.strategies[0].name;
    assert.equal(name, 'timing:NASDAQ100:8:0.5:-0.5');
    for (const run of [...expected.strategies, ...expected.benchmarks]) {
      assert.ok(rows[run.name], `${run.name} is in the table`);
      assert.deepEqual(pick(rows[run.name]), expectedRow(run), run.name);
    }
    // The JSON export is the command's report, timing aside.
    const exported = JSON.parse(await download(page, 'Report (JSON)'));
    delete exported.timing;
    delete expected.timing;
    assert.deepEqual(exported, expected);
    // The answer says what the interval supports, no more.
    const answer = await page.getByTestId('answer').textContent();
    const first = expected.strategies[0].comparisons[0];
    const word = { beats: 'beats', trails: 'trails', no_significant_difference: 'is not measurably better or worse than' }[first.verdict];
    assert.ok(answer.includes(word), answer);
    // Said in words ("Hold Bitcoin"); the run it names is the report's.
    assert.equal(await page.getByTestId('answer').getAttribute('data-against'), first.against);
    assert.ok(!answer.includes(name), `the answer names runs in words, not specs: ${answer}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the sweep shows its progress and one cell per combination; a cell runs as the strategy', { skip }, async () => {
  const { context, page, problems } = await fresh();
  try {
    // Every progress value the page shows, however briefly.
    await page.addInitScript(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid="sweep-progress"]');
        if (p) window.__progress.push(Number(p.getAttribute('value')));
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await page.goto(`${server.url}backtest?strat=timing&sweep=1`);
    const heat = page.getByTestId('sweep-heatmap');
    await heat.waitFor({ timeout: 120000 });
    const expected = cli(['--strategy', 'timing', '--sweep']);
    const sweep = expected.sweep;
    const cells = sweep.rows.values.length * sweep.cols.values.length;
    assert.equal(cells, sweep.cells);
    assert.equal(await heat.locator('rect.cell').count(), cells);
    const seen = await page.evaluate(() => window.__progress);
    assert.ok(seen.some((v) => v > 0 && v < cells), `progress seen during the sweep: ${seen.slice(0, 5)}…`);
    const summary = await page.getByTestId('sweep-summary').textContent();
    assert.ok(summary.startsWith(`${sweep.cells_beating} of ${sweep.cells} cells beat ${sweep.benchmark}`), summary);
    // Each cell names its Sharpe ratio; a sample of them equals the command's.
    for (const [r, c] of [[0, 0], [5, 3], [sweep.rows.values.length - 1, sweep.cols.values.length - 1]]) {
      const label = await heat.locator(`rect.cell[data-row="${r}"][data-col="${c}"]`).locator('title').textContent();
      const v = sweep.sharpe[r][c];
      const text = label.split('Sharpe ').pop();
      if (v === null) assert.equal(text, 'n/a');
      else assert.ok(Math.abs(Number(text.replace('\u2212', '-')) - v) <= 0.005 + 1e-9, `${label} vs ${v}`);
    }
    // Choosing a cell runs it as the timing strategy, with the command's figures for it.
    const [r, c] = [5, 3];
    await heat.locator(`rect.cell[data-row="${r}"][data-col="${c}"]`).click();
    const lookback = Math.round(sweep.rows.values[r]);
    const threshold = sweep.cols.values[c];
    await page.waitForURL((u) => decodeURIComponent(u.search).includes(`strat=timing:NASDAQ100:${lookback}:${threshold}:`));
    await page.getByTestId('sweep-heatmap').waitFor({ state: 'detached', timeout: 30000 });
    const spec = new URL(page.url()).searchParams.get('strat');
    const rows = await shown(page);
    const run = cli(['--strategy', spec]).strategies[0];
    assert.deepEqual(pick(rows[run.name]), expectedRow(run));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a rule made in the rule builder gives the result of the command\'s rule: strategy', { skip }, async () => {
  const { context, page, problems } = await fresh();
  try {
    await page.goto(`${server.url}backtest?strat=rotation`);
    await shown(page);
    await page.fill('#rule-indicator', 'DGS10');
    await page.selectOption('#rule-comparison', 'gt');
    await page.fill('#rule-threshold', '3');
    await page.fill('#rule-true', 'GOLD');
    await page.fill('#rule-false', 'NASDAQ100');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.waitForURL((u) => decodeURIComponent(u.search).includes('rule:DGS10:gt:3:GOLD:NASDAQ100'));
    await page.locator('[data-testid="metrics"] tr[data-run="rule:DGS10:gt:3:GOLD:NASDAQ100"]').waitFor({ timeout: 90000 });
    const rows = await shown(page);
    const expected = cli(['--strategy', 'rotation,rule:DGS10:gt:3:GOLD:NASDAQ100']);
    const run = expected.strategies.find((s) => s.name.startsWith('rule:'));
    assert.deepEqual(pick(rows[run.name]), expectedRow(run));
    // A rule on a series that is not loaded is skipped with its reason, the other runs kept.
    await page.fill('#rule-indicator', 'NOPE');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('[data-testid="backtest-notes"] li').filter({ hasText: 'rule:NOPE:gt:3:GOLD:NASDAQ100 not run: NOPE: not a panel column' })
      .waitFor({ timeout: 90000 });
    assert.ok((await shown(page))['rotation'], 'the other strategies still run');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
