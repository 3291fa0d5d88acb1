/**
 * Where each thread's time went during an operation: the V8 CPU profiles that a Chromium trace
 * holds for every thread (category disabled-by-default-v8.cpu_profiler: workers that have ended
 * are in it too, which a DevTools Profiler session cannot give), cut to the operation's window
 * (two performance.mark calls, category blink.user_timing), with functions named after the app's
 * own sources through the build's source maps (the served build is minified).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CallFrame {
  readonly functionName: string;
  readonly url?: string;
  /** 0-based, in the generated script. */
  readonly lineNumber?: number;
  readonly columnNumber?: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One mapping segment: generated column → source, original line and column (0-based), name. */
type Segment = readonly [column: number, source: number, line: number, sourceColumn: number, name: number | undefined];

interface RawSourceMap {
  readonly sources: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
  readonly names: readonly string[];
  readonly mappings: string;
  readonly sourceRoot?: string;
}

/** A source map (revision 3) decoded once, for position lookups. */
class SourceMap {
  private readonly lines: Segment[][] = [];
  private readonly sourceLines = new Map<number, string[]>();

  constructor(private readonly raw: RawSourceMap) {
    let source = 0;
    let line = 0;
    let sourceColumn = 0;
    let name = 0;
    for (const text of raw.mappings.split(';')) {
      const segments: Segment[] = [];
      let column = 0;
      for (const encoded of text.split(',')) {
        if (encoded === '') continue;
        const fields = decodeVlq(encoded);
        column += fields[0]!;
        if (fields.length >= 4) {
          source += fields[1]!;
          line += fields[2]!;
          sourceColumn += fields[3]!;
          if (fields.length >= 5) name += fields[4]!;
          segments.push([column, source, line, sourceColumn, fields.length >= 5 ? name : undefined]);
        }
      }
      this.lines.push(segments);
    }
  }

  /** Original position of a generated one (0-based), from the nearest segment at or before it. */
  lookup(line: number, column: number): { source: string; line: number; name?: string; text?: string } | undefined {
    const segments = this.lines[line];
    if (!segments || segments.length === 0) return undefined;
    let found: Segment | undefined;
    for (const segment of segments) {
      if (segment[0] > column) break;
      found = segment;
    }
    found ??= segments[0]!;
    const [, sourceIndex, sourceLine, , nameIndex] = found;
    return {
      source: this.raw.sources[sourceIndex] ?? '?',
      line: sourceLine,
      ...(nameIndex !== undefined && this.raw.names[nameIndex] ? { name: this.raw.names[nameIndex] } : {}),
      ...(this.sourceLine(sourceIndex, sourceLine) !== undefined ? { text: this.sourceLine(sourceIndex, sourceLine) } : {}),
    };
  }

  private sourceLine(sourceIndex: number, line: number): string | undefined {
    let lines = this.sourceLines.get(sourceIndex);
    if (!lines) {
      lines = (this.raw.sourcesContent?.[sourceIndex] ?? '').split('\n');
      this.sourceLines.set(sourceIndex, lines);
    }
    return lines[line];
  }
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of text) {
    const digit = BASE64.indexOf(character);
    if (digit < 0) throw new Error(`source map: bad VLQ character ${character}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * Names call frames of a build served from `outDir` at `origin`: the app's functions by source file,
 * line and name (through the `.map` next to each script), the rest by what they are.
 */
export class FrameNamer {
  private readonly maps = new Map<string, SourceMap | undefined>();
  /** The generated scripts' text, for nameAtOffset. */
  private readonly texts = new Map<string, string | undefined>();

  constructor(
    private readonly origin: string,
    private readonly outDir: string,
  ) {}

  name(frame: CallFrame): string {
    switch (frame.functionName) {
      case '(idle)':
        return '(idle: waiting for I/O, WebCrypto or a message)';
      case '(program)':
        return '(program: V8 and Blink outside JavaScript)';
      case '(garbage collector)':
        return '(garbage collector)';
      case '(root)':
        return '(root)';
    }
    const url = frame.url ?? '';
    // Functions of a module without a name section are "wasm-function[i]"; the URL tells modules apart.
    if (url.startsWith('wasm://') || url.includes('.wasm')) return `WebAssembly ${frame.functionName || '(anonymous)'} (${url})`;
    if (url === '') return `built-in ${frame.functionName || '(anonymous)'}`;
    if (!url.startsWith(this.origin)) return `${frame.functionName || '(anonymous)'} (${url})`;
    const pathname = new URL(url).pathname;
    const position = this.map(pathname)?.lookup(frame.lineNumber ?? 0, frame.columnNumber ?? 0);
    if (!position) return `${frame.functionName || '(anonymous)'} (${pathname})`;
    // Every source is inside the repository; Vite writes the paths of nested workers' maps relative
    // to another folder than the map's, so the leading "../" are dropped rather than resolved.
    const file = position.source.replace(/^(\.\.\/)+/, '');
    const name = position.name || functionNameIn(position.text) || '(anonymous)';
    return `${name} (${file}:${position.line + 1})`;
  }

  /**
   * Names the function at character `offset` of the script at `url` (as the Long Animation Frames
   * API gives it), through the same source maps; `functionName` is what the browser called it.
   */
  nameAtOffset(url: string, offset: number, functionName: string): string {
    if (offset < 0 || !url.startsWith(this.origin)) return this.name({ functionName, url });
    const pathname = new URL(url).pathname;
    if (!this.texts.has(pathname)) {
      try {
        this.texts.set(pathname, readFileSync(join(this.outDir, pathname), 'utf8'));
      } catch {
        this.texts.set(pathname, undefined);
      }
    }
    const text = this.texts.get(pathname);
    if (text === undefined) return this.name({ functionName, url });
    const before = text.slice(0, offset);
    const lineNumber = before.split('\n').length - 1;
    const columnNumber = offset - (before.lastIndexOf('\n') + 1);
    return this.name({ functionName, url, lineNumber, columnNumber });
  }

  private map(pathname: string): SourceMap | undefined {
    if (!this.maps.has(pathname)) {
      try {
        this.maps.set(pathname, new SourceMap(JSON.parse(readFileSync(join(this.outDir, `${pathname}.map`), 'utf8')) as RawSourceMap));
      } catch {
        this.maps.set(pathname, undefined);
      }
    }
    return this.maps.get(pathname);
  }
}

const KEYWORDS = new Set(['return', 'if', 'for', 'while', 'switch', 'catch', 'new', 'await', 'typeof', 'yield', 'throw', 'else', 'do']);

/** "  private compress(bytes: …" → "compress"; "export async function protect(" → "protect". */
function functionNameIn(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const match =
    /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(text) ??
    /^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*\*?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\(/.exec(text) ??
    /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/.exec(text) ??
    /\b([A-Za-z_$][\w$]*)\s*:\s*(?:async\s*)?\(/.exec(text);
  const name = match?.[1];
  return name === undefined || KEYWORDS.has(name) ? undefined : name;
}

export interface SelfTime {
  readonly name: string;
  readonly seconds: number;
}

interface TraceEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly id?: string;
  readonly args?: {
    readonly name?: string;
    readonly data?: {
      readonly startTime?: number;
      readonly cpuProfile?: {
        readonly nodes?: readonly { readonly id: number; readonly callFrame: CallFrame }[];
        readonly samples?: readonly number[];
      };
      readonly timeDeltas?: readonly number[];
    };
  };
}

/** One thread's samples: at `time` (µs, trace clock) the thread was in `frame`. */
export interface ThreadProfile {
  readonly pid: number;
  readonly threadName: string;
  readonly frames: Map<number, CallFrame>;
  readonly samples: { time: number; node: number }[];
}

/** The CPU profile of every thread in a trace, and the time (µs, trace clock) of each user-timing mark. */
export function readTrace(json: string): { threads: ThreadProfile[]; marks: Map<string, number> } {
  const parsed = JSON.parse(json) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = (Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? [])).slice().sort((a, b) => a.ts - b.ts);
  const threadNames = new Map<string, string>();
  const profiles = new Map<string, ThreadProfile & { clock: number }>();
  const marks = new Map<string, number>();
  for (const event of events) {
    if (event.name === 'thread_name') threadNames.set(`${event.pid}:${event.tid}`, event.args?.name ?? '?');
  }
  for (const event of events) {
    if (event.cat?.includes('blink.user_timing') && !marks.has(event.name)) marks.set(event.name, event.ts);
    if (event.name === 'Profile') {
      // Chunks come from a profiler thread; the Profile event names the sampled thread.
      profiles.set(`${event.pid}:${event.id}`, {
        pid: event.pid,
        threadName: threadNames.get(`${event.pid}:${event.tid}`) ?? '?',
        frames: new Map(),
        samples: [],
        clock: event.args?.data?.startTime ?? event.ts,
      });
    } else if (event.name === 'ProfileChunk') {
      const profile = profiles.get(`${event.pid}:${event.id}`);
      const data = event.args?.data;
      if (!profile || !data) continue;
      for (const node of data.cpuProfile?.nodes ?? []) profile.frames.set(node.id, node.callFrame);
      const samples = data.cpuProfile?.samples ?? [];
      const deltas = data.timeDeltas ?? [];
      for (let i = 0; i < samples.length; i++) {
        profile.clock += deltas[i] ?? 0;
        profile.samples.push({ time: profile.clock, node: samples[i]! });
      }
    }
  }
  return { threads: [...profiles.values()].filter((profile) => profile.samples.length > 0), marks };
}

/** Which script a thread runs most of its samples in (the path of its URL), or its thread name. */
export function scriptOf(thread: ThreadProfile): string {
  const counts = new Map<string, number>();
  for (const { node } of thread.samples) {
    const url = thread.frames.get(node)?.url;
    if (!url || !/^https?:/.test(url)) continue;
    const path = new URL(url).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? thread.threadName;
}

/**
 * Self time per function name between `start` and `end` (µs, trace clock); a sample stands for the
 * time until the next one. `busy` is the time not in (idle), which is left out of the entries.
 */
export function selfTimesBetween(
  thread: ThreadProfile,
  start: number,
  end: number,
  name: (frame: CallFrame) => string,
): { busy: number; entries: SelfTime[] } {
  const byName = new Map<string, number>();
  let busy = 0;
  const { samples } = thread;
  for (let i = 0; i < samples.length; i++) {
    const from = Math.max(start, samples[i]!.time);
    const to = Math.min(end, samples[i + 1]?.time ?? samples[i]!.time);
    if (to <= from) continue;
    const seconds = (to - from) / 1e6;
    const frame = thread.frames.get(samples[i]!.node);
    if (!frame || frame.functionName === '(idle)') continue;
    busy += seconds;
    const label = name(frame);
    byName.set(label, (byName.get(label) ?? 0) + seconds);
  }
  const entries = [...byName].map(([label, seconds]) => ({ name: label, seconds })).sort((a, b) => b.seconds - a.seconds);
  return { busy, entries };
}
