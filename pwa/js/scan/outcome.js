// The outcome banner: what the last scan found, big, in its colour, with the one-tap answers a wrong-place
// or unknown code needs. A local guess is outlined until the server's answer replaces it.
import { describe } from '../feedback.js';
import { el } from '../dom.js';

/** {node, show(answer, code, {local, here}), pending(code), closed(mobile), lastCode}. */
export function outcomeBanner({ onMoveHere, onAddAnyway, onQuickAdd, onReport }) {
  const title = el('div', { id: 'outcome-title', class: 'outcome-title', text: 'Ready' });
  const detail = el('div', { id: 'outcome-detail', class: 'outcome-detail', text: 'Scan a label or type a tag' });
  const change = el('div', { id: 'outcome-change', class: 'outcome-change', hidden: true });
  const moveHere = el('button', { type: 'button', id: 'move-here', class: 'btn btn-big btn-block', hidden: true, text: 'Move here' });
  const addAnyway = el('button', { type: 'button', id: 'add-anyway', class: 'btn btn-big btn-block', hidden: true, text: 'Add anyway' });
  const quickAdd = el('button', { type: 'button', id: 'quick-add-code', class: 'btn btn-big btn-block', hidden: true, text: 'Add as new asset' });
  const report = el('button', { type: 'button', id: 'open-report', class: 'btn btn-big btn-block', hidden: true, text: 'Open the report' });
  const node = el('section', { id: 'outcome', class: 'outcome', 'aria-live': 'assertive' },
    title, detail, change, el('div', { class: 'outcome-actions' }, moveHere, addAnyway, quickAdd, report));
  let lastCode = null;
  let lastAnswer = null;

  moveHere.addEventListener('click', () => onMoveHere(lastCode, lastAnswer));
  addAnyway.addEventListener('click', () => onAddAnyway(lastCode, lastAnswer));
  quickAdd.addEventListener('click', () => onQuickAdd(lastCode));
  report.addEventListener('click', () => onReport());

  function hideActions() {
    moveHere.hidden = true;
    addAnyway.hidden = true;
    quickAdd.hidden = true;
  }

  return {
    node,
    get lastCode() { return lastCode; },
    show(answer, code, { local = false, here = null, changeText = null } = {}) {
      const words = describe(answer, code);
      node.dataset.result = answer.result;
      node.className = `outcome is-${answer.result}`;
      if (local) node.dataset.local = 'true';
      else delete node.dataset.local;
      title.textContent = words.title;
      detail.textContent = words.detail;
      change.textContent = changeText || '';
      change.hidden = !changeText;
      const misplaced = answer.result === 'wrong_location' || answer.result === 'not_in_session';
      moveHere.hidden = !misplaced;
      moveHere.textContent = here ? `Move to ${here.name}` : 'Move here';
      addAnyway.hidden = !misplaced;
      quickAdd.hidden = answer.result !== 'unknown_code';
      lastAnswer = answer;
      lastCode = code;
    },
    pending(code) {
      node.dataset.result = 'pending';
      node.className = 'outcome';
      node.dataset.local = 'true';
      title.textContent = 'Checking…';
      detail.textContent = code;
      change.hidden = true;
      hideActions();
    },
    refused(code, message) {
      node.dataset.result = 'refused';
      node.className = 'outcome is-refused';
      delete node.dataset.local;
      title.textContent = 'Not recorded';
      detail.textContent = `${code}: ${message}`;
      change.hidden = true;
      hideActions();
    },
    /** A completed or cancelled audit: a neutral banner, no scan actions, the report one tap away. */
    closed(mobile) {
      const completed = mobile.status === 'completed';
      node.dataset.result = 'closed';
      node.className = 'outcome is-closed';
      delete node.dataset.local;
      title.textContent = completed ? 'Completed' : 'Cancelled';
      const when = mobile.completedAt ? new Date(mobile.completedAt) : null;
      detail.textContent = completed
        ? `This audit is finished${when && !Number.isNaN(when.getTime()) ? ` (${when.toLocaleDateString()})` : ''}; scans are no longer taken`
        : 'This audit was cancelled; scans are no longer taken';
      change.hidden = true;
      hideActions();
      report.hidden = !completed;
    },
  };
}
