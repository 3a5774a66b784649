// The scan screen's state, as pure functions over plain data: rows (the recent scans, local and the
// server's), progress, what is still missing, and what a finish would say. No DOM, no storage, no network:
// tested by tests/unit_js/scan_state.test.mjs, and the item rules by tests/data/scan_rules.json.
import { TITLES, placeText } from '../feedback.js';

export const RECENT_MAX = 20;
export const ROWS_KEPT = 60; // rows stored per session, so a reload shows the same list (and every queued one)

/** The newest ROWS_KEPT rows, and every row still waiting for its answer however old: its answer needs it. */
export function keptRows(rows) {
  return rows.filter((row, at) => at < ROWS_KEPT || row.pending);
}
export const SEEN = new Set(['scanned', 'extra']);

// The item rule itself lives with the offline resolver, which applies it to the pack.
export { decideState } from '../offline.js';

/**
 * Undoing a counted item, as the server's unscan does (rules.py undo_effect): an expected item is unseen
 * again; an excluded one marked anyway is excluded again; an extra from outside the set leaves it
 * (becomes null). 'refused' when nothing was counted.
 */
export function undoEffect(state, inSnapshot) {
  if (state === 'scanned') return { becomes: 'unscanned', counts: { scanned: -1, expected: 0 } };
  if (state === 'extra') return { becomes: inSnapshot ? 'excluded' : null, counts: { scanned: -1, expected: -1 } };
  return { becomes: 'refused', counts: { scanned: 0, expected: 0 } };
}

/** How much a row not yet answered by the server adds to the server's progress. */
export function pendingCounts(row) {
  if (!row.pending || row.undone) return { scanned: 0, expected: 0 };
  if (row.newState === 'scanned') return { scanned: 1, expected: 0 };
  if (row.newState === 'extra' || row.newState === 'new') return { scanned: 1, expected: 1 };
  return { scanned: 0, expected: 0 };
}

/** The progress to show: the server's last word plus what is queued here. */
export function progressOf(base, rows) {
  if (!base) return null;
  let { scanned, total } = base;
  for (const row of rows) {
    const add = pendingCounts(row);
    scanned += add.scanned;
    total += add.expected;
  }
  return { scanned, total };
}

/** A new row for a code just read, with the local guess (from offline.js decide) when there is one. */
export function localRow({ clientScanId, code, options = {}, scannedAt }, guess) {
  const row = { clientScanId, code, options, scannedAt, pending: true };
  if (!guess) return { ...row, result: 'pending', localResult: null, newState: null };
  return {
    ...row,
    result: guess.result,
    localResult: guess.result,
    tentative: Boolean(guess.tentative),
    newState: guess.newState || null,
    item: guess.item ? { assetId: guess.item.assetId, tag: guess.item.tag, name: guess.item.name || null } : null,
    expectedLocation: guess.expectedLocation || null,
    location: guess.location || null,
  };
}

function outcomeWords(result, expectedLocation) {
  const words = TITLES[result] || result;
  if ((result === 'wrong_location' || result === 'not_in_session') && expectedLocation) {
    return `${words}, belongs in ${placeText(expectedLocation)}`;
  }
  return words;
}

/**
 * The server's answer applied to a row. The local guess is replaced silently when the outcome is the
 * same; when it differs the row says what changed ("Was: Found — Server: Wrong place, belongs in …").
 */
export function answered(row, answer) {
  const guessed = row.localResult;
  const differs = guessed != null && guessed !== 'pending' && guessed !== answer.result
    && !(row.tentative && sameMeaning(guessed, answer.result));
  return {
    ...row,
    pending: false,
    scanId: answer.scan && answer.scan.id ? answer.scan.id : row.scanId,
    result: answer.result,
    tentative: false,
    item: answer.item ? { assetId: answer.item.assetId, tag: answer.item.tag, name: answer.item.name,
                          state: answer.item.state, scannedAt: answer.item.scannedAt } : row.item,
    expectedLocation: answer.expectedLocation || null,
    location: answer.location || null,
    changed: differs,
    changeText: differs ? `Was: ${TITLES[guessed] || guessed} — Server: ${outcomeWords(answer.result, answer.expectedLocation)}`
      : null,
    clockSkew: answer.clockSkew || null,
  };
}

// A tentative local guess for a code not in the pack is a guess at the kind of thing, not a claim.
function sameMeaning(guessed, result) {
  const outside = new Set(['wrong_location', 'not_in_session']);
  return outside.has(guessed) && outside.has(result);
}

/** A row the server refused (a 4xx): it stays visible with the reason, and counts for nothing. */
export function refused(row, error) {
  return { ...row, pending: false, newState: null, refused: true, result: row.result === 'pending' ? 'unknown_code' : row.result,
           error: { status: error.status || null, message: error.message || String(error), details: error.details || null } };
}

/**
 * The server's recent scans merged with the rows: the server's list is the truth for what it shows;
 * rows matched by clientScanId (or scanId) keep what only the phone knows (its guess, the change text);
 * queued rows and rows answered a moment ago stay on top.
 */
export function mergeRecent(rows, scans, now = Date.now()) {
  const list = scans || [];
  const byClient = new Map(rows.filter((row) => row.clientScanId).map((row) => [row.clientScanId, row]));
  const byScan = new Map(rows.filter((row) => row.scanId).map((row) => [row.scanId, row]));
  const shown = new Set();
  const merged = list.map((scan) => {
    const known = (scan.clientScanId && byClient.get(scan.clientScanId)) || byScan.get(scan.id) || null;
    if (known) shown.add(known);
    const base = known && !known.pending ? known : (known ? answered(known, { result: scan.result, scan }) : {});
    return {
      ...base,
      clientScanId: scan.clientScanId || base.clientScanId || null,
      scanId: scan.id,
      code: scan.code,
      result: scan.result,
      undone: Boolean(scan.undone),
      pending: false,
      item: base.item && base.item.assetId === scan.assetId ? { ...base.item, tag: scan.tag || base.item.tag, name: scan.name || base.item.name }
        : (scan.assetId ? { assetId: scan.assetId, tag: scan.tag, name: scan.name } : null),
      scannedAt: scan.scannedAt,
    };
  });
  const serverIds = new Set(list.map((scan) => scan.id));
  const local = rows.filter((row) => !shown.has(row) && (row.pending || row.refused || row.newAsset
    || (row.scanId && !serverIds.has(row.scanId) && now - (row.syncedAt || 0) < 15000)));
  return keptRows([...local, ...merged]);
}

/** Rows as stored: what a reload needs to show the same list. */
export function storedRows(rows) {
  return keptRows(rows).map((row) => {
    const { decodedAt, ...kept } = row; // eslint-disable-line no-unused-vars
    return kept;
  });
}

// --- what is still missing -------------------------------------------------------------------------------

function matches(item, words) {
  if (!words.length) return true;
  const text = `${item.tag || ''} ${item.name || ''} ${item.serial || ''}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

export function searchWords(query) {
  return String(query || '').toLowerCase().split(/\s+/).filter(Boolean);
}

/** The unseen expected items of an index (offline.js buildIndex), filtered by a search, sorted by place then tag. */
export function missingFromIndex(index, query = '') {
  const words = searchWords(query);
  const items = index.items.filter((item) => item.state === 'unscanned' && matches(item, words));
  const key = (item) => (item.expectedLocation ? item.expectedLocation.path || item.expectedLocation.name : '\uffff');
  items.sort((a, b) => key(a).localeCompare(key(b)) || String(a.tag).localeCompare(String(b.tag)));
  return items.map((item) => ({
    assetId: item.assetId, tag: item.tag, name: item.name || null, serial: item.serial || null,
    expectedLocation: item.expectedLocation, lastSeenAt: item.lastSeen || null,
  }));
}

/** Items (sorted by place) as groups: [{key, location, items}], in order. */
export function groupByLocation(items) {
  const groups = [];
  let current = null;
  for (const item of items) {
    const location = item.expectedLocation || null;
    const key = location ? String(location.id) : 'none';
    if (!current || current.key !== key) {
      current = { key, location, items: [] };
      groups.push(current);
    }
    current.items.push(item);
  }
  return groups;
}

/** Items the phone has seen since the list was fetched: hidden at once, so the list shrinks as items are found. */
export function stillMissing(items, seenIds) {
  return items.filter((item) => !seenIds.has(String(item.assetId).toLowerCase()));
}

// --- finishing --------------------------------------------------------------------------------------------

/**
 * What the finish sheet says: the report's totals with what is still queued on this phone.
 * Finishing is refused while scans of this session wait in the outbox.
 */
export function finishSummary(totals, queued) {
  const missing = totals.missing || 0;
  return {
    scanned: totals.scanned || 0,
    expected: totals.expected || 0,
    missing,
    wrongLocation: totals.wrongLocation || 0,
    unknownCodes: totals.unknownCodes || 0,
    queued,
    canFinish: queued === 0,
    markMissingLabel: `Mark the ${missing} unseen as missing`,
  };
}
