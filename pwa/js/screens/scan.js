// The scan screen (/app/sessions/:id): a code in → the outcome at once (the local guess from the offline
// pack), queued in the outbox, and replaced by the server's answer when it arrives. Everything it shows is
// rebuilt from IndexedDB on load (the pack as the server last gave it, the rows, the queue, the answers
// that came while the screen was away), so a reload offline shows the same progress and rows.
// Its parts live in ../scan/: the camera panel, the outcome banner, the recent list, the Missing tab, the
// finish sheet, and the pure state they share.
import { addLocalItem, buildIndex, decide, localProgress, packWithStates } from '../offline.js';
import { describe, initFeedback, isMuted, placeText, setMuted, signal, unlockAudio } from '../feedback.js';
import { loadDecoder } from '../scanner.js';
import { answerKey, createdKey } from '../outbox.js';
import { el } from '../dom.js';
import { cameraPanel, wasRunning } from '../scan/camera.js';
import { outcomeBanner } from '../scan/outcome.js';
import { paintRecent } from '../scan/recent.js';
import { missingTab } from '../scan/missing.js';
import { finishSheet } from '../scan/finish.js';
import {
  SEEN, answered, decideState, localRow, mergeRecent, progressOf, refused, storedRows, undoEffect,
} from '../scan/state.js';

const POLL_MS = 5000;
const PACK_STALE_VERSIONS = 50; // the server moved this far past our pack: download it again
const PACK_WRITE_MS = 2000; // the whole pack (up to a megabyte) rewritten at most this often; states go sooner

function isTyping(node) {
  return node && node.id !== 'scan-input' && (node.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(node.tagName));
}

const lower = (id) => String(id).toLowerCase();

export async function render(root, params, app) {
  const sessionId = params.id;
  const keys = { location: `location:${sessionId}`, mobile: `mobile:${sessionId}`, rows: `rows:${sessionId}`,
                 states: `states:${sessionId}` };
  const state = {
    mobile: null, // the server's last /mobile answer (progress updated by every answer since)
    etag: null,
    pack: null, // as the server gave it (states: the server's)
    index: null, // the pack with this phone's queued scans applied
    serverStates: new Map(), // assetId → the server's state, learnt since the stored pack was written
    learntSince: null, // while a pack downloads: the states learnt meanwhile, put back on it
    packLoading: null,
    rows: [], // recent scans, newest first: this phone's and the server's
    latestClientScanId: null,
    currentLocation: null, // {id, name, path, code}
    closed: false,
    readOnly: false,
  };
  const cleanups = [];
  let held = []; // outbox events held until the stored state is loaded; null once it is
  let ready;
  const loaded = new Promise((resolve) => { ready = resolve; });
  window.fieldscan = window.fieldscan || {};

  // --- the screen
  const title = el('h1', { class: 'session-name', id: 'session-name', text: 'Audit' });
  const progress = el('div', { id: 'progress', class: 'scan-progress count', 'data-scanned': '0', 'data-total': '0', text: '… / …' });
  const muteButton = el('button', { type: 'button', class: 'btn btn-small btn-quiet', id: 'mute', 'aria-pressed': 'false' });
  const back = el('a', { href: '/app/', class: 'back', id: 'scan-back', 'aria-label': 'Back to the audits', text: '‹' });
  const tabScan = el('button', { type: 'button', class: 'btn', id: 'tab-scan', role: 'tab', 'aria-selected': 'true', text: 'Scan' });
  const tabMissing = el('button', { type: 'button', class: 'btn', id: 'tab-missing', role: 'tab', 'aria-selected': 'false', text: 'Missing' });
  const finishButton = el('button', { type: 'button', class: 'btn', id: 'finish-open', role: 'tab', 'aria-selected': 'false', text: 'Finish' });
  const camera = cameraPanel({ sessionId, onCode: (text, decodedAt) => handleCode(text, decodedAt), toast: app.toast });
  const outcome = outcomeBanner({
    onMoveHere: (code) => {
      const options = { allowMarkAnyway: true, relocate: true };
      if (state.currentLocation) options.locationId = state.currentLocation.id;
      handleCode(code, performance.now(), options);
    },
    onAddAnyway: (code) => handleCode(code, performance.now(), { allowMarkAnyway: true }),
    onQuickAdd: (code) => {
      const query = new URLSearchParams({ code, sessionId });
      if (state.currentLocation) query.set('locationId', state.currentLocation.id);
      app.navigate(`/app/quick-add?${query}`);
    },
    onReport: () => app.navigate(`/app/sessions/${encodeURIComponent(sessionId)}/report`),
  });
  const input = el('input', {
    id: 'scan-input', type: 'text', autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false', enterkeyhint: 'go', placeholder: 'Scan or type a tag', 'aria-label': 'Code',
  });
  const form = el('form', { class: 'scan-form', novalidate: true }, input,
    el('button', { type: 'submit', class: 'btn btn-big btn-block', text: 'Enter' }));
  const recent = el('ol', { id: 'recent', class: 'recent' });
  const place = el('div', { class: 'current-location', id: 'current-location' });
  const missing = missingTab({
    app, sessionId,
    source: () => ({ index: state.index, online: app.connectivity.online }),
    seen: seenIds,
    onFound: (item) => {
      showTab('scan');
      handleCode(item.tag, performance.now(), {}, { itemId: item.assetId });
    },
    readOnly: () => state.readOnly,
  });
  const finish = finishSheet({
    app, sessionId, name: () => title.textContent,
    queued: queuedHere,
    onClose: () => showTab('scan'),
    onFinished: () => {
      app.toast('Audit finished', 'success');
      app.navigate(`/app/sessions/${encodeURIComponent(sessionId)}/report`);
    },
  });
  const scanPanel = el('div', { class: 'scan-panel', id: 'scan-panel' },
    camera.node, outcome.node, el('div', { class: 'scan-bottom' }, place, form, recent));
  scanPanel.style.display = 'contents';

  root.replaceChildren(
    el('div', { class: 'scan-screen' },
      el('header', { class: 'scan-top' }, back, title, progress, muteButton),
      el('div', { class: 'scan-tabs', role: 'tablist' }, tabScan, tabMissing, finishButton),
      finish.node, scanPanel, missing.node),
  );

  // --- painting
  function paintMute() {
    muteButton.textContent = isMuted() ? 'Sound off' : 'Sound on';
    muteButton.setAttribute('aria-pressed', String(isMuted()));
  }

  function currentProgress() {
    const base = state.mobile ? state.mobile.progress : null;
    if (base) return progressOf(base, state.rows);
    return state.index ? localProgress(state.index) : null;
  }

  function paintProgress() {
    const now = currentProgress();
    if (!now) return;
    progress.textContent = `${now.scanned} / ${now.total}`;
    progress.dataset.scanned = String(now.scanned);
    progress.dataset.total = String(now.total);
    const left = Math.max(0, now.total - now.scanned);
    tabMissing.textContent = `Missing ${left}`;
    tabMissing.dataset.count = String(left);
  }

  function paintPlace() {
    place.textContent = state.currentLocation ? `Here: ${placeText(state.currentLocation)}` : '';
    place.hidden = !state.currentLocation;
  }

  function paintRows() {
    paintRecent(recent, state.rows, { readOnly: state.readOnly, onUndo: undoRow, onCreateWithoutCode: createWithoutCode });
  }

  function paintAll() {
    paintRows();
    paintProgress();
    missing.refresh();
  }

  // A burst of answers (a queue of hundreds being sent) repaints and stores once per 100 ms, not per answer.
  let soonTimer = null;
  const consumed = new Set(); // answer keys applied to the rows: deleted with the rows that hold them
  function forget(clientScanId) {
    consumed.add(answerKey(clientScanId));
    soon();
  }
  function soon() {
    if (soonTimer) return;
    soonTimer = setTimeout(() => {
      soonTimer = null;
      persist();
      if (!state.closed) paintAll();
    }, 100);
  }

  function measure(decodedAt) {
    if (decodedAt === undefined) return;
    requestAnimationFrame(() => setTimeout(() => {
      window.fieldscan.lastFeedbackMs = Math.round((performance.now() - decodedAt) * 10) / 10;
    }, 0));
  }

  function seenIds() {
    const ids = new Set();
    if (state.index) for (const item of state.index.items) if (SEEN.has(item.state)) ids.add(lower(item.assetId));
    for (const row of state.rows) {
      if (row.item && row.item.assetId && !row.undone && !row.refused && (row.newState || row.result === 'accepted')) {
        ids.add(lower(row.item.assetId));
      }
    }
    return ids;
  }

  // --- storage: written as things change, read back on load.
  // The rows, the progress and the deletion of the answers they took in are one transaction: a reload
  // never finds an answer gone whose row was not stored (it would wait forever), nor an answer applied twice.
  // A call joins the write not yet started, or queues one behind the running one: when its promise resolves,
  // what the screen held at the call is stored.
  // The server's states learnt from answers go with them, as a small map beside the pack; the pack itself
  // (up to a megabyte) is rewritten with them at most every PACK_WRITE_MS, which empties the map in that write.
  let waitingWrite = null;
  let writePack = false;
  let lastWrite = Promise.resolve();
  function persist({ pack = false } = {}) {
    writePack = writePack || pack;
    if (waitingWrite) return waitingWrite;
    const write = lastWrite.then(() => {
      waitingWrite = null;
      const gone = [...consumed];
      consumed.clear();
      const rows = storedRows(state.rows);
      const { mobile } = state;
      const fullPack = writePack && state.pack && state.index ? packWithStates(state.pack, state.index) : null;
      writePack = false;
      const known = state.serverStates;
      if (fullPack) state.serverStates = new Map();
      const states = Object.fromEntries(state.serverStates);
      return app.store.writeMany(fullPack ? ['meta', 'packs'] : ['meta'], (stores) => {
        stores.meta.put(rows, keys.rows);
        if (mobile) stores.meta.put(mobile, keys.mobile);
        stores.meta.put(states, keys.states);
        if (fullPack) stores.packs.put(fullPack, sessionId);
        for (const key of gone) stores.meta.delete(key);
      }).catch((error) => {
        gone.forEach((key) => consumed.add(key)); // kept for the next write
        if (fullPack) state.serverStates = new Map([...known, ...state.serverStates]);
        console.error('fieldscan: could not store the scan screen', error);
      });
    });
    waitingWrite = write;
    lastWrite = write;
    return write;
  }
  const saveRows = persist;
  const saveMobile = persist;

  /**
   * The server said what an item's state is now: kept with the rows' next write (a small map), and in the
   * pack itself at most PACK_WRITE_MS later (a throttle, not a debounce: a long drain still writes it).
   */
  let packTimer = null;
  function learnt(item, serverState) {
    item.serverState = serverState;
    state.serverStates.set(lower(item.assetId), serverState); // written by the next persist(), with the rows
    if (state.learntSince) state.learntSince.set(lower(item.assetId), serverState);
    if (packTimer || state.closed) return;
    packTimer = setTimeout(() => {
      packTimer = null;
      persist({ pack: true });
    }, PACK_WRITE_MS);
  }

  async function saveLocation(location) {
    state.currentLocation = location;
    paintPlace();
    try {
      await app.store.put('meta', keys.location, { ...location, rememberedAt: new Date().toISOString() });
    } catch {
      // Remembered for this visit.
    }
  }

  async function queuedEntries() {
    try {
      return ((await app.store.all('outbox')) || []).filter((entry) => entry.sessionId === sessionId);
    } catch {
      return [];
    }
  }

  async function queuedHere() {
    return (await queuedEntries()).length;
  }

  // --- the index: the server's pack, then this phone's queued scans on top
  function indexItem(assetId) {
    return assetId && state.index ? state.index.byId.get(lower(assetId)) || null : null;
  }

  /** Queued rows (oldest first) applied to the index, so the pack says what this phone has counted. */
  function applyPendingRows(rows = [...state.rows].reverse()) {
    if (!state.index) return;
    for (const row of rows) {
      if (!row.pending || row.undone) continue;
      if (row.newAsset) {
        if (!indexItem(row.item && row.item.assetId)) {
          addLocalItem(state.index, { assetId: row.item.assetId, tag: row.item.tag, name: row.item.name,
                                      codes: row.createBody && row.createBody.claimCode ? [row.createBody.claimCode] : [] });
        }
        continue;
      }
      const item = indexItem(row.item && row.item.assetId);
      if (item && row.newState) item.state = row.newState;
    }
  }

  /** The pack as the index, with the server's states learnt since it was stored, then the queued rows on top. */
  function usePack(pack, learntStates = {}) {
    state.pack = pack;
    state.index = buildIndex(pack);
    state.index.scoped = Boolean(state.mobile && state.mobile.location);
    for (const [assetId, serverState] of Object.entries(learntStates || {})) {
      const item = state.index.byId.get(assetId);
      if (!item) continue;
      item.state = serverState;
      item.serverState = serverState;
      state.serverStates.set(assetId, serverState);
    }
    applyPendingRows();
  }

  /**
   * Rows for queued entries that have none (queued by quick-add, or rows not stored before a crash), each
   * applied to the index as it is made, so a second queued scan of one item reads as already counted.
   * Entries flagged "undo" (taken back while being sent) get no row.
   */
  function rowsForQueue(entries) {
    const known = new Set(state.rows.map((row) => row.clientScanId));
    const added = [];
    for (const entry of entries) {
      if (entry.kind === 'create' || entry.undo || known.has(entry.clientScanId)) continue;
      let row = null;
      if (entry.newAsset) {
        row = newAssetRow(entry);
      } else if (entry.local) {
        row = { ...localRow(entry, entry.local), item: entry.local.item || null };
      } else if (state.index) {
        row = localRow(entry, decide(state.index, entry.code || entry.itemId, entry.options || {}));
      }
      if (!row) continue;
      added.push(row);
      applyPendingRows([row]);
    }
    state.rows = [...added.reverse(), ...state.rows];
  }

  function newAssetRow(entry) {
    const asset = entry.newAsset;
    return {
      clientScanId: entry.clientScanId, clientId: entry.itemClientId, code: asset.code || asset.tag || asset.name,
      options: entry.options, scannedAt: entry.scannedAt, pending: true, newAsset: true,
      // Made online, the server already expects it (in the audit's scope): its scan counts like any other.
      newState: asset.assetId && !String(asset.assetId).startsWith('new:') ? 'scanned' : 'new',
      result: 'accepted', localResult: 'accepted', createBody: asset.body || null,
      item: { assetId: asset.assetId || `new:${entry.itemClientId}`, tag: asset.tag || null, name: asset.name },
    };
  }

  /**
   * Answers that came while the screen was away (kept by the outbox), applied once: the new assets made
   * first (so their scans find them), then the scans. The answers are deleted by the next persist(), in the
   * same write as the rows that now hold them.
   */
  async function catchUp(entries) {
    const waiting = new Set(entries.map((entry) => entry.clientScanId));
    const creating = new Set(entries.filter((entry) => entry.kind === 'create').map((entry) => entry.clientId));
    for (const row of state.rows) {
      if (!row.newAsset || !row.clientId || row.refused || creating.has(row.clientId)) continue;
      if (!String(row.item && row.item.assetId).startsWith('new:')) continue;
      const created = await app.store.get('meta', createdKey(row.clientId)).catch(() => null);
      if (created && created.id) assetCreated(row.clientId, created);
      else if (created && created.error) createRefused(row, row.createBody, created.error);
    }
    // Oldest first, as they were sent: the last answer's progress is the server's latest.
    for (const row of [...state.rows].reverse()) {
      if (!row.pending || waiting.has(row.clientScanId)) continue;
      const stored = await app.store.get('meta', answerKey(row.clientScanId)).catch(() => null);
      if (!stored) {
        // Neither queued nor answered: stored a moment before its queue entry, and the app closed between.
        refuse(row, { message: 'Not kept on this phone (the app closed as it was scanned); scan it again' });
        continue;
      }
      if (stored.undone) state.rows.splice(state.rows.indexOf(row), 1);
      else if (stored.answer) applyAnswer(row, stored.answer);
      else if (stored.error) refuse(row, stored.error);
      if (stored.undoError) app.toast(`Could not undo ${row.code}: ${stored.undoError.message}`, 'error');
      consumed.add(answerKey(row.clientScanId));
    }
  }

  // --- the server
  async function downloadPack() {
    if (held) return undefined; // the load asks once it is done
    if (state.packLoading) return state.packLoading;
    state.packLoading = (async () => {
      // Answers that come while the pack is on its way may be newer than the pack: they are put back on it.
      state.learntSince = new Map();
      try {
        const pack = await app.api.get(`/sessions/${sessionId}/offline-pack`);
        if (state.closed) return;
        const since = Object.fromEntries(state.learntSince);
        state.serverStates = new Map();
        usePack(pack, since);
        persist({ pack: true }); // the pack with those answers in it; the map of learnt states emptied
        paintAll();
      } catch {
        // Offline or refused: the stored pack (if any) stays in use.
      } finally {
        state.learntSince = null;
        state.packLoading = null;
      }
    })();
    return state.packLoading;
  }

  async function refreshMobile() {
    if (held) return; // the load asks once it is done
    let response;
    try {
      response = await app.api.request('GET', `/sessions/${sessionId}/mobile`, {
        raw: true, headers: state.etag ? { 'If-None-Match': state.etag } : {},
      });
    } catch (error) {
      if (error && error.status === 404) app.toast('This audit no longer exists', 'error');
      return;
    }
    if (state.closed || response.status === 304) return;
    state.etag = response.headers.get('ETag');
    const mobile = await response.json();
    applyMobile(mobile);
    saveMobile();
    saveRows();
    if (state.pack && mobile.version - state.pack.version > PACK_STALE_VERSIONS) downloadPack();
  }

  function applyMobile(mobile, { merge = true } = {}) {
    state.mobile = mobile;
    if (state.index) state.index.scoped = Boolean(mobile.location);
    title.textContent = mobile.name;
    document.title = `${mobile.name} · Fieldscan`;
    if (merge) state.rows = mergeRecent(state.rows, mobile.recentScans);
    if (mobile.status && mobile.status !== 'active') closeScreen(mobile);
    paintAll();
  }

  function closeScreen(mobile) {
    if (state.readOnly) return;
    state.readOnly = true;
    camera.disable();
    form.hidden = true;
    place.hidden = true;
    finishButton.hidden = true;
    tabScan.parentNode.style.gridTemplateColumns = '1fr 1fr';
    outcome.closed(mobile);
  }

  // --- a code in
  function guessFor(code, options, itemId) {
    if (!state.index) return null;
    if (itemId) {
      const item = indexItem(itemId);
      if (!item) return null;
      const decided = decideState(item.state, options);
      return { ...decided, item, expectedLocation: item.expectedLocation, tentative: false };
    }
    return decide(state.index, code, options);
  }

  async function handleCode(raw, decodedAt, options = {}, { itemId = null } = {}) {
    if (held) await loaded; // a code typed before the stored rows are back joins them, not replaced by them
    const code = String(raw).trim();
    if ((!code && !itemId) || state.readOnly) return;
    unlockAudio();
    const clientScanId = crypto.randomUUID();
    const sent = { ...options };
    if (state.currentLocation && !sent.locationId) sent.locationId = state.currentLocation.id;
    const scannedAt = new Date().toISOString();
    const guess = guessFor(code, sent, itemId);
    const row = localRow({ clientScanId, code: code || itemId, options: sent, scannedAt }, guess);
    state.latestClientScanId = clientScanId;
    state.rows.unshift(row);
    if (guess) {
      const item = indexItem(guess.item && guess.item.assetId);
      if (item && guess.newState) item.state = guess.newState;
      outcome.show({ ...guess, item: row.item }, code, { local: true, here: state.currentLocation });
      paintAll();
      measure(decodedAt);
      signal(guess.result);
      if (guess.result === 'location_set') saveLocation(guess.location);
    } else {
      outcome.pending(code);
      paintRows();
      row.decodedAt = decodedAt;
    }
    const local = guess ? { result: guess.result, newState: guess.newState || null, tentative: Boolean(guess.tentative),
                            item: row.item, expectedLocation: row.expectedLocation || null, location: row.location || null }
      : null;
    // The queue first: it is what reaches the server, and a reload rebuilds a missing row from it (a row
    // stored without its entry would wait forever).
    try {
      await app.outbox.enqueue({ clientScanId, sessionId, scannedAt, options: sent, local,
                                 ...(itemId ? { itemId } : { code }) });
      saveRows();
    } catch (error) {
      // Not queued, so never sent: the row says so and counts for nothing.
      const message = `Not kept on this phone (${error.message}); scan it again`;
      const current = state.rows.find((candidate) => candidate.clientScanId === clientScanId) || row;
      refuse(current, { message });
      if (state.latestClientScanId === clientScanId) outcome.refused(code || itemId, message);
      app.toast(`Could not keep the scan: ${error.message}`, 'error');
      saveRows();
      paintAll();
    }
  }

  function applyAnswer(row, answer) {
    const at = state.rows.indexOf(row);
    const next = answered(row, answer);
    next.syncedAt = Date.now();
    if (at >= 0) state.rows[at] = next;
    if (answer.location && answer.result === 'location_set') saveLocation(answer.location);
    const item = answer.item && indexItem(answer.item.assetId);
    if (item && ['unscanned', 'scanned', 'excluded', 'extra'].includes(answer.item.state)) {
      item.state = answer.item.state;
      learnt(item, answer.item.state);
    }
    if (answer.progress) {
      state.mobile = { ...(state.mobile || { name: title.textContent, status: 'active', recentScans: [] }), progress: answer.progress };
      soon();
    }
    return next;
  }

  function refuse(row, error) {
    const at = state.rows.indexOf(row);
    const next = refused(row, error);
    if (at >= 0) state.rows[at] = next;
    const item = indexItem(row.item && row.item.assetId);
    if (item && row.newState) item.state = item.serverState || 'unscanned';
    return next;
  }

  function onSynced(event) {
    const { entry, answer } = event.detail || {};
    if (!entry || entry.sessionId !== sessionId || (!answer && !event.detail.undone)) return;
    forget(entry.clientScanId);
    if (event.detail.undone) {
      // Taken back after it was sent: the outbox has undone it on the server (or it never arrived). If the
      // undo was refused, the server's count stands: applied here, and the row comes back with its list.
      consumed.add(answerKey(entry.clientScanId));
      const at = state.rows.findIndex((candidate) => candidate.clientScanId === entry.clientScanId);
      if (at >= 0) state.rows.splice(at, 1);
      const failed = event.detail.undoError;
      if (failed) {
        app.toast(`Could not undo ${entry.code || 'the scan'}: ${failed.message}`, 'error');
        if (answer) applyAnswer({}, answer);
      }
      state.etag = null;
      saveRows();
      paintAll();
      refreshMobile();
      return;
    }
    const row = state.rows.find((candidate) => candidate.clientScanId === entry.clientScanId);
    const previous = row ? row.localResult : null;
    const next = row ? applyAnswer(row, answer) : null;
    if (!row) applyAnswer({}, answer);
    if (state.latestClientScanId === entry.clientScanId) {
      outcome.show(answer, entry.code || (row && row.code), { here: state.currentLocation, changeText: next && next.changeText });
      if (previous === null) {
        if (row) measure(row.decodedAt);
        signal(answer.result);
      } else if (previous !== answer.result) {
        signal(answer.result);
      }
    }
    if (state.latestClientScanId === entry.clientScanId) paintProgress();
    soon();
  }

  function onRejected(event) {
    const { entry, error } = event.detail || {};
    if (!entry || entry.sessionId !== sessionId) return;
    consumed.add(answerKey(entry.clientScanId));
    const row = state.rows.find((candidate) => candidate.clientScanId === entry.clientScanId);
    if (!row || row.refused) {
      saveRows();
      return;
    }
    refuse(row, error);
    if (state.latestClientScanId === entry.clientScanId) outcome.refused(row.code, error.message);
    saveRows();
    paintAll();
  }

  function assetCreated(clientId, asset) {
    const row = state.rows.find((candidate) => candidate.newAsset && candidate.clientId === clientId);
    if (!row) return;
    const localId = row.item && row.item.assetId;
    const item = indexItem(localId);
    row.item = { assetId: asset.id, tag: asset.tag, name: asset.name };
    row.code = asset.tag;
    if (row.pending && row.newState === 'new') row.newState = 'scanned'; // the server now expects it
    if (item) {
      state.index.byId.delete(lower(localId));
      item.assetId = String(asset.id);
      item.tag = asset.tag;
      state.index.byId.set(lower(asset.id), item);
    }
  }

  function onCreated(event) {
    const { entry, asset } = event.detail || {};
    if (!entry || entry.sessionId !== sessionId) return;
    assetCreated(entry.clientId, asset);
    saveRows();
    paintAll();
  }

  function onCreateRejected(event) {
    const { entry, error } = event.detail || {};
    if (!entry || entry.sessionId !== sessionId) return;
    const row = state.rows.find((candidate) => candidate.newAsset && candidate.clientId === entry.clientId);
    if (!row) return;
    createRefused(row, entry.body, error);
    saveRows();
    paintAll();
  }

  function createRefused(row, body, error) {
    const next = refuse(row, error);
    next.createBody = body || row.createBody || null;
    next.error = { ...next.error, message: error.status === 409
      ? `${error.message}. The asset was not created.` : `Not created: ${error.message}` };
    const item = indexItem(row.item && row.item.assetId);
    if (item) item.state = null;
    return next;
  }

  async function createWithoutCode(row) {
    const body = { ...row.createBody };
    delete body.claimCode;
    const clientId = crypto.randomUUID();
    const clientScanId = crypto.randomUUID();
    const scannedAt = new Date().toISOString();
    const at = state.rows.indexOf(row);
    const next = newAssetRow({ clientScanId, itemClientId: clientId, scannedAt, options: row.options,
                               newAsset: { name: body.name, tag: null, body, code: body.name } });
    if (at >= 0) state.rows[at] = next;
    paintAll();
    await saveRows();
    try {
      await app.outbox.enqueueCreate({ clientId, body, sessionId }, { flush: false });
      await app.outbox.enqueue({ clientScanId, sessionId, itemClientId: clientId, scannedAt, options: row.options || { allowMarkAnyway: true },
                                 newAsset: { name: body.name, tag: null, body, code: body.name } });
    } catch (error) {
      app.toast(`Could not keep it: ${error.message}`, 'error');
    }
    paintAll();
  }

  const undoing = new Set(); // a second tap while the first is on its way does nothing
  async function undoRow(row) {
    const key = row.clientScanId || row.scanId;
    if (undoing.has(key)) return;
    undoing.add(key);
    try {
      let target = row;
      const taken = row.pending ? await app.outbox.cancel(row.clientScanId) : null;
      if (state.closed) return;
      if (taken === 'gone') {
        // Answered a moment ago: its answer applied here first, then undone on the server like any counted scan.
        target = state.rows.find((candidate) => candidate.clientScanId === row.clientScanId) || row;
        const stored = await app.store.get('meta', answerKey(row.clientScanId)).catch(() => null);
        if (target.pending && stored && stored.answer) target = applyAnswer(target, stored.answer);
        if (!target.pending && (target.result !== 'accepted' || !target.scanId)) {
          // The server did not count it (another phone had): there is nothing of this scan's to undo.
          app.toast(`Nothing to undo: ${describe(target, target.code).title}`, 'info');
          saveRows();
          paintAll();
          return;
        }
      }
      if (target.pending) {
        // Never sent ("removed"), or undone on the server when its answer comes ("undo-on-arrival").
        const item = indexItem(target.item && target.item.assetId);
        if (item && target.newState) item.state = item.serverState || (target.newState === 'extra' ? 'excluded' : 'unscanned');
        const at = state.rows.indexOf(target);
        if (at >= 0) state.rows.splice(at, 1);
      } else {
        const result = await app.api.post(`/sessions/${sessionId}/unscan`, { scanId: target.scanId });
        if (state.closed) return;
        target.undone = true;
        const item = indexItem(target.item && target.item.assetId);
        if (item) {
          const effect = undoEffect(item.state, item.inSnapshot);
          const becomes = result && result.state ? result.state : effect.becomes;
          if (becomes !== 'refused') {
            item.state = becomes === 'not_in_session' || becomes === null ? null : becomes;
            learnt(item, item.state);
          }
        }
        if (result && result.progress && state.mobile) state.mobile = { ...state.mobile, progress: result.progress };
        state.etag = null;
        refreshMobile();
      }
      const what = target.item && (target.item.name || target.item.tag) ? (target.item.name || target.item.tag) : target.code;
      // Sent already but not answered: taken back here now, on the server once it answers (or it says why not).
      app.toast(taken === 'undo-on-arrival' ? `Undone here: ${what}; the server is told when it answers` : `Undone: ${what}`, 'info');
      saveRows();
      paintAll();
    } catch (error) {
      if (!state.closed) app.toast(error.message || 'Undo failed', 'error');
    } finally {
      undoing.delete(key);
      if (!state.readOnly && !state.closed) input.focus();
    }
  }

  // --- tabs: scanning, the missing hunt, and the finish sheet, one at a time
  function showTab(which) {
    tabScan.setAttribute('aria-selected', String(which === 'scan'));
    tabMissing.setAttribute('aria-selected', String(which === 'missing'));
    finishButton.setAttribute('aria-selected', String(which === 'finish'));
    scanPanel.hidden = which !== 'scan';
    scanPanel.style.display = which === 'scan' ? 'contents' : 'none';
    if (which === 'missing') missing.open();
    else missing.close();
    if (which === 'finish') finish.open();
    else finish.hide();
    if (which === 'scan') {
      if (!state.readOnly) camera.resume();
      keepFocus();
    } else {
      camera.pause();
    }
  }
  tabScan.addEventListener('click', () => {
    showTab('scan');
    if (!state.readOnly) input.focus({ preventScroll: true }); // back to scanning: a handheld scanner types here
  });
  tabMissing.addEventListener('click', () => showTab('missing'));
  finishButton.addEventListener('click', () => showTab('finish'));

  // --- wiring
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const decodedAt = performance.now();
    const code = input.value;
    input.value = '';
    handleCode(code, decodedAt);
  });

  const keepFocus = () => {
    setTimeout(() => {
      if (state.closed || input.disabled || state.readOnly || scanPanel.hidden) return;
      if (!isTyping(document.activeElement) && !document.activeElement?.closest?.('.finish-sheet, .scan-tabs, .missing-panel, .recent')) {
        input.focus({ preventScroll: true });
      }
    }, 0);
  };
  input.addEventListener('blur', keepFocus);
  // On a touch screen the kept focus must not hold the on-screen keyboard open over the camera:
  // a handheld scanner still types into the field; a tap on the field brings the keyboard.
  const touch = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
  let byHand = false;
  let refocusing = false;
  if (touch) {
    input.inputMode = 'none';
    input.addEventListener('pointerdown', () => {
      if (byHand) return;
      byHand = true;
      input.inputMode = 'text';
      if (document.activeElement === input) {
        refocusing = true;
        input.blur();
        setTimeout(() => {
          refocusing = false;
          input.focus();
        }, 0);
      }
    });
    input.addEventListener('blur', () => {
      if (refocusing) return;
      byHand = false;
      input.inputMode = 'none';
    });
    form.addEventListener('submit', () => {
      byHand = false;
      input.inputMode = 'none';
    });
  }
  scanPanel.addEventListener('click', keepFocus);
  muteButton.addEventListener('click', async () => {
    await setMuted(!isMuted());
    paintMute();
  });

  const onVisibility = () => {
    if (document.hidden) camera.pause();
    else {
      if (!scanPanel.hidden && !state.readOnly) camera.resume();
      refreshMobile();
    }
  };
  const onConnectivity = (event) => {
    if (!event.detail.online) return;
    downloadPack();
    refreshMobile();
  };
  document.addEventListener('visibilitychange', onVisibility);
  app.connectivity.addEventListener('change', onConnectivity);
  // The outbox's events that arrive while the stored state loads are held, then replayed on top of it:
  // applied earlier, the load would overwrite them.
  const listeners = [['scan-synced', onSynced], ['scan-rejected', onRejected], ['asset-created', onCreated],
                     ['create-rejected', onCreateRejected]]
    .map(([type, fn]) => [type, (event) => (held ? held.push([fn, event]) : fn(event))]);
  for (const [type, fn] of listeners) app.outbox.addEventListener(type, fn);
  const poll = setInterval(() => {
    if (!document.hidden) refreshMobile();
  }, POLL_MS);

  cleanups.push(() => {
    clearInterval(poll);
    if (soonTimer || packTimer) persist({ pack: Boolean(packTimer) });
    clearTimeout(packTimer);
    clearTimeout(soonTimer);
    document.removeEventListener('visibilitychange', onVisibility);
    app.connectivity.removeEventListener('change', onConnectivity);
    for (const [type, fn] of listeners) app.outbox.removeEventListener(type, fn);
    camera.destroy();
    finish.destroy();
  });

  // --- start: what is stored first (works offline), then the network
  input.focus();
  await initFeedback(app.store);
  paintMute();
  const [storedPack, storedStates, storedMobile, storedLocation, storedRowList, entries] = await Promise.all([
    app.store.get('packs', sessionId).catch(() => null),
    app.store.get('meta', keys.states).catch(() => null),
    app.store.get('meta', keys.mobile).catch(() => null),
    app.store.get('meta', keys.location).catch(() => null),
    app.store.get('meta', keys.rows).catch(() => null),
    queuedEntries(),
  ]);
  if (state.closed) return undefined;
  if (storedLocation) state.currentLocation = storedLocation;
  paintPlace();
  // A row taken back just before a reload (its entry flagged "undo", the rows not yet stored) stays gone.
  const takenBack = new Set(entries.filter((entry) => entry.undo).map((entry) => entry.clientScanId));
  state.rows = (Array.isArray(storedRowList) ? storedRowList : []).filter((row) => !takenBack.has(row.clientScanId));
  try {
    if (storedMobile) applyMobile(storedMobile, { merge: false });
    // The server's pack with the stored queued rows on top; then rows for queued entries without one; then
    // the answers that came while away (they write the server's states into the index).
    if (storedPack) usePack(storedPack, storedStates);
    rowsForQueue(entries);
    await catchUp(entries);
  } catch (error) {
    // What could be read is shown; scanning must go on whatever the stored state holds.
    console.error('fieldscan: could not restore the scan screen', error);
  } finally {
    const early = held;
    held = null;
    ready();
    if (!state.closed) for (const [fn, event] of early) fn(event);
  }
  if (state.closed) return undefined;
  persist();
  const latest = state.rows[0];
  if (latest && !state.readOnly && latest.result && latest.result !== 'pending') {
    state.latestClientScanId = latest.clientScanId || null;
    outcome.show({ result: latest.result, item: latest.item, expectedLocation: latest.expectedLocation,
                   location: latest.location, tentative: latest.tentative }, latest.code,
                 { local: Boolean(latest.pending), here: state.currentLocation, changeText: latest.changeText });
  }
  paintAll();
  window.fieldscan.scanReadyAt = performance.now();
  refreshMobile();
  downloadPack();
  keepFocus();
  if (!state.readOnly && wasRunning(sessionId)) camera.start();
  // Fetch the decoder while online, so the camera also works after the network is gone.
  (window.requestIdleCallback || ((fn) => setTimeout(fn, 1500)))(() => {
    if (!state.closed) loadDecoder().catch(() => {});
  });

  return () => {
    state.closed = true;
    cleanups.forEach((fn) => fn());
  };
}
