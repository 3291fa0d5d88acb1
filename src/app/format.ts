/** How numbers read on screen. Decimal units (1 MB = 1,000,000 bytes), as storage providers bill. */

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB'];
const exact = new Intl.NumberFormat('en');
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return formatExactBytes(bytes);
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${oneDecimal.format(value)} ${UNITS[unit]}`;
}

/** Exact count, for a tooltip or a second line: "67,108,864 bytes". */
export function formatExactBytes(bytes: number): string {
  return `${exact.format(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

/** Storage used relative to the original: "1.67×". */
export function formatFactor(factor: number): string {
  return `${twoDecimals.format(factor)}×`;
}

export function formatDate(milliseconds: number): string {
  return date.format(new Date(milliseconds));
}
