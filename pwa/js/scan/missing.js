// The Missing tab: the expected items not seen yet, grouped by where they belong, searchable, shrinking as
// items are found. Online it pages through GET /sessions/{id}/missing; offline (or when that fails) it is
// worked out from the offline pack and this phone's own scans. Tapping an item shows its card with
// "Mark found here" (a scan by itemId).
import { placeText } from '../feedback.js';
import { el } from '../dom.js';
import { groupByLocation, missingFromIndex, stillMissing } from './state.js';

const PAGE = 100;
const LOCAL_PAGE = 200;

function lastSeenText(value) {
  if (!value) return 'Never verified';
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? String(value) : `Last verified ${at.toLocaleDateString()}`;
}

/**
 * {node, open(), refresh(), count}: source() → {index, online}; seen() → Set of asset ids counted on this
 * phone; onFound(item) marks one found here; readOnly hides that button.
 */
export function missingTab({ app, sessionId, source, seen, onFound, readOnly }) {
  const search = el('input', { id: 'missing-search', type: 'search', placeholder: 'Search tag, name or serial',
                               'aria-label': 'Search the missing items', autocomplete: 'off', enterkeyhint: 'search' });
  const status = el('p', { id: 'missing-status', class: 'muted', 'aria-live': 'polite' });
  const list = el('div', { id: 'missing-list', class: 'missing-list' });
  const more = el('button', { type: 'button', id: 'missing-more', class: 'btn btn-block', hidden: true, text: 'Show more' });
  const card = el('section', { id: 'missing-card', class: 'missing-card', hidden: true, 'aria-live': 'polite' });
  const node = el('div', { id: 'missing-panel', class: 'missing-panel', hidden: true }, search, status, card, list, more);
  let items = []; // what was fetched or computed, in order
  let cursor = null;
  let fromServer = false;
  let shownLocal = LOCAL_PAGE;
  let seq = 0;
  let timer = null;

  function paint() {
    const visible = stillMissing(items, seen());
    const groups = groupByLocation(visible);
    list.replaceChildren(...groups.map((group) => el('section', { class: 'missing-group', 'data-testid': 'missing-group' },
      el('h3', { class: 'missing-place', text: `${group.location ? placeText(group.location) : 'No expected place'} · ${group.items.length}` }),
      el('ul', { class: 'list missing-items' }, ...group.items.map((item) => el('li', {},
        el('button', { type: 'button', class: 'missing-item', 'data-testid': 'missing-item', 'data-tag': item.tag,
                       'data-asset-id': item.assetId, onclick: () => showCard(item) },
        el('span', { class: 'missing-tag', text: item.tag }),
        el('span', { class: 'missing-name', text: item.name || '' }))))))));
    const more_ = fromServer ? Boolean(cursor) : (items.total ?? items.length) > shownLocal;
    more.hidden = !more_;
    if (!visible.length) {
      status.textContent = search.value.trim() ? 'Nothing missing matches this search' : 'Nothing missing: every expected item is counted';
    } else {
      status.textContent = fromServer ? `${visible.length}${cursor ? '+' : ''} shown` : `${visible.length} shown, from this phone`;
    }
  }

  function showCard(item) {
    const found = el('button', { type: 'button', id: 'mark-found', class: 'btn btn-primary btn-big btn-block',
                                 text: 'Mark found here', hidden: typeof readOnly === 'function' ? readOnly() : readOnly });
    found.addEventListener('click', () => {
      card.hidden = true;
      onFound(item);
    });
    const close = el('button', { type: 'button', class: 'btn btn-block', text: 'Close', onclick: () => { card.hidden = true; } });
    card.replaceChildren(
      el('h3', { class: 'missing-card-name', text: item.name || item.tag }),
      el('dl', { class: 'missing-facts' },
        el('dt', { text: 'Tag' }), el('dd', { class: 'missing-tag', text: item.tag }),
        item.serial ? el('dt', { text: 'Serial' }) : null, item.serial ? el('dd', { text: item.serial }) : null,
        el('dt', { text: 'Belongs in' }), el('dd', { text: item.expectedLocation ? placeText(item.expectedLocation) : 'No expected place' }),
        el('dt', { text: 'Last seen' }), el('dd', { text: lastSeenText(item.lastSeenAt) })),
      found, close);
    card.hidden = false;
    card.scrollIntoView({ block: 'nearest' });
    found.focus();
  }

  function fromIndex() {
    const { index } = source();
    fromServer = false;
    cursor = null;
    if (!index) {
      items = [];
      status.textContent = 'Not on this phone yet: open the audit once with a connection';
      list.replaceChildren();
      more.hidden = true;
      return;
    }
    const all = missingFromIndex(index, search.value);
    items = all.slice(0, shownLocal);
    items.total = all.length;
    paint();
  }

  async function load({ append = false } = {}) {
    const mine = ++seq;
    const { online } = source();
    if (!online) {
      fromIndex();
      return;
    }
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (search.value.trim()) query.set('q', search.value.trim());
    if (append && cursor) query.set('cursor', cursor);
    if (!append) status.textContent = 'Loading…';
    try {
      const page = await app.api.get(`/sessions/${encodeURIComponent(sessionId)}/missing?${query}`);
      if (mine !== seq) return;
      const got = Array.isArray(page) ? page : page.items;
      items = append ? [...items, ...got] : got;
      cursor = Array.isArray(page) ? null : page.nextCursor;
      fromServer = true;
      paint();
    } catch {
      if (mine === seq) fromIndex();
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    shownLocal = LOCAL_PAGE;
    timer = setTimeout(() => load(), 200);
  });
  more.addEventListener('click', () => {
    if (fromServer) load({ append: true });
    else {
      shownLocal += LOCAL_PAGE;
      fromIndex();
    }
  });

  return {
    node,
    open() {
      node.hidden = false;
      card.hidden = true;
      load();
    },
    close() {
      node.hidden = true;
    },
    /** An item was counted: it leaves the list at once. */
    refresh() {
      if (!node.hidden) paint();
    },
  };
}
