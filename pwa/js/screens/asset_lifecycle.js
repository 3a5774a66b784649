// The asset page's lifecycle: health, due date, the status moves a manager may make (check out, check in,
// reserve, maintenance, missing, retire) and the latest history. The server's status table decides the moves.
import { el } from '../dom.js';

const STATUS_WORDS = {
  available: 'Available', in_use: 'In use', reserved: 'Reserved',
  maintenance: 'In maintenance', missing: 'Missing', retired: 'Retired',
};
const BADGES = {
  HEALTHY: { text: 'Healthy', mark: '✓' },
  ATTENTION: { text: 'Needs attention', mark: '!' },
  AT_RISK: { text: 'At risk', mark: '✕' },
};
// What the button for a move `via: status` says.
const MOVE_WORDS = {
  available: 'Make available', reserved: 'Reserve', maintenance: 'Send to maintenance',
  missing: 'Mark missing', retired: 'Retire',
};

export const statusWords = (status) => STATUS_WORDS[status] || String(status || '').replace(/_/g, ' ');

export function when(value, style = { dateStyle: 'medium', timeStyle: 'short' }) {
  if (!value) return 'Never';
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? value : at.toLocaleString([], style);
}

const canAct = (auth) => ['manager', 'admin'].includes(auth && auth.user && auth.user.role);

// The end of the chosen local day: due back "on 3 Dec" is overdue only once 3 Dec is over.
function endOfDay(value) {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d, 23, 59, 0).toISOString();
}

/**
 * createLifecycle(app, {personName(id), locationName(id), onAsset(asset)}) → {health, dueRow, actions,
 * history, show(asset), reload()}. asset.js places the nodes; onAsset gets the asset after each action.
 */
export function createLifecycle(app, { personName, locationName, onAsset }) {
  let asset = null;
  let cursor = null;
  let closed = false;

  const badge = el('span', { id: 'asset-health-badge', class: 'health-badge' });
  const reasons = el('ul', { id: 'asset-health-reasons', class: 'health-reasons' });
  const health = el('section', { id: 'asset-health', class: 'health', 'aria-label': 'Health' }, badge, reasons);

  const dueText = el('span', { id: 'asset-due-at' });
  const overdue = el('span', { id: 'asset-overdue', class: 'chip chip-overdue', text: 'Overdue', hidden: true });
  const due = el('dd', { id: 'asset-due', style: 'margin:0;display:flex;flex-wrap:wrap;gap:8px;align-items:center' },
    dueText, overdue);
  const dueLabel = el('dt', { class: 'label', text: 'Due back' });

  const result = el('p', { id: 'asset-action-result', class: 'notice', 'aria-live': 'polite', hidden: true });
  const buttons = el('div', { id: 'asset-lifecycle-buttons', class: 'lifecycle-buttons' });
  const panel = el('form', { id: 'asset-action-form', class: 'form action-form', hidden: true, novalidate: true });
  const actions = el('section', { id: 'asset-lifecycle', class: 'lifecycle', 'aria-label': 'Status actions', hidden: true },
    buttons, panel, result);

  const list = el('ol', { id: 'asset-history', class: 'history' });
  const more = el('button', { type: 'button', id: 'asset-history-more', class: 'btn btn-quiet btn-block', text: 'More', hidden: true });
  const history = el('section', { class: 'history-section', 'aria-labelledby': 'asset-history-title' },
    el('h2', { id: 'asset-history-title', text: 'History' }), list, more);

  function say(text, isError = false) {
    result.textContent = text || '';
    result.hidden = !text;
    result.className = isError ? 'error' : 'notice';
    if (text) actions.hidden = false;
  }

  function show(fresh) {
    asset = fresh;
    const h = asset.health;
    health.hidden = !h;
    if (h) {
      const look = BADGES[h.badge] || { text: h.badge, mark: '' };
      badge.dataset.badge = h.badge;
      badge.textContent = `${look.mark} ${look.text}`.trim();
      badge.title = `Health score ${h.score} of 100`;
      reasons.replaceChildren(...(h.reasons || []).map((r) => el('li', { 'data-code': r.code, text: r.message })));
    }
    const isDue = Boolean(asset.dueBackAt);
    due.hidden = !isDue;
    dueLabel.hidden = !isDue;
    dueText.textContent = isDue ? when(asset.dueBackAt) : '';
    overdue.hidden = !asset.overdue;
  }

  function describe(event) {
    const d = event.data || {};
    switch (event.type) {
      case 'CREATED': return 'Created';
      case 'UPDATED': return `Edited${(d.changes || []).length ? `: ${d.changes.map((c) => c.field).join(', ')}` : ''}`;
      case 'MOVED': return `Moved to ${locationName(d.to) || 'another location'}`;
      case 'ASSIGNED': return `Checked out to ${personName(event.personId || d.personId) || 'someone'}`;
      case 'UNASSIGNED': return `Taken back from ${personName(event.personId || d.personId) || 'someone'}`;
      case 'STATUS_CHANGED': return `Status: ${statusWords(d.from)} → ${statusWords(d.to)}`;
      case 'RETIRED': return 'Retired';
      case 'VERIFIED': return 'Seen in an audit';
      case 'MAINTENANCE_COMPLETED': return `Maintenance done${d.type ? ` (${d.type})` : ''}`;
      default: return event.type;
    }
  }

  async function loadHistory(append) {
    const page = await app.api.get(`/inventory-items/${asset.id}/timeline`,
      { query: { limit: 10, cursor: append ? cursor : undefined } });
    if (closed) return;
    const rows = (page.items || []).map((event) => el('li', { class: 'history-item', 'data-type': event.type },
      el('span', { class: 'history-what', text: describe(event) }),
      event.data && event.data.reason ? el('span', { class: 'history-reason', text: `“${event.data.reason}”` }) : null,
      el('span', { class: 'history-meta', text: `${when(event.at)} · ${(event.actor && event.actor.name) || 'Fieldscan'}` })));
    if (append) list.append(...rows);
    else list.replaceChildren(...rows);
    if (!list.children.length) list.append(el('li', { class: 'muted', text: 'Nothing recorded yet.' }));
    cursor = page.nextCursor || null;
    more.hidden = !cursor;
  }

  async function refresh() {
    const fresh = await app.api.get(`/inventory-items/${asset.id}`);
    if (closed) return;
    onAsset(fresh);
    await reload();
  }

  // POST the move, then show the asset as the server now has it; a refusal's message is shown as is.
  async function act(path, body, done) {
    say('');
    try {
      await app.api.post(`/inventory-items/${asset.id}/${path}`, body);
    } catch (err) {
      const message = err.status === 403 ? `Not allowed: ${err.message}` : err.message;
      if (err.status === 409) { // the asset changed elsewhere: show what it is now
        panel.hidden = true;
        await refresh().catch(() => {});
      }
      say(message, true);
      return false;
    }
    panel.hidden = true;
    try {
      await refresh();
    } catch (err) {
      say(`${done} Could not refresh: ${err.message}`, true);
      return true;
    }
    say(done);
    return true;
  }

  const field = (text, control) => el('label', { class: 'field' }, el('span', { class: 'label', text }), control);
  function openPanel(title, children, submitText, onSubmit, danger = false) {
    const submit = el('button', { type: 'submit', id: 'asset-action-submit', class: `btn btn-big btn-block ${danger ? 'btn-danger' : 'btn-primary'}`, text: submitText });
    const cancel = el('button', { type: 'button', id: 'asset-action-cancel', class: 'btn btn-quiet btn-block', text: 'Cancel' });
    cancel.addEventListener('click', () => { panel.hidden = true; say(''); });
    panel.replaceChildren(el('h2', { text: title }), ...children, submit, cancel);
    panel.onsubmit = async (event) => {
      event.preventDefault();
      submit.disabled = true;
      await onSubmit();
      submit.disabled = false;
    };
    panel.hidden = false;
    say('');
    panel.querySelector('input, textarea, button').focus();
  }

  function openCheckout() {
    let chosen = null;
    const search = el('input', { id: 'checkout-person-search', type: 'search', autocomplete: 'off', placeholder: 'Name, email or number' });
    const found = el('ul', { id: 'checkout-people', class: 'people-picks', 'aria-label': 'People found' });
    const today = new Date();
    const min = [today.getFullYear(), today.getMonth() + 1, today.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
    const dueDate = el('input', { id: 'checkout-due', type: 'date', min });
    let seq = 0;
    let timer = null;
    const pick = (person, button) => {
      chosen = person;
      for (const b of found.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
    };
    const lookUp = async () => {
      const mine = ++seq;
      let page;
      try {
        page = await app.api.get('/people', { query: { q: search.value.trim(), limit: 8 } });
      } catch (err) {
        if (mine === seq) say(err.message, true);
        return;
      }
      if (mine !== seq || closed) return;
      chosen = null;
      const people = page.items || [];
      found.replaceChildren(...people.map((person) => {
        const button = el('button', { type: 'button', class: 'btn btn-quiet btn-block person-pick', 'aria-pressed': 'false',
          'data-person-id': person.id, text: person.department ? `${person.name} · ${person.department}` : person.name });
        button.addEventListener('click', () => pick(person, button));
        return el('li', {}, button);
      }));
      if (!people.length) found.append(el('li', { class: 'muted', text: 'Nobody matches.' }));
    };
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 250);
    });
    openPanel('Check out', [field('Person', search), found, field('Due back (optional)', dueDate)], 'Check out',
      async () => {
        if (!chosen) {
          say('Choose the person who takes it.', true);
          search.focus();
          return;
        }
        const body = { personId: chosen.id };
        if (dueDate.value) body.dueBackAt = endOfDay(dueDate.value);
        await act('checkout', body, `Checked out to ${chosen.name}.`);
      });
    lookUp();
  }

  function openMove(move) {
    const words = MOVE_WORDS[move.toStatus] || statusWords(move.toStatus);
    const reason = el('textarea', { id: 'asset-action-reason', rows: '3', maxlength: '2000', required: move.reasonRequired });
    openPanel(`${words}: ${asset.tag}`, [field(move.reasonRequired ? 'Reason (required)' : 'Reason (optional)', reason)], words,
      async () => {
        const text = reason.value.trim();
        if (move.reasonRequired && !text) {
          say('Give a reason.', true);
          reason.focus();
          return;
        }
        await act('status', { toStatus: move.toStatus, ...(text ? { reason: text } : {}) }, `Now ${statusWords(move.toStatus).toLowerCase()}.`);
      }, move.toStatus === 'retired');
  }

  async function loadActions() {
    if (!canAct(app.auth)) {
      actions.hidden = true;
      return;
    }
    const answer = await app.api.get(`/inventory-items/${asset.id}/allowed-status-transitions`);
    if (closed) return;
    const made = (answer.allowed || []).map((move) => {
      let text = MOVE_WORDS[move.toStatus] || statusWords(move.toStatus);
      let onClick = () => openMove(move);
      if (move.via === 'checkout') { text = 'Check out'; onClick = openCheckout; }
      if (move.via === 'checkin') {
        text = 'Check in';
        onClick = async () => {
          button.disabled = true;
          if (!await act('checkin', {}, 'Checked in.')) button.disabled = false;
        };
      }
      const button = el('button', { type: 'button', class: `btn btn-block${move.toStatus === 'retired' ? ' btn-danger' : ''}`,
        'data-action': move.via === 'status' ? move.toStatus : move.via, text });
      button.addEventListener('click', onClick);
      return button;
    });
    buttons.replaceChildren(...made);
    actions.hidden = !made.length && result.hidden;
  }

  async function reload() {
    await Promise.all([
      loadActions().catch((err) => say(err.message, true)),
      loadHistory(false).catch((err) => { list.replaceChildren(el('li', { class: 'error', text: err.message })); }),
    ]);
  }

  more.addEventListener('click', async () => {
    more.disabled = true;
    await loadHistory(true).catch((err) => list.append(el('li', { class: 'error', text: err.message })));
    more.disabled = false;
  });

  return {
    health, dueRow: [dueLabel, due], actions, history, show, reload,
    close() { closed = true; },
  };
}
