/**
 * The little XML the Blob service speaks to us: the error body (`<Error><Code>…`), Get Block List
 * and List Blobs. DOMParser exists on the page only, not in workers or Node, and both documents are flat and
 * produced by the service, so a few anchored patterns do; anything they do not find is simply absent.
 */

/** The text of the first `<name>…</name>` in `xml`, entities decoded; undefined if there is none. */
function elementText(xml: string, name: string): string | undefined {
  const inner = elements(xml, name, 1)[0];
  return inner === undefined ? undefined : decodeEntities(inner).trim();
}

/**
 * The inner XML of every `<name>…</name>` in `xml` (at most `most`), in order. Linear in the
 * length of `xml`: an opening tag's attributes end at the next `<` or `>`, and once an opening tag
 * has no closing tag after it, no later one has either. (A lazy `<name>([\s\S]*?)</name>` pattern
 * scans to the end from every unclosed opening tag: a 210 kB body of `<Error ` took 5 s; found by
 * test/fuzz.)
 */
function elements(xml: string, name: string, most = Infinity): string[] {
  const open = new RegExp(`<${name}(?:\\s[^<>]*)?>`, 'g');
  const close = `</${name}>`;
  const out: string[] = [];
  for (let match = open.exec(xml); match !== null && out.length < most; match = open.exec(xml)) {
    const start = match.index + match[0].length;
    const end = xml.indexOf(close, start);
    if (end < 0) break;
    out.push(xml.slice(start, end));
    open.lastIndex = end + close.length;
  }
  return out;
}

/** The error the service described in its body (Azure Storage "Status and error codes"). */
export interface AzureErrorBody {
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** `AuthenticationErrorDetail`, which says why a SAS was refused ("Signed expiry time …"). */
  readonly authenticationDetail: string | undefined;
}

export function parseErrorBody(xml: string): AzureErrorBody {
  const error = elements(xml, 'Error')[0] ?? '';
  return {
    code: elementText(error, 'Code'),
    // The message ends with "RequestId:… Time:…" lines; the first line is the useful one.
    message: elementText(error, 'Message')?.split(/\r?\n/)[0],
    authenticationDetail: elementText(error, 'AuthenticationErrorDetail'),
  };
}

export interface ListedBlock {
  /** The block id as the service holds it (base64). */
  readonly name: string;
  readonly size: number;
  readonly committed: boolean;
}

/** Get Block List (`blocklisttype=all`): committed blocks, then uncommitted ones. */
export function parseBlockList(xml: string): ListedBlock[] {
  const section = (name: string, committed: boolean): ListedBlock[] =>
    elements(elements(xml, name)[0] ?? '', 'Block').map((block) => ({
      name: elementText(block, 'Name') ?? '',
      size: Number(elementText(block, 'Size')),
      committed,
    }));
  return [...section('CommittedBlocks', true), ...section('UncommittedBlocks', false)];
}

/** One page of List Blobs: names and sizes, and the marker of the next page ('' after the last). */
export function parseBlobList(xml: string): { blobs: { key: string; size: number }[]; nextMarker: string } {
  const blobs = elements(elements(xml, 'Blobs')[0] ?? '', 'Blob').map((blob) => ({
    key: elementText(blob, 'Name') ?? '',
    size: Number(elementText(blob, 'Content-Length')),
  }));
  return { blobs: blobs.filter((blob) => blob.key !== '' && Number.isSafeInteger(blob.size)), nextMarker: elementText(xml, 'NextMarker') ?? '' };
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return safeCodePoint(parseInt(entity.slice(2), 16), whole);
    if (entity.startsWith('#')) return safeCodePoint(parseInt(entity.slice(1), 10), whole);
    return NAMED_ENTITIES[entity] ?? whole;
  });
}

function safeCodePoint(codePoint: number, fallback: string): string {
  return codePoint >= 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : fallback;
}
