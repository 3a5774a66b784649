// Offline scanning: the session's offline pack as an index, and a code resolved and decided locally
// exactly as the server does (backend/sessions/codes.py, scanning.py _resolve, rules.py decide).
// Pure functions: no DOM, no storage, no network.

const MAX_CODE_LENGTH = 2000;
const PREFIXES = { a: 'asset', t: 'blank', l: 'location' };
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const VALUE = new Map([...ALPHABET].map((symbol, value) => [symbol, value]));
const CODE_LENGTH = 8;
const UUID_RE = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/** What a scanner sent, without control characters, trimmed and cut at the server's limit. */
export function cleanCode(raw) {
  return String(raw ?? '').replace(CONTROL, '').trim().slice(0, MAX_CODE_LENGTH).trimEnd();
}

/** Tags and serials compare trimmed and upper-cased (lower-cased first, as the server does). */
export function tagKey(text) {
  return String(text).trim().toLowerCase().toUpperCase();
}

function urlPath(text) {
  const lowered = text.slice(0, 8).toLowerCase();
  if (lowered.startsWith('http://') || lowered.startsWith('https://')) {
    try {
      return new URL(text).pathname;
    } catch {
      return null;
    }
  }
  if (text.startsWith('/')) return text.split('?', 1)[0].split('#', 1)[0];
  return null;
}

function unquote(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** {kind: 'asset'|'blank'|'location'|'text', value}: label URLs from any host, anything else is text. */
export function parseCode(raw) {
  const text = String(raw ?? '').trim().slice(0, MAX_CODE_LENGTH).trimEnd();
  const path = urlPath(text);
  if (path !== null) {
    const parts = path.split('/').filter(Boolean);
    if (parts.length >= 2) {
      const kind = PREFIXES[parts[parts.length - 2].toLowerCase()];
      const value = unquote(parts[parts.length - 1]).trim();
      if (kind && value) return { kind, value };
    }
  }
  return { kind: 'text', value: text };
}

/** A blank-tag code as stored (upper-case, look-alikes mapped, separators dropped) or null when invalid. */
export function parseBlankCode(text) {
  const code = String(text).trim().toUpperCase().replace(/[ \-\t]/g, '')
    .replace(/O/g, '0').replace(/[IL]/g, '1');
  if (code.length !== CODE_LENGTH || ![...code].every((symbol) => VALUE.has(symbol))) return null;
  let total = 0;
  let double = false;
  for (let n = code.length - 1; n >= 0; n -= 1) {
    let value = VALUE.get(code[n]);
    if (double) {
      value *= 2;
      value = Math.floor(value / 32) + (value % 32);
    }
    total += value;
    double = !double;
  }
  return total % 32 === 0 ? code : null;
}

/** A tag's shape: digits as 9 and letters as A, upper-cased ("ast-000123" → "AAA-999999"). */
export function tagShape(text) {
  return tagKey(text).replace(/[0-9]/g, '9').replace(/[A-Z]/g, 'A');
}

/**
 * Whether text reads as a tag this workspace generates, by the pack's tagFormat {prefix, digits, randomChars}:
 * the prefix, at least `digits` digits, then, when randomChars is set, a dash and that many characters of
 * the blank tags' alphabet (AST-000123-K7QF9M). Tags made before the random part was turned on keep
 * the plain form (AST-000123), so it is recognised too.
 */
export function matchesTagFormat(format, text) {
  if (!format || typeof format.prefix !== 'string' || !Number.isInteger(format.digits)) return false;
  const key = tagKey(text);
  const prefix = tagKey(format.prefix);
  if (!key.startsWith(prefix)) return false;
  const parts = /^([0-9]+)(?:-(.+))?$/.exec(key.slice(prefix.length));
  if (!parts || parts[1].length < format.digits) return false;
  if (parts[2] === undefined) return true;
  const randomChars = Number(format.randomChars) || 0;
  return randomChars > 0 && parts[2].length === randomChars && [...parts[2]].every((symbol) => VALUE.has(symbol));
}

/** The index of a pack: items by tag, asset id, claimed code and serial; locations by code. */
export function buildIndex(pack) {
  const fields = pack.fields || ['assetId', 'tag', 'serial', 'expectedLocation', 'state', 'codes'];
  const at = Object.fromEntries(fields.map((name, n) => [name, n]));
  const locations = pack.locations || [];
  const index = {
    sessionId: pack.sessionId,
    version: pack.version,
    items: [],
    byTag: new Map(),
    byId: new Map(),
    byCode: new Map(),
    bySerial: new Map(),
    locations,
    locationsById: new Map(locations.map((location) => [String(location.id).toLowerCase(), location])),
    locationsByCode: new Map(),
    tagShapes: new Set(),
    tagFormat: pack.tagFormat || null,
    scoped: false, // the session counts a location (set by the scan screen from the session)
  };
  for (const location of locations) {
    if (location.code) index.locationsByCode.set(String(location.code).trim().toUpperCase(), location);
  }
  for (const row of pack.items || []) {
    const place = row[at.expectedLocation];
    const item = {
      assetId: String(row[at.assetId]),
      tag: row[at.tag],
      serial: row[at.serial] ?? null,
      expectedLocation: place === null || place === undefined ? null : locations[place] ?? null,
      state: row[at.state],
      codes: row[at.codes] || [],
      name: at.name === undefined ? null : row[at.name] ?? null,
      lastSeen: at.lastSeen === undefined ? null : row[at.lastSeen] ?? null,
      inSnapshot: (row[at.state] !== 'extra' && row[at.state] != null) || (place !== null && place !== undefined),
    };
    item.serverState = item.state;
    index.items.push(item);
    if (item.tag) {
      index.byTag.set(tagKey(item.tag), item);
      index.tagShapes.add(tagShape(item.tag));
    }
    index.byId.set(item.assetId.toLowerCase(), item);
    for (const code of item.codes) index.byCode.set(String(code).toUpperCase(), item);
    if (item.serial && String(item.serial).trim()) {
      const key = tagKey(item.serial);
      index.bySerial.set(key, [...(index.bySerial.get(key) || []), item]);
    }
  }
  return index;
}

function byBlankCode(index, text) {
  const code = parseBlankCode(text);
  return code === null ? null : index.byCode.get(code) || null;
}

function locationByCode(index, code) {
  return index.locationsByCode.get(String(code).trim().toUpperCase()) || null;
}

/**
 * What a code names in the pack: {type: 'item', item} | {type: 'location', location} |
 * {type: 'absent', parsed}: not in the pack, which (the pack carrying only the session's items)
 * may still be a known asset outside the session; only the server can tell.
 */
export function resolve(index, raw) {
  const parsed = parseCode(cleanCode(raw));
  const found = (item) => (item ? { type: 'item', item, parsed } : { type: 'absent', parsed });
  if (parsed.kind === 'location') {
    const location = locationByCode(index, parsed.value);
    return location ? { type: 'location', location, parsed } : { type: 'absent', parsed };
  }
  if (parsed.kind === 'blank') return found(byBlankCode(index, parsed.value));
  const item = index.byTag.get(tagKey(parsed.value));
  if (item || parsed.kind === 'asset') return found(item);
  if (UUID_RE.test(parsed.value)) {
    const hex = parsed.value.replace(/[{}-]/g, '').toLowerCase();
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const byId = index.byId.get(id);
    if (byId) return found(byId);
  }
  const claimed = byBlankCode(index, parsed.value);
  if (claimed) return found(claimed);
  const bySerial = index.bySerial.get(tagKey(parsed.value)) || [];
  if (bySerial.length === 1) return found(bySerial[0]);
  const location = locationByCode(index, parsed.value);
  return location ? { type: 'location', location, parsed } : { type: 'absent', parsed };
}

/**
 * The local guess for a scan: {result, item, location, expectedLocation, tentative, newState}.
 * options: {allowMarkAnyway, allowRescan}. `tentative` marks a guess the server may well change
 * (a code that is not in the pack).
 */
export function decide(index, raw, options = {}) {
  const target = resolve(index, raw);
  if (target.type === 'location') {
    return { result: 'location_set', location: target.location, item: null, tentative: false, newState: null };
  }
  if (target.type === 'absent') {
    // The pack carries only this session's items: an asset URL, or text shaped like this workspace's
    // tags (those in the pack, or its tag format), most likely names an asset outside the session; only
    // the server can tell which.
    const text = target.parsed.kind === 'text' ? target.parsed.value : null;
    const assetLike = target.parsed.kind === 'asset'
      || (text !== null && ((index.tagShapes && index.tagShapes.has(tagShape(text)))
                            || matchesTagFormat(index.tagFormat, text)));
    if (options.allowMarkAnyway) {
      // Offered only after the server named an asset: it will be counted, as an extra.
      return { result: 'accepted', item: null, tentative: true, newState: 'extra', parsed: target.parsed };
    }
    // In a location-scoped session an asset missing from the expected set is most often one from
    // elsewhere (index.scoped is set from the session's scope).
    const outside = index.scoped ? 'wrong_location' : 'not_in_session';
    return { result: assetLike ? outside : 'unknown_code', item: null, tentative: true, newState: null,
             parsed: target.parsed };
  }
  const { item } = target;
  // Excluded from the expected set: in the session's scope by construction, so never wrong_location.
  return { ...decideState(item.state, options), item, expectedLocation: item.expectedLocation, tentative: false };
}

/** What a scan does to an item's state and to the counters: the server's rule (rules.py decide). */
export function decideState(state, { allowMarkAnyway = false, allowRescan = false, outsideScope = false } = {}) {
  if (state === 'unscanned') return { result: 'accepted', newState: 'scanned', counts: { scanned: 1, expected: 0 } };
  if (state === 'scanned' || state === 'extra') {
    return { result: allowRescan ? 'accepted' : 'already_scanned', newState: null, counts: { scanned: 0, expected: 0 } };
  }
  if (allowMarkAnyway) return { result: 'accepted', newState: 'extra', counts: { scanned: 1, expected: 1 } };
  const result = state === null && outsideScope ? 'wrong_location' : 'not_in_session';
  return { result, newState: null, counts: { scanned: 0, expected: 0 } };
}

/**
 * An asset made on this phone during the audit (quick-add, maybe offline): in the index at once, so its
 * label scanned again says already counted. Its id is the client's until the server answers.
 */
export function addLocalItem(index, { assetId, tag, name, codes = [], expectedLocation = null, state = 'scanned' }) {
  const item = { assetId: String(assetId), tag: tag || null, serial: null, expectedLocation, state, codes, name,
                 lastSeen: null, inSnapshot: false, serverState: null, local: true };
  index.items.push(item);
  if (item.tag) index.byTag.set(tagKey(item.tag), item);
  index.byId.set(item.assetId.toLowerCase(), item);
  for (const code of codes) index.byCode.set(String(code).toUpperCase(), item);
  return item;
}

/** Apply a local decision to the index so a second scan offline says already counted. */
export function applyDecision(index, decision) {
  if (decision.item && decision.newState) decision.item.state = decision.newState;
  return index;
}

/** Undo a local accept (a queued scan removed before it was sent). */
export function revertDecision(index, assetId, previousState) {
  const item = index.byId.get(String(assetId).toLowerCase());
  if (item && previousState) item.state = previousState;
  return index;
}

/**
 * The pack's item rows written back with the states the server gave (serverState): the stored pack holds
 * only the server's word, so a reload replays the queued scans on top of it exactly once.
 */
export function packWithStates(pack, index, { which = 'serverState' } = {}) {
  const fields = pack.fields || [];
  const idAt = fields.indexOf('assetId');
  const stateAt = fields.indexOf('state');
  if (idAt < 0 || stateAt < 0) return pack;
  const items = (pack.items || []).map((row) => {
    const item = index.byId.get(String(row[idAt]).toLowerCase());
    const state = item ? item[which] : undefined;
    // null is a state too: an extra whose count was undone is no longer in the audit.
    if (!item || state === undefined || state === row[stateAt]) return row;
    const copy = row.slice();
    copy[stateAt] = state;
    return copy;
  });
  return { ...pack, items };
}

/** Local progress: counted items over the expected (non-excluded) ones. */
export function localProgress(index) {
  let scanned = 0;
  let total = 0;
  for (const item of index.items) {
    if (item.state === 'excluded' || item.state == null) continue; // null: not in the audit (an undone extra)
    total += 1;
    if (item.state === 'scanned' || item.state === 'extra') scanned += 1;
  }
  return { scanned, total };
}
