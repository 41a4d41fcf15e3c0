// End-to-end: the release build, served on 127.0.0.1 with fixture data, in Debian's Chromium.
// Environment: SITE_DIR (the release build), DATA_DIR (the mirrored fixture data), OUT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './browser.mjs';
import { serve } from './server.mjs';

const SITE_DIR = process.env.SITE_DIR ?? 'dist';
const DATA_DIR = process.env.DATA_DIR ?? 'target/e2e-data';
const FIXTURES = process.env.FIXTURE_DIR ?? 'tests/fixtures/data';
const OUT_DIR = process.env.OUT_DIR ?? 'tests/e2e/output';

let browser;
before(async () => {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** Opens a page that fails the test on any console error, page error or request off 127.0.0.1. */
async function openPage(url) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!/^(blob:)?http:\/\/127\.0\.0\.1:/.test(r.url())) problems.push(`off-host request: ${r.url()}`); });
  await page.goto(url);
  return { page, problems };
}

function readFred(name) {
  const rows = fs.readFileSync(path.join(FIXTURES, name), 'utf8').trim().split('\n').slice(1);
  return rows.map((r) => r.split(',')).filter(([, v]) => v !== '.' && v !== '').map(([d, v]) => [d, Number(v)]);
}

/** Net liquidity of the last WALCL week, computed here independently of the Rust code. */
function expectedLatest() {
  const walcl = readFred('WALCL.csv');
  const tga = new Map(readFred('WDTGAL.csv'));
  const rrp = readFred('RRPONTSYD.csv');
  const [date, assets] = walcl[walcl.length - 1];
  const dayMs = 86400000;
  const lastRrp = rrp.filter(([d]) => d <= date).pop();
  const rrpBn = lastRrp && (Date.parse(date) - Date.parse(lastRrp[0])) / dayMs < 7 ? lastRrp[1] : 0;
  return { date, usdBn: assets / 1000 - tga.get(date) / 1000 - rrpBn };
}

/** The last spot-ETF flow row public at `asOf` (rows are public the day after), read here. */
function expectedFlow(asOf) {
  const months = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };
  const cutoff = new Date(Date.parse(asOf) - 86400000).toISOString().slice(0, 10);
  const rows = fs.readFileSync(path.join(FIXTURES, 'etf_flows.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split(','))
    .map((cells) => {
      const [day, month, year] = cells[0].split(' ');
      const total = cells[cells.length - 1];
      const value = total.startsWith('(') ? -Number(total.slice(1, -1)) : Number(total);
      return { date: `${year}-${months[month]}-${day}`, total: value, zeros: cells.slice(1).every((c) => Number(c) === 0) };
    })
    .filter((r) => r.date <= cutoff && !r.zeros);
  return rows[rows.length - 1];
}

test('draws weekly net liquidity and shows the latest value computed from the data', async () => {
  const server = await serve(SITE_DIR, DATA_DIR);
  try {
    const { page, problems } = await openPage(server.url);
    const value = page.getByTestId('latest-value');
    await value.waitFor({ timeout: 20000 });
    const expected = expectedLatest();
    const shown = Number(await value.getAttribute('data-usd-bn'));
    assert.ok(Math.abs(shown - expected.usdBn) < 1e-6, `shown ${shown}, expected ${expected.usdBn}`);
    assert.equal(await page.getByTestId('latest-date').textContent(), expected.date);
    const text = (await value.textContent()).replace(/,/g, '');
    assert.equal(Number(text), Math.round(expected.usdBn * 10) / 10);
    const d = await page.locator('svg.line-chart path.series').getAttribute('d');
    assert.ok(d && d.startsWith('M') && (d.match(/L/g) ?? []).length >= 5, `chart path: ${d}`);
    assert.ok(await page.locator('svg.line-chart').getByText('USD bn').count() > 0, 'unit on the axis');
    await page.screenshot({ path: path.join(OUT_DIR, 'net-liquidity.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(OUT_DIR, 'net-liquidity-phone.png'), fullPage: true });
    // On a phone: no sideways scrolling, and the figure and its chart still shown.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling at 390 px');
    assert.ok(await value.isVisible(), 'the latest value is shown on a phone');
    const phoneChart = await page.locator('svg.line-chart').first().boundingBox();
    assert.ok(phoneChart && phoneChart.width > 200 && phoneChart.x >= 0 && phoneChart.x + phoneChart.width <= 390, JSON.stringify(phoneChart));
    await page.setViewportSize({ width: 1100, height: 900 });
    // Beyond the Fed is its own page, reached from the navigation with the same settings.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Beyond the Fed' }).click();
    await page.getByTestId('global-total').waitFor({ timeout: 10000 });
    assert.ok(new URL(page.url()).pathname.endsWith('/beyond'), page.url());
    // With the Fed alone loaded, global liquidity is the Fed's net liquidity (USD bn, no decimals).
    const global = await page.getByTestId('global-total').textContent();
    assert.match(global, new RegExp(`^${Math.round(expected.usdBn).toLocaleString('en-US')} USD bn on \\d{4}-\\d{2}-\\d{2}`));
    // The ETF flow table: the last row public at the as-of date (one day of publication lag).
    const asOf = await page.getByTestId('as-of').textContent();
    const flow = expectedFlow(asOf);
    const flows = await page.getByTestId('etf-flows').textContent();
    assert.ok(flows.includes(`${flow.date}: ${flow.total.toFixed(1)} USD mn`), `${flows} vs ${JSON.stringify(flow)}`);
    assert.deepEqual(problems, []);
  } finally {
    await server.close();
  }
});

test('says what is missing when the data folder is empty, instead of a blank page', async () => {
  const server = await serve(SITE_DIR, null);
  try {
    const { page, problems } = await openPage(server.url);
    const message = page.getByTestId('load-error');
    await message.waitFor({ timeout: 20000 });
    assert.match(await message.textContent(), /WALCL/);
    assert.match(await page.locator('table.status').textContent(), /missing from the data folder/);
    // 404s for the data files are expected here; anything else is not.
    assert.deepEqual(problems.filter((p) => !/404|Not Found/i.test(p)), []);
  } finally {
    await server.close();
  }
});

test('an uploaded ETF flow table replaces the mirror\'s in the flow figures', async () => {
  const server = await serve(SITE_DIR, DATA_DIR);
  try {
    // From the root, through the navigation (a deep link would be answered by 404.html, whose
    // status the browser logs; routes.test.mjs covers deep links).
    const { page, problems } = await openPage(server.url);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Data' }).click();
    await page.locator('#upload-role').waitFor({ timeout: 20000 });
    const table = 'Date,IBIT,GBTC,Total\n2024-06-18,100.0,(20.0),80.0\n2024-06-19,0,0,0\n2024-06-20,150.0,(26.6),123.4\n';
    await page.selectOption('#upload-role', 'etf_flows.csv');
    await page.setInputFiles('#upload-file', { name: 'my-flows.csv', mimeType: 'text/csv', buffer: Buffer.from(table) });
    await page.getByText('my-flows.csv: 2 observations, 2024-06-18 to 2024-06-20').waitFor({ timeout: 10000 });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('ul.uploads').getByText('my-flows.csv').waitFor({ timeout: 10000 });
    assert.match(await page.locator('ul.uploads').textContent(), /etf_flows\.csv \(Spot-ETF flow table\), from my-flows\.csv/);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByRole('link', { name: 'Beyond the Fed' }).click();
    await page.getByTestId('etf-flows').getByText('2024-06-20: 123.4 USD mn that day', { exact: false }).waitFor({ timeout: 10000 });
    // A bad table is refused with the line, and the figures keep the good one.
    await nav.getByRole('link', { name: 'Data' }).click();
    await page.selectOption('#upload-role', 'etf_flows.csv');
    await page.setInputFiles('#upload-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('Date,IBIT,Total\n2024-06-21,abc,1\n') });
    await page.getByText('line 2', { exact: false }).first().waitFor({ timeout: 10000 });
    // Submitted anyway, it is refused with its line and the list keeps the good table alone.
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('form.upload-form .upload-error').filter({ hasText: /^Not added: .*line 2/ }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('form.upload-form .upload-error').count(), 1, 'the error is said once');
    assert.equal(await page.locator('ul.uploads li').count(), 1);
    assert.doesNotMatch(await page.locator('ul.uploads').textContent(), /bad\.csv/);
    await nav.getByRole('link', { name: 'Beyond the Fed' }).click();
    await page.getByTestId('etf-flows').waitFor({ timeout: 10000 });
    assert.match(await page.getByTestId('etf-flows').textContent(), /2024-06-20: 123\.4 USD mn/);
    assert.deepEqual(problems, []);
  } finally {
    await server.close();
  }
});
