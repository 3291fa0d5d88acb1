/** Every fuzz target, in the order the runs report them. */
import type { FuzzTarget } from '../runner.js';
import { bucketTarget } from './buckets.js';
import { bundleTarget } from './bundles.js';
import { dicomTarget } from './dicom.js';
import { kitTarget } from './kits.js';
import { linkTarget } from './links.js';
import { shareTarget } from './shares.js';
import { transportTarget } from './transport.js';

export const TARGETS: readonly FuzzTarget[] = [dicomTarget, shareTarget, bundleTarget, kitTarget, linkTarget, bucketTarget, transportTarget];
