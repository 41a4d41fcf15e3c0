// Trunk post-build hook: makes index.html's hand-written links absolute under the public URL,
// writes its Content Security Policy (a <meta> tag: GitHub Pages sends no headers), copies it to 404.html (GitHub Pages serves that for unknown paths), and writes sw.js with the
// list of this build's files (the app shell to precache) and a version derived from their
// contents, so any change to the build yields a new service worker.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const staging = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!staging) {
  console.error('sw-precache: TRUNK_STAGING_DIR is not set (run as a Trunk post_build hook)');
  process.exit(1);
}
let base = process.env.TRUNK_PUBLIC_URL ?? '/';
if (!base.endsWith('/')) base += '/';

const indexPath = path.join(staging, 'index.html');
let index = fs.readFileSync(indexPath, 'utf8').replace(
  /(href|src)="(manifest\.webmanifest|icon-192\.png|sw-register\.js)"/g,
  (_, attr, file) => `${attr}="${base}${file}"`,
);

// The Content Security Policy. Scripts: this origin's files, and the one inline script (Trunk's
// loader, which imports the wasm-bindgen glue and starts the app) by its sha256; nothing else
// inline, nothing remote. 'wasm-unsafe-eval' lets the page compile its own WebAssembly (it allows
// no JavaScript eval). Connections: this origin (the data folder) and the live feeds the catalog
// names (CoinGecko, Binance, DefiLlama), plus the origins in TIDELINE_CONNECT_SRC (space
// separated) for a deployment whose readers use a FRED proxy. The tag goes after <base>, which
// 'base-uri none' would otherwise refuse: a <base> injected later is refused.
// Run again on a folder it already processed (a test's second build), it replaces its own tag.
index = index.replace(/\n?[ \t]*<meta http-equiv="Content-Security-Policy"[^>]*>/g, '');
const inline = [...index.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const hashes = inline.map((body) => `'sha256-${crypto.createHash('sha256').update(body, 'utf8').digest('base64')}'`);
const catalog = JSON.parse(fs.readFileSync(new URL('../crates/core/catalog.json', import.meta.url), 'utf8'));
const liveFormats = new Set(['coingecko', 'binance', 'defillama']);
const liveOrigins = new Set();
for (const entry of catalog.series) {
  for (const feed of entry.feeds ?? []) if (liveFormats.has(feed.format)) liveOrigins.add(new URL(feed.url).origin);
}
const extra = (process.env.TIDELINE_CONNECT_SRC ?? '').split(/\s+/).filter(Boolean);
for (const origin of extra) {
  if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(origin)) {
    console.error(`sw-precache: TIDELINE_CONNECT_SRC entry ${JSON.stringify(origin)} is not an https origin`);
    process.exit(1);
  }
}
const csp = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  // Inline styles are allowed: an exported chart carries its look inline (an SVG read back for its
  // PNG), and Leptos may set style attributes. Styles cannot run code, and with img-src and
  // connect-src held to this origin a style has nowhere to send what it could read.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  `connect-src 'self' ${[...liveOrigins, ...extra].sort().join(' ')}`,
  // gloo-worker starts the model's worker from a blob: shim that imports this origin's script.
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
if (!/<base [^>]*>/.test(index)) {
  console.error('sw-precache: index.html has no <base> tag to put the Content Security Policy after');
  process.exit(1);
}
index = index.replace(/(<base [^>]*>)/, `$1\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
fs.writeFileSync(indexPath, index);
fs.writeFileSync(path.join(staging, '404.html'), index);

function walk(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) return rel === 'data' ? [] : walk(path.join(dir, entry.name), rel + '/');
    return [rel];
  });
}

const files = walk(staging).filter((f) => !['sw.js', '404.html', 'version.json'].includes(f)).sort();
const hash = crypto.createHash('sha256');
for (const file of files) hash.update(file).update(fs.readFileSync(path.join(staging, file)));
const version = hash.digest('hex').slice(0, 16);
const precache = [base, ...files.map((f) => base + f)];
const template = fs.readFileSync(new URL('./sw.template.js', import.meta.url), 'utf8');
const sw = template.replace('__VERSION__', version).replace('__PRECACHE__', JSON.stringify(precache, null, 2));
fs.writeFileSync(path.join(staging, 'sw.js'), sw);
fs.writeFileSync(path.join(staging, 'version.json'), JSON.stringify({ version, files: files.length }) + '\n');
console.log(`sw-precache: ${files.length} files, version ${version}, base ${base}; CSP with ${hashes.length} inline script hash(es)`);
