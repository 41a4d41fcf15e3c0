// Screenshots of every page on any data folder, for looking at the page as a reader would:
//   node tests/e2e/shots.mjs SITE_DIR DATA_DIR OUT_DIR [route ...]
// Desktop (1400 px, light) and phone (375 px, dark), full page. Not a test: prints what it saw.
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './browser.mjs';
import { serve } from './server.mjs';

const [site, data, out, ...only] = process.argv.slice(2);
const routes = only.length ? only : ['', 'chain', 'rotation', 'asymmetry', 'lead-lag', 'backtest', 'beyond', 'explore', 'data'];
fs.mkdirSync(out, { recursive: true });
const server = await serve(site, data, { prefix: '/tideline/' });
const browser = await launch();
try {
  for (const [width, scheme] of [[1400, 'light'], [375, 'dark']]) {
    for (const route of routes) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      const page = await context.newPage();
      const problems = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      const started = Date.now();
      await page.goto(`${server.url}${route}`);
      await page.locator('h1.answer').waitFor({ timeout: 30000 }).catch(() => problems.push('no answer'));
      // Until the mirror has answered and the worker's report is on screen.
      await page.getByTestId('data-progress').waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
      await page.getByTestId('computing').and(page.locator('.active')).waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
      // A backtest runs in the worker after the report: until its result or its error.
      if (route === 'backtest') {
        await page.locator('[data-testid="metrics"], [data-testid="backtest-error"]').first().waitFor({ timeout: 60000 }).catch(() => problems.push('no backtest result'));
      }
      await page.waitForTimeout(1000);
      const file = path.join(out, `${route || 'overview'}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      console.log(`${file}: ${Date.now() - started} ms, scrollWidth ${scroll}${problems.length ? ', problems: ' + problems.join(' | ') : ''}`);
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
