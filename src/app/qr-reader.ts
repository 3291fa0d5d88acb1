/**
 * Reading a QR code from a photo, an image file or the camera, on the page. The browser's own
 * BarcodeDetector is used where it reads QR codes (Chrome on Android, ChromeOS, macOS); elsewhere
 * (and for an image it finds nothing in) zxing-cpp in WebAssembly (`zxing-wasm`), loaded with a
 * dynamic import the first time, so neither its code nor its 1 MB .wasm is in the page's bundle.
 * The .wasm is served by the app itself (Vite `?url`): never fetched from a CDN.
 */
import zxingReaderWasm from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** The largest side an image is read at: a phone photo is scaled down to it, which keeps a printed QR code readable and the work small. */
const MAX_SIDE = 2048;
/** How often a camera frame is read. */
const FRAME_INTERVAL_MS = 250;

interface DetectedBarcode {
  readonly rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

let detector: Promise<BarcodeDetectorLike | undefined> | undefined;

/** The platform's QR detector, or undefined where there is none (Chromium on Linux and Windows, Firefox, Safari). */
function platformDetector(): Promise<BarcodeDetectorLike | undefined> {
  detector ??= (async () => {
    const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
    if (Detector === undefined) return undefined;
    try {
      return (await Detector.getSupportedFormats()).includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : undefined;
    } catch {
      return undefined;
    }
  })();
  return detector;
}

type ZxingReader = typeof import('zxing-wasm/reader');
let zxing: Promise<ZxingReader> | undefined;

function zxingReader(): Promise<ZxingReader> {
  zxing ??= import('zxing-wasm/reader').then((module) => {
    module.prepareZXingModule({
      overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? zxingReaderWasm : prefix + path) },
    });
    return module;
  });
  // A failed load (offline, say) is tried again next time.
  zxing.catch(() => (zxing = undefined));
  return zxing;
}

/** The pixels of `source`, scaled down so that its longer side is at most MAX_SIDE. */
function pixelsOf(source: CanvasImageSource, width: number, height: number): ImageData {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2D canvas to read the image with');
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

async function readWithZxing(pixels: ImageData): Promise<string | undefined> {
  const { readBarcodes } = await zxingReader();
  const [result] = await readBarcodes(pixels, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1, textMode: 'Plain', characterSet: 'BINARY' });
  return result?.isValid ? new TextDecoder().decode(result.bytes) : undefined;
}

/**
 * The text of the QR code in an image file (a photo of the printed kit, a screenshot), or
 * undefined when none is found. Rejects when the file is not an image the browser can open.
 */
export async function readQrCodeInImage(image: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(image);
  try {
    const platform = await platformDetector();
    if (platform) {
      const [found] = await platform.detect(bitmap).catch(() => []);
      if (found) return found.rawValue;
    }
    return await readWithZxing(pixelsOf(bitmap, bitmap.width, bitmap.height));
  } finally {
    bitmap.close();
  }
}

/** Asks for the camera, the one facing away from the person where there are two. */
export function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) return Promise.reject(new DOMException('no camera API in this browser', 'NotSupportedError'));
  return navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
}

/** Whether this browser can be asked for a camera at all (a secure page in a browser with the API). */
export function canUseCamera(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/**
 * Reads the video's frames, a few a second, until one holds a QR code whose text `accept` takes
 * (returns true for), or `signal` aborts. Resolves with that text, or undefined when aborted.
 */
export function scanVideo(video: HTMLVideoElement, accept: (text: string) => boolean, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      resolve(undefined);
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    const tick = async (): Promise<void> => {
      if (signal.aborted) return;
      try {
        if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
          const platform = await platformDetector();
          const text = platform
            ? (await platform.detect(video))[0]?.rawValue
            : await readWithZxing(pixelsOf(video, video.videoWidth, video.videoHeight));
          if (!signal.aborted && text !== undefined && accept(text)) {
            signal.removeEventListener('abort', stop);
            resolve(text);
            return;
          }
        }
      } catch (error) {
        signal.removeEventListener('abort', stop);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!signal.aborted) timer = setTimeout(() => void tick(), FRAME_INTERVAL_MS);
    };
    void tick();
  });
}
