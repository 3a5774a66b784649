// The home screen (active audits, then those completed lately) and the form that starts a new audit.
import { NetworkError } from '../api.js';

const CACHE_KEY = 'sessions-active';
const COMPLETED_KEY = 'sessions-completed';
const COMPLETED_DAYS = 30;
const COMPLETED_SHOWN = 20;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

async function locationPaths(app, ids) {
  const paths = new Map();
  await Promise.all([...ids].map(async (id) => {
    try {
      const location = await app.api.get(`/locations/${encodeURIComponent(id)}`);
      paths.set(id, location.path || location.name);
    } catch {
      paths.set(id, 'One location');
    }
  }));
  return paths;
}

function scopeText(session, paths) {
  const parts = [];
  if (session.locationId) {
    const where = paths.get(session.locationId) || 'One location';
    parts.push(session.includeSublocations ? `${where} and inside` : `${where} only`);
  }
  const categories = (session.categoryIds || []).length;
  if (categories) parts.push(`${categories} categor${categories === 1 ? 'y' : 'ies'}`);
  return parts.length ? parts.join(' · ') : 'Everything';
}

function sessionRow(session) {
  const { scanned = 0, total = 0 } = session.progress || {};
  const percent = total ? Math.min(100, Math.round((scanned / total) * 100)) : 0;
  const bar = el('div', { class: 'progress', 'aria-hidden': 'true' }, el('span'));
  bar.firstChild.style.width = `${percent}%`;
  return el('li', {},
    el('a', { class: 'row', href: `/app/sessions/${encodeURIComponent(session.id)}`,
      'data-testid': 'session-item', 'data-session-id': session.id },
    el('span', { class: 'row-line' },
      el('span', { class: 'row-title', text: session.name }),
      el('span', { class: 'count', text: `${scanned} / ${total}`, 'aria-label': `${scanned} of ${total} counted` })),
    el('span', { class: 'row-meta', text: session.scope }),
    bar));
}

/** Audits completed in the last `days` days, most recently completed first, at most `max`. */
export function recentlyCompleted(sessions, now = Date.now(), { days = COMPLETED_DAYS, max = COMPLETED_SHOWN } = {}) {
  const since = now - days * 24 * 60 * 60 * 1000;
  return sessions
    .filter((s) => s.completedAt && Date.parse(s.completedAt) >= since)
    .sort((a, b) => Date.parse(b.completedAt) - Date.parse(a.completedAt))
    .slice(0, max);
}

function completedRow(session) {
  const { scanned = 0, total = 0 } = session.progress || {};
  const missing = Math.max(0, total - scanned);
  const day = new Date(session.completedAt).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  return el('li', {},
    el('a', { class: 'row home-done-row', href: `/app/sessions/${encodeURIComponent(session.id)}/report`,
      'data-testid': 'completed-item', 'data-session-id': session.id },
    el('span', { class: 'row-line' },
      el('span', { class: 'row-title', text: session.name }),
      el('span', { class: 'count', text: `${scanned} / ${total}`, 'aria-label': `${scanned} of ${total} counted` })),
    el('span', { class: 'row-line row-meta' },
      el('span', { class: missing ? 'home-done-missing' : 'home-done-none', 'data-missing': String(missing),
        text: missing ? `${missing} missing` : 'Nothing missing' }),
      el('span', { class: 'home-done-date', text: `Completed ${day}` }))));
}

// The "Completed" section: drawn from the phone's copy first, then from the server; never stops the screen.
async function paintCompleted(app, root, list, status) {
  const paint = (sessions, note) => {
    list.replaceChildren(...sessions.map(completedRow));
    list.removeAttribute('aria-busy');
    status.hidden = Boolean(sessions.length) && !note;
    status.className = note ? 'notice' : 'muted';
    status.textContent = note || `No audit completed in the last ${COMPLETED_DAYS} days.`;
  };
  const cached = await app.store.get('meta', COMPLETED_KEY).catch(() => null);
  if (cached && cached.sessions && root.isConnected) paint(recentlyCompleted(cached.sessions));
  try {
    const answer = await app.api.get('/sessions', { query: { status: 'completed', sort: '-updatedAt', limit: 100 } });
    const shown = recentlyCompleted(answer.items || []).map((s) => ({
      id: s.id, name: s.name, progress: s.progress, completedAt: s.completedAt,
    }));
    if (!root.isConnected) return;
    paint(shown);
    app.store.put('meta', COMPLETED_KEY, { sessions: shown, savedAt: new Date().toISOString() }).catch(() => {});
  } catch (err) {
    if (!root.isConnected) return;
    if (cached && cached.sessions) {
      paint(recentlyCompleted(cached.sessions), err instanceof NetworkError
        ? `Offline: completed audits as of ${new Date(cached.savedAt).toLocaleString()}.` : null);
    } else {
      paint([], err instanceof NetworkError
        ? 'Offline, and no completed audit is stored on this phone yet.'
        : `Could not load the completed audits: ${err.message}`);
    }
  }
}

function menu(app) {
  const role = app.auth && app.auth.user && app.auth.user.role;
  return el('div', { class: 'bottom-actions' },
    el('a', { id: 'new-session', class: 'btn btn-primary btn-big btn-block', href: '/app/sessions/new', text: 'New audit' }),
    el('div', { class: 'btn-row' },
      el('a', { id: 'menu-quick-add', class: 'btn btn-big', href: '/app/quick-add', text: 'Quick-add' }),
      el('a', { id: 'menu-print', class: 'btn btn-big', href: '/app/print', text: 'Print labels' })),
    el('div', { class: 'btn-row' },
      role === 'admin' ? el('a', { id: 'menu-users', class: 'btn', href: '/app/users', text: 'Users' }) : null,
      el('a', { id: 'menu-account', class: 'btn btn-quiet', href: '/app/account', text: 'My password' })));
}

export async function render(root, params, app) {
  document.title = 'Audits · Fieldscan';
  const list = el('ul', { id: 'sessions', class: 'list', 'aria-busy': 'true' });
  const status = el('p', { class: 'muted', text: 'Loading audits…' });
  const doneList = el('ul', { id: 'completed-sessions', class: 'list', 'aria-busy': 'true' });
  const doneStatus = el('p', { id: 'completed-status', class: 'muted', text: 'Loading completed audits…' });
  root.append(
    el('div', { class: 'screen-title' }, el('h1', { text: 'Audits in progress' })),
    status, list,
    el('section', { id: 'completed', class: 'home-done', 'aria-labelledby': 'completed-title' },
      el('div', { class: 'home-done-head' },
        el('h2', { id: 'completed-title', text: 'Completed' }),
        el('span', { class: 'muted', text: `last ${COMPLETED_DAYS} days` })),
      doneStatus, doneList),
    menu(app));
  paintCompleted(app, root, doneList, doneStatus);

  const paint = (sessions, note) => {
    list.replaceChildren(...sessions.map(sessionRow));
    list.removeAttribute('aria-busy');
    if (!sessions.length) {
      status.className = 'empty';
      status.textContent = 'No audit in progress. Start one with “New audit”.';
    } else {
      status.className = note ? 'notice' : 'muted';
      status.textContent = note || `${sessions.length} in progress — tap one to scan.`;
    }
  };

  const cached = await app.store.get('meta', CACHE_KEY).catch(() => null);
  if (cached && cached.sessions) paint(cached.sessions, 'Showing the last list; updating…');

  try {
    const answer = await app.api.get('/sessions/active', { query: { limit: 100 } });
    const sessions = answer.items || [];
    const paths = await locationPaths(app, new Set(sessions.map((s) => s.locationId).filter(Boolean)));
    const shown = sessions.map((s) => ({
      id: s.id, name: s.name, progress: s.progress, scope: scopeText(s, paths),
    }));
    if (!root.isConnected) return undefined;
    paint(shown);
    app.store.put('meta', CACHE_KEY, { sessions: shown, savedAt: new Date().toISOString() }).catch(() => {});
  } catch (err) {
    if (!(err instanceof NetworkError)) throw err;
    if (cached && cached.sessions) paint(cached.sessions, `Offline: the list as of ${new Date(cached.savedAt).toLocaleString()}.`);
    else {
      status.className = 'notice';
      status.textContent = 'Offline, and no audit list is stored on this phone yet.';
      list.removeAttribute('aria-busy');
    }
  }
  return undefined;
}

// --- new audit

function today() {
  return new Date().toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

function showProblem(box, err) {
  box.replaceChildren(document.createTextNode(err.message));
  const details = err.details && typeof err.details === 'object' ? err.details : null;
  if (details) {
    const items = Object.entries(details)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([field, problem]) => el('li', { text: `${field}: ${problem}` }));
    if (items.length) box.append(el('ul', {}, ...items));
  }
  box.hidden = false;
}

export async function renderNew(root, params, app) {
  document.title = 'New audit · Fieldscan';
  root.innerHTML = `
    <h1>New audit</h1>
    <form id="session-form" class="form" novalidate>
      <div class="field">
        <label for="session-name">Name</label>
        <input id="session-name" name="name" type="text" maxlength="200" required autocomplete="off">
      </div>
      <div class="field">
        <label for="session-location">Where</label>
        <select id="session-location" name="location">
          <option value="">Everything (all locations)</option>
        </select>
        <label class="check"><input id="session-sublocations" type="checkbox" checked> Include the places inside it</label>
      </div>
      <div class="field">
        <label for="session-categories">Categories</label>
        <select id="session-categories" name="categories" multiple size="6"></select>
        <span class="hint">None selected counts every category.</span>
      </div>
      <p id="session-loading" class="muted">Loading locations and categories…</p>
      <div id="session-error" class="error" role="alert" hidden></div>
      <div class="bottom-actions">
        <button id="session-create" class="btn btn-primary btn-big btn-block" type="submit">Start audit</button>
        <a class="btn btn-quiet btn-block" href="/app/">Cancel</a>
      </div>
    </form>`;
  const form = root.querySelector('#session-form');
  const name = root.querySelector('#session-name');
  const location = root.querySelector('#session-location');
  const sublocations = root.querySelector('#session-sublocations');
  const categories = root.querySelector('#session-categories');
  const loading = root.querySelector('#session-loading');
  const error = root.querySelector('#session-error');
  const create = root.querySelector('#session-create');
  name.value = `Audit ${today()}`;

  try {
    const [locations, cats] = await Promise.all([
      app.api.getAll('/locations'),
      app.api.getAll('/categories'),
    ]);
    locations.sort((a, b) => (a.path || a.name).localeCompare(b.path || b.name));
    for (const loc of locations) location.append(el('option', { value: loc.id, text: loc.path || loc.name }));
    cats.sort((a, b) => a.name.localeCompare(b.name));
    for (const cat of cats) categories.append(el('option', { value: cat.id, text: cat.name }));
    loading.hidden = true;
  } catch (err) {
    if (!root.isConnected) return undefined;
    loading.className = 'notice';
    loading.textContent = err instanceof NetworkError
      ? 'Offline: starting an audit needs the network.'
      : `Could not load locations and categories: ${err.message}`;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = { name: name.value.trim() };
    if (!body.name) {
      showProblem(error, { message: 'Give the audit a name.' });
      name.focus();
      return;
    }
    if (location.value) {
      body.locationId = location.value;
      body.includeSublocations = sublocations.checked;
    }
    const categoryIds = [...categories.selectedOptions].map((o) => o.value);
    if (categoryIds.length) body.categoryIds = categoryIds;
    create.disabled = true;
    create.textContent = 'Starting…';
    try {
      const session = await app.api.post('/sessions', body);
      app.store.del('meta', CACHE_KEY).catch(() => {});
      app.navigate(`/app/sessions/${encodeURIComponent(session.id)}`);
    } catch (err) {
      if (err instanceof NetworkError) showProblem(error, { message: 'No connection. Starting an audit needs the network.' });
      else if (err.status === 403) showProblem(error, { message: 'Only managers can start an audit. Ask a manager to start it, then scan into it.' });
      else showProblem(error, err);
      create.disabled = false;
      create.textContent = 'Start audit';
    }
  });
  return undefined;
}
