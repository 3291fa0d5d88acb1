/**
 * Drawing a QR symbol as SVG: one path of the dark modules, in module units, inside a viewBox that
 * includes the quiet zone (four light modules on every side, ISO/IEC 18004:2015 §6.3.8). Scales to
 * any size on screen and on paper without blurring.
 */
import type { QrSymbol } from './encode.js';

const QUIET_ZONE = 4;

/** The SVG path data of the dark modules, each row's runs of dark modules as one rectangle, offset by the quiet zone. */
export function qrPath(symbol: QrSymbol): string {
  const parts: string[] = [];
  for (let row = 0; row < symbol.size; row++) {
    let column = 0;
    while (column < symbol.size) {
      if (!symbol.modules[row * symbol.size + column]) {
        column++;
        continue;
      }
      const start = column;
      while (column < symbol.size && symbol.modules[row * symbol.size + column]) column++;
      parts.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${column - start}v1h-${column - start}z`);
    }
  }
  return parts.join('');
}

/** Width and height of the drawing in modules, quiet zone included. */
export function qrExtent(symbol: QrSymbol): number {
  return symbol.size + 2 * QUIET_ZONE;
}
