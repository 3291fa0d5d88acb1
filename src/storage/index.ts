import { TesseraError } from '../core/errors.js';
import { AzureBlobTransport } from './azure/index.js';
import { DemoBucket } from './demo-bucket.js';
import { createPresignEndpointTransport } from './presign-endpoint/index.js';
import { RemoteBucket } from './remote-bucket.js';
import { S3_PRESETS, S3Transport, type S3TransportOptions } from './s3/index.js';
import { Fetcher } from './transfer/fetcher.js';
import { defaultTransferSlots } from './transfer/slots.js';
import type { ObjectTransport } from './transfer/transport.js';
import type { AzureBucketDescriptor, Bucket, BucketDescriptor, PresignEndpointBucketDescriptor, S3BucketDescriptor } from './types.js';

export { DEMO_BUCKETS } from './demo-bucket.js';
export type { AzureBucketDescriptor, Bucket, BucketDescriptor, DemoBucketDescriptor, PresignEndpointBucketDescriptor, S3BucketDescriptor } from './types.js';

/** One retry policy for every remote bucket of this realm (a worker, or the page); it holds no state between operations. */
const sharedFetcher = new Fetcher();

export interface CreateBucketOptions {
  /** Retry policy for a remote bucket; default: this realm's shared one (8 attempts, up to 10 minutes). */
  readonly fetcher?: Fetcher;
}

/**
 * The backend for a descriptor. Cheap: a bucket holds no connection, so make one per job. Remote
 * buckets share this realm's fetcher and request slots (transfer/slots.ts defaultTransferSlots), so
 * the limits per bucket and overall hold across every job of one worker.
 */
export function createBucket(descriptor: BucketDescriptor, options: CreateBucketOptions = {}): Bucket {
  if (descriptor.kind === 'demo') return new DemoBucket(descriptor);
  if (!descriptor.online) return new SwitchedOffBucket(descriptor);
  return new RemoteBucket({ label: descriptor.label, ...uploadRoute(descriptor, options) });
}

/** A real storage location's descriptor (every kind but the demo clouds). */
export type RemoteBucketDescriptor = S3BucketDescriptor | AzureBucketDescriptor | PresignEndpointBucketDescriptor;

/**
 * How requests reach a real location: its transport, this realm's retry policy and request slots,
 * and, for an S3 provider without presigned multipart (R2), the part size that keeps every object
 * in one PUT. createBucket uses it, and so does the upload of staged shares (workers/share-jobs.ts).
 */
export function uploadRoute(
  descriptor: RemoteBucketDescriptor,
  options: CreateBucketOptions = {},
): { readonly transport: ObjectTransport; readonly fetcher: Fetcher; readonly slots: typeof defaultTransferSlots; readonly partSize?: number } {
  return {
    transport: transportFor(descriptor),
    fetcher: options.fetcher ?? sharedFetcher,
    slots: defaultTransferSlots,
    ...(descriptor.kind === 's3' && !S3_PRESETS[descriptor.provider].presignedMultipart ? { partSize: singleRequestLimit(descriptor) } : {}),
  };
}

/**
 * The wire operations of a remote bucket. For S3, the preset's limits apply; a provider whose
 * presigned URLs cannot start or complete a multipart upload (R2) gets one part at most, so every
 * object goes in one PUT up to its single-request limit (docs/s3.md, Presets). A bucket an
 * organisation signs for gets S3's limits: its endpoint refuses what its storage cannot take.
 */
export function transportFor(descriptor: RemoteBucketDescriptor): ObjectTransport {
  if (descriptor.kind === 'azure') return new AzureBlobTransport({ bucketId: descriptor.id, containerSasUrl: descriptor.containerSasUrl });
  if (descriptor.kind === 'presign-endpoint') {
    return createPresignEndpointTransport({ bucketId: descriptor.id, endpoint: descriptor.endpoint, bucket: descriptor.bucket, auth: { kind: 'bearer', token: descriptor.token } });
  }
  const preset = S3_PRESETS[descriptor.provider];
  if (preset === undefined) throw new RangeError(`provider: unknown S3 provider "${String(descriptor.provider).slice(0, 20)}"`);
  const options: S3TransportOptions = preset.presignedMultipart
    ? { ...(preset.limits ? { limits: preset.limits } : {}) }
    : { limits: { ...preset.limits, maxParts: 1, maxPartSize: singleRequestLimit(descriptor) } };
  return new S3Transport(
    {
      bucketId: descriptor.id,
      endpoint: descriptor.endpoint,
      region: descriptor.region,
      bucket: descriptor.bucket,
      addressing: descriptor.addressing,
      accessKeyId: descriptor.accessKeyId,
      secretAccessKey: descriptor.secretAccessKey,
    },
    options,
  );
}

/** The largest object one PUT may carry at this S3 provider. */
function singleRequestLimit(descriptor: S3BucketDescriptor): number {
  const limit = S3_PRESETS[descriptor.provider].limits?.singlePutLimit;
  if (limit === undefined) throw new RangeError(`provider: ${descriptor.provider} has no single-request limit for uploads without multipart`);
  return limit;
}

/** A real location the user switched off: like a cloud that is down, it refuses every call. */
class SwitchedOffBucket implements Bucket {
  readonly id: string;
  readonly label: string;

  constructor(descriptor: BucketDescriptor) {
    this.id = descriptor.id;
    this.label = descriptor.label;
  }

  openWriter(): Promise<never> {
    return this.refuse();
  }
  openReader(): Promise<never> {
    return this.refuse();
  }
  head(): Promise<never> {
    return this.refuse();
  }
  list(): Promise<never> {
    return this.refuse();
  }
  delete(): Promise<never> {
    return this.refuse();
  }

  private refuse(): Promise<never> {
    return Promise.reject(new TesseraError('bucket.offline', `${this.label} is switched off`));
  }
}
