// The page's own figures in headless Debian Chromium, for scripts/bench.sh (a measurement, not a
// test: it asserts nothing about time). Serves SITE_DIR with its data folder DATA_DIR on
// 127.0.0.1, opens the page in a fresh browser context (cold: nothing saved, the data parsed from text),
// then again in the same context (cached: the saved binary copies drawn before the network
// answers), RUNS times each, and prints one JSON object of medians:
//   first_report_ms  time from navigation to the first report on screen (mark tideline:first-report)
//   model_ms         the tideline:model measures (one per model run)
//   sections         the last run's cost per stage (window.tidelineBench.model_sections)
//   parse_mb_s       bytes of feed text parsed / time parsing them (window.tidelineBench.parse)
//   decode_mb_s      the same for saved binary copies (window.tidelineBench.decode)
//   longest_task_ms  the longest main-thread task seen while loading (PerformanceObserver longtask)
// and, on the Backtest page with the 441-cell sweep (a fresh context, data cached by a first visit):
//   sweep_worker_ms  the worker's time for the strategies and the sweep and their JSON, per run
//                    (window.tidelineBench.worker_backtest over its count)
//   sweep_run_ms     the same without writing the JSON (worker_backtest_run)
//   sweep_round_trip_ms  request to answer on the page (the measure tideline:backtest)
//   sweep_read_ms    reading the answer's JSON on the main thread (window.tidelineBench.backtest_read)
//   sweep_longest_task_ms  the longest main-thread task from the request to the heatmap on screen
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../e2e/browser.mjs';
import { serve } from '../e2e/server.mjs';

const SITE = process.env.SITE_DIR ?? 'dist';
const DATA = process.env.DATA_DIR ?? 'target/bench-data';
const RUNS = Number(process.env.RUNS ?? 3);

const OBSERVE = () => {
  window.__longest = 0;
  window.__tasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longest = Math.max(window.__longest, e.duration);
        window.__tasks.push([e.startTime, e.duration]);
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch (_) { /* no longtask support: reported as 0 */ }
};

async function visit(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('tideline:first-report').length > 0,
    null, { timeout: 60_000 });
  // Let the network answer and the second model run (fresh data) finish.
  await page.waitForFunction(() => !document.querySelector('.refreshing'), null, { timeout: 60_000 });
  await page.waitForTimeout(300);
  const figures = await page.evaluate(() => {
    const bench = window.tidelineBench ?? {};
    const rate = (e) => (e && e.ms > 0 ? e.bytes / 1e6 / (e.ms / 1000) : null);
    return {
      first_report_ms: performance.getEntriesByName('tideline:first-report')[0]?.startTime ?? null,
      model_ms: performance.getEntriesByName('tideline:model').map((m) => m.duration),
      sections: bench.model_sections ?? {},
      parse_mb_s: rate(bench.parse),
      parse_bytes: bench.parse?.bytes ?? 0,
      decode_mb_s: rate(bench.decode),
      decode_bytes: bench.decode?.bytes ?? 0,
      longest_task_ms: window.__longest ?? 0,
    };
  });
  await page.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return figures;
}

const median = (xs) => {
  const v = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};

const server = await serve(SITE, DATA);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const cold = [];
const cached = [];
const sweeps = [];
try {
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(OBSERVE);
    cold.push(await visit(context, server.url));
    cached.push(await visit(context, server.url));
    sweeps.push(await sweep(context, server.url));
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
/** The Backtest page with the sweep, on data this context has cached: the worker's figures. */
async function sweep(context, url) {
  const page = await context.newPage();
  await page.goto(`${url}backtest?sweep=1`);
  await page.locator('[data-testid="sweep-heatmap"]').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(300);
  const figures = await page.evaluate(() => {
    const bench = window.tidelineBench ?? {};
    const start = performance.getEntriesByName('tideline:backtest-start')[0]?.startTime ?? 0;
    const during = (window.__tasks ?? []).filter(([t, d]) => t + d >= start).map(([, d]) => d);
    // The page runs the backtest once on the saved data and again when the fresh data has come:
    // the entries add up every run, so each figure is per run (the sum over the count).
    const perRun = (e, key) => (e && e.count > 0 ? e[key] / e.count : null);
    return {
      sweep_worker_ms: perRun(bench.worker_backtest, 'ms'),
      sweep_run_ms: perRun(bench.worker_backtest_run, 'ms'),
      sweep_round_trip_ms: performance.getEntriesByName('tideline:backtest')[0]?.duration ?? null,
      sweep_read_ms: perRun(bench.backtest_read, 'ms'),
      sweep_read_bytes: perRun(bench.backtest_read, 'bytes'),
      sweep_longest_task_ms: during.length ? Math.max(...during) : 0,
    };
  });
  await page.close();
  return figures;
}

const summary = (visits) => ({
  first_report_ms: median(visits.map((v) => v.first_report_ms)),
  model_ms: median(visits.flatMap((v) => v.model_ms)),
  parse_mb_s: median(visits.map((v) => v.parse_mb_s)),
  parse_bytes: median(visits.map((v) => v.parse_bytes)),
  decode_mb_s: median(visits.map((v) => v.decode_mb_s)),
  decode_bytes: median(visits.map((v) => v.decode_bytes)),
  longest_task_ms: median(visits.map((v) => v.longest_task_ms)),
  sections: visits.at(-1)?.sections ?? {},
});
const sweepSummary = Object.fromEntries(Object.keys(sweeps[0] ?? {}).map((k) => [k, median(sweeps.map((s) => s[k]))]));
console.log(JSON.stringify({ runs: RUNS, cold: summary(cold), cached: summary(cached), sweep: sweepSummary }, null, 1));
