/**
 * Shares waiting to be uploaded, on this device: a protect into real clouds first writes each
 * share whole to the Origin Private File System, then uploads it from there (share-jobs.ts
 * uploadShares). Because the staged bytes can be read again, an upload survives a failed request,
 * a closed tab or a cloud that is down for a day: it resumes from its journal entry
 * (transfer/journal.ts) with only the missing parts, and a share a cloud refused can be sent again
 * later. A staged share is deleted the moment its cloud holds it.
 *
 * Layout: `tessera-staging/device/<encoded key>`, the same flat folder and temporary-name-then-rename
 * writes as a demo bucket (demo-bucket.ts); keys are the shares' object keys
 * (`tessera/<record id>/<x>.tshare`), so nothing here names a file or a patient.
 *
 * WARNING: k staged shares of a record are the record. They sit on the device the original came
 * from (trusted, docs/security.md), and only until their clouds hold them or the person removes the
 * record.
 */
import { DemoBucket } from './demo-bucket.js';
import type { Bucket } from './types.js';

const STAGING_ROOT = 'tessera-staging';

/**
 * The device's store of shares waiting to upload, as a Bucket (works in a worker and on the page).
 * Its shares are flushed to the disk as they are closed (`strict`): a power cut before their
 * upload must not leave the record's only copies half written.
 */
export function stagingArea(): Bucket {
  return new DemoBucket({ kind: 'demo', id: 'device', label: 'This device (waiting to upload)', online: true }, STAGING_ROOT, 'strict');
}

/** Deletes every staged share of a record; missing ones are fine. */
export async function deleteStagedRecord(recordId: string): Promise<void> {
  const staging = stagingArea();
  const objects = await staging.list(`tessera/${recordId}/`);
  await Promise.all(objects.map((object) => staging.delete(object.key)));
}

/** Record ids that have staged shares (to find those a removed or lost record left behind). */
export async function stagedRecordIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const object of await stagingArea().list('tessera/')) {
    const id = /^tessera\/([0-9a-f]+)\//.exec(object.key)?.[1];
    if (id) ids.add(id);
  }
  return ids;
}
