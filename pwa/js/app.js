// Boot, router and the `app` object every screen receives.
import * as store from './store.js';
import api, { ApiError, NetworkError, loadAuth, currentAuth, clearAuth, onUnauthorized } from './api.js';
import outbox from './outbox.js';
import connectivity from './connectivity.js';

export const VERSION = '2026.12.06-2';

window.fieldscan = Object.assign(window.fieldscan || {}, { version: VERSION, lastFeedbackMs: null });

const $ = (id) => document.getElementById(id);
const screenRoot = $('screen');

// --- routes: path pattern → screen module (loaded on first use) and the export that draws it

const ROUTES = [
  { path: '/app/signin', load: () => import('./screens/signin.js'), public: true },
  { path: '/app/', load: () => import('./screens/sessions.js') },
  { path: '/app/sessions/new', load: () => import('./screens/sessions.js'), export: 'renderNew' },
  { path: '/app/sessions/:id', load: () => import('./screens/scan.js') },
  { path: '/app/sessions/:id/report', load: () => import('./screens/report.js') },
  { path: '/app/quick-add', load: () => import('./screens/quickadd.js') },
  { path: '/app/a/:tag', load: () => import('./screens/asset.js') },
  { path: '/app/print', load: () => import('./screens/print.js') },
  { path: '/app/users', load: () => import('./screens/users.js') },
  { path: '/app/users/new', load: () => import('./screens/users.js'), export: 'renderNew' },
  { path: '/app/users/:id', load: () => import('./screens/users.js'), export: 'renderOne' },
  { path: '/app/account', load: () => import('./screens/password.js'), export: 'renderAccount' },
  { path: '/app/set-password', load: () => import('./screens/password.js'), export: 'renderSetPassword', public: true },
];

function match(pathname) {
  const parts = pathname.split('/');
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((piece, i) => {
      if (piece.startsWith(':')) {
        if (!parts[i]) return false;
        params[piece.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return piece === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

// Paths the app answers but does not own: /app → /app/, /a/{tag} (opened from a label while signed in).
function canonical(pathname) {
  if (pathname === '/app' || pathname === '/app/index.html') return '/app/';
  const asset = /^\/a\/([^/]+)\/?$/.exec(pathname);
  if (asset) return `/app/a/${asset[1]}`;
  return pathname;
}

// --- toasts

function toast(text, kind = 'info', { ms = 4000 } = {}) {
  const box = document.createElement('div');
  box.className = `toast toast-${kind}`;
  box.textContent = text;
  $('toasts').append(box);
  setTimeout(() => box.remove(), ms);
  return box;
}

// --- header state

function paintHeader() {
  const auth = currentAuth();
  $('signout').hidden = !auth;
  const tenant = auth && auth.user && auth.user.tenant;
  $('tenant-name').textContent = tenant ? tenant.name : '';
}

function paintOnline() {
  $('offline-indicator').hidden = connectivity.online;
}

function paintPending(count) {
  const badge = $('pending-badge');
  badge.dataset.count = String(count);
  badge.textContent = String(count);
  badge.hidden = count === 0;
  badge.setAttribute('aria-label', `${count} scan${count === 1 ? '' : 's'} waiting to be sent`);
}

// --- navigation

let cleanup = null;
let renderSeq = 0;

function navigate(path, { replace = false } = {}) {
  const url = new URL(path, location.origin);
  if (url.origin !== location.origin) {
    location.assign(url.href);
    return Promise.resolve();
  }
  const target = url.pathname + url.search + url.hash;
  if (replace) history.replaceState(null, '', target);
  else if (target !== location.pathname + location.search + location.hash) history.pushState(null, '', target);
  return render();
}

function signinPath(next) {
  return `/app/signin?next=${encodeURIComponent(next)}`;
}

async function render() {
  const seq = ++renderSeq;
  const pathname = canonical(location.pathname);
  if (pathname !== location.pathname) history.replaceState(null, '', pathname + location.search + location.hash);
  const found = match(pathname);
  const query = Object.fromEntries(new URLSearchParams(location.search));

  if (found && !found.route.public && !currentAuth()) {
    return navigate(signinPath(pathname + location.search), { replace: true });
  }
  if (typeof cleanup === 'function') {
    try { cleanup(); } catch (err) { console.error('fieldscan: screen cleanup failed', err); }
  }
  cleanup = null;
  paintHeader();

  if (!found) {
    renderNotFound();
    return;
  }
  let draw;
  try {
    const module = await found.route.load();
    draw = module[found.route.export || 'render'];
    if (typeof draw !== 'function') throw new Error(`screen ${found.route.path} has no ${found.route.export || 'render'}()`);
  } catch (err) {
    if (seq !== renderSeq) return;
    console.error('fieldscan: screen failed to load', err);
    const online = await connectivity.check();
    if (seq !== renderSeq) return;
    renderProblem('This screen could not be loaded.', online
      ? 'Reload the app and try again.'
      : 'You are offline and this screen is not on the phone yet. Try again with a connection.');
    return;
  }
  if (seq !== renderSeq) return;
  screenRoot.replaceChildren();
  screenRoot.scrollTop = 0;
  window.scrollTo(0, 0);
  try {
    const result = await draw(screenRoot, { ...query, ...found.params }, app);
    if (seq !== renderSeq) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = result;
  } catch (err) {
    if (seq !== renderSeq) return;
    if (err instanceof ApiError && err.status === 401) return;
    console.error('fieldscan: screen failed', err);
    renderProblem('Something went wrong.', err instanceof NetworkError
      ? 'No connection to the server. Try again when you are back online.'
      : err.message);
  }
}

function renderNotFound() {
  screenRoot.innerHTML = `
    <h1>Page not found</h1>
    <p class="muted">There is nothing at this address in Fieldscan.</p>
    <a id="not-found-home" class="btn btn-primary btn-big btn-block" href="/app/">Go to audits</a>`;
  document.title = 'Not found · Fieldscan';
}

function renderProblem(title, detail) {
  screenRoot.replaceChildren();
  const h = document.createElement('h1');
  h.textContent = title;
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = detail || '';
  const home = document.createElement('a');
  home.className = 'btn btn-primary btn-big btn-block';
  home.href = '/app/';
  home.textContent = 'Go to audits';
  screenRoot.append(h, p, home);
}

function interceptLinks(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest && event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/app/')) return;
  // Files under /app/ (labels, vendor files) load normally; routes have no extension.
  if (/\.[a-z0-9]+$/i.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

// --- sign-out

async function signOut() {
  const pending = await outbox.count().catch(() => 0);
  if (pending > 0) {
    const one = pending === 1;
    const ok = window.confirm(`${pending} scan${one ? ' is' : 's are'} still waiting to be sent. `
      + `${one ? 'It stays' : 'They stay'} on this phone and will be sent after the next sign-in. Sign out?`);
    if (!ok) return;
  }
  await clearAuth();
  paintHeader();
  navigate('/app/signin', { replace: true });
}

// --- service worker and the update prompt

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  let registration;
  try {
    // The wider scope lets the app open asset links (/a/{tag}) while signed in.
    registration = await navigator.serviceWorker.register('/app/sw.js', { scope: '/' });
  } catch (err) {
    console.warn('fieldscan: service worker scope / refused, using /app/', err);
    try {
      registration = await navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' });
    } catch (err2) {
      console.error('fieldscan: service worker not registered', err2);
      return;
    }
  }
  const offerUpdate = () => {
    if (registration.waiting && navigator.serviceWorker.controller) $('update-available').hidden = false;
  };
  offerUpdate();
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed') offerUpdate();
    });
  });
  let accepted = false;
  $('update-reload').addEventListener('click', () => {
    const waiting = registration.waiting;
    if (!waiting) { location.reload(); return; }
    accepted = true;
    $('update-reload').disabled = true;
    waiting.postMessage({ type: 'SKIP_WAITING' });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (accepted) location.reload();
  });
  // A phone left open for days still learns about deploys.
  setInterval(() => registration.update().catch(() => {}), 60 * 60 * 1000);
}

// --- the object every screen receives

export const app = {
  api,
  store,
  outbox,
  connectivity,
  navigate,
  toast,
  get auth() { return currentAuth(); },
  version: VERSION,
  signOut,
  refreshHeader: paintHeader,
};

async function boot() {
  connectivity.addEventListener('change', paintOnline);
  paintOnline();
  connectivity.start();
  document.addEventListener('click', interceptLinks);
  window.addEventListener('popstate', () => render());
  $('signout').addEventListener('click', signOut);

  try {
    await store.open();
    await loadAuth();
  } catch (err) {
    console.error('fieldscan: storage unavailable', err);
    toast('This browser blocks storage: offline scanning will not work.', 'error', { ms: 8000 });
  }

  onUnauthorized(() => {
    paintHeader();
    toast('Your sign-in has expired. Sign in again; waiting scans are kept.', 'warn');
    if (!location.pathname.startsWith('/app/signin')) {
      navigate(signinPath(location.pathname + location.search), { replace: true });
    }
  });
  outbox.addEventListener('count', (e) => paintPending(e.detail.count));
  outbox.addEventListener('scan-rejected', (e) => {
    const { entry, error } = e.detail;
    const what = entry.code || 'a scan';
    toast(`Not recorded: ${what}. ${error.message}`, 'error', { ms: 6000 });
  });

  // The first screen may wait on the network; the queue and the worker do not wait for it.
  const firstScreen = render();
  paintPending(await outbox.count().catch(() => 0));
  outbox.start();
  registerWorker();
  await firstScreen;
}

boot();

export default app;
