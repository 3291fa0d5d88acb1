/**
 * De-identification of DICOM files per PS3.15 Annex E, and the identity part of the partition.
 * Pure TypeScript (no DOM): runs in a worker, on the main thread and in Node. See README.md here
 * and docs/deidentification.md.
 */
export { deidentify, type DeidentificationResult, type RemovedAttribute } from './deidentify.js';
export { createDeidentificationContext, type DeidentificationContext, type RandomSource } from './context.js';
export { type DeidentificationOptions, type ElementAction } from './profile.js';
export { DeidentificationError, DEIDENTIFICATION_ERROR_CODES, type DeidentificationErrorCode } from './errors.js';
export { type DeidentificationWarning, type DeidentificationWarningCode } from './warnings.js';
export { identityPartFromJson, identityPartToJson, type IdentityEntry, type IdentityPart } from './identity.js';
export { ACTION_TABLE, ACTION_TABLE_EDITION, type ActionTableRow, type OptionColumn, type ProfileAction } from './table.js';
