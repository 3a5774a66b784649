// The item rules the phone applies offline are the server's: one table of cases (tests/data/scan_rules.json)
// is run here against the PWA and by pytest against backend/sessions/rules.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { applyDecision, buildIndex, decide } from '../../pwa/js/offline.js';
import { decideState, undoEffect } from '../../pwa/js/scan/state.js';

const table = JSON.parse(readFileSync(new URL('../data/scan_rules.json', import.meta.url), 'utf8'));
const ASSET = '01a2045b-877b-7146-ad7d-143aee872ac3';
const OTHER = '01a2045b-8782-7303-a408-4c3369a281d7';

// A pack with the asset in the given state (or absent), and another asset that gives the tenant its tag shape.
function indexWith(state, scoped) {
  const items = [[OTHER, 'AST-000002', null, 0, 'unscanned', null, 'Desk', null]];
  if (state !== null) items.push([ASSET, 'AST-000001', null, 0, state, null, 'Laptop', null]);
  const index = buildIndex({
    sessionId: 's', version: 1, fields: ['assetId', 'tag', 'serial', 'expectedLocation', 'state', 'codes', 'name', 'lastSeen'],
    items, locations: [{ id: 'l0', name: 'Room 1', path: 'Room 1', code: 'LOC-0001' }],
  });
  index.scoped = scoped;
  return index;
}

for (const rule of table.decide) {
  const options = { allowMarkAnyway: rule.allowMarkAnyway, allowRescan: rule.allowRescan };
  test(`decide: ${rule.name}`, () => {
    const pure = decideState(rule.state, { ...options, outsideScope: rule.outsideScope });
    assert.equal(pure.result, rule.result);
    assert.equal(pure.newState, rule.newState);
    assert.deepEqual(pure.counts, rule.counts);
    // The resolver on a real pack says the same. An absent asset outside a location scope is wrong_location
    // only when the session is location-scoped; the phone cannot see the asset's location, so it guesses.
    const index = indexWith(rule.state, rule.outsideScope);
    const guess = decide(index, 'AST-000001', options);
    assert.equal(guess.result, rule.result);
    assert.equal(guess.newState, rule.newState);
    if (rule.state !== null) {
      applyDecision(index, guess);
      assert.equal(index.byId.get(ASSET).state, rule.newState || rule.state);
    }
  });
}

for (const rule of table.undo) {
  test(`undo: ${rule.name}`, () => {
    const effect = undoEffect(rule.state, rule.inSnapshot);
    assert.equal(effect.becomes, rule.becomes);
    assert.deepEqual(effect.counts, rule.counts);
  });
}
