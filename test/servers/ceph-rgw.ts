/**
 * A throw-away Ceph cluster (1 monitor, 1 OSD on memstore, no manager) and a RADOS Gateway on
 * 127.0.0.1, started from Node without systemd, for tests against a production S3 implementation:
 * RGW verifies SigV4 presigned URLs, evaluates bucket CORS and checks Content-MD5.
 *
 *   const rgw = await startCephRgw({ buckets: ['cloud-a', 'cloud-b'], corsOrigin: 'http://127.0.0.1:4173' });
 *   ... rgw.endpoint, rgw.users.owner, rgw.setCors('cloud-b', null) ...
 *   await rgw.stop();
 *
 * Everything lives under one temporary folder, deleted by stop(). What took time to find out is in
 * ../shared/notes/storage-servers.md (with auth = none, radosgw needs `ms mon client mode = crc
 * secure`; pre-created pools and a short paxos interval cut bring-up from ~13 s to a few seconds;
 * the OSD ignores SIGTERM for a while). Needs Debian's `radosgw ceph-mon ceph-osd ceph-common`
 * (`.ci/run` installs them); without them start fails and says so: tests fail, never skip.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants as fsConstants, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5 } from '@noble/hashes/legacy.js';
import { AwsClient } from 'aws4fetch';

/** An S3 user of the gateway, with the keys its requests are signed with. */
export interface S3User {
  readonly uid: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** One rule of a bucket's CORS configuration, as S3's PutBucketCors takes it. */
export interface CorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAgeSeconds?: number;
}

export interface CephRgwOptions {
  /** Buckets to create, owned by `users.owner`, as if each were another cloud. Default: cloud-a, cloud-b, cloud-c. */
  readonly buckets?: readonly string[];
  /** When given, every bucket gets the CORS rule the app needs for this origin (appCorsRule). */
  readonly corsOrigin?: string;
  /** Give up when the gateway does not answer within this time (default 60 s). */
  readonly startTimeoutMs?: number;
  /**
   * RGW's smallest part but the last (`rgw multipart min part size`; S3's and RGW's default is
   * 5 MiB). Tests that cut objects into many parts lower it to keep their data small.
   */
  readonly multipartMinPartSize?: number;
}

export interface CephRgw {
  /** `http://127.0.0.1:PORT`, path-style addressing. */
  readonly endpoint: string;
  /** Any region works for signing against RGW's default zonegroup; the tests use this one. */
  readonly region: string;
  /** `owner` owns the buckets; `other` is a valid user with no permission on them. */
  readonly users: { readonly owner: S3User; readonly other: S3User };
  readonly buckets: readonly string[];
  /** How long start took, in ms. */
  readonly startMs: number;
  /**
   * Sets a bucket's CORS configuration: an origin gives the app's rule for it (appCorsRule), a list
   * gives exactly those rules, null removes the configuration (no CORS at all).
   */
  setCors(bucket: string, originOrRules: string | readonly CorsRule[] | null): Promise<void>;
  /** A request signed by the owner (header auth), for what the transport does not do (ListMultipartUploads…). */
  ownerFetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Kills the gateway daemon alone (SIGKILL, as a crash): its port stops answering, while the
   * cluster behind it keeps every object and unfinished multipart upload.
   */
  killGateway(): Promise<void>;
  /** Starts the gateway again on the same port; resolves once it answers. */
  startGateway(): Promise<void>;
  /** TERM, wait, KILL every daemon by PID; deletes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The rule the app needs on each bucket (as presets.ts's corsRuleFor): its origin, its methods and headers, ETag exposed. */
export function appCorsRule(origin: string): CorsRule {
  return {
    allowedOrigins: [origin],
    allowedMethods: ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'],
    allowedHeaders: ['content-type', 'content-md5', 'range'],
    exposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Date'],
    maxAgeSeconds: 3000,
  };
}

const REGION = 'us-east-1';
const REQUIRED_PROGRAMS = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'ceph-authtool', 'monmaptool'];
/** Pools radosgw would otherwise create one by one (about 2 s each, some at the first bucket or multipart upload). */
const RGW_POOLS = [
  '.rgw.root',
  'default.rgw.log',
  'default.rgw.control',
  'default.rgw.meta',
  'default.rgw.buckets.index',
  'default.rgw.buckets.data',
  'default.rgw.buckets.non-ec',
];

/** Every daemon of every cluster this process started, killed if the process exits without stop(). */
const liveDaemons = new Set<ChildProcess>();
process.once('exit', () => {
  for (const daemon of liveDaemons) daemon.kill('SIGKILL');
});

function findProgram(name: string): string | undefined {
  for (const folder of (process.env['PATH'] ?? '/usr/bin:/bin:/usr/sbin:/sbin').split(':').concat('/usr/sbin', '/usr/bin')) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(program: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function clusterConfig(dir: string, fsid: string, monPort1: number, monPort2: number, rgwPort: number, minPartSize: number | undefined): string {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPort2},v1:127.0.0.1:${monPort1}]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
log to stderr = false
err to stderr = true
debug ms = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 4
osd pool default pgp num = 4
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd max pg per osd hard ratio = 10
mon data avail warn = 2
mon data avail crit = 1
# faster map commits for a throw-away single monitor
paxos propose interval = 0.05
paxos min wait = 0.01
crash dir = ${dir}/crash
keyring = ${dir}/keyring

[mon]
mon data = ${dir}/mon.$id
mon cluster log file = ${dir}/log/cluster.log

[osd]
osd data = ${dir}/osd.$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd class load list = *
osd class default list = *
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw.gw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
# radosgw forces ms_mon_client_mode = secure by default, which auth = none cannot provide: it hangs
ms mon client mode = crc secure
rgw data = ${dir}/rgw
rgw thread pool size = 64
rgw dns name = localhost
rgw enable usage log = false
rgw crypt require ssl = false
${minPartSize === undefined ? '' : `rgw multipart min part size = ${minPartSize}\n`}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function corsXml(rules: readonly CorsRule[]): string {
  const element = (name: string, values: readonly string[] | undefined): string =>
    (values ?? []).map((value) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  const body = rules
    .map(
      (rule) =>
        '<CORSRule>' +
        element('AllowedOrigin', rule.allowedOrigins) +
        element('AllowedMethod', rule.allowedMethods) +
        element('AllowedHeader', rule.allowedHeaders) +
        element('ExposeHeader', rule.exposeHeaders) +
        (rule.maxAgeSeconds !== undefined ? `<MaxAgeSeconds>${rule.maxAgeSeconds}</MaxAgeSeconds>` : '') +
        '</CORSRule>',
    )
    .join('');
  return `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</CORSConfiguration>`;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Starts a cluster and its gateway; see the file's comment. */
export async function startCephRgw(options: CephRgwOptions = {}): Promise<CephRgw> {
  const started = performance.now();
  const missing = REQUIRED_PROGRAMS.filter((name) => findProgram(name) === undefined);
  if (missing.length > 0) {
    throw new Error(
      `Ceph is not installed (missing: ${missing.join(', ')}). The S3 tests run against a real Ceph RADOS Gateway: ` +
        'install it with `apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common` (bash .ci/run does).',
    );
  }
  const program = (name: string): string => findProgram(name)!;
  const bucketNames = options.buckets ?? ['cloud-a', 'cloud-b', 'cloud-c'];
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  if (options.multipartMinPartSize !== undefined && (!Number.isSafeInteger(options.multipartMinPartSize) || options.multipartMinPartSize < 1)) {
    throw new RangeError(`multipartMinPartSize: expected a positive integer, got ${options.multipartMinPartSize}`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'tessera-rgw-'));
  const daemons: ChildProcess[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const exits = daemons.map(
      (daemon) =>
        new Promise<void>((resolve) => {
          if (daemon.exitCode !== null || daemon.signalCode !== null) resolve();
          else daemon.once('exit', () => resolve());
        }),
    );
    for (const daemon of daemons) daemon.kill('SIGTERM');
    // The OSD ignores SIGTERM for a few seconds: give everything 1 s, then KILL what is left.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 1000);
    });
    const outcome = await Promise.race([Promise.all(exits).then(() => 'exited' as const), grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const daemon of daemons) if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
      await Promise.all(exits);
    }
    for (const daemon of daemons) liveDaemons.delete(daemon);
    await rm(dir, { recursive: true, force: true });
  };

  const startDaemon = (name: string, args: readonly string[]): ChildProcess => {
    const out = openSync(join(dir, 'log', `${name}.out`), 'a');
    const daemon = spawn(program(name.split('.')[0]!), args, { stdio: ['ignore', out, out] });
    closeSync(out);
    daemons.push(daemon);
    liveDaemons.add(daemon);
    return daemon;
  };

  const logTail = async (name: string): Promise<string> => {
    const text = await readFile(join(dir, 'log', name), 'utf8').catch(() => '');
    return text.split('\n').slice(-15).join('\n');
  };

  try {
    for (const sub of ['run', 'log', 'mon.a', 'osd.0', 'rgw', 'crash']) await mkdir(join(dir, sub));
    const [monPort1, monPort2, rgwPort] = [await freePort(), await freePort(), await freePort()];
    const fsid = randomUUID();
    const conf = join(dir, 'ceph.conf');
    await writeFile(conf, clusterConfig(dir, fsid, monPort1, monPort2, rgwPort, options.multipartMinPartSize));

    // A keyring is not used with auth = none, but mkfs expects one.
    const keyring = join(dir, 'keyring');
    await run(program('ceph-authtool'), ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await run(program('ceph-authtool'), [keyring, '--gen-key', '-n', 'client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *']);
    const monmap = join(dir, 'monmap');
    await run(program('monmaptool'), ['--create', '--clobber', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort2},v1:127.0.0.1:${monPort1}]`, monmap]);
    await run(program('ceph-mon'), ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
    startDaemon('ceph-mon', ['-c', conf, '-i', 'a', '-f']);

    const ceph = (...args: string[]): Promise<string> => run(program('ceph'), ['-c', conf, '--connect-timeout', '20', ...args]);
    await ceph('mon', 'stat');

    // The OSD and the pools in parallel: creating a pool needs only the monitor, its placement
    // groups are made when the OSD comes up.
    const osd = (async () => {
      const osdUuid = randomUUID();
      const osdId = (await ceph('osd', 'new', osdUuid)).trim();
      await run(program('ceph-osd'), ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid]);
      startDaemon('ceph-osd', ['-c', conf, '-i', osdId, '-f']);
    })();
    const pools = Promise.all(
      RGW_POOLS.map(async (pool) => {
        await ceph('osd', 'pool', 'create', pool, '4', '4');
        await ceph('osd', 'pool', 'application', 'enable', pool, 'rgw');
      }),
    );
    await Promise.all([osd, pools]);

    const endpoint = `http://127.0.0.1:${rgwPort}`;
    let gateway: ChildProcess | undefined;
    const startGateway = async (): Promise<void> => {
      if (stopped) throw new Error('the cluster is stopped');
      if (gateway !== undefined && gateway.exitCode === null && gateway.signalCode === null) throw new Error('the gateway is already running');
      const daemon = startDaemon('radosgw', ['-c', conf, '-n', 'client.rgw.gw', '-f']);
      gateway = daemon;
      const deadline = performance.now() + startTimeoutMs;
      for (;;) {
        if (daemon.exitCode !== null) throw new Error(`radosgw exited (code ${daemon.exitCode}):\n${await logTail('client.rgw.gw.log')}`);
        const answered = await fetch(`${endpoint}/`).then(
          (response) => response.body?.cancel().then(() => true) ?? true,
          () => false,
        );
        if (answered) return;
        if (performance.now() > deadline) throw new Error(`radosgw did not answer within ${startTimeoutMs} ms:\n${await logTail('client.rgw.gw.log')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const killGateway = async (): Promise<void> => {
      const daemon = gateway;
      if (daemon === undefined || daemon.exitCode !== null || daemon.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
      daemon.kill('SIGKILL');
      await exited;
      liveDaemons.delete(daemon);
      const index = daemons.indexOf(daemon);
      if (index >= 0) daemons.splice(index, 1);
    };
    await startGateway();

    const makeUser = async (uid: string): Promise<S3User> => {
      // Known keys: letters and digits only, so they never need escaping anywhere.
      const user = { uid, accessKeyId: `${uid.toUpperCase()}ACCESSKEY0001`, secretAccessKey: `${uid}SecretKey${randomUUID().replaceAll('-', '')}` };
      await run(program('radosgw-admin'), [
        '-c', conf, '-n', 'client.admin', 'user', 'create', `--uid=${uid}`, `--display-name=${uid}`,
        `--access-key=${user.accessKeyId}`, `--secret-key=${user.secretAccessKey}`,
      ]);
      return user;
    };
    const [owner, other] = await Promise.all([makeUser('owner'), makeUser('other')]);

    const client = new AwsClient({ ...owner, service: 's3', region: REGION, retries: 0 });
    const ownerFetch = (path: string, init: RequestInit = {}): Promise<Response> => client.fetch(`${endpoint}${path}`, init);
    const expectOk = async (response: Response, what: string): Promise<void> => {
      const text = await response.text();
      if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text}`);
    };

    const setCors = async (bucket: string, originOrRules: string | readonly CorsRule[] | null): Promise<void> => {
      if (originOrRules === null) {
        await expectOk(await ownerFetch(`/${bucket}?cors`, { method: 'DELETE' }), `DeleteBucketCors ${bucket}`);
        return;
      }
      const rules = typeof originOrRules === 'string' ? [appCorsRule(originOrRules)] : originOrRules;
      const body = new TextEncoder().encode(corsXml(rules));
      // PutBucketCors requires Content-MD5.
      await expectOk(
        await ownerFetch(`/${bucket}?cors`, { method: 'PUT', body, headers: { 'content-md5': base64(md5(body)), 'content-type': 'application/xml' } }),
        `PutBucketCors ${bucket}`,
      );
    };

    await Promise.all(
      bucketNames.map(async (bucket) => {
        await expectOk(await ownerFetch(`/${bucket}`, { method: 'PUT' }), `CreateBucket ${bucket}`);
        if (options.corsOrigin !== undefined) await setCors(bucket, options.corsOrigin);
      }),
    );

    return {
      endpoint,
      region: REGION,
      users: { owner, other },
      buckets: bucketNames,
      startMs: Math.round(performance.now() - started),
      setCors,
      ownerFetch,
      killGateway,
      startGateway,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
