/**
 * Why a share is still waiting on this device, in words a patient understands. Keyed by the most
 * specific code the upload reported (transfer/transport.ts TRANSFER_FAILURE_CODES, or the app's own
 * codes); what to do about it comes from Storage locations → Test, which knows the provider.
 */
const WHY: Readonly<Record<string, string>> = {
  'bucket.cors': 'the cloud’s sharing rule (CORS) does not let this page in — use “Test” under Storage locations to see the rule to add',
  'bucket.auth': 'the cloud did not accept the key',
  'bucket.permission': 'the key is not allowed to store files there',
  'bucket.clock-skew': 'this device’s clock is wrong, so the cloud refused the request — set the clock and try again',
  'bucket.expired': 'the cloud said the signed link had expired',
  'bucket.no-such-bucket': 'the bucket or container was not found — check its name, region and address',
  'bucket.integrity': 'the bytes changed on the way and the cloud refused them',
  'bucket.unavailable': 'the cloud could not be reached or was too busy, even after several tries',
  'bucket.stalled': 'the upload stopped moving, even after several tries',
  'bucket.offline': 'the cloud is switched off, or not set up in this visit — switch it on or give its key',
  'share.unreadable': 'the share is no longer on this device',
  'bucket.origin-refused': 'the cloud asked for it to go to another address, which Tessera does not do — check the location’s address',
};

export function whyNotStored(failure: string | undefined): string {
  if (failure === undefined) return 'its upload has not finished yet';
  return WHY[failure] ?? 'the cloud refused it';
}

/** "2 min 5 s left", "12 s left", or "" while unknown. */
export function formatTimeLeft(etaMs: number | null): string {
  if (etaMs === null || !Number.isFinite(etaMs)) return '';
  const seconds = Math.max(1, Math.round(etaMs / 1000));
  if (seconds < 60) return `${seconds} s left`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
