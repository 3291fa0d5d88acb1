/**
 * A file name extension from a file's first bytes, for a rebuilt file whose name Tessera does not
 * know (a share carries none, by design): so that the computer knows how to open it. Only kinds a
 * medical record is likely to be; undefined for anything else.
 */
export function guessExtension(head: Uint8Array): string | undefined {
  const ascii = (at: number, text: string): boolean => [...text].every((character, index) => head[at + index] === character.charCodeAt(0));
  if (ascii(0, '%PDF-')) return '.pdf';
  if (ascii(128, 'DICM')) return '.dcm';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return '.jpg';
  if (head[0] === 0x89 && ascii(1, 'PNG')) return '.png';
  if (ascii(0, 'GIF8')) return '.gif';
  if (ascii(0, 'II*\u0000') || ascii(0, 'MM\u0000*')) return '.tif';
  if (ascii(257, 'ustar')) return '.tar';
  if (ascii(0, 'PK\u0003\u0004')) return '.zip';
  return undefined;
}

/** Whether a file name already ends in an extension (`report.pdf`, not `report` or `.profile`). */
export function hasExtension(name: string): boolean {
  return /[^.]\.[A-Za-z0-9]{1,8}$/.test(name);
}
