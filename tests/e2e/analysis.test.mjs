// End-to-end, on the shared real data (decades of weekly changes; the fixtures are too short for
// a lead-lag): the Lead-lag page draws each pair's cross-correlation as one bar per lag of the
// report `tideline analyze` writes on the same data, a bar solid exactly when it lies outside the
// search-adjusted band, the best lag outlined, and each pair's rolling best lag as a chart.
// Environment: SUBPATH_SITE_DIR (the build with --public-url /tideline/), SHARED_DATA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch } from './browser.mjs';
import { serve } from './server.mjs';
import { fresh, mirrorShared, skip, tideline } from './shared.mjs';

const SITE = process.env.SUBPATH_SITE_DIR ?? 'target/dist-subpath';

let browser;
let server;
let data;
before(async () => {
  if (skip) return;
  data = mirrorShared('tideline-analysis-data-');
  browser = await launch();
  server = await serve(SITE, data, { prefix: '/tideline/' });
});
after(async () => {
  await server?.close();
  await browser?.close();
  if (data) fs.rmSync(data, { recursive: true, force: true });
});

test('the lead-lag page draws every lag of the report, against the search-adjusted band', { skip }, async () => {
  const report = JSON.parse(tideline(['analyze', '--data', data]));
  assert.ok(report.lead_lag.length > 0, 'the shared data has lead-lag pairs');
  for (const viewport of [{ width: 1400, height: 900 }, { width: 375, height: 800 }]) {
    const { context, page, problems } = await fresh(browser, viewport);
    try {
      await page.goto(`${server.url}lead-lag`);
      await page.locator('svg.lag-bars rect.bar').first().waitFor({ timeout: 60000 });
      for (const pair of report.lead_lag) {
        const section = page.getByRole('region', { name: `Cross-correlation of ${pair.x} → ${pair.y}` });
        const bars = await section.locator('svg.lag-bars rect.bar').evaluateAll((rects) => rects.map((r) => ({
          lag: Number(r.dataset.lag), outside: r.classList.contains('outside'), best: r.classList.contains('best'),
        })));
        const finite = pair.cross.filter((c) => Number.isFinite(c.rho));
        assert.deepEqual(bars.map((b) => b.lag), finite.map((c) => c.lag), `${pair.x} → ${pair.y}: one bar per lag`);
        const band = pair.search?.band;
        for (const [b, c] of bars.map((b, k) => [b, finite[k]])) {
          assert.equal(b.outside, band !== undefined && Math.abs(c.rho) > band, `${pair.x} → ${pair.y} lag ${c.lag}`);
        }
        assert.deepEqual(bars.filter((b) => b.best).map((b) => b.lag), [pair.best_lag_weeks]);
        if (pair.rolling_best_lag.length > 0) {
          assert.equal(await section.locator('svg.line-chart').count(), 1, 'the rolling best lag is drawn');
        }
      }
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width, 'no sideways scroll');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});
