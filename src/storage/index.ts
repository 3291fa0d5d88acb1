import { DemoBucket } from './demo-bucket.js';
import type { Bucket, BucketDescriptor } from './types.js';

export { DEMO_BUCKETS } from './demo-bucket.js';
export type { Bucket, BucketDescriptor } from './types.js';

/** The backend for a descriptor. Cheap: a bucket holds no connection, so make one per job. */
export function createBucket(descriptor: BucketDescriptor): Bucket {
  switch (descriptor.kind) {
    case 'demo':
      return new DemoBucket(descriptor);
  }
}
