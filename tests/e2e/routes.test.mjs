// End-to-end: the app's frame on the release build under a sub-path (as on GitHub Pages, a static
// server without rewrites: 404.html serves deep links). Every route by deep link in a fresh
// context, at desktop and phone width; back/forward; a copied link in a fresh context; a bad link.
// Environment: SUBPATH_SITE_DIR (the build with --public-url /tideline/), DATA_DIR, OUT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
  page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1:')) problems.push(`off-host request: ${r.url()}`); });
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
    await notice.waitFor({ timeout: 20000 });
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
