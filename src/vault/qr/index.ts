export { encodeQr, versionFor, type QrSymbol } from './encode.js';
export { qrExtent, qrPath } from './render.js';
