/**
 * Who could read a protected file: shares that sit with one provider account can be put together
 * by that provider. With k or more of them, the account alone can rebuild the file, and secret
 * sharing protects nothing against it; the protect form refuses that unless the person overrides.
 *
 * Accounts are told apart only by what Tessera knows: an S3 key (its access key id, at the
 * provider or, for a self-hosted store, at the endpoint's host), an Azure storage account, and an
 * organisation's signing service (its origin). Two keys of one company's account look like two
 * accounts; the form says so.
 */
import { parseContainerSasUrl } from '../storage/azure/index.js';
import type { BucketDescriptor } from '../storage/index.js';
import { S3_PRESETS } from '../storage/s3/index.js';

/** The account a location belongs to, as a stable text; equal for two locations of one account. */
export function accountOf(location: BucketDescriptor): string {
  switch (location.kind) {
    case 'demo':
      // Each demo cloud stands for a different company.
      return `demo:${location.id}`;
    case 's3': {
      // A known service's key ids are its own: one key id is one account whatever the region or
      // endpoint. A self-hosted store (MinIO, Ceph, any other address) is known by its host.
      const known = S3_PRESETS[location.provider]?.endpointPattern !== undefined;
      return known ? `s3:${location.provider}:${location.accessKeyId}` : `s3:${hostOf(location.endpoint)}:${location.accessKeyId}`;
    }
    case 'azure':
      return `azure:${azureAccountOf(location.containerSasUrl)}`;
    case 'presign-endpoint':
      // The organisation holds the storage key behind its endpoint: it can read every bucket it
      // signs for, whatever their ids, so all of them are one provider (its origin, whatever the path).
      return `presign:${URL.canParse(location.endpoint) ? new URL(location.endpoint).origin.toLowerCase() : location.endpoint}`;
  }
}

function hostOf(endpoint: string): string {
  return URL.canParse(endpoint) ? new URL(endpoint).host.toLowerCase() : endpoint;
}

/** `acct.blob.core.windows.net`; for a path-style endpoint (Azurite, Azure Stack) the host and the account in the path. */
function azureAccountOf(containerSasUrl: string): string {
  let containerUrl: URL;
  try {
    containerUrl = new URL(parseContainerSasUrl(containerSasUrl).containerUrl);
  } catch {
    return containerSasUrl.split('?')[0] ?? '';
  }
  const segments = containerUrl.pathname.split('/').filter((segment) => segment !== '');
  const host = containerUrl.host.toLowerCase();
  return segments.length >= 2 ? `${host}/${segments[0]}` : host;
}

export interface AccountGroup {
  readonly account: string;
  /** Labels of the chosen locations in this account, in placement order. */
  readonly labels: readonly string[];
  /** Shares this account would hold. */
  readonly shares: number;
}

export interface PlacementCheck {
  /** Every account that gets a share, the one with most shares first. */
  readonly groups: readonly AccountGroup[];
  /** Accounts that get more than one share. */
  readonly shared: readonly AccountGroup[];
  /** Fewest accounts that together hold k shares: how many providers would have to collude to read the file. */
  readonly colluding: number;
  /** One account alone holds k or more shares: it could rebuild the file without anyone else. */
  readonly unsafe: boolean;
}

/** Checks where the n shares of a k-of-n split would go (share i into `locations[i]`). */
export function checkPlacement(locations: readonly BucketDescriptor[], k: number): PlacementCheck {
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`k: expected a positive integer, got ${k}`);
  if (k > locations.length) throw new RangeError(`k: expected at most the number of locations (${locations.length}), got ${k}`);
  const byAccount = new Map<string, string[]>();
  for (const location of locations) {
    const account = accountOf(location);
    byAccount.set(account, [...(byAccount.get(account) ?? []), location.label]);
  }
  // Stable: equal counts keep placement order.
  const groups = [...byAccount].map(([account, labels]) => ({ account, labels, shares: labels.length })).sort((a, b) => b.shares - a.shares);
  let colluding = 0;
  for (let held = 0; held < k; colluding++) held += groups[colluding]!.shares;
  return { groups, shared: groups.filter((group) => group.shares > 1), colluding, unsafe: (groups[0]?.shares ?? 0) >= k };
}
