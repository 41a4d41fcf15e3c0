// Registers the service worker (offline use after the first visit) and runs the update flow:
// when a new version has installed and is waiting, the page is told through a
// `tideline-update-ready` event; `window.tidelineApplyUpdate()` activates it and reloads once.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  // The app's base URL is this script's folder, so it works under any sub-path.
  const base = new URL('.', document.currentScript ? document.currentScript.src : window.location.href);
  let waiting = null;
  let reloading = false;
  // Reload only for an update the reader asked for: on a first visit the new worker claims the
  // page too (controllerchange), and reloading then would throw away the page being loaded.
  let updating = false;
  function announce(worker) {
    waiting = worker;
    window.tidelineUpdateReady = true;
    window.dispatchEvent(new CustomEvent('tideline-update-ready'));
  }
  window.tidelineApplyUpdate = function () {
    if (!waiting) return;
    updating = true;
    waiting.postMessage({ type: 'SKIP_WAITING' });
  };
  navigator.serviceWorker.addEventListener('controllerchange', function () {
    if (reloading || !updating) return;
    reloading = true;
    window.location.reload();
  });
  // The saved copies are the reader's last good data: ask the browser not to evict them under
  // storage pressure (it may say no; the page works either way).
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then(function (persisted) {
      return persisted || navigator.storage.persist();
    }).catch(function () {});
  }
  // "Clear saved data" (the Data page): the service worker's copies of the data folder and of the
  // live feeds; the app shell stays, so the page still opens offline.
  window.tidelineClearOfflineData = function () {
    if (!('caches' in window)) return Promise.resolve(0);
    return caches.keys().then(function (keys) {
      const data = keys.filter(function (k) { return k.indexOf('tideline-data-') === 0 || k.indexOf('tideline-live-') === 0; });
      return Promise.all(data.map(function (k) { return caches.delete(k); })).then(function () { return data.length; });
    });
  };
  window.addEventListener('load', function () {
    navigator.serviceWorker.register(new URL('sw.js', base).href, { scope: base.pathname }).then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) announce(registration.waiting);
      registration.addEventListener('updatefound', function () {
        const installing = registration.installing;
        if (!installing) return;
        installing.addEventListener('statechange', function () {
          if (installing.state === 'installed' && navigator.serviceWorker.controller) announce(installing);
        });
      });
      // Look for a new version when the page regains focus, and every 30 minutes.
      document.addEventListener('visibilitychange', function () {
        if (document.visibilityState === 'visible') registration.update().catch(function () {});
      });
      setInterval(function () { registration.update().catch(function () {}); }, 30 * 60 * 1000);
    }).catch(function (error) {
      console.warn('Tideline: service worker not registered:', error);
    });
  });
})();
