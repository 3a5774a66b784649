// What a scan outcome feels like: a colour, a short tone through Web Audio and a vibration pattern,
// all distinct per outcome so a technician knows the answer without reading the screen.

export const TITLES = {
  accepted: 'Found',
  already_scanned: 'Already counted',
  wrong_location: 'Wrong place',
  not_in_session: 'Not in this audit',
  unknown_code: 'Unknown code',
  location_set: 'Location set',
};

export const COLOURS = {
  accepted: 'var(--ok)',
  already_scanned: 'var(--repeat)',
  wrong_location: 'var(--wrong)',
  not_in_session: 'var(--notin)',
  unknown_code: 'var(--unknown)',
  location_set: 'var(--location)',
};

export function placeText(location) {
  if (!location) return '';
  const path = location.path || '';
  const parent = path.endsWith(location.name) ? path.slice(0, -location.name.length).replace(/\s*>\s*$/, '') : path;
  return parent ? `${location.name} (${parent})` : location.name;
}

export function itemText(item, code) {
  if (!item) return code;
  if (item.name && item.tag) return `${item.name} · ${item.tag}`;
  return item.name || item.tag || code;
}

/** Words for an outcome: {title, detail}. `answer` is the server's or the local guess in the same shape. */
export function describe(answer, code) {
  const result = answer.result;
  const title = TITLES[result] || result;
  const item = answer.item;
  switch (result) {
    case 'accepted':
      return { title, detail: itemText(item, code) };
    case 'already_scanned': {
      const at = item && item.scannedAt ? new Date(item.scannedAt) : null;
      const when = at && !Number.isNaN(at.getTime())
        ? ` at ${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : '';
      return { title, detail: `${itemText(item, code)} — counted${when}` };
    }
    case 'wrong_location':
    case 'not_in_session': {
      const where = answer.expectedLocation ? `Belongs in ${placeText(answer.expectedLocation)}` : '';
      if (answer.tentative) return { title, detail: `${itemText(item, code)} — checking…` };
      return { title, detail: [itemText(item, code), where].filter(Boolean).join(' — ') };
    }
    case 'unknown_code':
      return { title, detail: `“${code}” matches no asset or location` };
    case 'location_set':
      return { title, detail: `Scanning in ${placeText(answer.location)}` };
    default:
      return { title, detail: code };
  }
}

// [frequency Hz, duration ms, gap after ms]
const TONES = {
  accepted: [[880, 70, 10], [1320, 90, 0]],
  already_scanned: [[330, 160, 0]],
  wrong_location: [[520, 60, 40], [520, 60, 40], [520, 60, 0]],
  not_in_session: [[440, 90, 30], [294, 140, 0]],
  unknown_code: [[196, 220, 0]],
  location_set: [[660, 60, 20], [990, 60, 20], [1320, 80, 0]],
};

const VIBRATIONS = {
  accepted: [60],
  already_scanned: [200],
  wrong_location: [80, 60, 80, 60, 80],
  not_in_session: [120, 80, 200],
  unknown_code: [300],
  location_set: [40, 40, 40],
};

const MUTE_KEY = 'feedback-muted';
let context = null;
let muted = false;
let store = null;

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!context) context = new Context();
  if (context.state === 'suspended') context.resume().catch(() => {});
  return context;
}

/** Create or resume the AudioContext inside a user gesture (browsers refuse sound before one). */
export function unlockAudio() {
  try {
    audioContext();
  } catch {
    // No audio on this device: colour and vibration still tell the outcome.
  }
}

/** Load the mute setting and arm the audio unlock on the first gesture. */
export async function initFeedback(metaStore) {
  store = metaStore;
  try {
    muted = Boolean(await store?.get('meta', MUTE_KEY));
  } catch {
    muted = false;
  }
  const unlock = () => {
    unlockAudio();
    window.removeEventListener('pointerdown', unlock, true);
    window.removeEventListener('keydown', unlock, true);
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
  return muted;
}

export function isMuted() {
  return muted;
}

export async function setMuted(value) {
  muted = Boolean(value);
  try {
    await store?.put('meta', MUTE_KEY, muted);
  } catch {
    // The setting lasts for this visit at least.
  }
  return muted;
}

function playTones(tones) {
  const audio = context;
  if (!audio || audio.state !== 'running') return;
  let at = audio.currentTime + 0.005;
  for (const [frequency, duration, gap] of tones) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequency;
    const seconds = duration / 1000;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.18, at + 0.008);
    gain.gain.setValueAtTime(0.18, at + seconds - 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + seconds + 0.01);
    at += seconds + gap / 1000;
  }
}

/** Sound and vibration for an outcome (the colour is the outcome card's, from COLOURS). */
export function signal(result) {
  if (muted) return;
  try {
    playTones(TONES[result] || TONES.unknown_code);
  } catch {
    // A failed tone must never stop a scan.
  }
  if (typeof navigator.vibrate === 'function') {
    try {
      navigator.vibrate(VIBRATIONS[result] || VIBRATIONS.unknown_code);
    } catch {
      // Vibration refused (no gesture yet, or not allowed here).
    }
  }
}
