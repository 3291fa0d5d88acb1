/**
 * Azurite (Microsoft's Azure Storage emulator, npm `azurite`), blob service only, for the Azure
 * transport's tests: started on 127.0.0.1 at a port the OS picks, data in memory, several
 * containers on one account as if they were different clouds, stopped at the end.
 *
 *   const azurite = await startAzurite({ containers: ['cloud-a', 'cloud-b'] });
 *   const url = azurite.sasUrl('cloud-a');                       // rcwdl, valid for an hour
 *   await azurite.setCors([azureCorsRule('http://127.0.0.1:4173')]);
 *   ...
 *   await azurite.stop();
 *
 * What Azurite checks that matters here (measured; ../shared/notes/storage-servers.md): the
 * service SAS signature (HMAC-SHA256 with the account key over the string-to-sign of its `sv`),
 * its start and expiry, its permissions per operation, the container it was signed for; CORS
 * preflights and CORS headers on actual responses against Set Blob Service Properties; Content-MD5
 * on Put Blob / Put Block / Put Block List. It runs in its default strict mode (unsupported headers
 * and parameters are refused rather than ignored), and accepts API versions up to the one it ships
 * with, so --skipApiVersionCheck is not needed for the transport's 2019-12-12.
 *
 * SAS tokens are signed here, with the emulator's published development key ("Use the Azurite
 * emulator", well-known account devstoreaccount1): a test-only signer of a few lines, not the
 * Azure SDK, so that the app's dependency list does not grow and the string-to-sign is visible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Azurite's built-in account and its published key (not a secret: it is in Microsoft's docs). */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The signed version (`sv`) of the SAS tokens made here; any version Azurite knows would do. */
const SAS_VERSION = '2021-08-06';

export interface StartAzuriteOptions {
  /** Containers to create, each standing for a different cloud. Default: cloud-a, cloud-b, cloud-c. */
  readonly containers?: readonly string[];
  /** Azurite's loose mode (ignores unsupported headers and parameters). Default false: strict. */
  readonly loose?: boolean;
  /** Give up if Azurite has not said it is listening after this long. Default 30 s. */
  readonly startTimeoutMs?: number;
  /**
   * Keep the data in files under its working directory instead of in memory, so that it outlives
   * `halt()` and comes back with `restart()`. Default false.
   */
  readonly onDisk?: boolean;
}

export interface SasOptions {
  /** Permission letters in Azure's order (racwdxyltmeopi). Default `rcwdl`. */
  readonly permissions?: string;
  /** `st`; default: none. */
  readonly startsAt?: Date;
  /** `se`; default: an hour from now. */
  readonly expiresAt?: Date;
  /** Sign for this container while the URL names `container`: "another container's SAS". */
  readonly signedFor?: string;
}

/** One CORS rule as Set Blob Service Properties takes it (the shape of azureCorsRule's result). */
export interface CorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAgeInSeconds: number;
}

export interface Azurite {
  /** `http://127.0.0.1:PORT`: the blob service's origin. */
  readonly endpoint: string;
  readonly account: string;
  readonly containers: readonly string[];
  /** `http://127.0.0.1:PORT/devstoreaccount1/<container>`, no query. */
  containerUrl(container: string): string;
  /** A container SAS URL (service SAS, `sr=c`) signed with the account key. */
  sasUrl(container: string, options?: SasOptions): string;
  /** Replaces the blob service's CORS rules (an empty list removes CORS altogether). */
  setCors(rules: readonly CorsRule[]): Promise<void>;
  /** Creates one more container (for a test that needs a fresh one). */
  createContainer(container: string): Promise<void>;
  /** A request with an account SAS (all permissions), for tests that look behind the transport. */
  adminFetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Stops the Azurite process (SIGTERM: it closes its port and, `onDisk`, saves its state) and
   * leaves the port closed until `restart()`: a service that went away.
   */
  halt(): Promise<void>;
  /** Starts Azurite again on the same port, with the data it had (`onDisk` only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const AZURITE_MAIN = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist/src/blob/main.js');
const ADMIN_API_VERSION = '2021-08-06';

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<Azurite> {
  const containers = options.containers ?? ['cloud-a', 'cloud-b', 'cloud-c'];
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  // Azurite wants a working directory of its own; in memory it writes nothing there, on disk its data.
  const workDirectory = mkdtempSync(join(tmpdir(), 'tessera-azurite-'));
  const argsFor = (port: number): string[] => [
    AZURITE_MAIN,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(port),
    ...(options.onDisk ? ['--location', workDirectory] : ['--inMemoryPersistence', '--extentMemoryLimit', '512']),
    '--disableTelemetry',
    '--silent',
    ...(options.loose ? ['--loose'] : []),
  ];
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  /** Starts the process; resolves with the URL it listens on. */
  const launch = async (port: number): Promise<string> => {
    const started = spawn(process.execPath, argsFor(port), { cwd: workDirectory, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    try {
      return await waitForListening(started, startTimeoutMs);
    } catch (error) {
      started.kill('SIGKILL');
      throw error;
    }
  };

  let endpoint: string;
  try {
    endpoint = await launch(0);
  } catch (error) {
    process.off('exit', killOnExit);
    rmSync(workDirectory, { recursive: true, force: true });
    throw error;
  }
  const port = Number(new URL(endpoint).port);

  const containerUrl = (container: string): string => `${endpoint}/${AZURITE_ACCOUNT}/${container}`;
  const adminFetch = (path: string, init: RequestInit = {}): Promise<Response> => {
    const url = `${endpoint}/${AZURITE_ACCOUNT}${path}${path.includes('?') ? '&' : '?'}${accountSas()}`;
    return fetch(url, { ...init, headers: { 'x-ms-version': ADMIN_API_VERSION, ...(init.headers as Record<string, string> | undefined) } });
  };
  const createContainer = async (container: string): Promise<void> => {
    const response = await adminFetch(`/${container}?restype=container`, { method: 'PUT' });
    if (response.status !== 201) throw new Error(`Azurite: creating container ${container} answered ${response.status}: ${await response.text()}`);
  };

  const azurite: Azurite = {
    endpoint,
    account: AZURITE_ACCOUNT,
    containers,
    containerUrl,
    sasUrl: (container, sasOptions = {}) => `${containerUrl(container)}?${serviceSas(sasOptions.signedFor ?? container, sasOptions)}`,
    async setCors(rules) {
      const body = `<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Cors>${rules.map(corsRuleXml).join('')}</Cors></StorageServiceProperties>`;
      const response = await adminFetch('/?restype=service&comp=properties', { method: 'PUT', body, headers: { 'content-type': 'application/xml' } });
      if (response.status !== 202) throw new Error(`Azurite: Set Blob Service Properties answered ${response.status}: ${await response.text()}`);
    },
    createContainer,
    adminFetch,
    async halt() {
      if (child) await stopChild(child);
    },
    async restart() {
      if (!options.onDisk) throw new Error('Azurite: restart needs onDisk (in memory, the data went with the process)');
      if (child && child.exitCode === null && child.signalCode === null) throw new Error('Azurite: restart while it is running');
      await launch(port);
    },
    async stop() {
      process.off('exit', killOnExit);
      if (child) await stopChild(child);
      rmSync(workDirectory, { recursive: true, force: true });
    },
  };
  try {
    for (const container of containers) await createContainer(container);
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  return azurite;
}

/** Resolves with the URL Azurite prints once it listens ("successfully listens on http://…"). */
function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /successfully listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) finish(undefined, match[1]);
    };
    const onExit = (code: number | null): void => finish(new Error(`Azurite exited (${code}) before listening:\n${output}`));
    const finish = (error: Error | undefined, url?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining its output so that a full pipe never blocks it.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve(url!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** SIGTERM (Azurite closes its server), SIGKILL if it is still there after 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** `2026-01-31T12:00:00Z`: ISO 8601 without milliseconds, as SAS times are written. */
function sasTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sign(stringToSign: string): string {
  return createHmac('sha256', Buffer.from(AZURITE_ACCOUNT_KEY, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

/**
 * A service SAS for a container ("Create a service SAS", version 2020-12-06 and later): the
 * string-to-sign is sp, st, se, canonicalized resource, si, sip, spr, sv, sr, snapshot time,
 * encryption scope, rscc, rscd, rsce, rscl, rsct, one per line.
 */
function serviceSas(container: string, options: SasOptions): string {
  const permissions = options.permissions ?? 'rcwdl';
  const start = options.startsAt ? sasTime(options.startsAt) : '';
  const expiry = sasTime(options.expiresAt ?? new Date(Date.now() + 3600_000));
  const stringToSign = [permissions, start, expiry, `/blob/${AZURITE_ACCOUNT}/${container}`, '', '', '', SAS_VERSION, 'c', '', '', '', '', '', '', ''].join('\n');
  const params = new URLSearchParams({ sv: SAS_VERSION, ...(start ? { st: start } : {}), se: expiry, sr: 'c', sp: permissions, sig: sign(stringToSign) });
  return params.toString();
}

/** An account SAS with every blob permission, for setting the emulator up ("Create an account SAS"). */
function accountSas(): string {
  const permissions = 'rwdlacup';
  const expiry = sasTime(new Date(Date.now() + 3600_000));
  const stringToSign = [AZURITE_ACCOUNT, permissions, 'b', 'sco', '', expiry, '', '', SAS_VERSION, '', ''].join('\n');
  return new URLSearchParams({ sv: SAS_VERSION, ss: 'b', srt: 'sco', sp: permissions, se: expiry, sig: sign(stringToSign) }).toString();
}

function corsRuleXml(rule: CorsRule): string {
  return (
    '<CorsRule>' +
    `<AllowedOrigins>${rule.allowedOrigins.join(',')}</AllowedOrigins>` +
    `<AllowedMethods>${rule.allowedMethods.join(',')}</AllowedMethods>` +
    `<AllowedHeaders>${rule.allowedHeaders.join(',')}</AllowedHeaders>` +
    `<ExposedHeaders>${rule.exposedHeaders.join(',')}</ExposedHeaders>` +
    `<MaxAgeInSeconds>${rule.maxAgeInSeconds}</MaxAgeInSeconds>` +
    '</CorsRule>'
  );
}
