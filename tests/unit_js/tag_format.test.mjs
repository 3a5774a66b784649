// Offline, a code the pack lacks is judged by the workspace's tag format (the pack's tagFormat): tags with
// a random part (AST-000123-K7QF9M, tenant setting tagRandomChars) read as this workspace's asset tags, as
// plain ones do. Run with `node --test tests/unit_js/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildIndex, decide, matchesTagFormat, resolve } from '../../pwa/js/offline.js';

const A1 = '01a2045b-877b-7146-ad7d-143aee872ac3';
const A2 = '01a2045b-8782-7303-a408-4c3369a281d7';
const RANDOM = { prefix: 'AST-', digits: 6, randomChars: 6 };
const PLAIN = { prefix: 'AST-', digits: 6, randomChars: 0 };

function pack(tagFormat, items = [[A1, 'AST-000017-K7QF9M', null, 0, 'unscanned', null]]) {
  return {
    sessionId: 's1', version: 1, fields: ['assetId', 'tag', 'serial', 'expectedLocation', 'state', 'codes'],
    items, locations: [{ id: 'l0', name: 'Warehouse', path: 'Warehouse', code: 'LOC-0001' }], tagFormat,
  };
}

test('a tag with the random part is recognised, in any case and around spaces', () => {
  for (const tag of ['AST-000123-K7QF9M', 'ast-000123-k7qf9m', '  AST-000123-0123ZZ ', 'AST-1234567-ABCDEF']) {
    assert.equal(matchesTagFormat(RANDOM, tag), true, tag);
  }
});

test('tags made before the random part was turned on still read as the workspace\'s', () => {
  assert.equal(matchesTagFormat(RANDOM, 'AST-000123'), true);
  assert.equal(matchesTagFormat(PLAIN, 'AST-000123'), true);
});

test('a random part of the wrong length, with letters outside the alphabet, or without the dash is not a tag', () => {
  for (const text of ['AST-000123-K7QF9', 'AST-000123-K7QF9MM', 'AST-000123-K7QF9I', 'AST-000123-K7QFOM',
    'AST-000123-K7QFLM', 'AST-000123-K7QFUM', 'AST-000123K7QF9M', 'AST-000123-', 'AST-000123--K7QF9M',
    'AST-00123-K7QF9M', 'EQ-000123-K7QF9M', 'AST-ABCDEF-K7QF9M', 'AST-000123-K7QF9M/x']) {
    assert.equal(matchesTagFormat(RANDOM, text), false, text);
  }
});

test('without a random part in the format, a suffixed tag is not the workspace\'s', () => {
  assert.equal(matchesTagFormat(PLAIN, 'AST-000123-K7QF9M'), false);
  assert.equal(matchesTagFormat({ prefix: 'AST-', digits: 6 }, 'AST-000123-K7QF9M'), false); // an older pack
});

test('no format (a pack from before tagFormat) recognises nothing', () => {
  assert.equal(matchesTagFormat(undefined, 'AST-000123'), false);
  assert.equal(matchesTagFormat(null, 'AST-000123-K7QF9M'), false);
});

test('a random tag in the pack resolves to its item, whatever its case', () => {
  const index = buildIndex(pack(RANDOM));
  assert.equal(resolve(index, 'ast-000017-k7qf9m').item.assetId, A1);
  assert.equal(decide(index, 'https://x.example/a/AST-000017-K7QF9M').result, 'accepted');
});

test('a random tag the pack lacks is an asset outside this audit, not an unknown code', () => {
  const index = buildIndex(pack(RANDOM));
  const outside = decide(index, 'AST-000018-2B4XNR');
  assert.deepEqual([outside.result, outside.tentative], ['not_in_session', true]);
  assert.equal(decide(index, 'AST-000018').result, 'not_in_session');
  assert.equal(decide(index, 'AST-000018-2B4XN').result, 'unknown_code');
  assert.equal(decide(index, 'hello').result, 'unknown_code');
  index.scoped = true;
  assert.equal(decide(index, 'AST-000018-2B4XNR').result, 'wrong_location');
});

test('an empty audit still knows the workspace\'s tags from the format alone', () => {
  const index = buildIndex(pack(RANDOM, []));
  assert.equal(decide(index, 'AST-000002-M3QZ7T').result, 'not_in_session');
  assert.equal(decide(buildIndex(pack(undefined, [[A2, 'AST-000001', null, 0, 'unscanned', null]])),
    'AST-000002-M3QZ7T').result, 'unknown_code'); // shapes alone: random parts differ from tag to tag
});
