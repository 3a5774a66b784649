// The rear camera as a stream of decoded codes: the browser's BarcodeDetector where it reads QR and
// Code 128, else ZXing-C++ compiled to WebAssembly, served from this origin (never a CDN).

const VENDOR = '/app/vendor/zxing-wasm/dist';
const MAX_SIDE = 640; // frames are downscaled before decoding: faster, and labels stay readable
const MIN_INTERVAL_MS = 70; // ~14 decodes a second at most
const REPEAT_MS = 2000; // the same code seen again within this time is the same sighting

let decoderPromise = null;

async function nativeDecoder() {
  if (!('BarcodeDetector' in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes('qr_code') || !formats.includes('code_128')) return null;
    const detector = new window.BarcodeDetector({ formats: ['qr_code', 'code_128'] });
    return {
      kind: 'native',
      async decode(source) {
        const found = await detector.detect(source);
        return found.map((code) => code.rawValue).filter(Boolean);
      },
    };
  } catch {
    return null;
  }
}

async function wasmDecoder() {
  const zxing = await import(`${VENDOR}/es/reader/index.js`);
  const overrides = {
    locateFile: (path, prefix) => (path.endsWith('.wasm') ? `${VENDOR}/reader/${path}` : prefix + path),
  };
  if (zxing.prepareZXingModule) {
    await zxing.prepareZXingModule({ overrides, fireImmediately: true });
  } else {
    zxing.setZXingModuleOverrides(overrides);
  }
  const options = { formats: ['QRCode', 'Code128'], tryHarder: true, maxNumberOfSymbols: 1 };
  return {
    kind: 'wasm',
    async decode(imageData) {
      const found = await zxing.readBarcodes(imageData, options);
      return found.filter((code) => code.isValid !== false && code.text).map((code) => code.text);
    },
  };
}

/** The decoder this browser uses: {kind: 'native'|'wasm', decode(source)}; loaded once. */
export function loadDecoder() {
  if (!decoderPromise) {
    decoderPromise = (async () => (await nativeDecoder()) || wasmDecoder())();
    decoderPromise.catch(() => {
      decoderPromise = null;
    });
  }
  return decoderPromise;
}

/**
 * Start the rear camera in `video` and call onCode(text, {frameAt, decodedAt}) for each new code
 * (performance.now() times). Returns a scanner {stop(), torchSupported, setTorch(on), decoderKind}.
 */
export async function startScanner(video, onCode, { onError } = {}) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  const track = stream.getVideoTracks()[0];
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  video.muted = true;
  await video.play().catch(() => {});

  let decoder;
  try {
    decoder = await loadDecoder();
  } catch (error) {
    stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    throw error;
  }
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const seen = new Map(); // code → last time seen
  let running = true;
  let busy = false;
  let lastDecode = 0;
  let timer = null;
  let frameHandle = null;

  const capabilities = typeof track.getCapabilities === 'function' ? track.getCapabilities() : {};
  const torchSupported = Boolean(capabilities && capabilities.torch);

  function frameSource() {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    if (decoder.kind === 'native' && Math.max(width, height) <= MAX_SIDE) return video;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    if (decoder.kind === 'native') return canvas;
    return context.getImageData(0, 0, canvas.width, canvas.height);
  }

  async function decodeFrame(frameAt) {
    if (!running || busy || frameAt - lastDecode < MIN_INTERVAL_MS) return;
    busy = true;
    lastDecode = frameAt;
    try {
      const source = frameSource();
      if (!source) return;
      const codes = await decoder.decode(source);
      const decodedAt = performance.now();
      for (const text of codes) {
        const previous = seen.get(text);
        seen.set(text, decodedAt);
        if (previous !== undefined && decodedAt - previous < REPEAT_MS) continue;
        if (running) onCode(text, { frameAt, decodedAt });
      }
      if (seen.size > 50) {
        for (const [code, at] of seen) if (decodedAt - at > REPEAT_MS) seen.delete(code);
      }
    } catch (error) {
      onError?.(error);
    } finally {
      busy = false;
    }
  }

  function schedule() {
    if (!running) return;
    if (typeof video.requestVideoFrameCallback === 'function') {
      frameHandle = video.requestVideoFrameCallback((now) => {
        decodeFrame(now).finally(schedule);
      });
    } else {
      timer = setTimeout(() => decodeFrame(performance.now()).finally(schedule), MIN_INTERVAL_MS);
    }
  }
  schedule();

  return {
    decoderKind: decoder.kind,
    torchSupported,
    async setTorch(on) {
      if (!torchSupported) return false;
      await track.applyConstraints({ advanced: [{ torch: Boolean(on) }] });
      return Boolean(on);
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      if (frameHandle !== null && typeof video.cancelVideoFrameCallback === 'function') {
        video.cancelVideoFrameCallback(frameHandle);
      }
      stream.getTracks().forEach((t) => t.stop());
      video.srcObject = null;
    },
  };
}
