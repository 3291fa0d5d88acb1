/** How links to colleagues read on screen (SendLinkPanel, ReceivePanel). */
import type { LinkRefusal } from '../storage/share-links.js';

const exactTime = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'long' });

/** The exact time, with the day and time zone: "Tuesday, 3 June 2025 at 14:05:12 GMT+2". */
export function formatExactTime(milliseconds: number): string {
  return exactTime.format(new Date(milliseconds));
}

/** Why a share cannot be in a link, for the person sending it. */
export function refusalWords(reason: LinkRefusal): string {
  switch (reason) {
    case 'demo':
      return 'it is in a demo cloud, which lives inside this browser: nobody else can reach it';
    case 'azure':
      return 'it is in an Azure container: a read-only address for one share would need the storage account key, which Tessera does not hold, and the container’s own SAS would also let the colleague change and delete everything in the container';
    case 'pending':
      return 'it is still waiting on this device to be uploaded';
    case 'switched-off':
      return 'its storage location is switched off';
    case 'not-set-up':
      return 'its storage location is not set up in this visit (give its key first)';
  }
}
