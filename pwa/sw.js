// Fieldscan's service worker: the app shell works offline, a new version waits for the user's
// "Reload" instead of swapping under a scan, and the API is never cached here (the app queues scans).
const VERSION = '2026.12.06-2';
const CACHE = `fieldscan-shell-${VERSION}`;
const SHELL = '/app/';
const NAVIGATION_TIMEOUT_MS = 2500;

// The shell: everything a technician needs to open the app and audit with no signal, cached at install.
// The launcher icons (512 px) are the browser's business at install time, not the pages'.
const PRECACHE = [
  '/app/',
  '/app/styles.css',
  '/app/manifest.webmanifest',
  '/app/icons/icon-192.png',
  '/app/icons/apple-touch-icon.png',
  '/app/icons/favicon-32.png',
  '/app/js/app.js',
  '/app/js/api.js',
  '/app/js/store.js',
  '/app/js/dom.js',
  '/app/js/outbox.js',
  '/app/js/connectivity.js',
  '/app/js/scanner.js',
  '/app/js/feedback.js',
  '/app/js/offline.js',
  '/app/js/screens/signin.js',
  '/app/js/screens/sessions.js',
  '/app/js/screens/scan.js',
  '/app/js/screens/quickadd.js',
  '/app/js/scan/state.js',
  '/app/js/scan/camera.js',
  '/app/js/scan/outcome.js',
  '/app/js/scan/recent.js',
  '/app/js/scan/missing.js',
  '/app/js/scan/finish.js',
  // The camera's decoder where the browser has no BarcodeDetector: needed offline too.
  '/app/vendor/zxing-wasm/dist/es/reader/index.js',
  '/app/vendor/zxing-wasm/dist/es/share.js',
  '/app/vendor/zxing-wasm/dist/reader/zxing_reader.wasm',
];

// Screens that do nothing without the server (an asset's page and its lifecycle, printing labels, a
// report not yet fetched): kept out of the shell, and cached the first time they are opened, so a screen
// used once online opens offline too (a report then shows its last copy).
const ON_DEMAND = [
  '/app/js/screens/asset.js',
  '/app/js/screens/print.js',
  '/app/js/screens/asset_lifecycle.js',
  '/app/js/screens/report.js',
  '/app/js/screens/users.js',
  '/app/js/screens/password.js',
  '/app/report.css', // the report's stylesheet: it opens in a frame of the app
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One file missing must not leave the phone without the rest of the app.
    const results = await Promise.allSettled(
      PRECACHE.map((url) => cache.add(new Request(url, { cache: 'reload' }))),
    );
    const missing = PRECACHE.filter((_, i) => results[i].status === 'rejected');
    if (missing.length) console.warn(`fieldscan sw ${VERSION}: not cached:`, missing.join(', '));
  })());
});

let userAcceptedUpdate = false;

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') {
    userAcceptedUpdate = true;
    self.skipWaiting();
  }
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    const older = names.filter((name) => name.startsWith('fieldscan-') && name !== CACHE);
    await Promise.all(older.map((name) => caches.delete(name)));
    // The first install takes over the page it was installed from at once: that page came from this same
    // deploy, and until it is controlled its next screens are fetched from the network, so a phone that
    // goes offline right after its first sign-in could not open them. An update still waits for "Reload".
    const firstInstall = !older.some((name) => name.startsWith('fieldscan-shell-'));
    if (userAcceptedUpdate || firstInstall) await self.clients.claim();
  })());
});

// --- who is signed in: the app keeps it in IndexedDB "fieldscan", store "auth", key "current".

function signedIn() {
  return new Promise((resolve) => {
    let request;
    try {
      request = indexedDB.open('fieldscan');
    } catch {
      resolve(false);
      return;
    }
    // No database yet means nobody ever signed in here; do not create an empty one.
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve(false);
    request.onsuccess = () => {
      const db = request.result;
      try {
        const get = db.transaction('auth', 'readonly').objectStore('auth').get('current');
        get.onsuccess = () => {
          const auth = get.result;
          db.close();
          resolve(Boolean(auth && auth.token && (!auth.expiresAt || Date.parse(auth.expiresAt) > Date.now())));
        };
        get.onerror = () => { db.close(); resolve(false); };
      } catch {
        db.close();
        resolve(false);
      }
    };
  });
}

// --- strategies

async function cachedShell() {
  const cache = await caches.open(CACHE);
  return (await cache.match(SHELL)) || (await caches.match(SHELL));
}

// Network first, so a deploy shows up; the cached shell when the network is slow or gone.
async function shellFromNetworkFirst(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    const type = response.headers.get('Content-Type') || '';
    if (response.ok && type.includes('text/html')) cache.put(SHELL, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, null));
  try {
    const fast = await Promise.race([network, timeout]);
    if (fast && fast.ok) return fast;
    if (fast) return (await cachedShell()) || fast;
  } catch {
    // offline: fall through to the cache
  }
  const cached = await cachedShell();
  if (cached) return cached;
  return network;
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone());
  return response;
}

async function assetLink(request) {
  if (await signedIn()) {
    const shell = await cachedShell();
    if (shell) return shell;
    try {
      return await fetch(SHELL);
    } catch {
      // fall back to the public page below
    }
  }
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  // The app's connectivity probe must reach the server itself, never a cached answer.
  if (path.startsWith('/api/') || path === '/health') return;

  if (request.mode === 'navigate') {
    if (path === '/app' || (path.startsWith('/app/') && !/\.[a-z0-9]+$/i.test(path))) {
      event.respondWith(shellFromNetworkFirst(request));
      return;
    }
    if (/^\/a\/[^/]+\/?$/.test(path)) {
      event.respondWith(assetLink(request));
      return;
    }
    return;
  }
  if (path.startsWith('/app/') && path !== '/app/sw.js') {
    event.respondWith(cacheFirst(request));
  }
});
