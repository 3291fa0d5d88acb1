/**
 * How each demo cloud (and each kind of real location) looks. Colour is never the only cue: every cloud also has its own letter,
 * badge shape and name.
 */
export interface CloudLook {
  /** A made-up provider, so the demo reads like several companies. */
  readonly provider: string;
  readonly colour: string;
  readonly mark: string;
  readonly shape: 'circle' | 'square' | 'diamond' | 'hexagon' | 'shield';
}

const LOOKS: Readonly<Record<string, CloudLook>> = {
  'demo-a': { provider: 'Bluebird Storage', colour: '#1d5fbf', mark: 'A', shape: 'circle' },
  'demo-b': { provider: 'Orangery Cloud', colour: '#b54708', mark: 'B', shape: 'square' },
  'demo-c': { provider: 'Greenleaf Data', colour: '#20743a', mark: 'C', shape: 'diamond' },
  'demo-d': { provider: 'Violet Vault', colour: '#6741c7', mark: 'D', shape: 'hexagon' },
  'demo-e': { provider: 'Slate Archive', colour: '#46505a', mark: 'E', shape: 'shield' },
};

/** Real locations: by kind (their label names them; the mark says which kind of storage). */
const S3_LOOK: CloudLook = { provider: 'S3-compatible storage', colour: '#0b5c63', mark: 'S3', shape: 'square' };
const AZURE_LOOK: CloudLook = { provider: 'Azure Blob Storage', colour: '#0a4e8c', mark: 'Az', shape: 'hexagon' };
const FALLBACK: CloudLook = { provider: 'Storage', colour: '#46505a', mark: '?', shape: 'circle' };

export function cloudLook(bucketId: string): CloudLook {
  if (bucketId.startsWith('s3:')) return S3_LOOK;
  if (bucketId.startsWith('azure:')) return AZURE_LOOK;
  return LOOKS[bucketId] ?? FALLBACK;
}
