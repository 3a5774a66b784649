// Quick-add (/app/quick-add?code=&locationId=&sessionId=): a name is enough; category and location
// default, a scanned blank tag is bound, and an asset made during an audit is counted in it, in the
// audit's room (the last door tag scanned, else the audit's location) and the last category used.
// With no connection the asset is queued in the outbox with a client id (the server makes it once) and
// its scan queued behind it; during an audit the app goes straight back to scanning.
import { parseBlankCode, parseCode } from '../offline.js';
import { NetworkError } from '../api.js';
import { lastScannedLocation } from '../store.js';
import { el, option } from '../dom.js';

const LISTS_KEY = 'quickadd-lists';
const LAST_CATEGORY_KEY = 'quickadd-last-category';

/** Categories, locations and people: from the server, else the audit's offline pack, else the last copy kept. */
async function choices(app, sessionId) {
  try {
    const [categories, defaultCategory, locations, defaultLocation, people] = await Promise.all([
      app.api.getAll('/categories'),
      app.api.get('/categories/default').catch(() => null),
      app.api.getAll('/locations'),
      app.api.get('/locations/default').catch(() => null),
      app.api.getAll('/people').catch(() => []),
    ]);
    const lists = { categories, locations, people, defaultCategoryId: defaultCategory && defaultCategory.id,
                    defaultLocationId: defaultLocation && defaultLocation.id, online: true };
    app.store.put('meta', LISTS_KEY, { ...lists, online: false }).catch(() => {});
    return lists;
  } catch {
    const pack = sessionId ? await app.store.get('packs', sessionId).catch(() => null) : null;
    if (pack && pack.categories) {
      return { categories: pack.categories, locations: pack.locations || [], people: pack.people || [],
               defaultCategoryId: pack.defaultCategoryId, defaultLocationId: pack.defaultLocationId, online: false };
    }
    const kept = await app.store.get('meta', LISTS_KEY).catch(() => null);
    return kept || { categories: [], locations: [], people: [], online: false };
  }
}

function field(label, control, hint) {
  return el('label', { class: 'field' }, el('span', { class: 'label', text: label }), control,
    hint ? el('span', { class: 'hint', text: hint }) : null);
}

/** A scanned code as quick-add uses it: {claimCode} for a valid blank tag, {tag} for other text. */
export function codeUse(raw) {
  if (!raw) return {};
  const parsed = parseCode(raw);
  if (parsed.kind === 'blank' || parsed.kind === 'text') {
    const code = parseBlankCode(parsed.value);
    if (code) return { claimCode: code };
  }
  if (parsed.kind === 'location') return { invalid: raw };
  return { tagCandidate: parsed.value, invalid: raw };
}

export async function render(root, params, app) {
  const flowId = crypto.randomUUID();
  const sessionId = params.sessionId || null;
  const use = codeUse(params.code);
  let closed = false;
  let advancedSent = false;
  let useAsTag = false;

  const record = (event, extra = {}) => {
    app.api.post('/inventory-items/quick-add/events', { event, flowId, ...extra }).catch(() => {});
  };

  const name = el('input', { id: 'qa-name', type: 'text', required: true, maxlength: '200', autocomplete: 'off',
                             enterkeyhint: 'done', placeholder: 'What is it? e.g. Dell laptop' });
  const category = el('select', { id: 'qa-category' });
  const location = el('select', { id: 'qa-location' });
  const assignee = el('select', { id: 'qa-assignee' }, option('', 'Nobody', true));
  const code = el('input', { id: 'qa-code', type: 'text', readonly: true, value: use.claimCode || '' });
  const codeField = field('Tag code', code, 'The blank label you scanned is bound to this asset');
  codeField.hidden = !use.claimCode;
  const problem = el('div', { class: 'qa-code-problem', hidden: true });
  if (use.invalid) {
    problem.hidden = false;
    const text = el('p', { text: `“${use.invalid}” is not a blank tag code.` });
    problem.append(text);
    if (use.tagCandidate) {
      const asTag = el('button', { type: 'button', id: 'qa-use-as-tag', class: 'btn',
                                   text: `Use “${use.tagCandidate}” as the tag` });
      asTag.addEventListener('click', () => {
        useAsTag = !useAsTag;
        asTag.setAttribute('aria-pressed', String(useAsTag));
        asTag.textContent = useAsTag ? `Tag will be “${use.tagCandidate}” (tap to undo)` : `Use “${use.tagCandidate}” as the tag`;
      });
      problem.append(asTag);
    }
  }
  const serial = el('input', { id: 'qa-serial', type: 'text', maxlength: '200', autocomplete: 'off' });
  const notes = el('textarea', { id: 'qa-notes', rows: '2' });
  const more = el('details', { class: 'qa-more', id: 'qa-more' }, el('summary', { text: 'More fields' }),
    field('Serial number', serial), field('Notes', notes));
  more.addEventListener('toggle', () => {
    if (more.open && !advancedSent) {
      advancedSent = true;
      record('advanced_opened');
    }
  });
  const create = el('button', { type: 'submit', id: 'qa-create', class: 'btn btn-primary btn-big btn-block', text: 'Create asset' });
  const error = el('div', { class: 'error', id: 'qa-error', role: 'alert', hidden: true });
  const form = el('form', { class: 'form quick-add-form', novalidate: true },
    field('Name', name), field('Category', category), field('Location', location),
    field('Assigned to', assignee, 'Optional'), codeField, problem, more, error, create);
  // Create pressed before the lists have loaded (a fast thumb, a slow network) is kept and done once they
  // are: never a native submit that reloads the page and drops what was typed.
  let pressedEarly = false;
  const early = (event) => {
    event.preventDefault();
    pressedEarly = true;
    create.textContent = 'Loading the lists…';
    create.setAttribute('aria-busy', 'true');
  };
  form.addEventListener('submit', early);
  const created = el('section', { id: 'qa-created', class: 'qa-created', hidden: true });
  const title = el('h1', { text: 'Quick add' });
  root.replaceChildren(el('div', { class: 'quick-add-screen' }, title, form, created));
  name.focus();
  record('quick_add_opened', { meta: { fromSession: Boolean(sessionId), withCode: Boolean(params.code) } });

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  // --- the choices, with the defaults preselected: the audit's room and the last category used
  const [lists, remembered, mobile, lastCategory] = await Promise.all([
    choices(app, sessionId),
    sessionId ? app.store.get('meta', `location:${sessionId}`).catch(() => null) : lastScannedLocation(app.store),
    // The audit's room: as this phone last saw the audit, else asked of the server (opened from a shared link).
    sessionId ? app.store.get('meta', `mobile:${sessionId}`).catch(() => null)
      .then((kept) => kept || app.api.get(`/sessions/${encodeURIComponent(sessionId)}/mobile`).catch(() => null)) : null,
    app.store.get('meta', LAST_CATEGORY_KEY).catch(() => null),
  ]);
  if (closed) return undefined;
  const { categories, locations, people } = lists;
  const wantedCategory = (lastCategory && categories.some((c) => c.id === lastCategory) && lastCategory) || lists.defaultCategoryId;
  category.replaceChildren(...categories.map((c) => option(c.id, c.name, c.id === wantedCategory)));
  const auditRoom = mobile && mobile.location ? mobile.location.id : null;
  const wantedLocation = params.locationId || (remembered && remembered.id) || auditRoom || lists.defaultLocationId;
  location.replaceChildren(...locations.map((l) => option(l.id, l.path || l.name, l.id === wantedLocation)));
  assignee.append(...people.map((p) => option(p.id, p.email ? `${p.name} (${p.email})` : p.name, false)));
  if (!lists.online) {
    form.prepend(el('p', { class: 'qa-offline', id: 'qa-offline', role: 'status',
                           text: 'No connection: the asset is kept on this phone and created when you are back online.' }));
  }
  if (document.activeElement !== name && !document.activeElement?.matches('input, select, textarea')) name.focus();

  const locationOf = (id) => locations.find((l) => l.id === id) || null;

  /** The scan that counts the new asset in the audit, queued behind it (by its client id while it waits). */
  async function scanIntoSession({ asset = null, clientId, body }) {
    const newAsset = { assetId: asset ? asset.id : `new:${clientId}`, tag: asset ? asset.tag : (body.claimCode || body.tag || null),
                       name: body.name, code: body.claimCode || body.tag || body.name, body };
    const options = { allowMarkAnyway: true, ...(body.locationId ? { locationId: body.locationId } : {}) };
    try {
      await app.outbox.enqueue({
        sessionId, clientScanId: crypto.randomUUID(), scannedAt: new Date().toISOString(), options, newAsset,
        ...(asset ? { itemId: asset.id } : { itemClientId: clientId }),
      });
    } catch (err) {
      app.toast(`Created, but not counted in the audit: ${err.message}`, 'error');
    }
  }

  function backToAudit() {
    app.navigate(`/app/sessions/${encodeURIComponent(sessionId)}`);
  }

  function showCreated(asset) {
    created.dataset.assetId = asset.id;
    created.dataset.tag = asset.tag;
    const print = el('button', { type: 'button', id: 'qa-print', class: 'btn btn-primary btn-big btn-block', text: 'Print label' });
    const next = el('button', { type: 'button', id: 'qa-next', class: 'btn btn-big btn-block', text: 'Add another' });
    const back = sessionId
      ? el('button', { type: 'button', id: 'qa-back', class: 'btn', text: 'Back to the audit' })
      : null;
    print.hidden = !asset.id; // a queued asset gets its label once it exists
    print.addEventListener('click', () => app.navigate(`/app/print?itemIds=${encodeURIComponent(asset.id)}`));
    next.addEventListener('click', () => {
      created.hidden = true;
      form.hidden = false;
      name.value = '';
      serial.value = '';
      notes.value = '';
      assignee.value = '';
      // A bound blank tag belongs to the asset just made; the next one gets its own.
      code.value = '';
      codeField.hidden = true;
      problem.hidden = true;
      use.claimCode = null;
      useAsTag = false;
      name.focus();
    });
    back?.addEventListener('click', () => app.navigate(`/app/sessions/${encodeURIComponent(sessionId)}`));
    created.replaceChildren(
      el('h2', { text: 'Created' }),
      el('p', { class: 'qa-created-tag', text: asset.tag }),
      el('p', { class: 'qa-created-name', text: asset.name }),
      el('div', { class: 'qa-created-actions' }, print, next, back));
    form.hidden = true;
    created.hidden = false;
    next.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    const text = name.value.trim();
    if (!text) {
      showError('Give the asset a name');
      name.focus();
      return;
    }
    const body = { name: text };
    if (category.value) body.categoryId = category.value;
    if (location.value) body.locationId = location.value;
    if (assignee.value) body.assigneeId = assignee.value;
    if (use.claimCode) body.claimCode = use.claimCode;
    else if (useAsTag && use.tagCandidate) body.tag = use.tagCandidate;
    if (serial.value.trim()) body.serial = serial.value.trim();
    if (notes.value.trim()) body.notes = notes.value.trim();
    create.disabled = true;
    const clientId = crypto.randomUUID();
    if (body.categoryId) app.store.put('meta', LAST_CATEGORY_KEY, body.categoryId).catch(() => {});
    try {
      let asset;
      try {
        asset = await app.api.post('/inventory-items', { ...body, clientId, ...(sessionId ? { sessionId } : {}) });
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        // No connection: kept on this phone, created once when the server answers again.
        await app.outbox.enqueueCreate({ clientId, body, sessionId }, { flush: false });
        if (sessionId) await scanIntoSession({ clientId, body });
        else app.outbox.flush().catch(() => {});
        const where = locationOf(body.locationId);
        app.toast(`Saved on this phone: ${body.name}${where ? ` in ${where.name}` : ''}. It is created when you are back online.`, 'success');
        if (sessionId) backToAudit();
        else showCreated({ id: null, tag: body.claimCode || body.tag || 'new', name: body.name, queued: true });
        return;
      }
      record('asset_created_quick', { itemId: asset.id, meta: { claimed: Boolean(body.claimCode), fromSession: Boolean(sessionId) } });
      if (body.assigneeId) record('asset_assigned', { itemId: asset.id });
      if (sessionId) {
        await scanIntoSession({ asset, clientId, body });
        app.toast(`Created ${asset.tag} and counted it`, 'success');
        backToAudit();
        return;
      }
      app.toast(`Created ${asset.tag}`, 'success');
      showCreated(asset);
    } catch (err) {
      const details = err.details && typeof err.details === 'object'
        ? Object.entries(err.details).map(([key, value]) => `${key}: ${value}`).join('; ') : '';
      showError(err.message + (details && !err.message.includes(details) ? ` (${details})` : ''));
    } finally {
      create.disabled = false;
    }
  });

  form.removeEventListener('submit', early);
  create.textContent = 'Create asset';
  create.removeAttribute('aria-busy');
  if (pressedEarly) form.requestSubmit();

  return () => {
    closed = true;
  };
}
