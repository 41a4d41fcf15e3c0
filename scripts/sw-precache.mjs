// Trunk post-build hook: makes index.html's hand-written links absolute under the public URL,
// copies it to 404.html (GitHub Pages serves that for unknown paths), and writes sw.js with the
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
const index = fs.readFileSync(indexPath, 'utf8').replace(
  /(href|src)="(manifest\.webmanifest|icon-192\.png|sw-register\.js)"/g,
  (_, attr, file) => `${attr}="${base}${file}"`,
);
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
console.log(`sw-precache: ${files.length} files, version ${version}, base ${base}`);
