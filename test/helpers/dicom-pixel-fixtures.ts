/**
 * Fixtures for the pixel tests (test/unit/dicom-pixels*.test.ts), all made by third-party writers:
 * pydicom (with numpy) writes the uncompressed sources with known pixel values; DCMTK and GDCM
 * re-encode them into every transfer syntax; DCMTK's dcm2pnm renders the reference images. Our
 * own code writes no DICOM here, so the tests compare Tessera against other readings of the
 * standard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPython, runTool } from './dicom-tools.js';

/**
 * The sources, written by pydicom. Each `<name>.dcm` comes with `<name>.values`: the stored value
 * of every sample of every frame, as little-endian int32, in the order the frames are stored
 * (interleaved R, G, B for colour), which is what a lossless decoder must give back.
 *
 * Pixel patterns are smooth (gradients and discs, so lossy codecs stay close) with a seeded
 * numpy generator's noise on top (so lossless codecs cannot pass by luck).
 */
const SOURCES_SCRIPT = String.raw`
import sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

folder = sys.argv[1]
rng = np.random.RandomState(20240611)
uid_counter = [0]

def uid():
    uid_counter[0] += 1
    return '1.2.826.0.1.3680043.10.1199.%d' % uid_counter[0]

def pattern(rows, cols, frames, low, high, noise):
    y, x = np.mgrid[0:rows, 0:cols]
    out = []
    for f in range(frames):
        base = (x / (cols - 1)) * 0.6 + (y / (rows - 1)) * 0.3
        disc = ((x - cols * (0.3 + 0.1 * f)) ** 2 + (y - rows * 0.5) ** 2) < (min(rows, cols) * 0.2) ** 2
        base = base + disc * 0.1 * (f + 1)
        values = low + np.clip(base, 0, 1) * (high - low) + rng.randint(-noise, noise + 1, size=(rows, cols))
        out.append(np.clip(np.round(values), low, high))
    return np.array(out)

def dataset(rows, cols, frames, photometric, bits_allocated, bits_stored, signed, spp=1, modality='OT'):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    # GDCM refuses multi-frame Secondary Capture: use the multi-frame SC classes (PS3.3 A.8.2-A.8.5).
    sop_class = '1.2.840.10008.5.1.4.1.1.7'
    if frames > 1:
        sop_class += '.4' if spp == 3 else ('.2' if bits_allocated == 8 else '.3')
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = uid()
    ds.SeriesInstanceUID = uid()
    ds.PatientName = 'Fixture^Pixels'
    ds.PatientID = 'PIXELS-0001'
    ds.Modality = modality
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = spp
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_allocated, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if spp == 3:
        ds.PlanarConfiguration = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    return ds

def save(name, ds, values, pixel_bytes):
    ds.PixelData = pixel_bytes
    ds.save_as('%s/%s.dcm' % (folder, name), write_like_original=False)
    np.asarray(values, dtype='<i4').tofile('%s/%s.values' % (folder, name))

# Signed 16-bit CT, 3 frames, rescale to Hounsfield units, two windows in the file.
ct = pattern(80, 96, 3, -2000, 3000, 40).astype(np.int16)
ds = dataset(80, 96, 3, 'MONOCHROME2', 16, 16, True, modality='CT')
ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 1, -1024, 'HU'
ds.WindowCenter, ds.WindowWidth = [40, -600], [400, 1500]
ds.WindowCenterWidthExplanation = ['SOFT', 'LUNG']
save('ct16', ds, ct, ct.astype('<i2').tobytes())

# Signed 12-bit in 16 (High Bit 11), slope 2, no window: the default is the full range.
ct12 = pattern(64, 70, 1, -2048, 2047, 30).astype(np.int16)
ds = dataset(64, 70, 1, 'MONOCHROME2', 16, 12, True, modality='CT')
ds.RescaleSlope, ds.RescaleIntercept = 2, -1000
# Bits above High Bit are not part of the value (PS3.5 8.1.1): fill them with ones where the value is positive.
raw = (ct12.astype(np.int32) & 0x0FFF) | np.where(ct12 >= 0, 0xF000, 0)
save('ct12', ds, ct12, raw.astype('<u2').tobytes())

# Unsigned 12-bit MR, no window.
mr = pattern(72, 60, 1, 0, 4095, 25).astype(np.uint16)
ds = dataset(72, 60, 1, 'MONOCHROME2', 16, 12, False, modality='MR')
save('mr12', ds, mr, mr.astype('<u2').tobytes())

# 8-bit multi-frame, 4 frames.
g8 = pattern(48, 64, 4, 0, 255, 12).astype(np.uint8)
ds = dataset(48, 64, 4, 'MONOCHROME2', 8, 8, False)
ds.WindowCenter, ds.WindowWidth = 128, 256
save('gray8', ds, g8, g8.tobytes())

# MONOCHROME1, 16-bit unsigned with a window.
m1 = pattern(50, 40, 1, 0, 1023, 10).astype(np.uint16)
ds = dataset(50, 40, 1, 'MONOCHROME1', 16, 10, False, modality='CR')
ds.WindowCenter, ds.WindowWidth = 500, 800
save('mono1', ds, m1, m1.astype('<u2').tobytes())

# VOI LUT Sequence: one 12-bit-output table over part of the range, no window.
vl = pattern(40, 44, 1, 0, 1023, 8).astype(np.uint16)
ds = dataset(40, 44, 1, 'MONOCHROME2', 16, 10, False, modality='MR')
item = Dataset()
entries = 600
item.LUTDescriptor = [entries, 200, 12]
table = np.round(np.sqrt(np.arange(entries) / (entries - 1)) * 4095).astype('<u2')
item.LUTData = table.tobytes()
item['LUTData'].VR = 'OW'
item.LUTExplanation = 'SQRT'
ds.VOILUTSequence = Sequence([item])
save('voilut', ds, vl, vl.astype('<u2').tobytes())

# VOI LUT Function SIGMOID.
sg = pattern(40, 44, 1, 0, 4095, 8).astype(np.uint16)
ds = dataset(40, 44, 1, 'MONOCHROME2', 16, 12, False, modality='MR')
ds.WindowCenter, ds.WindowWidth = 2000, 1800
ds.VOILUTFunction = 'SIGMOID'
save('sigmoid', ds, sg, sg.astype('<u2').tobytes())

# RGB, Planar Configuration 0 and 1, 2 frames.
r = pattern(40, 56, 2, 0, 255, 6)
g = pattern(40, 56, 2, 0, 255, 6)[:, ::-1, :]
b = pattern(40, 56, 2, 0, 255, 6)[:, :, ::-1]
rgb = np.stack([r, g, b], axis=-1).astype(np.uint8)
ds = dataset(40, 56, 2, 'RGB', 8, 8, False, spp=3)
save('rgb', ds, rgb, rgb.tobytes())
ds = dataset(40, 56, 2, 'RGB', 8, 8, False, spp=3)
ds.PlanarConfiguration = 1
save('rgb-planar', ds, rgb, np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)).tobytes())

# YBR_FULL: the same colours in full-range YCbCr (PS3.3 C.7.6.3.1.2); the values file holds them.
rf, gf, bf = [rgb[0, :, :, c].astype(np.float64) for c in range(3)]
yy = 0.299 * rf + 0.587 * gf + 0.114 * bf
cb = -0.168736 * rf - 0.331264 * gf + 0.5 * bf + 128
cr = 0.5 * rf - 0.418688 * gf - 0.081312 * bf + 128
ybr = np.clip(np.round(np.stack([yy, cb, cr], axis=-1)), 0, 255).astype(np.uint8)
ds = dataset(40, 56, 1, 'YBR_FULL', 8, 8, False, spp=3)
save('ybr-full', ds, ybr, ybr.tobytes())
# YBR_FULL_422 native: Y1 Y2 Cb Cr per pair of pixels, chroma of the first of each pair.
pairs = ybr.reshape(40, 28, 2, 3)
packed = np.stack([pairs[:, :, 0, 0], pairs[:, :, 1, 0], pairs[:, :, 0, 1], pairs[:, :, 0, 2]], axis=-1)
full = np.stack([pairs[:, :, :, 0], np.repeat(pairs[:, :, 0:1, 1], 2, axis=2), np.repeat(pairs[:, :, 0:1, 2], 2, axis=2)], axis=-1).reshape(40, 56, 3)
ds = dataset(40, 56, 1, 'YBR_FULL_422', 8, 8, False, spp=3)
save('ybr-422', ds, full, packed.astype(np.uint8).tobytes())

# PALETTE COLOR: 8-bit indices, 256-entry palettes with 16-bit entries, first value mapped 0.
idx = pattern(36, 48, 1, 0, 255, 4).astype(np.uint8)
ds = dataset(36, 48, 1, 'PALETTE COLOR', 8, 8, False)
ramp = np.arange(256)
reds = (ramp * 257).astype('<u2')
greens = ((255 - ramp) * 257).astype('<u2')
blues = (np.abs(ramp - 128) * 2 * 257).clip(0, 65535).astype('<u2')
for colour, data in (('Red', reds), ('Green', greens), ('Blue', blues)):
    setattr(ds, colour + 'PaletteColorLookupTableDescriptor', [256, 0, 16])
    setattr(ds, colour + 'PaletteColorLookupTableData', data.tobytes())
    ds[colour + 'PaletteColorLookupTableData'].VR = 'OW'
save('palette', ds, idx, idx.tobytes())
`;

/** Every source the script writes. */
export const SOURCES = ['ct16', 'ct12', 'mr12', 'gray8', 'mono1', 'voilut', 'sigmoid', 'rgb', 'rgb-planar', 'ybr-full', 'ybr-422', 'palette'] as const;
export type SourceName = (typeof SOURCES)[number];

export function writeSources(folder: string): void {
  runPython(SOURCES_SCRIPT, [folder]);
}

/** The stored values pydicom wrote for a source, every frame in order. */
export function sourceValues(folder: string, name: SourceName): Int32Array {
  const bytes = readFileSync(join(folder, `${name}.values`));
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/**
 * Re-encodes `source` into `output` with a DCMTK or GDCM tool; returns the output's path.
 * DCMTK takes `tool [options] in out`, gdcmconv the same.
 */
export function encode(folder: string, source: string, output: string, tool: string, options: readonly string[]): string {
  const target = join(folder, `${output}.dcm`);
  runTool(tool, [...options, join(folder, `${source}.dcm`), target]);
  return target;
}

export interface Bitmap {
  readonly width: number;
  readonly height: number;
  /** 1 (PGM) or 3 (PPM). */
  readonly channels: number;
  readonly data: Uint8Array;
}

/** What dcm2pnm is asked to render: a frame (1-based in DCMTK) and a VOI choice. */
export interface DcmtkRendering {
  readonly frame?: number;
  readonly voi?: { readonly window: readonly [centre: number, width: number] } | { readonly fileWindow: number } | { readonly fileTable: number } | 'min-max';
  readonly sigmoid?: boolean;
}

/** Renders a frame with DCMTK's dcm2pnm to an 8-bit binary PGM/PPM and reads it back. */
export function renderWithDcmtk(path: string, rendering: DcmtkRendering = {}): Bitmap {
  const args: string[] = ['+op', '+F', String(rendering.frame ?? 1)];
  const voi = rendering.voi;
  if (voi === 'min-max') args.push('+Wm');
  else if (voi !== undefined && 'window' in voi) args.push('+Ww', String(voi.window[0]), String(voi.window[1]));
  else if (voi !== undefined && 'fileWindow' in voi) args.push('+Wi', String(voi.fileWindow));
  else if (voi !== undefined && 'fileTable' in voi) args.push('+Wl', String(voi.fileTable));
  if (rendering.sigmoid) args.push('+Wfs');
  const output = `${path}.${Math.abs(hash(args.join(' ')))}.pnm`;
  runTool('dcm2pnm', [...args, path, output]);
  return readPnm(readFileSync(output));
}

function hash(text: string): number {
  let value = 0;
  for (const character of text) value = (value * 31 + character.charCodeAt(0)) | 0;
  return value;
}

/** Binary PGM (P5) or PPM (P6) with maxval 255 (netpbm's format: header fields, one whitespace, data). */
export function readPnm(bytes: Uint8Array): Bitmap {
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 4) {
    while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at]!))) at++;
    if (bytes[at] === 0x23) {
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
      continue;
    }
    let field = '';
    while (at < bytes.length && !/\s/.test(String.fromCharCode(bytes[at]!))) field += String.fromCharCode(bytes[at++]!);
    fields.push(field);
  }
  at++;
  const [magic, width, height, maxval] = fields;
  if ((magic !== 'P5' && magic !== 'P6') || maxval !== '255') throw new Error(`unexpected PNM header ${fields.join(' ')}`);
  const channels = magic === 'P5' ? 1 : 3;
  const size = Number(width) * Number(height) * channels;
  return { width: Number(width), height: Number(height), channels, data: bytes.slice(at, at + size) };
}
