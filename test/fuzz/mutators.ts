/**
 * Mutators: each takes an input and the run's randomness and returns a new input (never changes its
 * argument). Bytes: bit flips, byte sets, interesting values, truncation, extension, splicing of two
 * valid seeds, chunk duplication and removal. Text: character edits, unicode, huge numbers and deep
 * nesting, and mutators that know JSON (a value anywhere in the tree replaced, removed, added,
 * retyped) and XML (an element's text, entities, unclosed and nested tags, a DTD).
 */
import type { FuzzRandom } from './random.js';

export type ByteMutator = (input: Uint8Array, random: FuzzRandom, seeds: readonly Uint8Array[]) => Uint8Array;
export type TextMutator = (input: string, random: FuzzRandom, seeds: readonly string[]) => string;

/** Values that sit on a boundary somewhere: 0, ±1, sign bits, all ones, 2^53. */
const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_16 = [0x0000, 0x0001, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [0, 1, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 1 << 26, (1 << 26) + 1];
const INTERESTING_64 = [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const position = (input: { length: number }, random: FuzzRandom): number => random.below(Math.max(1, input.length));

export const BYTE_MUTATORS: readonly (readonly [string, ByteMutator])[] = [
  ['flip bits', (input, random) => {
    if (input.length === 0) return input;
    const out = input.slice();
    for (let count = random.between(1, 8); count > 0; count--) out[position(out, random)]! ^= 1 << random.below(8);
    return out;
  }],
  ['set bytes', (input, random) => {
    if (input.length === 0) return input;
    const out = input.slice();
    for (let count = random.between(1, 4); count > 0; count--) out[position(out, random)] = random.word() & 0xff;
    return out;
  }],
  ['interesting value', (input, random) => {
    const width = random.pick([1, 2, 4, 8]);
    if (input.length < width) return input;
    const out = input.slice();
    const view = new DataView(out.buffer);
    const at = random.below(out.length - width + 1);
    const little = random.chance(0.5);
    if (width === 1) view.setUint8(at, random.pick(INTERESTING_8));
    else if (width === 2) view.setUint16(at, random.pick(INTERESTING_16), little);
    else if (width === 4) view.setUint32(at, random.pick(INTERESTING_32) >>> 0, little);
    else view.setBigUint64(at, random.pick(INTERESTING_64) & 0xffffffffffffffffn, little);
    return out;
  }],
  ['arithmetic', (input, random) => {
    if (input.length === 0) return input;
    const out = input.slice();
    const at = position(out, random);
    out[at] = (out[at]! + random.between(-16, 16)) & 0xff;
    return out;
  }],
  ['truncate', (input, random) => input.slice(0, random.below(input.length + 1))],
  ['cut the front', (input, random) => input.slice(random.smallLength(Math.max(1, input.length)))],
  ['extend', (input, random) => {
    const length = random.smallLength(4096);
    const tail = random.chance(0.5) ? random.bytes(length) : new Uint8Array(length).fill(random.pick([0x00, 0xff, 0x41]));
    return concat(input, tail);
  }],
  ['insert bytes', (input, random) => {
    const at = random.below(input.length + 1);
    return concat(input.subarray(0, at), random.bytes(random.smallLength(64)), input.subarray(at));
  }],
  ['remove chunk', (input, random) => {
    const at = position(input, random);
    return concat(input.subarray(0, at), input.subarray(at + random.smallLength(512)));
  }],
  ['duplicate chunk', (input, random) => {
    const at = position(input, random);
    const chunk = input.subarray(at, at + random.smallLength(512));
    const to = random.below(input.length + 1);
    return concat(input.subarray(0, to), chunk, input.subarray(to));
  }],
  ['swap chunks', (input, random) => {
    if (input.length < 4) return input;
    const length = random.between(1, Math.floor(input.length / 2));
    const a = random.below(input.length - length + 1);
    const b = random.below(input.length - length + 1);
    const out = input.slice();
    out.set(input.subarray(a, a + length), b);
    out.set(input.subarray(b, b + length), a);
    return out;
  }],
  ['splice seeds', (input, random, seeds) => {
    const other = random.pick(seeds);
    return concat(input.subarray(0, random.below(input.length + 1)), other.subarray(random.below(other.length + 1)));
  }],
  ['copy from a seed', (input, random, seeds) => {
    const other = random.pick(seeds);
    if (input.length === 0 || other.length === 0) return input;
    const length = random.smallLength(Math.min(other.length, input.length));
    const from = random.below(other.length - length + 1);
    const to = random.below(input.length - length + 1);
    const out = input.slice();
    out.set(other.subarray(from, from + length), to);
    return out;
  }],
];

/** 1 to `most` byte mutations stacked; the result is cut to `maxLength`. */
export function mutateBytes(input: Uint8Array, random: FuzzRandom, seeds: readonly Uint8Array[], options: { most?: number; maxLength?: number } = {}): { bytes: Uint8Array; names: string[] } {
  let bytes = input;
  const names: string[] = [];
  for (let count = random.between(1, options.most ?? 3); count > 0; count--) {
    const [name, mutate] = random.pick(BYTE_MUTATORS);
    bytes = mutate(bytes, random, seeds);
    names.push(name);
  }
  if (options.maxLength !== undefined && bytes.length > options.maxLength) bytes = bytes.slice(0, options.maxLength);
  return { bytes, names };
}

// ---------------------------------------------------------------------------------------------
// Text

/** Characters that trip up text handling: NUL, controls, lone surrogates, RTL, BOM, combining marks, astral, Latin-1. */
export const AWKWARD_TEXT = [
  '\u0000', '\u0007', '\n', '\r\n', '\t', '\u007f', '\u0085', '\u00a0', '\u00ff', '\ud800', '\udfff', '\u202e', '\ufeff', '\ufffd', '\uffff',
  '\u0301\u0301\u0301', '😀', '\u{10ffff}', 'é', 'ß', '中文', '"', "'", '\\', '/', '../', '<', '>', '&', '%', '%00', '?', '#', '@', ' ', '',
];

/** Numbers a parser may not expect, as JSON text. */
export const AWKWARD_NUMBERS = [
  '0', '-0', '1', '-1', '2', '255', '256', '65535', '4294967295', '4294967296', '9007199254740991', '9007199254740992', '-9007199254740993',
  '1e308', '1e309', '-1e309', '1e-400', '0.5', '1.0', '2.9999999999999999', '123456789012345678901234567890', '1E2', '0e0',
];

function hugeText(random: FuzzRandom): string {
  return random.pick(['a', '0', ' ', '\\u0000', 'é', '<', '&amp;']).repeat(random.pick([256, 4096, 70_000]));
}

/** Deep nesting as text: `[[[…]]]` or `{"a":{"a":…}}`, around `inner`. */
export function deepNesting(random: FuzzRandom, inner = '1'): string {
  const depth = random.pick([64, 1000, 3000, 20_000, 200_000]);
  return random.chance(0.5) ? '['.repeat(depth) + inner + ']'.repeat(depth) : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

export const TEXT_MUTATORS: readonly (readonly [string, TextMutator])[] = [
  ['insert awkward text', (input, random) => {
    const at = random.below(input.length + 1);
    return input.slice(0, at) + random.pick(AWKWARD_TEXT) + input.slice(at);
  }],
  ['replace a character', (input, random) => {
    if (input.length === 0) return input;
    const at = position(input, random);
    return input.slice(0, at) + String.fromCharCode(random.chance(0.7) ? random.between(0x20, 0x7e) : random.below(0x10000)) + input.slice(at + 1);
  }],
  ['delete characters', (input, random) => {
    const at = position(input, random);
    return input.slice(0, at) + input.slice(at + random.smallLength(64));
  }],
  ['duplicate a span', (input, random) => {
    const at = position(input, random);
    const span = input.slice(at, at + random.smallLength(256));
    const to = random.below(input.length + 1);
    return input.slice(0, to) + span + input.slice(to);
  }],
  ['truncate', (input, random) => input.slice(0, random.below(input.length + 1))],
  ['huge number', (input, random) => {
    const numbers = [...input.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (numbers.length === 0) return input;
    const match = random.pick(numbers);
    return input.slice(0, match.index) + random.pick(AWKWARD_NUMBERS) + input.slice(match.index + match[0].length);
  }],
  ['huge text', (input, random) => {
    const at = random.below(input.length + 1);
    return input.slice(0, at) + hugeText(random) + input.slice(at);
  }],
  ['deep nesting', (input, random) => {
    const at = random.below(input.length + 1);
    return input.slice(0, at) + deepNesting(random) + input.slice(at);
  }],
  ['splice seeds', (input, random, seeds) => {
    const other = random.pick(seeds);
    return input.slice(0, random.below(input.length + 1)) + other.slice(random.below(other.length + 1));
  }],
];

// ---------------------------------------------------------------------------------------------
// JSON

type Json = null | boolean | number | string | Json[] | { [name: string]: Json };

/** A placeholder string replaced, after JSON.stringify, by raw text JSON.stringify cannot write (1e999, deep nesting). */
const RAW = '\u0000raw\u0000';

function awkwardValue(random: FuzzRandom, raws: string[]): Json {
  switch (random.below(13)) {
    case 11: return JSON.parse(random.pick(['{"toString":1}', '{"valueOf":{},"toString":{}}', '[{"toString":null}]', '{"__proto__":{"x":1}}', '{"length":1e9}'])) as Json;
    case 0: return null;
    case 1: return random.chance(0.5);
    case 2: return random.pick([0, -1, 1, 0.5, 2 ** 53, -(2 ** 53), 255, 256, 1e21, Number.MAX_VALUE, Number.MIN_VALUE]);
    case 3: return '';
    case 4: return random.pick(AWKWARD_TEXT).repeat(random.pick([1, 3, 300]));
    case 5: return [];
    case 6: return {};
    case 7: raws.push(random.pick(AWKWARD_NUMBERS)); return RAW;
    case 8: raws.push(deepNesting(random, random.pick(['1', '"x"', '{}', '[]']))); return RAW;
    case 9: return hugeText(random);
    case 10: return random.pick(['https://example.org/', 'http://127.0.0.1:1/b', 'https://user:pw@example.org/', 'https://example.org/?sig=abc', 'javascript:alert(1)', 'AKIAABCDEFGHIJKLMNOP', 'ff'.repeat(16), 'ff'.repeat(32), '00'.repeat(32)]);
    default: return [random.word() % 1000, 'x'];
  }
}

/** Every [container, member] in the tree, the root's parent included (as `{ root }`). */
function slots(root: { root: Json }): [Record<string, Json> | Json[], string | number][] {
  const out: [Record<string, Json> | Json[], string | number][] = [[root as unknown as Record<string, Json>, 'root']];
  const walk = (value: Json): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        out.push([value, index]);
        walk(item);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const name of Object.keys(value)) {
        out.push([value, name]);
        walk(value[name]!);
      }
    }
  };
  walk(root.root);
  return out;
}

const MEMBER_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'token', 'x', 'v', 'k', 'n', '', 'é', 'a'.repeat(300)];

/**
 * One structural change to a JSON document; text that is not JSON (or nested too deeply for this
 * mutator's own recursion) gets a text mutation instead.
 */
export const mutateJson: TextMutator = (input, random, seeds) => {
  try {
    return mutateJsonTree(input, random);
  } catch {
    return random.pick(TEXT_MUTATORS)[1](input, random, seeds.length > 0 ? seeds : [input]);
  }
};

function mutateJsonTree(input: string, random: FuzzRandom): string {
  const value = JSON.parse(input) as Json;
  const root = { root: value };
  const raws: string[] = [];
  for (let count = random.between(1, 3); count > 0; count--) {
    const all = slots(root);
    const [container, member] = random.pick(all);
    const target = container as Record<string | number, Json>;
    switch (random.below(7)) {
      case 0:
      case 1:
        target[member] = awkwardValue(random, raws);
        break;
      case 2: // remove
        if (Array.isArray(container)) container.splice(member as number, 1);
        else if (member !== 'root') delete (container as Record<string, Json>)[member];
        break;
      case 3: { // add a member or an item
        const inner = target[member];
        if (Array.isArray(inner)) inner.splice(random.below(inner.length + 1), 0, inner.length > 0 && random.chance(0.5) ? structuredClone(random.pick(inner)) : awkwardValue(random, raws));
        else if (inner !== null && typeof inner === 'object') Object.defineProperty(inner, random.pick(MEMBER_NAMES), { value: awkwardValue(random, raws), enumerable: true, writable: true, configurable: true });
        break;
      }
      case 4: { // retype: a number as a string, a string as a number, a value wrapped in an array
        const inner = target[member]!;
        target[member] = typeof inner === 'number' ? String(inner) : typeof inner === 'string' && /^\d+$/.test(inner) ? Number(inner) : [inner];
        break;
      }
      case 5: { // the value of another slot
        const [other, name] = random.pick(all);
        target[member] = structuredClone((other as Record<string | number, Json>)[name]!);
        break;
      }
      default: { // an object as an array of its values, or the other way round
        const inner = target[member];
        if (Array.isArray(inner)) target[member] = Object.fromEntries(inner.map((item, index) => [String(index), item]));
        else if (inner !== null && typeof inner === 'object') target[member] = Object.values(inner);
      }
    }
  }
  let text = JSON.stringify(root.root, null, random.chance(0.2) ? 2 : undefined) ?? '';
  for (const raw of raws) text = text.replace(JSON.stringify(RAW), () => raw);
  return text;
}

// ---------------------------------------------------------------------------------------------
// XML

const ENTITIES = ['&#0;', '&#x0;', '&#1114112;', '&#x110000;', '&#xFFFFFFFF;', '&#99999999;', '&#xD800;', '&lt;', '&amp;amp;', '&unknown;', '&', '&#;', '&#x;', '&#65;&#x42;'];

/** One change to an XML document that knows its tags: element text, entities, unclosed and repeated tags, a DTD. */
export const mutateXml: TextMutator = (input, random, seeds) => {
  const elements = [...input.matchAll(/<([A-Za-z][\w.-]*)(\s[^<>]*)?>([^<]*)<\/\1>/g)];
  const element = elements.length > 0 ? random.pick(elements) : undefined;
  const replace = (text: string): string => (element ? input.slice(0, element.index) + text + input.slice(element.index + element[0].length) : input + text);
  const name = element?.[1] ?? 'Error';
  switch (random.below(11)) {
    case 0: return replace(`<${name}>${random.pick(AWKWARD_TEXT)}${random.pick(ENTITIES)}</${name}>`);
    case 1: return replace(`<${name}>${hugeText(random)}</${name}>`);
    case 2: return replace(`<${name}>${element?.[3] ?? ''}`); // closing tag lost
    case 3: return replace(`<${name}${random.chance(0.5) ? '>' : ' '}`.repeat(random.pick([2, 100, 5000, 50_000])) + (element?.[3] ?? '') + `</${name}>`.repeat(random.below(3)));
    case 4: return replace(`<${name} a="1" b='>'>${element?.[3] ?? ''}</${name}>`);
    case 5: return replace(`<${name}><![CDATA[${element?.[3] ?? ''}]]></${name}>`);
    case 6: return `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` + input.replace(/^<\?xml[^>]*\?>/, '').replace(/>([^<]+)</, '>&lol2;<');
    case 7: return replace(`<${name}>${element?.[3] ?? ''}</${name}>`.repeat(random.pick([2, 50])));
    case 8: return replace(`<${name.toLowerCase()}>${element?.[3] ?? ''}</${name.toUpperCase()}>`);
    case 9: return replace(`<!-- <${name}>hidden</${name}> -->${element?.[0] ?? ''}`);
    default: return random.pick(TEXT_MUTATORS)[1](input, random, seeds);
  }
};

/** 1 to `most` text mutations stacked, drawn from `mutators` and the generic ones. */
export function mutateText(input: string, random: FuzzRandom, seeds: readonly string[], aware: TextMutator | undefined, options: { most?: number; maxLength?: number } = {}): string {
  let text = input;
  for (let count = random.between(1, options.most ?? 3); count > 0; count--) {
    const pool = seeds.length > 0 ? seeds : [input];
    text = aware && random.chance(0.6) ? aware(text, random, pool) : random.pick(TEXT_MUTATORS)[1](text, random, pool);
  }
  return options.maxLength !== undefined && text.length > options.maxLength ? text.slice(0, options.maxLength) : text;
}
