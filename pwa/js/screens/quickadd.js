// Quick-add (/app/quick-add?code=&locationId=&sessionId=): a name is enough; category and location
// default, a scanned blank tag is bound, and an asset made during an audit is counted in it.
import { parseBlankCode, parseCode } from '../offline.js';
import { lastScannedLocation } from './asset.js';
import { el, option } from '../dom.js';

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
  const created = el('section', { id: 'qa-created', class: 'qa-created', hidden: true });
  const title = el('h1', { text: 'Quick add' });
  root.replaceChildren(el('div', { class: 'quick-add-screen' }, title, form, created));
  name.focus();
  record('quick_add_opened', { meta: { fromSession: Boolean(sessionId), withCode: Boolean(params.code) } });

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  // --- the choices, with the defaults preselected
  const [categories, defaultCategory, locations, defaultLocation, people, remembered] = await Promise.all([
    app.api.getAll('/categories').catch(() => []),
    app.api.get('/categories/default').catch(() => null),
    app.api.getAll('/locations').catch(() => []),
    app.api.get('/locations/default').catch(() => null),
    app.api.getAll('/people').catch(() => []),
    sessionId ? app.store.get('meta', `location:${sessionId}`).catch(() => null) : lastScannedLocation(app.store),
  ]);
  if (closed) return undefined;
  category.replaceChildren(...categories.map((c) => option(c.id, c.name, defaultCategory && c.id === defaultCategory.id)));
  if (!categories.length && defaultCategory) category.append(option(defaultCategory.id, defaultCategory.name, true));
  const wantedLocation = params.locationId || (remembered && remembered.id) || (defaultLocation && defaultLocation.id);
  location.replaceChildren(...locations.map((l) => option(l.id, l.path || l.name, l.id === wantedLocation)));
  if (!locations.length && defaultLocation) location.append(option(defaultLocation.id, defaultLocation.path || defaultLocation.name, true));
  assignee.append(...people.map((p) => option(p.id, p.email ? `${p.name} (${p.email})` : p.name, false)));
  if (document.activeElement !== name && !document.activeElement?.matches('input, select, textarea')) name.focus();

  async function scanIntoSession(asset) {
    try {
      await app.outbox.enqueue({
        sessionId, itemId: asset.id, clientScanId: crypto.randomUUID(), scannedAt: new Date().toISOString(),
        options: { allowMarkAnyway: true, ...(location.value ? { locationId: location.value } : {}) },
      });
    } catch (err) {
      app.toast(`Created, but not counted in the audit: ${err.message}`, 'error');
    }
  }

  function showCreated(asset) {
    created.dataset.assetId = asset.id;
    created.dataset.tag = asset.tag;
    const print = el('button', { type: 'button', id: 'qa-print', class: 'btn btn-primary btn-big btn-block', text: 'Print label' });
    const next = el('button', { type: 'button', id: 'qa-next', class: 'btn btn-big btn-block', text: 'Add another' });
    const back = sessionId
      ? el('button', { type: 'button', id: 'qa-back', class: 'btn', text: 'Back to the audit' })
      : null;
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
    try {
      const asset = await app.api.post('/inventory-items', body);
      record('asset_created_quick', { itemId: asset.id, meta: { claimed: Boolean(body.claimCode) } });
      if (body.assigneeId) record('asset_assigned', { itemId: asset.id });
      if (sessionId) await scanIntoSession(asset);
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

  return () => {
    closed = true;
  };
}
