// The shared real data for the end-to-end tests that need decades of history (the fixtures hold
// two months): found beside the checkout (or at SHARED_DATA), mirrored by the `tideline` command
// like any folder into a temporary directory, read at run time and never copied into the project.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The shared folder, or `undefined` on a machine that has only the repository. */
export const SHARED = [process.env.SHARED_DATA, path.resolve('..', 'shared', 'data')]
  .find((dir) => dir && fs.existsSync(path.join(dir, 'WALCL.csv')));

/** `false`, or why the tests that need the shared data are skipped. */
export const skip = SHARED ? false : 'no shared data folder (../shared/data or SHARED_DATA)';

/** Runs the `tideline` command; returns its stdout. */
export function tideline(args) {
  return execFileSync('cargo', ['run', '-q', '-p', 'tideline-cli', '--', ...args], {
    encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** Mirrors the shared folder into a new temporary directory (`prefix`); returns its path. */
export function mirrorShared(prefix) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // The shared folder lacks a few catalog series (the mirror says so and exits 1): what it has is
  // written, with its manifest.
  try {
    tideline(['mirror', '--out', data, '--from', SHARED]);
  } catch (e) {
    assert.ok(fs.existsSync(path.join(data, 'manifest.json')), `the mirror wrote nothing: ${e.message}`);
  }
  return data;
}

/** A page that records console errors (404s of optional files aside) and requests off 127.0.0.1. */
export async function fresh(browser, viewport = { width: 1400, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!/^(blob:)?http:\/\/127\.0\.0\.1:/.test(r.url())) problems.push(`off-host request: ${r.url()}`); });
  return { context, page, problems };
}
