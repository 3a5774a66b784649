// The scan screen's camera panel: the video, Start/Stop and the torch. A camera that was running when the
// technician left the audit (quick-add, a reload) starts again on return, without a tap.
import { startScanner } from '../scanner.js';
import { unlockAudio } from '../feedback.js';
import { el } from '../dom.js';

const wantedKey = (sessionId) => `fieldscan:camera:${sessionId}`;

function remember(sessionId, wanted) {
  try {
    if (wanted) sessionStorage.setItem(wantedKey(sessionId), '1');
    else sessionStorage.removeItem(wantedKey(sessionId));
  } catch {
    // Private mode: the camera waits for a tap next time.
  }
}

export function wasRunning(sessionId) {
  try {
    return sessionStorage.getItem(wantedKey(sessionId)) === '1';
  } catch {
    return false;
  }
}

/** {node, start, stop, pause, resume, destroy}: onCode(text, decodedAt) for each label read. */
export function cameraPanel({ sessionId, onCode, toast }) {
  const video = el('video', { id: 'camera', playsinline: true, muted: true, autoplay: true });
  const toggle = el('button', { type: 'button', id: 'start-camera', class: 'btn btn-big btn-block', text: 'Start camera' });
  const torch = el('button', { type: 'button', id: 'torch', class: 'btn btn-small btn-quiet', hidden: true,
                               'aria-pressed': 'false', text: 'Torch' });
  const node = el('div', { class: 'camera-box' }, video, toggle, torch);
  let scanner = null;
  let wanted = false;
  let closed = false;
  let paused = false;

  async function on() {
    toggle.disabled = true;
    try {
      const started = await startScanner(video, (text, times) => onCode(text, times.decodedAt), {
        onError: (error) => console.warn('fieldscan: decode failed', error),
      });
      if (closed || paused || document.hidden) {
        started.stop();
        return;
      }
      scanner = started;
      wanted = true;
      remember(sessionId, true);
      toggle.textContent = 'Stop camera';
      toggle.dataset.running = 'true';
      torch.hidden = !scanner.torchSupported;
      video.dataset.decoder = scanner.decoderKind;
    } catch (error) {
      wanted = false;
      remember(sessionId, false);
      toast(error && error.name === 'NotAllowedError'
        ? 'Camera permission denied: allow it in the browser settings, or type the tag'
        : `Camera unavailable: ${error.message || error}`, 'error');
    } finally {
      toggle.disabled = false;
    }
  }

  function off() {
    if (scanner) scanner.stop();
    scanner = null;
    toggle.textContent = 'Start camera';
    delete toggle.dataset.running;
    torch.hidden = true;
    torch.setAttribute('aria-pressed', 'false');
  }

  toggle.addEventListener('click', () => {
    unlockAudio();
    if (scanner) {
      wanted = false;
      remember(sessionId, false);
      off();
    } else {
      on();
    }
  });
  torch.addEventListener('click', async () => {
    if (!scanner) return;
    const lit = torch.getAttribute('aria-pressed') !== 'true';
    try {
      await scanner.setTorch(lit);
      torch.setAttribute('aria-pressed', String(lit));
    } catch (error) {
      toast(`Torch: ${error.message}`, 'error');
    }
  });

  return {
    node,
    start: () => (scanner ? Promise.resolve() : on()),
    /** Off for now (the app in the background, another tab): back on with resume() if it was wanted. */
    pause() {
      paused = true;
      if (scanner) off();
    },
    resume() {
      paused = false;
      if (wanted && !scanner && !closed) on();
    },
    get running() { return Boolean(scanner); },
    /** Leaving the screen: off, but remembered, so coming back starts it again. */
    destroy() {
      closed = true;
      off();
    },
    /** The audit is closed: no camera, and none next time. */
    disable() {
      wanted = false;
      remember(sessionId, false);
      off();
      node.hidden = true;
    },
  };
}
