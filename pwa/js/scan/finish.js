// The finish sheet: what the audit found (scanned, missing, wrong place, unknown codes, still queued on
// this phone), refused while this phone still holds scans of the audit, and "mark the N unseen as
// missing" as an explicit choice. Managers and admins finish; a technician is told to ask one, and can
// share the audit's link.
import { el } from '../dom.js';
import { finishSummary } from './state.js';

export const canFinish = (auth) => ['manager', 'admin'].includes(auth && auth.user && auth.user.role);

function fact(label, value, id) {
  return el('div', { class: 'finish-fact' }, el('span', { class: 'finish-value', id, text: String(value) }),
    el('span', { class: 'finish-label', text: label }));
}

async function share(app, title, url) {
  try {
    if (navigator.share) {
      await navigator.share({ title, text: `Audit: ${title}`, url });
      return;
    }
  } catch (error) {
    if (error && error.name === 'AbortError') return;
  }
  try {
    await navigator.clipboard.writeText(url);
    app.toast('Link copied: send it to a manager', 'success');
  } catch {
    app.toast(`The audit's link: ${url}`, 'info', { ms: 10000 });
  }
}

/** {node, open(), close()}: queued() → scans of this session still in the outbox; name() → the audit's name. */
export function finishSheet({ app, sessionId, name, queued, onFinished, onClose = () => {} }) {
  const body = el('div', { class: 'finish-body' });
  const node = el('section', { id: 'finish-sheet', class: 'finish-sheet', hidden: true, role: 'dialog',
                               'aria-modal': 'false', 'aria-labelledby': 'finish-title' },
  el('h2', { id: 'finish-title', text: 'Finish the audit' }), body);
  const link = () => `${location.origin}/app/sessions/${encodeURIComponent(sessionId)}`;

  function close() {
    node.hidden = true;
    onClose();
  }

  // Answers come back out of order (the queue drains while the sheet is open): only the latest paint draws,
  // and the mark-missing choice survives a repaint.
  let paintSeq = 0;
  let markChoice = false;

  async function paint({ fresh = false } = {}) {
    const mine = ++paintSeq;
    if (!canFinish(app.auth)) {
      body.replaceChildren(
        el('p', { id: 'finish-ask', text: 'Ask a manager to finish this audit: send them its link.' }),
        el('button', { type: 'button', id: 'finish-share', class: 'btn btn-primary btn-big btn-block', text: 'Share the audit\'s link',
                       onclick: () => share(app, name(), link()) }),
        el('button', { type: 'button', class: 'btn btn-block', text: 'Close', onclick: close }));
      return;
    }
    if (fresh || !body.firstChild) body.replaceChildren(el('p', { class: 'muted', text: 'Adding up…' }));
    let report;
    try {
      report = await app.api.get(`/sessions/${encodeURIComponent(sessionId)}/report`);
    } catch (error) {
      if (mine !== paintSeq) return;
      body.replaceChildren(
        el('p', { class: 'error', role: 'alert', id: 'finish-error',
                  text: error.status ? error.message : 'Finishing needs a connection to the server. Keep scanning; try again when online.' }),
        el('button', { type: 'button', class: 'btn btn-block', text: 'Close', onclick: close }));
      return;
    }
    const waiting = await queued();
    if (mine !== paintSeq) return;
    const summary = finishSummary(report.totals, waiting);
    const markMissing = el('input', { type: 'checkbox', id: 'finish-mark-missing' });
    markMissing.checked = markChoice;
    markMissing.addEventListener('change', () => { markChoice = markMissing.checked; });
    const finish = el('button', { type: 'button', id: 'finish-confirm', class: 'btn btn-primary btn-big btn-block',
                                  text: 'Finish audit', disabled: summary.canFinish ? undefined : true });
    const error = el('p', { class: 'error', role: 'alert', id: 'finish-error', hidden: true });
    const parts = [
      el('div', { class: 'finish-facts', id: 'finish-summary' },
        fact('scanned', `${summary.scanned} / ${summary.expected}`, 'finish-scanned'),
        fact('missing', summary.missing, 'finish-missing'),
        fact('wrong place', summary.wrongLocation, 'finish-wrong'),
        fact('unknown codes', summary.unknownCodes, 'finish-unknown'),
        fact('still on this phone', summary.queued, 'finish-queued')),
    ];
    if (!summary.canFinish) {
      const send = el('button', { type: 'button', id: 'finish-send', class: 'btn btn-big btn-block', text: 'Send them now' });
      send.addEventListener('click', async () => {
        send.disabled = true;
        send.textContent = 'Sending…';
        if (!app.connectivity.online) await app.connectivity.check();
        await app.outbox.flush().catch(() => {});
        paint();
      });
      parts.push(el('p', { class: 'finish-blocked', id: 'finish-blocked', role: 'alert',
                           text: `${summary.queued} scan${summary.queued === 1 ? ' is' : 's are'} still on this phone. Send ${summary.queued === 1 ? 'it' : 'them'} first, so the report counts ${summary.queued === 1 ? 'it' : 'them'}.` }),
      send);
    }
    if (summary.missing > 0) {
      parts.push(el('label', { class: 'finish-choice' }, markMissing,
        el('span', { text: `${summary.markMissingLabel} (their status becomes missing)` })));
    }
    parts.push(error, finish, el('button', { type: 'button', class: 'btn btn-block', id: 'finish-cancel', text: 'Keep scanning', onclick: close }));
    body.replaceChildren(...parts);
    finish.addEventListener('click', async () => {
      finish.disabled = true;
      error.hidden = true;
      try {
        if (await queued()) {
          paint();
          return;
        }
        await app.api.patch(`/sessions/${encodeURIComponent(sessionId)}`,
                            { status: 'completed', markMissing: markMissing.checked });
        node.hidden = true;
        onFinished();
      } catch (problem) {
        error.textContent = problem.status ? problem.message : 'No connection: the audit is not finished yet. Try again when online.';
        error.hidden = false;
        finish.disabled = false;
      }
    });
  }

  // The queue drains while the sheet is open: its figures follow.
  const onCount = () => {
    if (!node.hidden) paint();
  };
  app.outbox.addEventListener('count', onCount);

  return {
    node,
    open() {
      node.hidden = false;
      markChoice = false;
      paint({ fresh: true });
    },
    /** Hidden without the close callback (another tab was chosen). */
    hide() {
      node.hidden = true;
    },
    get open_() { return !node.hidden; },
    destroy() {
      app.outbox.removeEventListener('count', onCount);
    },
  };
}
