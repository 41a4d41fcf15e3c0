// A static file server for the end-to-end tests: the built site under `prefix` (default `/`), its
// data folder at `<prefix>data/`. Binds 127.0.0.1 on a free port; never proxies anywhere.
// `setSite(dir)` swaps the site (a new build deployed under the same URL); `setFault(fn)` makes
// the data folder misbehave: `fn(file)` (the path under data/) returns null to serve the file, or
// one of { status, body, type } (an answer), { hang: true } (never answers) for that request.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

/** Starts a server; `dataDir` null means the site has no data folder. */
export async function serve(siteDir, dataDir, { prefix = '/' } = {}) {
  let site = siteDir;
  let fault = () => null;
  const requests = [];
  const hanging = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    let file = null;
    if (url.pathname.startsWith(prefix)) {
      const rel = path.normalize(url.pathname.slice(prefix.length)).replace(/^(\.\.(\/|$))+/, '');
      if (rel.startsWith('data/')) {
        const faulty = fault(rel.slice(5));
        if (faulty?.hang) {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        if (faulty) {
          res.writeHead(faulty.status ?? 200, { 'content-type': faulty.type ?? 'text/csv; charset=utf-8', 'cache-control': 'no-cache' });
          res.end(faulty.body ?? '');
          return;
        }
        file = dataDir ? path.join(dataDir, rel.slice(5)) : null;
      } else {
        file = path.join(site, rel === '.' || rel === '' ? 'index.html' : rel);
      }
    }
    if (!file || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      // GitHub Pages answers unknown paths with 404.html.
      const notFound = path.join(site, '404.html');
      if (url.pathname.startsWith(prefix) && !url.pathname.includes('/data/') && fs.existsSync(notFound)) {
        res.writeHead(404, { 'content-type': TYPES['.html'] });
        fs.createReadStream(notFound).pipe(res);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    setSite: (dir) => { site = dir; },
    setFault: (fn) => { fault = fn ?? (() => null); },
    close: () => new Promise((r) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      server.close(r);
    }),
  };
}
