export { validateS3Config, MAX_EXPIRES_SECONDS, type S3Addressing, type S3BucketConfig } from './config.js';
export { presignS3Request, type PresignRequest } from './presign.js';
export { configFromPreset, corsRuleFor, lifecycleRuleFor, S3_PRESETS, S3_PROVIDERS, type PresetFields, type S3Preset, type S3Provider } from './presets.js';
export { contentMd5, createS3Transport, S3_LIMITS, S3Transport, type S3TransportOptions } from './transport.js';
