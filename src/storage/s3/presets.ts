/**
 * What each S3-compatible provider needs: its endpoint pattern, how its region is named, which
 * addressing it takes, how its CORS rule is set, and what it does not do. From each provider's own
 * documentation (docs/s3.md cites them); only Ceph RGW is exercised by the tests.
 */
import type { TransferLimits } from '../transfer/transport.js';
import { validateS3Config, type S3Addressing, type S3BucketConfig } from './config.js';

export const S3_PROVIDERS = ['aws', 'r2', 'b2', 'wasabi', 'gcs', 'minio', 'ceph'] as const;
export type S3Provider = (typeof S3_PROVIDERS)[number];

export interface S3Preset {
  readonly provider: S3Provider;
  readonly label: string;
  /** Endpoint with `{region}` / `{accountId}` placeholders, or undefined where the user gives it (MinIO, Ceph). */
  readonly endpointPattern: string | undefined;
  /** Region used when the person gives none; `auto` where the provider ignores it. */
  readonly defaultRegion: string;
  /** True when the region is part of the endpoint and must be given. */
  readonly regionRequired: boolean;
  readonly addressing: S3Addressing;
  /** The other style works too. */
  readonly bothAddressingStyles: boolean;
  /** Presigned multipart (POST create / complete) is accepted. */
  readonly presignedMultipart: boolean;
  /** Where the bucket's CORS rule is set. */
  readonly corsSetting: 'PutBucketCors' | 'gcloud' | 'server';
  /** Narrower transfer limits, when the provider has them. */
  readonly limits?: Partial<TransferLimits>;
  /** Things a person should know, in plain words. */
  readonly notes: readonly string[];
}

export const S3_PRESETS: Readonly<Record<S3Provider, S3Preset>> = {
  aws: {
    provider: 'aws',
    label: 'Amazon S3',
    endpointPattern: 'https://s3.{region}.amazonaws.com',
    defaultRegion: 'us-east-1',
    regionRequired: true,
    addressing: 'virtual-hosted',
    bothAddressingStyles: true,
    presignedMultipart: true,
    corsSetting: 'PutBucketCors',
    notes: [
      'Use the region the bucket was created in; a wrong one is refused (AuthorizationHeaderMalformed / PermanentRedirect).',
      'Path-style addressing is deprecated on AWS; a bucket name with dots needs it over HTTPS.',
    ],
  },
  r2: {
    provider: 'r2',
    label: 'Cloudflare R2',
    endpointPattern: 'https://{accountId}.r2.cloudflarestorage.com',
    defaultRegion: 'auto',
    regionRequired: false,
    addressing: 'path',
    bothAddressingStyles: true,
    // R2's presigned URLs allow GET, PUT, HEAD and DELETE only ("Presigned URLs", R2 docs): no POST,
    // so no presigned CreateMultipartUpload / CompleteMultipartUpload. Shares go in one PUT.
    presignedMultipart: false,
    corsSetting: 'PutBucketCors',
    limits: { singlePutLimit: 5 * 1024 ** 3 - 5 * 1024 ** 2 },
    notes: [
      'Region is "auto". For a bucket in the EU jurisdiction the endpoint is https://{accountId}.eu.r2.cloudflarestorage.com.',
      'Presigned URLs cannot start or finish a multipart upload on R2: each share is sent in one request (up to about 5 GB).',
      'The CORS rule can also be pasted in the dashboard (R2 → bucket → Settings → CORS policy), as JSON.',
    ],
  },
  b2: {
    provider: 'b2',
    label: 'Backblaze B2',
    endpointPattern: 'https://s3.{region}.backblazeb2.com',
    defaultRegion: 'us-west-004',
    regionRequired: true,
    addressing: 'virtual-hosted',
    bothAddressingStyles: true,
    presignedMultipart: true,
    corsSetting: 'PutBucketCors',
    notes: [
      'The region is the part of the bucket\'s S3 endpoint after "s3." (like us-west-004), shown on the bucket page.',
      'CORS rules set with the S3 API replace those of the B2 native API; the web UI shows only one kind.',
    ],
  },
  wasabi: {
    provider: 'wasabi',
    label: 'Wasabi',
    endpointPattern: 'https://s3.{region}.wasabisys.com',
    defaultRegion: 'us-east-1',
    regionRequired: true,
    addressing: 'virtual-hosted',
    bothAddressingStyles: true,
    presignedMultipart: true,
    corsSetting: 'PutBucketCors',
    notes: ['Use the endpoint of the bucket\'s own region: another region\'s endpoint refuses the request.'],
  },
  gcs: {
    provider: 'gcs',
    label: 'Google Cloud Storage (HMAC keys)',
    endpointPattern: 'https://storage.googleapis.com',
    defaultRegion: 'auto',
    regionRequired: false,
    addressing: 'path',
    bothAddressingStyles: true,
    presignedMultipart: true,
    // GCS's XML API has its own CORS document; the usual way is a JSON file and gcloud.
    corsSetting: 'gcloud',
    notes: [
      'Create an HMAC key for a service account (Cloud Storage → Settings → Interoperability) and give that account access to the bucket.',
      'Set the CORS rule with: gcloud storage buckets update gs://BUCKET --cors-file=cors.json',
    ],
  },
  minio: {
    provider: 'minio',
    label: 'MinIO',
    endpointPattern: undefined,
    defaultRegion: 'us-east-1',
    regionRequired: false,
    addressing: 'path',
    bothAddressingStyles: false,
    presignedMultipart: true,
    corsSetting: 'server',
    notes: [
      'Give the server\'s address (https://minio.example.org). Virtual-hosted addressing needs MINIO_DOMAIN on the server: use path.',
      'Community MinIO sets CORS for the whole server (MINIO_API_CORS_ALLOW_ORIGIN, all origins by default); AIStor also takes per-bucket rules (mc cors set).',
    ],
  },
  ceph: {
    provider: 'ceph',
    label: 'Ceph Object Gateway (RGW)',
    endpointPattern: undefined,
    defaultRegion: 'default',
    regionRequired: false,
    addressing: 'path',
    bothAddressingStyles: false,
    presignedMultipart: true,
    corsSetting: 'PutBucketCors',
    notes: [
      'Give the gateway\'s address. The region is the zonegroup\'s name (often "default"). Virtual-hosted addressing needs rgw_dns_name and wildcard DNS: use path.',
    ],
  },
};

export interface PresetFields {
  readonly bucketId: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Default: the preset's. */
  readonly region?: string;
  /** R2's account id. */
  readonly accountId?: string;
  /** Required where the preset has no endpoint pattern (MinIO, Ceph); otherwise overrides it. */
  readonly endpoint?: string;
  /** Default: the preset's. */
  readonly addressing?: S3Addressing;
}

/** A bucket configuration from a preset and what the person typed; validated. */
export function configFromPreset(provider: S3Provider, fields: PresetFields): S3BucketConfig {
  const preset = S3_PRESETS[provider];
  if (preset === undefined) throw new RangeError(`provider must be one of ${S3_PROVIDERS.join(', ')}, got "${String(provider).slice(0, 20)}"`);
  const region = fields.region ?? preset.defaultRegion;
  let endpoint = fields.endpoint;
  if (endpoint === undefined) {
    if (preset.endpointPattern === undefined) throw new RangeError(`endpoint: ${preset.label} needs the address of the server`);
    if (preset.endpointPattern.includes('{accountId}') && (fields.accountId === undefined || !/^[0-9a-f]{32}$/.test(fields.accountId))) {
      throw new RangeError(`accountId: ${preset.label} needs the 32-character account id shown in the dashboard`);
    }
    endpoint = preset.endpointPattern.replace('{region}', region).replace('{accountId}', fields.accountId ?? '');
  }
  const addressing = fields.addressing ?? preset.addressing;
  if (addressing !== preset.addressing && !preset.bothAddressingStyles) {
    throw new RangeError(`addressing: ${preset.label} is set up for ${preset.addressing} addressing`);
  }
  return validateS3Config({
    bucketId: fields.bucketId,
    endpoint,
    region,
    bucket: fields.bucket,
    addressing,
    accessKeyId: fields.accessKeyId,
    secretAccessKey: fields.secretAccessKey,
  });
}

/** The CORS rule to paste for a provider, allowing `origin`, with ETag exposed; JSON as each console takes it. */
export function corsRuleFor(provider: S3Provider, origin: string): string {
  const methods = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];
  const headers = ['content-type', 'content-md5', 'range'];
  const expose = ['ETag', 'Content-Length', 'Content-Range', 'Date'];
  if (S3_PRESETS[provider]?.corsSetting === 'gcloud') {
    return JSON.stringify([{ origin: [origin], method: methods, responseHeader: [...headers, ...expose], maxAgeSeconds: 3000 }], null, 2);
  }
  if (provider === 'r2') {
    // R2's dashboard takes the rule list itself, without the CORSRules wrapper.
    return JSON.stringify([{ AllowedOrigins: [origin], AllowedMethods: methods, AllowedHeaders: headers, ExposeHeaders: expose, MaxAgeSeconds: 3000 }], null, 2);
  }
  return JSON.stringify(
    { CORSRules: [{ AllowedOrigins: [origin], AllowedMethods: methods, AllowedHeaders: headers, ExposeHeaders: expose, MaxAgeSeconds: 3000 }] },
    null,
    2,
  );
}

/**
 * The lifecycle rule to recommend with the CORS rule (S3's PutBucketLifecycleConfiguration, as the
 * AWS CLI and most consoles take it): unfinished multipart uploads under `tessera/` are dropped a
 * day after they started. The uploader aborts what it leaves behind itself (docs/uploads.md); this
 * is the last line of defence for an upload whose tab was closed and never reopened. Undefined for
 * a provider whose presigned URLs cannot do multipart (it leaves nothing unfinished).
 */
export function lifecycleRuleFor(provider: S3Provider): string | undefined {
  if (!S3_PRESETS[provider]?.presignedMultipart) return undefined;
  return JSON.stringify(
    {
      Rules: [
        {
          ID: 'tessera-abort-unfinished-uploads',
          Status: 'Enabled',
          Filter: { Prefix: 'tessera/' },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    },
    null,
    2,
  );
}
