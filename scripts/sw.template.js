// Tideline service worker, generated at build time by scripts/sw-precache.mjs.
// - The app shell (the hashed files of this build) is precached under a versioned cache and
//   served cache-first: a page never mixes files of two builds.
// - The mirror's data files (data/*) are network-first with the cache as fallback (offline).
// - Live feeds (other origins) are stale-while-revalidate.
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

async function networkFirst(request) {
  const cache = await caches.open(DATA);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(LIVE);
  const cached = await cache.match(request);
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached);
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
