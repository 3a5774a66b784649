// The scan screen's pure state (pwa/js/scan/state.js): run with `node --test tests/unit_js/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildIndex, decide, applyDecision } from '../../pwa/js/offline.js';
import {
  answered, finishSummary, groupByLocation, localRow, mergeRecent, missingFromIndex, progressOf, refused, stillMissing,
  ROWS_KEPT, storedRows,
} from '../../pwa/js/scan/state.js';
import { codeRefused } from '../../pwa/js/scan/recent.js';

const A1 = '01a2045b-877b-7146-ad7d-143aee872ac3';
const A2 = '01a2045b-8782-7303-a408-4c3369a281d7';
const A3 = '01a2045b-878b-7095-bf8a-c08d90756ac1';
const ROOM = { id: 'l1', name: 'Room 205', path: 'HQ > Room 205', code: 'LOC-0013' };
const HALL = { id: 'l0', name: 'Hall', path: 'HQ > Hall', code: 'LOC-0012' };

function index() {
  return buildIndex({
    sessionId: 's1', version: 3, fields: ['assetId', 'tag', 'serial', 'expectedLocation', 'state', 'codes', 'name', 'lastSeen'],
    items: [
      [A1, 'AST-000001', 'SN-1', 1, 'unscanned', null, 'Dell laptop', '2026-10-01'],
      [A2, 'AST-000002', null, 0, 'unscanned', null, 'Office chair', null],
      [A3, 'AST-000003', null, 1, 'scanned', null, 'Pump', null],
    ],
    locations: [HALL, ROOM],
  });
}

const scan = (code, clientScanId = crypto.randomUUID()) => ({ clientScanId, code, scannedAt: '2026-12-05T10:00:00Z' });

test('a queued accept counts on top of the server\'s progress, and stops counting once answered', () => {
  const idx = index();
  const guess = decide(idx, 'AST-000001');
  const row = localRow(scan('AST-000001'), guess);
  assert.deepEqual(progressOf({ scanned: 1, total: 3 }, [row]), { scanned: 2, total: 3 });
  const done = answered(row, { result: 'accepted', item: { assetId: A1, tag: 'AST-000001', name: 'Dell laptop', state: 'scanned' },
                                scan: { id: 'x' }, progress: { scanned: 2, total: 3 } });
  assert.deepEqual(progressOf({ scanned: 2, total: 3 }, [done]), { scanned: 2, total: 3 });
  assert.equal(done.changed, false);
  assert.equal(done.changeText, null);
});

test('an answer that differs from the guess says what changed; one that agrees says nothing', () => {
  const row = localRow(scan('AST-000001'), decide(index(), 'AST-000001'));
  const changed = answered(row, { result: 'wrong_location', item: null, scan: { id: 'y' },
                                  expectedLocation: ROOM });
  assert.equal(changed.changed, true);
  assert.equal(changed.changeText, 'Was: Found — Server: Wrong place, belongs in Room 205 (HQ)');
  const tentative = localRow(scan('AST-999999'), { result: 'wrong_location', tentative: true, newState: null });
  assert.equal(answered(tentative, { result: 'not_in_session', scan: { id: 'z' } }).changed, false);
});

test('a refused scan stays visible with the reason and counts for nothing', () => {
  const row = refused(localRow(scan('AST-000001'), decide(index(), 'AST-000001')),
                      { status: 409, message: 'This session is completed' });
  assert.equal(row.refused, true);
  assert.equal(row.error.status, 409);
  assert.deepEqual(progressOf({ scanned: 0, total: 3 }, [row]), { scanned: 0, total: 3 });
});

test('the server\'s recent list is matched to the phone\'s rows by clientScanId, keeping the guess', () => {
  const mine = localRow(scan('AST-000001', 'c1'), decide(index(), 'AST-000001'));
  const queued = localRow(scan('AST-000002', 'c2'), decide(index(), 'AST-000002'));
  const rows = mergeRecent([queued, mine], [
    { id: 's1', clientScanId: 'c1', code: 'AST-000001', result: 'accepted', assetId: A1, tag: 'AST-000001',
      name: 'Dell laptop', scannedAt: '2026-12-05T10:00:00Z', undone: false },
    { id: 's0', clientScanId: null, code: 'AST-000003', result: 'accepted', assetId: A3, tag: 'AST-000003',
      name: 'Pump', scannedAt: '2026-12-05T09:00:00Z', undone: false },
  ]);
  assert.deepEqual(rows.map((row) => row.code), ['AST-000002', 'AST-000001', 'AST-000003']);
  assert.equal(rows[0].pending, true);
  assert.equal(rows[1].pending, false);
  assert.equal(rows[1].localResult, 'accepted');
  assert.equal(rows[1].changed, false);
  assert.equal(storedRows(rows).length, 3);
});

test('the missing list: unseen items by place then tag, searchable, shrinking as items are found', () => {
  const idx = index();
  let missing = missingFromIndex(idx);
  assert.deepEqual(missing.map((item) => item.tag), ['AST-000002', 'AST-000001']);
  assert.equal(missing[1].name, 'Dell laptop');
  assert.equal(missing[1].lastSeenAt, '2026-10-01');
  assert.deepEqual(groupByLocation(missing).map((group) => [group.location.name, group.items.length]),
                   [['Hall', 1], ['Room 205', 1]]);
  assert.deepEqual(missingFromIndex(idx, 'dell').map((item) => item.tag), ['AST-000001']);
  assert.deepEqual(missingFromIndex(idx, 'sn-1').map((item) => item.tag), ['AST-000001']);
  applyDecision(idx, decide(idx, 'AST-000002'));
  missing = missingFromIndex(idx);
  assert.deepEqual(missing.map((item) => item.tag), ['AST-000001']);
  assert.deepEqual(stillMissing(missing, new Set([A1])), []);
});

test('finishing is refused while scans wait on the phone', () => {
  const summary = finishSummary({ expected: 19, scanned: 15, missing: 4, wrongLocation: 1, unknownCodes: 2 }, 3);
  assert.equal(summary.canFinish, false);
  assert.equal(summary.markMissingLabel, 'Mark the 4 unseen as missing');
  assert.equal(finishSummary({ expected: 1, scanned: 1, missing: 0 }, 0).canFinish, true);
});

test('"Save it with a new tag" is offered only when the pre-printed code is what was refused', () => {
  const row = (status, details, body = { name: 'Chair', claimCode: 'F17R54AS' }) => ({
    newAsset: true, refused: true, createBody: body, error: { status, message: 'refused', details },
  });
  assert.equal(codeRefused(row(409, { claimCode: 'already claimed', assetId: 'a', tag: 'AST-000001' })), true);
  assert.equal(codeRefused(row(404, { claimCode: 'no such blank tag' })), true);
  assert.equal(codeRefused(row(409, { tag: 'already used' })), true); // the code, used as the tag, is taken
  assert.equal(codeRefused(row(404, { categoryId: 'no such category' })), false);
  assert.equal(codeRefused(row(400, { name: 'required' })), false);
  assert.equal(codeRefused(row(409, { tag: 'already used' }, { name: 'Chair', tag: 'AST-9' })), false); // no code to drop
});

test('stored rows keep the newest ones and every row still waiting for its answer, however many', () => {
  const rows = Array.from({ length: ROWS_KEPT + 40 }, (_, n) => ({ clientScanId: `c${n}`, pending: n >= ROWS_KEPT + 10,
                                                                   decodedAt: n }));
  const kept = storedRows(rows);
  assert.equal(kept.length, ROWS_KEPT + 30);
  assert.deepEqual(kept.slice(ROWS_KEPT).map((row) => row.clientScanId), rows.slice(ROWS_KEPT + 10).map((row) => row.clientScanId));
  assert.ok(kept.every((row) => !('decodedAt' in row)));
  const merged = mergeRecent(rows, []);
  assert.equal(merged.filter((row) => row.pending).length, 30);
});
