// Tideline service worker, generated at build time by scripts/sw-precache.mjs.
// - The app shell (the hashed files of this build) is precached under a versioned cache and
//   served cache-first: a page never mixes files of two builds.
// - The mirror's data files (data/*) are network-first with the cache as fallback (offline, or an
//   answer that is not ok, or none within 10 s); only answers that look like data (not HTML) are
//   stored.
// - Live feeds (other origins) are stale-while-revalidate; their entries expire after 3 days.
// A new build installs beside the old one and waits until the page asks it to take over.
const VERSION = '__VERSION__';
const SHELL = 'tideline-shell-' + VERSION;
const DATA = 'tideline-data-v1';
const LIVE = 'tideline-live-v1';
const PRECACHE = __PRECACHE__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('tideline-shell-') && key !== SHELL).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

const scopePath = new URL(self.registration.scope).pathname;

function isData(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(scopePath + 'data/');
}

// A data file is CSV or JSON: never HTML or XML. A body served with status 200 that is one (an
// error or login page of a host or proxy) is passed to the page, whose parser refuses it and keeps
// its saved copy, but it never replaces a good copy here.
function looksLikeData(response, text) {
  const type = (response.headers.get('content-type') || '').toLowerCase();
  if (type.includes('html') || type.includes('xml')) return false;
  return !/^\s*</.test(text.slice(0, 256));
}

const OFFLINE_COPY = 'x-tideline-offline-copy';

// Network first: a good answer of the expected type is stored and returned; a failed request, an
// answer that is not ok (a 500, a 404 while a deployment is half done) or no answer within
// NETWORK_TIMEOUT_MS falls back to the last good copy, and only without one is the failure (or
// the slow answer) passed on. The page is told (header OFFLINE_COPY: the status the server gave,
// or "timeout") and names it in the series' status: the figures use the last good copy, and the
// reader knows why.
// A request that hangs is aborted, not left open: an open request for a URL holds the browser's
// cache entry for it, and the next visit's request for the same file would wait behind it.
const NETWORK_TIMEOUT_MS = 10000;

function offlineCopy(cached, reason) {
  return cached.blob().then((body) => {
    const headers = new Headers(cached.headers);
    headers.set(OFFLINE_COPY, reason);
    return new Response(body, { status: 200, headers });
  });
}

async function networkFirst(request) {
  const cache = await caches.open(DATA);
  const cached = await cache.match(request);
  const controller = new AbortController();
  // The page's own abort (its timeout) ends this request too.
  if (request.signal) request.signal.addEventListener('abort', () => controller.abort(), { once: true });
  let timer;
  const timedOut = new Promise((resolve) => {
    if (cached) timer = setTimeout(() => resolve('timeout'), NETWORK_TIMEOUT_MS);
  });
  let response;
  try {
    const answer = await Promise.race([fetch(request, { signal: controller.signal }), timedOut]);
    if (answer === 'timeout') {
      controller.abort();
      return offlineCopy(cached, 'timeout');
    }
    response = answer;
  } catch (error) {
    if (cached) return cached;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    if (!cached) return response;
    return offlineCopy(cached, String(response.status));
  }
  const text = await response.clone().text();
  if (looksLikeData(response, text)) await cache.put(request, response.clone());
  return response;
}

// Live feeds (other origins): stale-while-revalidate, with entries that expire. Each stored
// answer carries the time it was stored; one older than LIVE_MAX_AGE_MS is dropped, never served.
const LIVE_MAX_AGE_MS = 3 * 24 * 60 * 60 * 1000;
const STORED_AT = 'x-tideline-stored-at';

async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set(STORED_AT, String(Date.now()));
  return new Response(await response.clone().blob(), { status: response.status, statusText: response.statusText, headers });
}

async function freshLive(cache, request) {
  const cached = await cache.match(request);
  if (!cached) return undefined;
  const storedAt = Number(cached.headers.get(STORED_AT));
  if (!Number.isFinite(storedAt) || Date.now() - storedAt > LIVE_MAX_AGE_MS) {
    await cache.delete(request);
    return undefined;
  }
  return cached;
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(LIVE);
  const cached = await freshLive(cache, request);
  const refresh = fetch(request)
    .then(async (response) => {
      if (response.ok && looksLikeData(response, await response.clone().text())) {
        await cache.put(request, await stamped(response));
      }
      return response;
    })
    .catch((error) => {
      if (cached) return cached;
      throw error;
    });
  return cached || refresh;
}

async function shellFirst(request, url) {
  const cache = await caches.open(SHELL);
  // Navigations (any query string) get this build's index.html.
  const key = request.mode === 'navigate' ? scopePath + 'index.html' : url.pathname;
  const cached = await cache.match(key);
  if (cached) return cached;
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (isData(url)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith(scopePath)) {
    event.respondWith(shellFirst(request, url));
  }
});
