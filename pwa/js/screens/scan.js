// The scan screen (/app/sessions/:id): a code in → the outcome at once (the local guess from the
// offline pack), queued in the outbox, and replaced by the server's answer when it arrives.
import { applyDecision, buildIndex, decide, localProgress, packWithStates } from '../offline.js';
import { COLOURS, describe, initFeedback, isMuted, itemText, placeText, setMuted, signal, unlockAudio } from '../feedback.js';
import { loadDecoder, startScanner } from '../scanner.js';
import { el } from '../dom.js';

const POLL_MS = 5000;
const RECENT_MAX = 20;
const PACK_STALE_VERSIONS = 50; // the server moved this far past our pack: download it again

// The scan screen's own layout: camera on top, the outcome big in the middle, input and history in thumb reach.
const STYLE = `
.scan-screen { display: flex; flex-direction: column; gap: 10px; min-height: calc(100dvh - var(--topbar-h) - 32px); }
.scan-top { display: flex; align-items: center; gap: 10px; }
.scan-top .session-name { flex: 1; margin: 0; font-size: 1.15rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.scan-top #progress { font-weight: 800; font-size: 1.2rem; font-variant-numeric: tabular-nums; }
.camera-box { position: relative; background: #000; border-radius: var(--radius); overflow: hidden; aspect-ratio: 4 / 3; max-height: 34vh; }
.camera-box video { width: 100%; height: 100%; object-fit: cover; display: block; }
.camera-box #start-camera { position: absolute; inset: auto 12px 12px 12px; width: auto; }
.camera-box #start-camera[data-running] { inset: 8px 8px auto auto; min-height: 40px; font-size: .95rem; opacity: .85; }
.camera-box #torch { position: absolute; top: 8px; left: 8px; }
.scan-screen .outcome { padding: 14px 16px; border-radius: var(--radius); }
.scan-screen .outcome:not([data-result]), .scan-screen .outcome[data-result=pending] { background: var(--paper-2); color: var(--ink); }
.scan-screen .outcome[data-local="true"] { outline: 3px dashed rgba(0,0,0,.25); outline-offset: -3px; }
.scan-screen .outcome-title { font-size: 2.2rem; font-weight: 900; line-height: 1.1; }
.scan-screen .outcome-detail { font-size: 1.1rem; font-weight: 600; margin-top: 4px; }
.scan-screen .outcome-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; }
.scan-screen .outcome-actions .btn { flex: 1 1 40%; background: var(--paper); color: var(--ink); border-color: var(--paper); }
.scan-bottom { margin-top: auto; display: flex; flex-direction: column; gap: 8px; }
.scan-form { display: flex; gap: 8px; }
.scan-form .btn { width: auto; flex: none; }
.current-location { font-weight: 700; color: var(--location); }
.recent { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; max-height: 32vh; overflow-y: auto; }
.recent-scan { display: grid; grid-template-columns: 14px auto 1fr auto; align-items: center; gap: 8px; padding: 6px 8px; border: 1px solid var(--line); border-radius: var(--radius); }
.recent-scan[data-undone] { opacity: .5; text-decoration: line-through; }
.recent-scan[data-changed="true"] .recent-title::after { content: " (corrected)"; font-weight: 500; }
.recent-dot { width: 14px; height: 14px; border-radius: 50%; }
.recent-title { font-weight: 800; }
.recent-detail { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.recent-pending { grid-column: 2 / 4; font-size: .85rem; color: var(--ink-soft); }
.recent .undo { min-height: 40px; }
`;

function ensureStyle() {
  if (document.getElementById('scan-screen-style')) return;
  document.head.append(Object.assign(document.createElement('style'), { id: 'scan-screen-style', textContent: STYLE }));
}

function isTyping(node) {
  return node && node.id !== 'scan-input' && (node.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(node.tagName));
}

async function outboxEntries(app) {
  try {
    return (await app.store.all('outbox')) || [];
  } catch {
    return [];
  }
}

export async function render(root, params, app) {
  const sessionId = params.id;
  const locationKey = `location:${sessionId}`;
  const mobileKey = `mobile:${sessionId}`;
  const state = {
    mobile: null,
    etag: null,
    pack: null,
    index: null,
    packLoading: null,
    rows: [], // recent scans, newest first: local ones and the server's
    latestClientScanId: null,
    currentLocation: null, // {id, name, path, code}
    lastAnswer: null,
    lastCode: null,
    scanner: null,
    cameraWanted: false,
    closed: false,
    undoOnArrival: new Set(), // clientScanIds undone while they were being sent
  };
  const cleanups = [];
  window.fieldscan = window.fieldscan || {};
  ensureStyle();

  // --- the screen
  const title = el('h1', { class: 'session-name', text: 'Audit' });
  const progress = el('div', { id: 'progress', class: 'scan-progress count', 'data-scanned': '0', 'data-total': '0', text: '… / …' });
  const muteButton = el('button', { type: 'button', class: 'btn btn-small btn-quiet', id: 'mute', 'aria-pressed': 'false' });
  const video = el('video', { id: 'camera', playsinline: true, muted: true, autoplay: true });
  const startCamera = el('button', { type: 'button', id: 'start-camera', class: 'btn btn-big btn-block', text: 'Start camera' });
  const torch = el('button', { type: 'button', id: 'torch', class: 'btn btn-small btn-quiet', hidden: true, 'aria-pressed': 'false', text: 'Torch' });
  const outcomeTitle = el('div', { id: 'outcome-title', class: 'outcome-title', text: 'Ready' });
  const outcomeDetail = el('div', { id: 'outcome-detail', class: 'outcome-detail', text: 'Scan a label or type a tag' });
  const moveHere = el('button', { type: 'button', id: 'move-here', class: 'btn btn-big btn-block', hidden: true, text: 'Move here' });
  const addAnyway = el('button', { type: 'button', id: 'add-anyway', class: 'btn btn-big btn-block', hidden: true, text: 'Add anyway' });
  const quickAdd = el('button', { type: 'button', id: 'quick-add-code', class: 'btn btn-big btn-block', hidden: true, text: 'Add as new asset' });
  const outcome = el('section', { id: 'outcome', class: 'outcome', 'aria-live': 'assertive' },
    outcomeTitle, outcomeDetail, el('div', { class: 'outcome-actions' }, moveHere, addAnyway, quickAdd));
  const input = el('input', {
    id: 'scan-input', type: 'text', autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false', enterkeyhint: 'go', placeholder: 'Scan or type a tag', 'aria-label': 'Code',
  });
  const form = el('form', { class: 'scan-form', novalidate: true }, input,
    el('button', { type: 'submit', class: 'btn btn-big btn-block', text: 'Enter' }));
  const recent = el('ol', { id: 'recent', class: 'recent' });
  const place = el('div', { class: 'current-location', id: 'current-location' });

  root.replaceChildren(
    el('div', { class: 'scan-screen' },
      el('header', { class: 'scan-top' }, title, progress, muteButton),
      el('div', { class: 'camera-box' }, video, startCamera, torch),
      outcome,
      el('div', { class: 'scan-bottom' }, place, form, recent)),
  );

  // --- helpers
  function paintMute() {
    muteButton.textContent = isMuted() ? 'Sound off' : 'Sound on';
    muteButton.setAttribute('aria-pressed', String(isMuted()));
  }

  function paintProgress() {
    const base = state.mobile ? state.mobile.progress : (state.index ? localProgress(state.index) : null);
    if (!base) return;
    let { scanned, total } = base;
    if (state.mobile) {
      // Local accepts not yet answered by the server count already.
      for (const row of state.rows) {
        if (!row.pending || !row.newState) continue;
        scanned += 1;
        if (row.newState === 'extra') total += 1;
      }
    }
    progress.textContent = `${scanned} / ${total}`;
    progress.dataset.scanned = String(scanned);
    progress.dataset.total = String(total);
  }

  function paintPlace() {
    place.textContent = state.currentLocation ? `Here: ${placeText(state.currentLocation)}` : '';
    place.hidden = !state.currentLocation;
  }

  function paintOutcome(answer, code, local) {
    const { title: words, detail } = describe(answer, code);
    outcome.dataset.result = answer.result;
    outcome.className = `outcome is-${answer.result}`;
    if (local) outcome.dataset.local = 'true';
    else delete outcome.dataset.local;
    outcomeTitle.textContent = words;
    outcomeDetail.textContent = detail;
    const misplaced = answer.result === 'wrong_location' || answer.result === 'not_in_session';
    moveHere.hidden = !misplaced;
    moveHere.textContent = state.currentLocation ? `Move to ${state.currentLocation.name}` : 'Move here';
    addAnyway.hidden = !misplaced;
    quickAdd.hidden = answer.result !== 'unknown_code';
    state.lastAnswer = answer;
    state.lastCode = code;
  }

  function measure(decodedAt) {
    if (decodedAt === undefined) return;
    requestAnimationFrame(() => setTimeout(() => {
      window.fieldscan.lastFeedbackMs = Math.round((performance.now() - decodedAt) * 10) / 10;
    }, 0));
  }

  function rowKey(row) {
    return row.clientScanId || row.scanId;
  }

  function paintRecent() {
    const shown = state.rows.slice(0, RECENT_MAX).map((row) => {
      const answer = { result: row.result, item: row.item, expectedLocation: row.expectedLocation,
                       location: row.location, tentative: row.tentative };
      const words = describe(answer, row.code);
      const undo = el('button', {
        type: 'button', class: 'undo', 'data-action': 'undo', text: 'Undo',
        disabled: row.undone || row.result !== 'accepted' ? true : undefined,
        onclick: () => undoRow(row),
      });
      const li = el('li', {
        'data-testid': 'recent-scan', 'data-code': row.code, 'data-result': row.result,
        'data-changed': row.changed ? 'true' : undefined, 'data-pending': row.pending ? 'true' : undefined,
        'data-undone': row.undone ? 'true' : undefined, class: `recent-scan result-${row.result}`,
      },
      el('span', { class: 'recent-dot', style: `background:${COLOURS[row.result] || 'var(--unknown)'}` }),
      el('span', { class: 'recent-title', text: words.title }),
      el('span', { class: 'recent-detail', text: row.item ? itemText(row.item, row.code) : row.code }),
      row.pending ? el('span', { class: 'recent-pending', text: 'waiting to sync' }) : null,
      undo);
      return li;
    });
    recent.replaceChildren(...shown);
  }

  function sameScan(row, scan) {
    return row.code === scan.code && Math.abs(Date.parse(row.scannedAt) - Date.parse(scan.scannedAt)) < 2;
  }

  function mergeRecent(serverScans) {
    const scans = serverScans || [];
    const serverIds = new Set(scans.map((scan) => scan.id));
    const byScanId = new Map(state.rows.filter((row) => row.scanId).map((row) => [row.scanId, row]));
    // A queued scan the server counted before its answer reached us: the same row, not a second one.
    for (const row of state.rows) {
      if (!row.pending || row.scanId) continue;
      const scan = scans.find((candidate) => !byScanId.has(candidate.id) && sameScan(row, candidate));
      if (!scan) continue;
      Object.assign(row, { scanId: scan.id, pending: false, syncedAt: Date.now(),
                           changed: row.localResult != null && row.localResult !== scan.result });
      byScanId.set(scan.id, row);
    }
    // Queued scans, and answered ones the server's list (fetched a moment earlier) does not show yet.
    const local = state.rows.filter((row) => (row.pending && !row.scanId)
      || (row.scanId && !serverIds.has(row.scanId) && Date.now() - (row.syncedAt || 0) < 15000));
    const merged = scans.map((scan) => {
      const known = byScanId.get(scan.id);
      return {
        ...(known || {}),
        scanId: scan.id, code: scan.code, result: scan.result, undone: scan.undone, pending: false,
        item: known && known.item ? known.item : { assetId: scan.assetId, tag: scan.tag, name: scan.name },
        scannedAt: scan.scannedAt,
      };
    });
    state.rows = [...local, ...merged].slice(0, RECENT_MAX * 2);
  }

  async function saveLocation(location) {
    state.currentLocation = location;
    paintPlace();
    try {
      await app.store.put('meta', locationKey, { ...location, rememberedAt: new Date().toISOString() });
    } catch {
      // Remembered for this visit.
    }
  }

  async function savePack() {
    if (!state.pack || !state.index) return;
    try {
      await app.store.put('packs', sessionId, packWithStates(state.pack, state.index));
    } catch {
      // The next download brings the states back.
    }
  }

  async function usePack(pack) {
    const index = buildIndex(pack);
    const queued = [];
    // Scans still queued for this session count in the local states.
    for (const entry of await outboxEntries(app)) {
      if (entry.sessionId !== sessionId || !entry.code) continue;
      const guess = decide(index, entry.code, entry.options || {});
      applyDecision(index, guess);
      queued.push([entry, guess]);
    }
    index.scoped = Boolean(state.mobile && state.mobile.location);
    state.pack = pack;
    state.index = index;
    paintProgress();
    return queued;
  }

  /** Rows for scans queued in an earlier visit (the app was closed before they were sent). */
  function showQueued(queued) {
    const known = new Set(state.rows.map((row) => row.clientScanId));
    const rows = queued.filter(([entry]) => !known.has(entry.clientScanId)).map(([entry, guess]) => ({
      clientScanId: entry.clientScanId, code: entry.code, pending: true, options: entry.options,
      scannedAt: entry.scannedAt, result: guess.result, localResult: guess.result, tentative: guess.tentative,
      newState: guess.newState, item: guess.item ? { assetId: guess.item.assetId, tag: guess.item.tag } : null,
      expectedLocation: guess.expectedLocation || null, location: guess.location || null,
    }));
    state.rows = [...rows.reverse(), ...state.rows];
    paintRecent();
    paintProgress();
  }

  async function downloadPack() {
    if (state.packLoading) return state.packLoading;
    state.packLoading = (async () => {
      try {
        const pack = await app.api.get(`/sessions/${sessionId}/offline-pack`);
        if (state.closed) return;
        await app.store.put('packs', sessionId, pack).catch(() => {});
        showQueued(await usePack(pack));
      } catch {
        // Offline or refused: the stored pack (if any) stays in use.
      } finally {
        state.packLoading = null;
      }
    })();
    return state.packLoading;
  }

  async function refreshMobile() {
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
    app.store.put('meta', mobileKey, mobile).catch(() => {});
    if (state.pack && mobile.version - state.pack.version > PACK_STALE_VERSIONS) downloadPack();
  }

  function applyMobile(mobile) {
    state.mobile = mobile;
    if (state.index) state.index.scoped = Boolean(mobile.location);
    title.textContent = mobile.name;
    mergeRecent(mobile.recentScans);
    paintProgress();
    paintRecent();
    if (mobile.status && mobile.status !== 'active') {
      input.disabled = true;
      outcomeTitle.textContent = mobile.status === 'completed' ? 'Audit completed' : 'Audit cancelled';
      outcomeDetail.textContent = 'Scans are no longer taken';
    }
  }

  // --- a code in
  async function handleCode(raw, decodedAt, options = {}) {
    const code = String(raw).trim();
    if (!code) return;
    unlockAudio();
    const clientScanId = crypto.randomUUID();
    const sent = { ...options };
    if (state.currentLocation && !sent.locationId) sent.locationId = state.currentLocation.id;
    const row = { clientScanId, code, pending: true, options: sent, scannedAt: new Date().toISOString() };
    state.latestClientScanId = clientScanId;
    if (state.index) {
      const guess = decide(state.index, code, sent);
      applyDecision(state.index, guess);
      Object.assign(row, {
        result: guess.result, localResult: guess.result, tentative: guess.tentative, newState: guess.newState,
        item: guess.item ? { assetId: guess.item.assetId, tag: guess.item.tag } : null,
        expectedLocation: guess.expectedLocation || null, location: guess.location || null,
      });
      state.rows.unshift(row);
      paintOutcome({ ...guess, item: row.item }, code, true);
      paintRecent();
      paintProgress();
      measure(decodedAt);
      signal(guess.result);
      if (guess.result === 'location_set') saveLocation(guess.location);
      savePack();
    } else {
      Object.assign(row, { result: 'pending', localResult: null });
      state.rows.unshift(row);
      outcome.dataset.result = 'pending';
      outcome.className = 'outcome';
      outcome.dataset.local = 'true';
      outcomeTitle.textContent = 'Checking…';
      outcomeDetail.textContent = code;
      moveHere.hidden = true;
      addAnyway.hidden = true;
      quickAdd.hidden = true;
      paintRecent();
      row.decodedAt = decodedAt;
    }
    try {
      await app.outbox.enqueue({ clientScanId, sessionId, code, scannedAt: row.scannedAt, options: sent });
    } catch (error) {
      app.toast(`Could not keep the scan: ${error.message}`, 'error');
    }
  }

  function onSynced(event) {
    const detail = event.detail || {};
    const entry = detail.entry || detail;
    const answer = detail.answer || detail.response;
    if (!answer || entry.sessionId !== sessionId) return;
    if (state.undoOnArrival.delete(entry.clientScanId)) {
      if (answer.scan && answer.scan.id && answer.result !== 'location_set' && answer.result !== 'unknown_code') {
        app.api.post(`/sessions/${sessionId}/unscan`, { scanId: answer.scan.id })
          .then(() => { state.etag = null; return refreshMobile(); })
          .catch((error) => app.toast(`Undo failed: ${error.message}`, 'error'));
      }
      return;
    }
    const row = state.rows.find((candidate) => candidate.clientScanId === entry.clientScanId);
    const previous = row ? row.localResult : null;
    if (row) {
      Object.assign(row, {
        pending: false, scanId: answer.scan && answer.scan.id, result: answer.result, tentative: false,
        syncedAt: Date.now(),
        item: answer.item || row.item, expectedLocation: answer.expectedLocation || null,
        location: answer.location || null, changed: previous !== null && previous !== answer.result,
      });
    }
    if (answer.location && answer.result === 'location_set') saveLocation(answer.location);
    if (state.index && answer.item && answer.item.assetId) {
      const item = state.index.byId.get(String(answer.item.assetId).toLowerCase());
      if (item && ['unscanned', 'scanned', 'excluded', 'extra'].includes(answer.item.state)) item.state = answer.item.state;
    }
    if (state.mobile && answer.progress) state.mobile = { ...state.mobile, progress: answer.progress };
    if (state.latestClientScanId === entry.clientScanId) {
      paintOutcome(answer, entry.code, false);
      if (previous === null) {
        if (row) measure(row.decodedAt);
        signal(answer.result);
      } else if (previous !== answer.result) {
        signal(answer.result);
      }
    }
    paintRecent();
    paintProgress();
  }

  function onRejected(event) {
    const detail = event.detail || {};
    const entry = detail.entry || detail;
    if (entry.sessionId !== sessionId) return;
    const row = state.rows.find((candidate) => candidate.clientScanId === entry.clientScanId);
    if (!row) return;
    revertLocal(row);
    state.rows.splice(state.rows.indexOf(row), 1);
    paintRecent();
    paintProgress();
  }

  function revertLocal(row) {
    if (!state.index || !row.item || !row.item.assetId || !row.newState) return;
    const item = state.index.byId.get(String(row.item.assetId).toLowerCase());
    if (item) item.state = row.newState === 'extra' ? 'excluded' : 'unscanned';
    savePack();
  }

  async function undoRow(row) {
    try {
      if (row.pending) {
        const entries = await outboxEntries(app);
        const entry = entries.find((candidate) => candidate.clientScanId === row.clientScanId);
        if (entry) await app.store.del('outbox', entry.seq);
        // Being sent right now: the server's answer is undone as soon as it arrives.
        state.undoOnArrival.add(row.clientScanId);
        if (app.outbox.refreshCount) app.outbox.refreshCount().catch(() => {});
        revertLocal(row);
        state.rows.splice(state.rows.indexOf(row), 1);
      } else {
        await app.api.post(`/sessions/${sessionId}/unscan`, { scanId: row.scanId });
        row.undone = true;
        if (state.index && row.item && row.item.assetId && row.result === 'accepted') {
          const item = state.index.byId.get(String(row.item.assetId).toLowerCase());
          if (item) item.state = 'unscanned';
          savePack();
        }
        state.etag = null;
        refreshMobile();
      }
      app.toast(`Undone: ${row.item && (row.item.name || row.item.tag) ? (row.item.name || row.item.tag) : row.code}`, 'info');
      paintRecent();
      paintProgress();
    } catch (error) {
      app.toast(error.message || 'Undo failed', 'error');
    } finally {
      input.focus();
    }
  }

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
      if (state.closed || input.disabled) return;
      if (!isTyping(document.activeElement)) input.focus({ preventScroll: true });
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
  root.addEventListener('click', keepFocus);

  moveHere.addEventListener('click', () => {
    const options = { allowMarkAnyway: true, relocate: true };
    if (state.currentLocation) options.locationId = state.currentLocation.id;
    handleCode(state.lastCode, performance.now(), options);
  });
  addAnyway.addEventListener('click', () => handleCode(state.lastCode, performance.now(), { allowMarkAnyway: true }));
  quickAdd.addEventListener('click', () => {
    const query = new URLSearchParams({ code: state.lastCode, sessionId });
    if (state.currentLocation) query.set('locationId', state.currentLocation.id);
    app.navigate(`/app/quick-add?${query}`);
  });
  muteButton.addEventListener('click', async () => {
    await setMuted(!isMuted());
    paintMute();
  });

  async function cameraOn() {
    startCamera.disabled = true;
    try {
      state.scanner = await startScanner(video, (text, times) => handleCode(text, times.decodedAt), {
        onError: (error) => console.warn('fieldscan: decode failed', error),
      });
      if (state.closed || document.hidden) {
        state.scanner.stop();
        state.scanner = null;
        return;
      }
      state.cameraWanted = true;
      startCamera.textContent = 'Stop camera';
      startCamera.dataset.running = 'true';
      torch.hidden = !state.scanner.torchSupported;
      video.dataset.decoder = state.scanner.decoderKind;
    } catch (error) {
      app.toast(error && error.name === 'NotAllowedError'
        ? 'Camera permission denied: allow it in the browser settings, or type the tag'
        : `Camera unavailable: ${error.message || error}`, 'error');
    } finally {
      startCamera.disabled = false;
    }
  }

  function cameraOff() {
    if (state.scanner) state.scanner.stop();
    state.scanner = null;
    startCamera.textContent = 'Start camera';
    delete startCamera.dataset.running;
    torch.hidden = true;
    torch.setAttribute('aria-pressed', 'false');
  }

  startCamera.addEventListener('click', () => {
    unlockAudio();
    if (state.scanner) {
      state.cameraWanted = false;
      cameraOff();
    } else {
      cameraOn();
    }
  });
  torch.addEventListener('click', async () => {
    if (!state.scanner) return;
    const on = torch.getAttribute('aria-pressed') !== 'true';
    try {
      await state.scanner.setTorch(on);
      torch.setAttribute('aria-pressed', String(on));
    } catch (error) {
      app.toast(`Torch: ${error.message}`, 'error');
    }
  });

  const onVisibility = () => {
    if (document.hidden) {
      if (state.scanner) cameraOff();
    } else {
      if (state.cameraWanted && !state.scanner) cameraOn();
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
  const targets = [window];
  if (app.outbox && typeof app.outbox.addEventListener === 'function') targets.push(app.outbox);
  for (const target of targets) {
    target.addEventListener('scan-synced', onSynced);
    target.addEventListener('scan-rejected', onRejected);
  }
  const poll = setInterval(() => {
    if (!document.hidden) refreshMobile();
  }, POLL_MS);

  cleanups.push(() => {
    clearInterval(poll);
    document.removeEventListener('visibilitychange', onVisibility);
    app.connectivity.removeEventListener('change', onConnectivity);
    for (const target of targets) {
      target.removeEventListener('scan-synced', onSynced);
      target.removeEventListener('scan-rejected', onRejected);
    }
    cameraOff();
  });

  // --- start: what is stored first (works offline), then the network
  input.focus();
  await initFeedback(app.store);
  paintMute();
  const [storedPack, storedMobile, storedLocation] = await Promise.all([
    app.store.get('packs', sessionId).catch(() => null),
    app.store.get('meta', mobileKey).catch(() => null),
    app.store.get('meta', locationKey).catch(() => null),
  ]);
  if (storedLocation) {
    state.currentLocation = storedLocation;
  }
  paintPlace();
  if (storedPack) showQueued(await usePack(storedPack));
  if (storedMobile) applyMobile(storedMobile);
  refreshMobile();
  downloadPack();
  keepFocus();
  // Fetch the decoder while online, so the camera also works after the network is gone.
  (window.requestIdleCallback || ((fn) => setTimeout(fn, 1500)))(() => {
    if (!state.closed) loadDecoder().catch(() => {});
  });

  return () => {
    state.closed = true;
    cleanups.forEach((fn) => fn());
  };
}
