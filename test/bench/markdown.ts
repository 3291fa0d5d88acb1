/** Markdown for docs/benchmarks.md, which the Node part and the browser part write together. */

export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string[] {
  const align = header.map((_, i) => (rightAligned.includes(i) ? '---:' : '---'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

/** Marks the browser part's section, so that either part can be rerun alone without losing the other's. */
export const BROWSER_SECTION_START = '<!-- browser part: written by test/bench/browser-report.ts; everything up to the end marker is replaced -->';
export const BROWSER_SECTION_END = '<!-- end of browser part -->';

/** The browser section of an existing document (markers included), or undefined. */
export function browserSectionOf(document: string): string | undefined {
  const start = document.indexOf(BROWSER_SECTION_START);
  const end = document.indexOf(BROWSER_SECTION_END);
  if (start < 0 || end < start) return undefined;
  return document.slice(start, end + BROWSER_SECTION_END.length);
}

/** `document` without its browser section. */
export function withoutBrowserSection(document: string): string {
  const section = browserSectionOf(document);
  return section === undefined ? document : document.replace(section, '').trimEnd() + '\n';
}

/** The Node part's text followed by the browser section (each may come from an earlier run). */
export function joinParts(nodePart: string, browserSection: string | undefined): string {
  return browserSection === undefined ? nodePart : `${nodePart.trimEnd()}\n\n${browserSection}\n`;
}
