// The asset page (/app/a/:tag): what a label scanned outside an audit opens. Where it is, who has it,
// when it was last verified, its health and history; edit it, move it to where the phone is, print its label;
// managers also check it out and in and change its status (asset_lifecycle.js).
import { el, option } from '../dom.js';
import { lastScannedLocation } from '../store.js';
import { createLifecycle, statusWords, when } from './asset_lifecycle.js';

/** The most recent location scanned in any audit on this phone (meta store "location:<sessionId>"). */
export async function render(root, params, app) {
  const wanted = decodeURIComponent(params.tag || '').trim();
  let closed = false;
  root.replaceChildren(el('p', { class: 'loading', text: `Looking up ${wanted}…` }));

  let asset;
  try {
    const page = await app.api.get('/inventory-items', { query: { q: wanted, limit: 50 } });
    const key = wanted.toLowerCase().toUpperCase();
    asset = (page.items || []).find((candidate) => candidate.tag.toLowerCase().toUpperCase() === key);
  } catch (error) {
    root.replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
    return undefined;
  }
  if (closed) return undefined;
  if (!asset) {
    const add = el('button', { type: 'button', class: 'btn btn-big btn-block', id: 'asset-quick-add', text: 'Add it as a new asset' });
    add.addEventListener('click', () => app.navigate(`/app/quick-add?code=${encodeURIComponent(wanted)}`));
    root.replaceChildren(el('div', { class: 'asset-screen' },
      el('h1', { text: 'No such asset' }), el('p', { text: `No asset has the tag “${wanted}”.` }), add));
    return () => { closed = true; };
  }

  const [locations, categories, people, here] = await Promise.all([
    app.api.getAll('/locations').catch(() => []),
    app.api.getAll('/categories').catch(() => []),
    app.api.getAll('/people').catch(() => []),
    lastScannedLocation(app.store),
  ]);
  if (closed) return undefined;
  const locationById = new Map(locations.map((l) => [l.id, l]));
  const categoryById = new Map(categories.map((c) => [c.id, c]));
  const personById = new Map(people.map((p) => [p.id, p]));
  const lifecycle = createLifecycle(app, {
    personName: (id) => personById.get(id)?.name,
    locationName: (id) => locationById.get(id)?.path,
    onAsset: (fresh) => {
      asset = fresh;
      paint();
      // Someone added after this page loaded: look the holder up once.
      if (asset.assigneeId && !personById.has(asset.assigneeId)) {
        app.api.get(`/people/${asset.assigneeId}`).then((p) => { personById.set(p.id, p); if (!closed) paint(); }, () => {});
      }
    },
  });

  const name = el('h1', { id: 'asset-name' });
  const tag = el('div', { id: 'asset-tag', class: 'asset-tag', style: 'font: 800 1.3rem var(--mono)' });
  const place = el('dd', { id: 'asset-location', style: 'margin:0' });
  const holder = el('dd', { id: 'asset-assignee', style: 'margin:0' });
  const status = el('dd', { id: 'asset-status', style: 'margin:0' });
  const verified = el('dd', { id: 'asset-last-verified', style: 'margin:0' });
  const kind = el('dd', { id: 'asset-category', style: 'margin:0' });
  const details = el('dl', { class: 'asset-details', style: 'display:grid;grid-template-columns:auto 1fr;gap:6px 14px;margin:12px 0' },
    el('dt', { class: 'label', text: 'Location' }), place, el('dt', { class: 'label', text: 'Assigned to' }), holder,
    el('dt', { class: 'label', text: 'Status' }), status, ...lifecycle.dueRow, el('dt', { class: 'label', text: 'Category' }), kind,
    el('dt', { class: 'label', text: 'Last verified' }), verified);
  const edit = el('button', { type: 'button', id: 'asset-edit', class: 'btn btn-big btn-block', text: 'Edit' });
  const moveHere = el('button', { type: 'button', id: 'asset-move-here', class: 'btn btn-big btn-block', hidden: true });
  const print = el('button', { type: 'button', id: 'asset-print', class: 'btn btn-big btn-block', text: 'Print label' });
  const error = el('div', { class: 'error', id: 'asset-error', role: 'alert', hidden: true });
  const editor = el('form', { class: 'form asset-editor', id: 'asset-editor', hidden: true, novalidate: true });

  function showError(text) {
    error.textContent = text || '';
    error.hidden = !text;
  }

  function paint() {
    name.textContent = asset.name;
    tag.textContent = asset.tag;
    const location = locationById.get(asset.locationId);
    place.textContent = location ? location.path : asset.locationId;
    const person = asset.assigneeId ? personById.get(asset.assigneeId) : null;
    holder.textContent = asset.assigneeId ? (person ? person.name : asset.assigneeId) : 'Nobody';
    status.textContent = statusWords(asset.status);
    status.dataset.status = asset.status;
    const category = categoryById.get(asset.categoryId);
    kind.textContent = category ? category.name : '';
    verified.textContent = when(asset.lastVerifiedAt);
    const movable = here && here.id !== asset.locationId;
    moveHere.hidden = !movable;
    if (movable) moveHere.textContent = `Move to ${here.name}`;
    lifecycle.show(asset);
  }

  async function change(body, done) {
    showError('');
    try {
      asset = await app.api.patch(`/inventory-items/${asset.id}`, body);
      paint();
      lifecycle.reload();
      done?.();
      return true;
    } catch (err) {
      showError(err.status === 403 ? `Not allowed: ${err.message}` : err.message);
      return false;
    }
  }

  function openEditor() {
    const nameInput = el('input', { id: 'asset-edit-name', type: 'text', value: asset.name, maxlength: '200' });
    const categorySelect = el('select', { id: 'asset-edit-category' },
      ...categories.map((c) => option(c.id, c.name, c.id === asset.categoryId)));
    const locationSelect = el('select', { id: 'asset-edit-location' },
      ...locations.map((l) => option(l.id, l.path, l.id === asset.locationId)));
    const personSelect = el('select', { id: 'asset-edit-assignee' }, option('', 'Nobody', !asset.assigneeId),
      ...people.map((p) => option(p.id, p.name, p.id === asset.assigneeId)));
    const save = el('button', { type: 'submit', id: 'asset-save', class: 'btn btn-primary btn-big btn-block', text: 'Save' });
    const cancel = el('button', { type: 'button', id: 'asset-cancel', class: 'btn', text: 'Cancel' });
    const label = (text, control) => el('label', { class: 'field' }, el('span', { class: 'label', text }), control);
    editor.replaceChildren(label('Name', nameInput), label('Category', categorySelect),
      label('Location', locationSelect), label('Assigned to', personSelect), el('div', { class: 'row' }, save, cancel));
    const close = () => {
      editor.hidden = true;
      edit.hidden = false;
    };
    cancel.addEventListener('click', close);
    editor.onsubmit = async (event) => {
      event.preventDefault();
      const body = {};
      if (nameInput.value.trim() !== asset.name) body.name = nameInput.value.trim();
      if (categorySelect.value && categorySelect.value !== asset.categoryId) body.categoryId = categorySelect.value;
      if (locationSelect.value && locationSelect.value !== asset.locationId) body.locationId = locationSelect.value;
      const person = personSelect.value || null;
      if (person !== (asset.assigneeId || null)) body.assigneeId = person;
      if (!Object.keys(body).length) {
        close();
        return;
      }
      save.disabled = true;
      if (await change(body, close)) app.toast('Saved', 'success');
      save.disabled = false;
    };
    editor.hidden = false;
    edit.hidden = true;
    nameInput.focus();
  }

  edit.addEventListener('click', openEditor);
  moveHere.addEventListener('click', async () => {
    moveHere.disabled = true;
    if (await change({ locationId: here.id })) app.toast(`Moved to ${here.name}`, 'success');
    moveHere.disabled = false;
  });
  print.addEventListener('click', () => app.navigate(`/app/print?itemIds=${encodeURIComponent(asset.id)}`));

  root.replaceChildren(el('div', { class: 'asset-screen' }, name, tag, lifecycle.health, details, error, lifecycle.actions,
    el('div', { class: 'asset-actions', style: 'display:flex;flex-direction:column;gap:10px' }, edit, moveHere, print),
    editor, lifecycle.history));
  paint();
  lifecycle.reload();
  return () => {
    closed = true;
    lifecycle.close();
  };
}
