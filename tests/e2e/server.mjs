// A static file server for the end-to-end tests: the built site at `/`, a data folder at `/data/`.
// Binds 127.0.0.1 on a free port; never proxies anywhere.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

/** Starts a server; `dataDir` null means the site has no data folder. Returns {url, close}. */
export async function serve(siteDir, dataDir) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file;
    if (url.pathname.startsWith('/data/')) {
      file = dataDir ? path.join(dataDir, path.normalize(url.pathname.slice(6))) : null;
    } else {
      const rel = url.pathname === '/' ? 'index.html' : path.normalize(url.pathname.slice(1));
      file = path.join(siteDir, rel);
    }
    if (!file || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}
