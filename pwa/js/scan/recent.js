// The recent scans list: newest first, each with its outcome, what changed when the server disagreed with
// the phone's guess, "waiting to sync" while queued, and Undo while the audit is open.
import { COLOURS, describe, itemText } from '../feedback.js';
import { el } from '../dom.js';
import { RECENT_MAX } from './state.js';

function canUndo(row, readOnly) {
  return !readOnly && !row.undone && !row.refused && !row.newAsset && row.result === 'accepted'
    && (row.pending || Boolean(row.scanId));
}

/**
 * A new asset refused because of its pre-printed code (taken by another asset, or unknown here): it can
 * still be saved with a generated tag. Any other refusal (a deleted category, a bad field) cannot.
 */
export function codeRefused(row) {
  const details = (row.error && row.error.details) || {};
  return Boolean(row.newAsset && row.refused && row.createBody && row.createBody.claimCode
    && [404, 409].includes(row.error.status) && ('claimCode' in details || 'tag' in details));
}

function rowTitle(row) {
  if (row.refused) return row.newAsset ? 'Not created' : 'Not recorded';
  if (row.newAsset) return row.pending ? 'New' : 'New asset';
  const answer = { result: row.result, item: row.item, expectedLocation: row.expectedLocation, location: row.location,
                   tentative: row.tentative };
  return describe(answer, row.code).title;
}

/** Paint rows into the list. handlers: {onUndo(row), onCreateWithoutCode(row), onOpenAsset(row)}. */
export function paintRecent(list, rows, { readOnly = false, onUndo, onCreateWithoutCode } = {}) {
  const shown = rows.slice(0, RECENT_MAX).map((row) => {
    const notes = [];
    if (row.pending) notes.push(row.newAsset ? 'new, waiting to sync' : 'waiting to sync');
    if (row.changeText) notes.push(row.changeText);
    if (row.clockSkew) notes.push('the phone\'s clock is ahead: recorded at the server\'s time');
    if (row.error) notes.push(row.error.message);
    const actions = [];
    if (canUndo(row, readOnly)) {
      actions.push(el('button', { type: 'button', class: 'undo btn btn-small', 'data-action': 'undo', text: 'Undo',
                                  onclick: (event) => {
                                    event.currentTarget.disabled = true; // one tap, one undo
                                    onUndo(row);
                                  } }));
    }
    if (!readOnly && codeRefused(row)) {
      actions.push(el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'create-without-code',
                                  text: 'Save it with a new tag', onclick: () => onCreateWithoutCode(row) }));
    }
    const colour = row.refused ? 'var(--wrong)' : (COLOURS[row.result] || 'var(--unknown)');
    return el('li', {
      'data-testid': 'recent-scan', 'data-code': row.code, 'data-result': row.refused ? 'refused' : row.result,
      'data-changed': row.changed ? 'true' : undefined, 'data-pending': row.pending ? 'true' : undefined,
      'data-undone': row.undone ? 'true' : undefined, 'data-new': row.newAsset ? 'true' : undefined,
      'data-error': row.error && row.error.status ? String(row.error.status) : undefined,
      class: `recent-scan result-${row.result}`,
    },
    el('span', { class: 'recent-dot', style: `background:${colour}` }),
    el('span', { class: 'recent-title', text: rowTitle(row) }),
    el('span', { class: 'recent-detail', text: row.item ? itemText(row.item, row.code) : row.code }),
    el('span', { class: 'recent-actions' }, ...actions),
    notes.length ? el('span', { class: 'recent-note', text: notes.join(' · ') }) : null);
  });
  list.replaceChildren(...shown);
}
