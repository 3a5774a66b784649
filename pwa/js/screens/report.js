// An audit's report (or its missing list, ?view=missing) inside the app: the server's printable page,
// fetched signed in, shown in a sandboxed frame as tall as the page, and kept on the phone for offline.
import { copyText, el } from '../dom.js';
import { ApiError, NetworkError } from '../api.js';

const VIEWS = {
  report: { path: 'report', label: 'Whole report', title: 'Audit report', noun: 'audit report', search: '' },
  missing: { path: 'missing', label: 'Missing only', title: 'Missing items', noun: 'missing list', search: '?view=missing' },
};

// The last page fetched, per audit and view: { html, name, fetchedAt }.
export function storeKey(sessionId, view) {
  return view === 'missing' ? `report:${sessionId}:missing` : `report:${sessionId}`;
}

/** The file name a Content-Disposition header gives (filename* first, as RFC 6266 says), or null. */
export function dispositionFilename(header) {
  if (!header) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended) {
    try { return decodeURIComponent(extended[1].trim()); } catch { /* a malformed name: try the plain one */ }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/.exec(header);
  const name = plain && (plain[1] ?? plain[2]).trim();
  return name ? name.replace(/[/\\]/g, '_') : null;
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function render(root, params, app) {
  const sessionId = params.id;
  const viewName = params.view === 'missing' ? 'missing' : 'report';
  const view = VIEWS[viewName];
  const base = `/app/sessions/${encodeURIComponent(sessionId)}`;
  const apiPath = `/sessions/${encodeURIComponent(sessionId)}/${view.path}`;
  const key = storeKey(sessionId, viewName);
  let auditName = '';
  document.title = `${view.title} · Fieldscan`;

  const share = el('button', { type: 'button', id: 'report-share', class: 'btn btn-small', text: 'Share' });
  const print = el('button', { type: 'button', id: 'report-print', class: 'btn btn-small', text: 'Print', disabled: true });
  const csv = el('button', { type: 'button', id: 'report-csv', class: 'btn btn-small', text: 'Download CSV' });
  const status = el('p', { id: 'report-status', class: 'muted', role: 'status', text: `Loading the ${view.noun}…` });
  const frame = el('iframe', {
    id: 'report-frame', class: 'report-frame', title: view.title,
    // Same origin so the app can size and print it; no scripts, so nothing in the page can run.
    sandbox: 'allow-same-origin allow-modals', referrerpolicy: 'no-referrer', hidden: true,
  });
  const views = el('nav', { class: 'report-views', 'aria-label': 'What to show' },
    ...Object.entries(VIEWS).map(([name, v]) => el('a', {
      href: `${base}/report${v.search}`, id: `report-view-${name}`, class: 'report-view',
      'aria-current': name === viewName ? 'page' : null, text: v.label,
    })));
  root.append(
    el('div', { class: 'report-bar' },
      el('a', { id: 'report-back', class: 'btn btn-small btn-quiet report-back', href: base, text: '← Back to the audit' }),
      el('div', { class: 'report-actions' }, share, print, csv)),
    views, status, frame);

  const fit = () => {
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    frame.style.height = `${Math.ceil(doc.documentElement.getBoundingClientRect().height)}px`;
  };
  frame.addEventListener('load', () => {
    if (!frame.hasAttribute('srcdoc')) return; // the blank page left after a failure
    fit();
    if (auditName) document.title = `${auditName} · ${view.title} · Fieldscan`;
    print.disabled = false;
  });
  window.addEventListener('resize', fit);

  const show = (page) => {
    auditName = page.name || auditName;
    frame.hidden = false;
    frame.srcdoc = page.html;
  };
  const say = (text, kind = 'muted') => {
    status.className = kind;
    status.textContent = text;
    status.hidden = !text;
  };
  const fail = (title, detail) => {
    frame.hidden = true;
    frame.removeAttribute('srcdoc');
    for (const button of [share, print, csv]) button.disabled = true;
    root.querySelector('.report-problem')?.remove();
    status.hidden = true;
    status.after(el('div', { class: 'report-problem', id: 'report-problem', role: 'alert' },
      el('h1', { text: title }), el('p', { class: 'muted', text: detail }),
      el('a', { class: 'btn btn-primary btn-big btn-block', href: '/app/', text: 'Go to audits' })));
  };

  share.addEventListener('click', async () => {
    const url = `${location.origin}${base}/report${view.search}`;
    const title = auditName ? `${auditName}: ${view.noun}` : view.title;
    if (typeof navigator.share === 'function') {
      try {
        await navigator.share({ title, text: title, url });
      } catch (err) {
        if (err && err.name !== 'AbortError') app.toast(`Could not share: ${err.message}`, 'error');
      }
      return;
    }
    if (await copyText(url)) app.toast('Link copied: paste it in a message to share the report.', 'ok');
    else app.toast(`Copy this link to share the report: ${url}`, 'info', { ms: 10_000 });
  });

  print.addEventListener('click', () => {
    const win = frame.contentWindow;
    if (!win) return;
    win.focus();
    win.print();
  });

  csv.addEventListener('click', async () => {
    csv.disabled = true;
    const label = csv.textContent;
    csv.textContent = 'Downloading…';
    try {
      const response = await app.api.request('GET', apiPath, {
        query: { format: 'csv' }, raw: true, headers: { Accept: 'text/csv' },
      });
      const filename = dispositionFilename(response.headers.get('Content-Disposition'))
        || `session-${sessionId}-${view.path}.csv`;
      saveFile(await response.blob(), filename);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      app.toast(err instanceof NetworkError
        ? 'Offline: the CSV needs a connection. Try again when you are back online.'
        : `Could not download the CSV: ${err.message}`, 'error');
    } finally {
      csv.disabled = false;
      csv.textContent = label;
    }
  });

  const stored = await app.store.get('meta', key).catch(() => null);
  if (!root.isConnected) return undefined;
  if (stored && stored.html) {
    show(stored);
    say(`Saved on this phone ${when(stored.fetchedAt)}; updating…`);
  }

  try {
    const html = await app.api.request('GET', apiPath, { query: { format: 'html' }, headers: { Accept: 'text/html' } });
    if (!root.isConnected) return cleanupOf(fit);
    const page = { html, name: nameIn(html) || (stored && stored.name) || '', fetchedAt: new Date().toISOString() };
    show(page);
    say('');
    app.store.put('meta', key, page).catch(() => {});
  } catch (err) {
    if (!root.isConnected) return cleanupOf(fit);
    if (err instanceof ApiError && err.status === 401) return cleanupOf(fit);
    if (err instanceof ApiError && err.status === 404) {
      for (const name of Object.keys(VIEWS)) app.store.del('meta', storeKey(sessionId, name)).catch(() => {});
      fail('This audit no longer exists', 'It was deleted, or it belongs to another organisation. Go back to the audits to pick another one.');
    } else if (err instanceof NetworkError) {
      if (stored && stored.html) say(`Offline: showing the ${view.noun} as fetched ${when(stored.fetchedAt)}.`, 'notice');
      else fail('You are offline', `This ${view.noun} is not stored on this phone yet. Open it once with a connection and it will open offline after that.`);
    } else if (stored && stored.html) {
      say(`Could not update (${err.message}); showing the copy fetched ${when(stored.fetchedAt)}.`, 'notice');
    } else {
      fail(`The ${view.noun} could not be loaded`, err.message);
    }
  }
  return cleanupOf(fit);
}

function cleanupOf(fit) {
  return () => window.removeEventListener('resize', fit);
}

// The audit's name, from the page's heading, without running the page.
function nameIn(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const named = doc.querySelector('[data-audit-name]');
  return named ? named.getAttribute('data-audit-name') : '';
}
