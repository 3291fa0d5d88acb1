/**
 * The few fields Tessera reads from S3's XML answers (Error, InitiateMultipartUploadResult,
 * ListPartsResult, ListMultipartUploadsResult, ListBucketResult). DOMParser exists only on the page,
 * not in workers or Node, so this is a deliberately small reader: it finds `<Name>text</Name>`
 * elements by name and decodes the five predefined entities and numeric references. It never
 * expands a DTD or an entity of the document's own (no "billion laughs"), and reads at most
 * MAX_XML_CHARS characters.
 */

const MAX_XML_CHARS = 4 << 20;

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, name: string) => {
    if (name.startsWith('#x')) return safeCodePoint(parseInt(name.slice(2), 16)) ?? whole;
    if (name.startsWith('#')) return safeCodePoint(parseInt(name.slice(1), 10)) ?? whole;
    return PREDEFINED[name] ?? whole;
  });
}

function safeCodePoint(value: number): string | undefined {
  return value > 0 && value <= 0x10ffff ? String.fromCodePoint(value) : undefined;
}

function bounded(xml: string): string {
  return xml.length > MAX_XML_CHARS ? xml.slice(0, MAX_XML_CHARS) : xml;
}

/** Text of every `<name>…</name>` (no attributes expected; CDATA is not used by S3) in order. */
function xmlTexts(xml: string, name: string): string[] {
  const out: string[] = [];
  const pattern = new RegExp(`<${name}>([^<]*)</${name}>`, 'g');
  for (const match of bounded(xml).matchAll(pattern)) out.push(decodeText(match[1]!));
  return out;
}

/** Text of the first `<name>…</name>`, or undefined. */
export function xmlText(xml: string, name: string): string | undefined {
  return xmlTexts(xml, name)[0];
}

/** The inner XML of every `<name>…</name>` block (not nested in itself), for lists like `<Part>`. */
export function xmlBlocks(xml: string, name: string): string[] {
  const out: string[] = [];
  const text = bounded(xml);
  const open = `<${name}>`;
  const close = `</${name}>`;
  for (let at = text.indexOf(open); at >= 0; ) {
    const end = text.indexOf(close, at + open.length);
    if (end < 0) break;
    out.push(text.slice(at + open.length, end));
    at = text.indexOf(open, end + close.length);
  }
  return out;
}

/** Name of the document's root element (after the XML declaration), e.g. "Error". */
export function xmlRoot(xml: string): string | undefined {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z][\w.-]*)[\s>/]/.exec(bounded(xml).slice(0, 4096))?.[1];
}

/** Escapes text for an XML element's content. */
export function escapeXmlText(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}
