// The PWA's offline resolver must answer as the server does (backend/sessions/codes.py, scanning.py,
// rules.py): run with `node --test tests/unit_js/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  applyDecision, buildIndex, cleanCode, decide, localProgress, packWithStates, parseBlankCode, parseCode, resolve,
} from '../../pwa/js/offline.js';

const A1 = '01a2045b-877b-7146-ad7d-143aee872ac3';
const A2 = '01a2045b-8782-7303-a408-4c3369a281d7';
const A3 = '01a2045b-878b-7095-bf8a-c08d90756ac1';
const A4 = '01a2045b-878b-7095-bf8a-c08d90756ac2';
const A5 = '01a2045b-878b-7095-bf8a-c08d90756ac3';

function pack() {
  return {
    sessionId: 's1',
    version: 7,
    fields: ['assetId', 'tag', 'serial', 'expectedLocation', 'state', 'codes'],
    items: [
      [A1, 'AST-000001', 'SN-1', 1, 'unscanned', null],
      [A2, 'AST-000002', 'SHARED', 1, 'scanned', ['F17R54AS']],
      [A3, 'AST-000003', 'SHARED', 0, 'excluded', null],
      [A4, 'AST-000004', null, 0, 'extra', null],
      [A5, 'ast-000005', '  ', null, 'unscanned', null],
    ],
    locations: [
      { id: 'l0', name: 'Warehouse', path: 'Warehouse', code: 'LOC-0017' },
      { id: 'l1', name: 'Room 205', path: 'HQ > Floor 2 > Room 205', code: 'LOC-0013' },
    ],
  };
}

test('label URLs from any host, under a prefix, or as a path name what they label', () => {
  assert.deepEqual(parseCode('https://demo.assets.example/a/AST-000001'), { kind: 'asset', value: 'AST-000001' });
  assert.deepEqual(parseCode('HTTP://old.example/app/A/ast%2D1?x=1'), { kind: 'asset', value: 'ast-1' });
  assert.deepEqual(parseCode('/l/LOC-0013#top'), { kind: 'location', value: 'LOC-0013' });
  assert.deepEqual(parseCode('https://x.example/t/F17R54AS'), { kind: 'blank', value: 'F17R54AS' });
  assert.deepEqual(parseCode('  AST-1  '), { kind: 'text', value: 'AST-1' });
  assert.deepEqual(parseCode('https://x.example/a/'), { kind: 'text', value: 'https://x.example/a/' });
  assert.equal(cleanCode('\u0000AST-1\n'), 'AST-1');
});

test('blank codes are checked with Luhn mod 32 and read through look-alikes', () => {
  assert.equal(parseBlankCode('F17R54AS'), 'F17R54AS');
  assert.equal(parseBlankCode('f17r-54as'), 'F17R54AS');
  assert.equal(parseBlankCode('607NTSTE'), '607NTSTE');
  assert.equal(parseBlankCode('6O7NTSTE'), '607NTSTE'); // letter O read as zero
  assert.equal(parseBlankCode('F17R54AT'), null); // wrong check symbol
  assert.equal(parseBlankCode('F71R54AS'), null); // neighbours swapped
  assert.equal(parseBlankCode('F17R54A'), null);
});

test('a code resolves by tag, asset id, claimed code, unique serial, then location code', () => {
  const index = buildIndex(pack());
  assert.equal(resolve(index, ' ast-000001 ').item.assetId, A1);
  assert.equal(resolve(index, 'https://other.example/a/AST-000005').item.assetId, A5);
  assert.equal(resolve(index, A3.toUpperCase()).item.assetId, A3);
  assert.equal(resolve(index, 'https://x.example/t/f17r54as').item.assetId, A2);
  assert.equal(resolve(index, 'F17R54AS').item.assetId, A2);
  assert.equal(resolve(index, 'sn-1').item.assetId, A1);
  assert.equal(resolve(index, 'SHARED').type, 'absent'); // a serial of two assets names neither
  assert.equal(resolve(index, 'loc-0013').location.id, 'l1');
  assert.equal(resolve(index, 'https://x.example/l/LOC-0017').location.id, 'l0');
  assert.equal(resolve(index, 'https://x.example/l/LOC-9999').type, 'absent');
  // An asset URL never falls through to serials or locations.
  assert.equal(resolve(index, 'https://x.example/a/SN-1').type, 'absent');
});

test('outcomes follow the server rules, and a local accept makes the next scan already counted', () => {
  const index = buildIndex(pack());
  const first = decide(index, 'AST-000001');
  assert.equal(first.result, 'accepted');
  assert.equal(first.expectedLocation.name, 'Room 205');
  applyDecision(index, first);
  assert.equal(decide(index, 'AST-000001').result, 'already_scanned');
  assert.equal(decide(index, 'AST-000002').result, 'already_scanned');
  assert.equal(decide(index, 'AST-000004').result, 'already_scanned');
  assert.equal(decide(index, 'AST-000002', { allowRescan: true }).result, 'accepted');
  assert.equal(decide(index, 'AST-000003').result, 'not_in_session');
  const anyway = decide(index, 'AST-000003', { allowMarkAnyway: true });
  assert.deepEqual([anyway.result, anyway.newState], ['accepted', 'extra']);
  assert.equal(decide(index, 'LOC-0017').result, 'location_set');
  assert.equal(decide(index, 'nothing at all').result, 'unknown_code');
});

test('codes the pack lacks are a tentative guess: asset-like ones are not in this audit', () => {
  const index = buildIndex(pack());
  const url = decide(index, 'https://x.example/a/AST-999999');
  assert.deepEqual([url.result, url.tentative], ['not_in_session', true]);
  assert.equal(decide(index, 'AST-123456').result, 'not_in_session'); // shaped like this pack's tags
  assert.equal(decide(index, 'https://x.example/t/607NTSTE').result, 'unknown_code');
  assert.equal(decide(index, 'AST-123456', { allowMarkAnyway: true }).result, 'accepted');
  index.scoped = true; // a location-scoped session: most assets it lacks are from elsewhere
  assert.equal(decide(index, 'https://x.example/a/AST-999999').result, 'wrong_location');
  assert.equal(decide(index, 'AST-000003').result, 'not_in_session'); // excluded, yet inside the scope
  assert.equal(decide(index, 'NOPE').result, 'unknown_code');
});

test('progress counts scanned and extra items out of the non-excluded ones; only the server\'s states are stored', () => {
  const source = pack();
  const index = buildIndex(source);
  assert.deepEqual(localProgress(index), { scanned: 2, total: 4 });
  applyDecision(index, decide(index, 'AST-000001'));
  assert.deepEqual(localProgress(index), { scanned: 3, total: 4 });
  // A local guess is replayed from the queue after a reload: storing it too would count it twice.
  assert.equal(packWithStates(source, index).items[0][4], 'unscanned');
  index.byId.get(A1).serverState = 'scanned'; // the server's answer arrived
  const saved = packWithStates(source, index);
  assert.equal(saved.items[0][4], 'scanned');
  assert.equal(source.items[0][4], 'unscanned');
  assert.equal(buildIndex(saved).byId.get(A1).state, 'scanned');
  assert.equal(packWithStates(source, buildIndex(source), { which: 'state' }).items[0][4], 'unscanned');
});

test('an extra from outside the audit, undone, is stored as out of the audit and counts for nothing', () => {
  const source = {
    ...pack(),
    items: [[A1, 'AST-000001', 'SN-1', 1, 'unscanned', null], [A4, 'AST-000004', null, null, 'extra', null]],
  };
  const index = buildIndex(source);
  assert.deepEqual(localProgress(index), { scanned: 1, total: 2 });
  const extra = index.byId.get(A4);
  assert.equal(extra.inSnapshot, false);
  extra.state = null; // the server's unscan: it leaves the audit
  extra.serverState = null;
  const saved = packWithStates(source, index);
  assert.equal(saved.items[1][4], null);
  const reloaded = buildIndex(saved);
  assert.deepEqual(localProgress(reloaded), { scanned: 0, total: 1 });
  assert.equal(reloaded.byId.get(A4).inSnapshot, false);
  assert.equal(decide(reloaded, 'AST-000004').result, 'not_in_session');
  assert.equal(decide(reloaded, 'AST-000004', { allowMarkAnyway: true }).newState, 'extra');
});
