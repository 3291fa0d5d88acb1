/** Types of the reference presign endpoint (presign-endpoint.mjs), for the TypeScript tests. */

export interface PresignEndpointOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The organisation's S3-compatible storage and its key, which never leaves this server. */
  readonly s3: {
    readonly endpoint: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    /** Bucket ids the app names → bucket names at the storage (a list: each id is its name). */
    readonly buckets: Readonly<Record<string, string>> | readonly string[];
  };
  /** The bearer token the app must send. */
  readonly token: string;
  /** The app's origin(s), answered with CORS headers. */
  readonly allowOrigin?: string | readonly string[];
  /** Longest URL lifetime granted; default 900 (15 minutes). */
  readonly maxExpiresSeconds?: number;
  /** The signing clock, ms since 1970 (default Date.now). */
  readonly now?: () => number;
  /** Keep every request received in `received` (tests). */
  readonly record?: boolean;
}

/** One request as the endpoint received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Bytes of body received (counted even when refused unread). */
  readonly bodyBytes: number;
  readonly body: string;
}

export interface PresignEndpoint {
  /** `http://127.0.0.1:PORT`; the protocol's one path is `${url}/presign`. */
  readonly url: string;
  /** Filled when `record` is set. */
  readonly received: ReceivedRequest[];
  stop(): Promise<void>;
}

export function startPresignEndpoint(options: PresignEndpointOptions): Promise<PresignEndpoint>;
