#!/usr/bin/python3
"""
Makes Tessera's demo sample studies: synthetic images of one fictitious patient, laid out as a
hospital's CD export (a DICOMDIR and 8-character folder and file names), plus a manifest,
samples.json, so the app can fetch them without listing folders.

    /usr/bin/python3 test/samples/make-samples.py [OUTPUT_FOLDER]     (default: public/samples)

Nothing here is a real person or a real scan: every pixel is computed from a fixed seed, every UID
is derived under the 2.25 root from a fixed name, every date is fixed. Running the script again
gives byte-identical files (with the same Debian packages: pydicom, numpy, DCMTK);
test/unit/samples.test.ts checks that the committed files are exactly what it writes.

Writers: pydicom writes every DICOM instance in Explicit VR Little Endian; DCMTK then compresses
the MR T1 series to RLE Lossless (dcmcrle) and the MR T2 series to JPEG-LS Lossless (dcmcjpls),
renders the photo to JPEG (dcmj2pnm) and writes the DICOMDIR (dcmmkdir). The PDF report is written
by hand, below. See test/samples/README.md.
"""
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

SEED = 20240305
REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPOSITORY / 'public' / 'samples'
CD = 'demo-cd'

EXPLICIT_LITTLE = '1.2.840.10008.1.2.1'
RLE_LOSSLESS = '1.2.840.10008.1.2.5'
JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80'
CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2'
MR_IMAGE = '1.2.840.10008.5.1.4.1.1.4'
US_MULTIFRAME = '1.2.840.10008.5.1.4.1.1.3.1'
SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7'

UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, 'https://tessera.invalid/demo-samples')


def uid(name):
    """A UID under 2.25 (PS3.5 §B.2): a name-based UUID of a fixed name, as a decimal integer."""
    return '2.25.' + str(uuid.uuid5(UID_NAMESPACE, name).int)


# ---------------------------------------------------------------------------------------------
# The fictitious patient and the hospital. The name is a demo label, not a person's name.

PATIENT = {
    'PatientName': 'DEMO^ALEX',
    'PatientID': 'TESSERA-DEMO-0001',
    'PatientBirthDate': '19750614',
    'PatientSex': 'F',
    'PatientSize': '1.68',
    'PatientWeight': '64',
    'PatientComments': 'Fictitious patient of the Tessera demo. Synthetic images; not a real person.',
}
INSTITUTION = 'Tessera Demo Hospital'
INSTITUTION_ADDRESS = '1 Example Street, Demo Town (fictitious)'
REFERRING_PHYSICIAN = 'EXAMPLE^SAM^^DR'
OPERATOR = 'SAMPLE^ROBIN'
MANUFACTURER = 'Tessera (synthetic)'
MODEL = 'make-samples.py'

STUDIES = {
    'ct': {
        'folder': 'ST000001', 'date': '20240305', 'time': '091500', 'accession': 'TDH-A0001',
        'study_id': 'CT0001', 'description': 'CT CHEST PHANTOM', 'age': '048Y',
    },
    'mr': {
        'folder': 'ST000002', 'date': '20240412', 'time': '141000', 'accession': 'TDH-A0002',
        'study_id': 'MR0001', 'description': 'MR HEAD PHANTOM', 'age': '048Y',
    },
    'us': {
        'folder': 'ST000003', 'date': '20240520', 'time': '103000', 'accession': 'TDH-A0003',
        'study_id': 'US0001', 'description': 'US NECK VESSELS DEMO CLIP', 'age': '048Y',
    },
}


def base_dataset(study_key, series_number, series_description, modality, sop_class, sop_name, instance_number):
    """Patient, study, series, equipment and SOP common attributes shared by every instance."""
    study = STUDIES[study_key]
    series_name = f'{study_key}/series/{series_number}'
    ds = Dataset()
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = uid(sop_name)
    ds.StudyDate = study['date']
    ds.SeriesDate = study['date']
    ds.ContentDate = study['date']
    ds.StudyTime = study['time']
    ds.SeriesTime = study['time']
    ds.ContentTime = study['time']
    ds.AccessionNumber = study['accession']
    ds.Modality = modality
    ds.Manufacturer = MANUFACTURER
    ds.InstitutionName = INSTITUTION
    ds.InstitutionAddress = INSTITUTION_ADDRESS
    ds.ReferringPhysicianName = REFERRING_PHYSICIAN
    ds.StationName = f'DEMO-{modality}01'
    ds.StudyDescription = study['description']
    ds.SeriesDescription = series_description
    ds.OperatorsName = OPERATOR
    ds.ManufacturerModelName = MODEL
    for keyword, value in PATIENT.items():
        setattr(ds, keyword, value)
    ds.PatientAge = study['age']
    ds.DeviceSerialNumber = f'TDH-{modality}-0001'
    ds.SoftwareVersions = 'make-samples 1'
    ds.StudyInstanceUID = uid(f'{study_key}/study')
    ds.SeriesInstanceUID = uid(series_name)
    ds.StudyID = study['study_id']
    ds.SeriesNumber = series_number
    ds.InstanceNumber = instance_number
    # A private block, as scanners write them: de-identification removes it.
    ds.add_new(0x00090010, 'LO', 'TESSERA DEMO')
    ds.add_new(0x00091001, 'LO', 'synthetic sample, no real patient')
    return ds


def write_dicom(path, ds):
    """Explicit VR Little Endian, with a fixed meta header (no writer version in it)."""
    meta = FileMetaDataset()
    meta.FileMetaInformationVersion = b'\x00\x01'
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = EXPLICIT_LITTLE
    meta.ImplementationClassUID = uid('implementation/make-samples')
    meta.ImplementationVersionName = 'TESSERA_SAMPLE1'
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.preamble = b'\x00' * 128
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(str(path), write_like_original=False)


def run(*command):
    """Runs a DCMTK tool; its warnings count as failures, so the samples stay clean."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or result.stderr.strip():
        raise SystemExit(f'{" ".join(map(str, command))} failed ({result.returncode}): {result.stderr.strip()}')
    return result.stdout


def supersampled_grid(size, spacing, factor=2):
    """x (left→right) and y (anterior→posterior) in mm at factor² points per pixel."""
    fine = size * factor
    coords = (np.arange(fine) + 0.5) / factor * spacing - size * spacing / 2
    return np.meshgrid(coords, coords)


def downsample(image, factor=2):
    size = image.shape[0] // factor
    return image.reshape(size, factor, size, factor).mean(axis=(1, 3))


def ellipse(x, y, cx, cy, ax, ay):
    return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0


# ---------------------------------------------------------------------------------------------
# CT: a chest-like phantom, 24 axial slices of 192×192, signed 16-bit, HU = stored − 1024.

CT_SIZE = 192
CT_SPACING = 2.0
CT_SLICES = 24
CT_STEP = 10.0
CT_PADDING = -2000  # stored value outside the reconstruction circle (−3024 HU)


def ct_slice(index, rng):
    x, y = supersampled_grid(CT_SIZE, CT_SPACING)
    t = index / (CT_SLICES - 1)  # 0 at the top (apex), 1 at the bottom
    hu = np.full(x.shape, -1000.0)
    # Couch under the patient (posterior, at the bottom of the image).
    hu[(np.abs(x) < 150) & (y > 116) & (y < 124)] = 250.0
    hu[(np.abs(x) < 160) & (y >= 124) & (y < 134)] = -300.0
    # Body: fat layer, then water.
    body_ax, body_ay = 150.0 - 12 * (1 - t), 105.0 - 8 * (1 - t)
    hu[ellipse(x, y, 0, 0, body_ax, body_ay)] = -100.0
    hu[ellipse(x, y, 0, 0, body_ax - 9, body_ay - 9)] = 0.0
    # Lungs: small at the apex, largest low in the chest, replaced by the liver at the base.
    lung_scale = max(0.0, math.sin(math.pi * min(1.0, t / 0.9))) ** 0.6
    if lung_scale > 0.05:
        for side in (-1, 1):
            lung = ellipse(x, y, side * 62, 0, 44 * lung_scale + 4, 66 * lung_scale + 4)
            hu[lung] = -700.0 + 40 * np.sin(x[lung] / 7.0) * np.cos(y[lung] / 9.0)
            # Vessels inside the lung.
            for k in range(3):
                hu[ellipse(x, y, side * (48 + 12 * k), -25 + 22 * k, 3.0, 3.0) & lung] = 40.0
    if t > 0.8:
        hu[ellipse(x, y, -30, 5, 80 * (t - 0.55), 55 * (t - 0.55))] = 60.0  # liver dome
    # Heart and aorta in the middle of the chest.
    if 0.3 < t < 0.85:
        hu[ellipse(x, y, 12, -18, 42, 36)] = 40.0
    hu[ellipse(x, y, -18, 42, 12, 12)] = 250.0 if t < 0.9 else 40.0
    # Bone: vertebral body (cancellous 700, cortex 1200), spinous process, sternum, ribs.
    hu[ellipse(x, y, 0, 70, 17, 15)] = 1200.0
    hu[ellipse(x, y, 0, 70, 14, 12)] = 700.0
    hu[ellipse(x, y, 0, 93, 5, 9)] = 1000.0
    hu[ellipse(x, y, 0, -92, 10, 6)] = 900.0
    for k, angle in enumerate(np.linspace(0.35, math.pi - 0.35, 6)):
        for side in (-1, 1):
            rx = side * (body_ax - 16) * math.cos(angle)
            ry = (body_ay - 14) * math.sin(angle) - 10
            hu[ellipse(x, y, rx, ry, 5.5, 5.5)] = 800.0 + 80 * k
    hu = downsample(hu)
    hu += rng.normal(0.0, 8.0, hu.shape)
    stored = np.round(hu + 1024).astype(np.int32)
    # Outside the reconstruction circle, the padding value.
    cx = (np.arange(CT_SIZE) + 0.5 - CT_SIZE / 2) * CT_SPACING
    gx, gy = np.meshgrid(cx, cx)
    stored[gx ** 2 + gy ** 2 > (CT_SIZE * CT_SPACING / 2) ** 2] = CT_PADDING
    return np.clip(stored, -32768, 32767).astype('<i2')


def make_ct(root, rng):
    files = []
    frame_of_reference = uid('ct/frame-of-reference')
    for index in range(CT_SLICES):
        number = index + 1
        ds = base_dataset('ct', 1, 'AX CHEST 10MM', 'CT', CT_IMAGE, f'ct/image/{number}', number)
        ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
        ds.BodyPartExamined = 'CHEST'
        ds.ProtocolName = 'CHEST PHANTOM'
        ds.SliceThickness = f'{CT_STEP:g}'
        ds.KVP = '120'
        ds.DataCollectionDiameter = '500'
        ds.ReconstructionDiameter = f'{CT_SIZE * CT_SPACING:g}'
        ds.GantryDetectorTilt = '0'
        ds.TableHeight = '120'
        ds.ExposureTime = '500'
        ds.XRayTubeCurrent = '200'
        ds.ConvolutionKernel = 'STANDARD'
        ds.PatientPosition = 'HFS'
        ds.AcquisitionNumber = 1
        z = -index * CT_STEP
        origin = -CT_SIZE * CT_SPACING / 2 + CT_SPACING / 2
        ds.ImagePositionPatient = [f'{origin:g}', f'{origin:g}', f'{z:g}']
        ds.ImageOrientationPatient = ['1', '0', '0', '0', '1', '0']
        ds.FrameOfReferenceUID = frame_of_reference
        ds.PositionReferenceIndicator = 'SN'
        ds.SliceLocation = f'{z:g}'
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = 'MONOCHROME2'
        ds.Rows = CT_SIZE
        ds.Columns = CT_SIZE
        ds.PixelSpacing = [f'{CT_SPACING:g}', f'{CT_SPACING:g}']
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.add_new(0x00280120, 'SS', CT_PADDING)  # Pixel Padding Value
        ds.WindowCenter = ['40', '-600']
        ds.WindowWidth = ['400', '1500']
        ds.WindowCenterWidthExplanation = ['SOFT TISSUE', 'LUNG']
        ds.RescaleIntercept = '-1024'
        ds.RescaleSlope = '1'
        ds.RescaleType = 'HU'
        ds.LossyImageCompression = '00'
        ds.add_new(0x7FE00010, 'OW', ct_slice(index, rng).tobytes())
        path = root / CD / 'DICOM' / STUDIES['ct']['folder'] / 'SE000001' / f'IM{number:06d}'
        write_dicom(path, ds)
        files.append(path)
    return files


# ---------------------------------------------------------------------------------------------
# MR: a round head phantom with compartments, T1 and T2 axial, 16 slices of 128×128, 12 bits.

MR_SIZE = 128
MR_SPACING = 1.875
MR_SLICES = 16
MR_STEP = 5.0
MR_SERIES = {
    # series number: description, TR, TE, echo train, intensities, window, transfer syntax
    1: {
        'description': 'T1 AX', 'tr': '500', 'te': '15', 'etl': 1, 'sequence': 'se2d1',
        'shell': 3000, 'fill': 700, 'vials': (2400, 1600, 1000, 450), 'sphere': 2000,
        'window': ('1500', '3000'), 'syntax': RLE_LOSSLESS,
    },
    2: {
        'description': 'T2 AX', 'tr': '4000', 'te': '95', 'etl': 12, 'sequence': 'tse2d1_12',
        'shell': 1700, 'fill': 3100, 'vials': (600, 1300, 2200, 3400), 'sphere': 900,
        'window': ('1700', '3400'), 'syntax': JPEG_LS_LOSSLESS,
    },
}


def mr_slice(index, params, rng):
    x, y = supersampled_grid(MR_SIZE, MR_SPACING)
    z = (index - (MR_SLICES - 1) / 2) * MR_STEP
    signal = np.zeros(x.shape)
    signal[ellipse(x, y, 0, 0, 92, 100)] = params['shell']  # a fat-like shell
    signal[ellipse(x, y, 0, 0, 84, 92)] = params['fill']
    for k, value in enumerate(params['vials']):
        angle = math.pi / 4 + k * math.pi / 2
        signal[ellipse(x, y, 48 * math.cos(angle), 52 * math.sin(angle), 14, 14)] = value
    # A sphere in the middle slices, so scrolling shows something change.
    radius = 30.0 ** 2 - z ** 2
    if radius > 0:
        signal[ellipse(x, y, 0, 0, math.sqrt(radius), math.sqrt(radius))] = params['sphere']
    # A gentle coil sensitivity, brighter at the front.
    signal *= 1.1 - 0.2 * (y + 120) / 240
    signal = downsample(signal)
    # Magnitude of a complex signal with Gaussian noise: Rician, as in a real magnitude image.
    real = signal + rng.normal(0.0, 35.0, signal.shape)
    imaginary = rng.normal(0.0, 35.0, signal.shape)
    magnitude = np.sqrt(real ** 2 + imaginary ** 2)
    return np.clip(np.round(magnitude), 0, 4095).astype('<u2')


def make_mr(root, rng, scratch):
    files = []
    frame_of_reference = uid('mr/frame-of-reference')
    for series_number, params in MR_SERIES.items():
        for index in range(MR_SLICES):
            number = index + 1
            ds = base_dataset('mr', series_number, params['description'], 'MR', MR_IMAGE,
                              f'mr/series/{series_number}/image/{number}', number)
            ds.ImageType = ['ORIGINAL', 'PRIMARY', 'OTHER']
            ds.BodyPartExamined = 'HEAD'
            ds.ProtocolName = f'HEAD PHANTOM {params["description"]}'
            ds.ScanningSequence = 'SE'
            ds.SequenceVariant = 'SK' if params['etl'] > 1 else 'NONE'
            ds.ScanOptions = ''
            ds.MRAcquisitionType = '2D'
            ds.SequenceName = params['sequence']
            ds.SliceThickness = f'{MR_STEP:g}'
            ds.SpacingBetweenSlices = f'{MR_STEP:g}'
            ds.RepetitionTime = params['tr']
            ds.EchoTime = params['te']
            ds.EchoTrainLength = params['etl']
            ds.EchoNumbers = '1'
            ds.NumberOfAverages = '1'
            ds.ImagingFrequency = '63.87'
            ds.ImagedNucleus = '1H'
            ds.MagneticFieldStrength = '1.5'
            ds.FlipAngle = '90'
            ds.PatientPosition = 'HFS'
            ds.AcquisitionNumber = 1
            z = (index - (MR_SLICES - 1) / 2) * MR_STEP
            origin = -MR_SIZE * MR_SPACING / 2 + MR_SPACING / 2
            ds.ImagePositionPatient = [f'{origin:g}', f'{origin:g}', f'{z:g}']
            ds.ImageOrientationPatient = ['1', '0', '0', '0', '1', '0']
            ds.FrameOfReferenceUID = frame_of_reference
            ds.PositionReferenceIndicator = ''
            ds.SliceLocation = f'{z:g}'
            ds.SamplesPerPixel = 1
            ds.PhotometricInterpretation = 'MONOCHROME2'
            ds.Rows = MR_SIZE
            ds.Columns = MR_SIZE
            ds.PixelSpacing = [f'{MR_SPACING:g}', f'{MR_SPACING:g}']
            ds.BitsAllocated = 16
            ds.BitsStored = 12
            ds.HighBit = 11
            ds.PixelRepresentation = 0
            ds.WindowCenter = params['window'][0]
            ds.WindowWidth = params['window'][1]
            ds.LossyImageCompression = '00'
            ds.add_new(0x7FE00010, 'OW', mr_slice(index, params, rng).tobytes())
            path = root / CD / 'DICOM' / STUDIES['mr']['folder'] / f'SE{series_number:06d}' / f'IM{number:06d}'
            source = scratch / f'mr-{series_number}-{number}.dcm'
            write_dicom(source, ds)
            path.parent.mkdir(parents=True, exist_ok=True)
            if params['syntax'] == RLE_LOSSLESS:
                run('dcmcrle', '--quiet', str(source), str(path))
            else:
                run('dcmcjpls', '--quiet', str(source), str(path))
            files.append(path)
    return files


# ---------------------------------------------------------------------------------------------
# Ultrasound: a 12-frame RGB clip of 160×120, a sector with speckle, a pulsing vessel in colour
# flow, and burned-in text in the top corners (Burned In Annotation YES).

FONT = {
    'A': '.###. #...# #...# ##### #...# #...# #...#', 'B': '####. #...# #...# ####. #...# #...# ####.',
    'C': '.###. #...# #.... #.... #.... #...# .###.', 'D': '####. #...# #...# #...# #...# #...# ####.',
    'E': '##### #.... #.... ####. #.... #.... #####', 'F': '##### #.... #.... ####. #.... #.... #....',
    'G': '.###. #...# #.... #.### #...# #...# .####', 'H': '#...# #...# #...# ##### #...# #...# #...#',
    'I': '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.', 'J': '..### ...#. ...#. ...#. ...#. #..#. .##..',
    'K': '#...# #..#. #.#.. ##... #.#.. #..#. #...#', 'L': '#.... #.... #.... #.... #.... #.... #####',
    'M': '#...# ##.## #.#.# #.#.# #...# #...# #...#', 'N': '#...# #...# ##..# #.#.# #..## #...# #...#',
    'O': '.###. #...# #...# #...# #...# #...# .###.', 'P': '####. #...# #...# ####. #.... #.... #....',
    'Q': '.###. #...# #...# #...# #.#.# #..#. .##.#', 'R': '####. #...# #...# ####. #.#.. #..#. #...#',
    'S': '.#### #.... #.... .###. ....# ....# ####.', 'T': '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
    'U': '#...# #...# #...# #...# #...# #...# .###.', 'V': '#...# #...# #...# #...# #...# .#.#. ..#..',
    'W': '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.', 'X': '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
    'Y': '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..', 'Z': '##### ....# ...#. ..#.. .#... #.... #####',
    '0': '.###. #...# #..## #.#.# ##..# #...# .###.', '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
    '2': '.###. #...# ....# ...#. ..#.. .#... #####', '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
    '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.', '5': '##### #.... ####. ....# ....# #...# .###.',
    '6': '..##. .#... #.... ####. #...# #...# .###.', '7': '##### ....# ...#. ..#.. .#... .#... .#...',
    '8': '.###. #...# #...# .###. #...# #...# .###.', '9': '.###. #...# #...# .#### ....# ...#. .##..',
    '-': '..... ..... ..... ##### ..... ..... .....', '.': '..... ..... ..... ..... ..... .##.. .##..',
    ':': '..... .##.. .##.. ..... .##.. .##.. .....', '/': '..... ....# ...#. ..#.. .#... #.... .....',
    ' ': '..... ..... ..... ..... ..... ..... .....',
}


def burn_text(image, text, row, column, colour):
    """Draws text in the 5×7 font above, one pixel between letters, the way a scanner burns it in."""
    for offset, character in enumerate(text):
        glyph = FONT[character].split(' ')
        for dy, line in enumerate(glyph):
            for dx, mark in enumerate(line):
                if mark == '#':
                    image[row + dy, column + offset * 6 + dx] = colour


def text_width(text):
    return len(text) * 6 - 1


US_ROWS, US_COLUMNS, US_FRAMES = 120, 160, 12
US_APEX = (14.0, 80.0)  # row, column of the probe's virtual apex
US_HALF_ANGLE = math.radians(34)
US_NEAR, US_FAR = 18.0, 112.0  # radii in pixels; 0.05 cm per pixel → 4.7 cm deep


def make_us(root, rng):
    rows, columns = np.mgrid[0:US_ROWS, 0:US_COLUMNS].astype(float)
    radius = np.hypot(rows - US_APEX[0], columns - US_APEX[1])
    angle = np.arctan2(columns - US_APEX[1], rows - US_APEX[0])
    sector = (radius >= US_NEAR) & (radius <= US_FAR) & (np.abs(angle) <= US_HALF_ANGLE)
    # One speckle field in (radius, angle), moved a little with each frame, like breathing tissue.
    speckle = rng.rayleigh(1.0, (260, 180))
    speckle = (speckle + np.roll(speckle, 1, axis=0)) / 2
    frames = np.zeros((US_FRAMES, US_ROWS, US_COLUMNS, 3), dtype=np.uint8)
    for frame in range(US_FRAMES):
        phase = 2 * math.pi * frame / US_FRAMES
        shift = 1.5 * math.sin(phase)
        pulse = max(0.0, math.sin(phase)) ** 2  # systole in the first half of the cycle
        r_index = np.clip(np.round((radius + shift) * 2).astype(int), 0, 259)
        a_index = np.clip(np.round((angle + US_HALF_ANGLE) / (2 * US_HALF_ANGLE) * 179).astype(int), 0, 179)
        tissue = speckle[r_index, a_index] * 70
        depth = radius - US_NEAR
        tissue *= 0.75 + 0.6 * np.exp(-((depth - 8) / 6) ** 2)  # bright skin line
        tissue += 120 * np.exp(-((radius + shift - 42) / 1.6) ** 2)  # fascia
        tissue += 100 * np.exp(-((radius + shift - 96) / 2.0) ** 2)  # deep fascia
        tissue *= np.exp(-depth / 160)  # attenuation
        # A vessel running across the image at a slight slant, its wall pulsing with the heartbeat.
        centre_row = 67 + shift + 0.12 * (columns - 80)
        half_height = 7.5 + 1.5 * pulse
        across = np.abs(rows - centre_row) / half_height  # 0 on the axis, 1 at the wall
        lumen = across < 1
        tissue[lumen] *= 0.06
        tissue += 110 * np.exp(-((across - 1.15) / 0.12) ** 2)  # bright wall
        grey = np.clip(tissue, 0, 255) * sector
        image = np.repeat(grey[:, :, None], 3, axis=2)
        # Colour flow inside the box: red towards the probe, yellow at peak systole, dark at rest,
        # fastest on the vessel's axis (a parabolic profile).
        box = (columns >= 50) & (columns <= 110) & (rows >= 48) & (rows <= 88) & sector
        flow = (across < 0.9) & box
        velocity = (0.2 + 0.8 * pulse) * (1 - across[flow] ** 2)
        image[flow, 0] = 110 + 145 * np.clip(velocity * 1.5, 0, 1)
        image[flow, 1] = 220 * np.clip(velocity * 1.5 - 0.55, 0, 1)
        image[flow, 2] = 0
        # The colour box outline.
        outline = box & ~((columns >= 51) & (columns <= 109) & (rows >= 49) & (rows <= 87))
        image[outline] = (170, 170, 170)
        # Depth marks every centimetre (20 pixels) on the right edge of the sector.
        for centimetre in range(1, 5):
            r = US_NEAR + centimetre * 20
            mark_row = int(round(US_APEX[0] + r * math.cos(US_HALF_ANGLE)))
            mark_column = int(round(US_APEX[1] + r * math.sin(US_HALF_ANGLE))) + 3
            image[mark_row, mark_column:mark_column + 3] = (230, 230, 230)
        # Burned-in annotation: who, where, when (top left) and how (top right).
        image = np.round(image).astype(np.uint8)
        white, yellow = (235, 235, 235), (235, 220, 90)
        burn_text(image, 'DEMO ALEX', 1, 1, white)
        burn_text(image, 'TESSERA-DEMO-0001', 10, 1, white)
        burn_text(image, '2024-05-20', 19, 1, white)
        for line, text in enumerate(('L12-5', '7.5MHZ', '4.7CM')):
            burn_text(image, text, 1 + 9 * line, US_COLUMNS - 1 - text_width(text), yellow)
        counter = f'{frame + 1:02d}/{US_FRAMES}'
        burn_text(image, counter, US_ROWS - 8, US_COLUMNS - 1 - text_width(counter), white)
        frames[frame] = image

    ds = base_dataset('us', 1, 'NECK VESSEL CINE', 'US', US_MULTIFRAME, 'us/image/1', 1)
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'VASCULAR', '0011']
    ds.BodyPartExamined = 'NECK'
    ds.ProtocolName = 'VASCULAR NECK'
    ds.TransducerData = 'L12-5'
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = 'RGB'
    ds.PlanarConfiguration = 0
    ds.NumberOfFrames = str(US_FRAMES)
    ds.FrameIncrementPointer = Tag(0x0018, 0x1063)
    ds.FrameTime = '80'
    ds.CineRate = 12
    ds.RecommendedDisplayFrameRate = 12
    ds.Rows = US_ROWS
    ds.Columns = US_COLUMNS
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.BurnedInAnnotation = 'YES'
    ds.LossyImageCompression = '00'
    region = Dataset()
    region.RegionSpatialFormat = 1  # 2D
    region.RegionDataType = 1  # tissue
    region.RegionFlags = 0
    region.RegionLocationMinX0 = int(US_APEX[1] - US_FAR * math.sin(US_HALF_ANGLE))
    region.RegionLocationMinY0 = int(US_APEX[0] + US_NEAR)
    region.RegionLocationMaxX1 = int(US_APEX[1] + US_FAR * math.sin(US_HALF_ANGLE))
    region.RegionLocationMaxY1 = US_ROWS - 1
    region.PhysicalUnitsXDirection = 3  # cm
    region.PhysicalUnitsYDirection = 3
    region.PhysicalDeltaX = 0.05
    region.PhysicalDeltaY = 0.05
    ds.SequenceOfUltrasoundRegions = Sequence([region])
    ds.add_new(0x7FE00010, 'OB', frames.tobytes())
    path = root / CD / 'DICOM' / STUDIES['us']['folder'] / 'SE000001' / 'IM000001'
    write_dicom(path, ds)
    return [path]


# ---------------------------------------------------------------------------------------------
# Records that are not DICOM: a PDF report and a clinical photo (JPEG).

REPORT_LINES = [
    ('F2', 16, 'Tessera Demo Hospital'),
    ('F1', 10, 'Department of Imaging (fictitious)  -  1 Example Street, Demo Town'),
    ('F2', 14, ''),
    ('F2', 14, 'Demo report \u2014 fictitious patient'),
    ('F1', 11, ''),
    ('F1', 11, 'Patient: DEMO, Alex     Patient ID: TESSERA-DEMO-0001'),
    ('F1', 11, 'Born: 14 June 1975     Sex: F     Referring physician: Dr Sam Example'),
    ('F1', 11, ''),
    ('F2', 11, 'CT of the chest (phantom), 5 March 2024, accession TDH-A0001'),
    ('F1', 11, 'Synthetic phantom: water-filled body, two low-density lung regions, bone-like rods.'),
    ('F1', 11, 'No finding: there is no patient.'),
    ('F1', 11, ''),
    ('F2', 11, 'MRI of the head (phantom), 12 April 2024, accession TDH-A0002'),
    ('F1', 11, 'Round phantom with four vials and a central sphere, T1 and T2 weighted series.'),
    ('F1', 11, ''),
    ('F2', 11, 'Ultrasound of the neck vessels, 20 May 2024, accession TDH-A0003'),
    ('F1', 11, 'A 12-frame colour flow clip of a synthetic vessel, with burned-in annotation.'),
    ('F1', 11, ''),
    ('F1', 11, 'This report, its patient, its hospital and its images are fictitious. They were'),
    ('F1', 11, 'generated by test/samples/make-samples.py to demonstrate Tessera.'),
    ('F1', 11, 'Any resemblance to a real person is coincidental.'),
    ('F1', 11, ''),
    ('F1', 11, 'Reported by: Dr Sam Example (fictitious)'),
]


def pdf_text(text):
    """A PDF literal string in WinAnsiEncoding (the em dash is byte 0x97)."""
    data = text.encode('cp1252')
    return b'(' + data.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)') + b')'


def make_pdf(path):
    content = [b'BT']
    y = 790
    for font, size, text in REPORT_LINES:
        if text:
            content.append(b'/%s %d Tf 1 0 0 1 56 %d Tm %s Tj' % (font.encode(), size, y, pdf_text(text)))
        y -= size + 8
    content.append(b'ET')
    content.append(b'0.6 G 56 %d m 539 %d l S' % (752, 752))
    stream = b'\n'.join(content) + b'\n'
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
        b'/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
        b'<< /Length %d >>\nstream\n' % len(stream) + stream + b'endstream',
        b'<< /Title (Demo report - fictitious patient) /Author (Tessera Demo Hospital) '
        b'/Producer (make-samples.py) /CreationDate (D:20240520120000Z) >>',
    ]
    out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % number + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n' % (len(objects) + 1)
    out += b'0000000000 65535 f \n'
    for offset in offsets:
        out += b'%010d 00000 n \n' % offset
    out += b'trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objects) + 1, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def make_photo(path, rng, scratch):
    """A clinical photo of a (synthetic) skin mole beside a ruler, rendered to JPEG by DCMTK."""
    height, width = 240, 320
    rows, columns = np.mgrid[0:height, 0:width].astype(float)
    light = 0.85 + 0.15 * np.cos((columns - 120) / 260) * np.cos((rows - 90) / 200)
    skin = np.stack([222 * light, 178 * light, 150 * light], axis=2)
    skin += rng.normal(0.0, 3.0, (height, width, 1))
    angle = np.arctan2(rows - 105, columns - 150)
    edge = 38 + 5 * np.sin(3 * angle) + 3 * np.sin(7 * angle + 1)
    distance = np.hypot((rows - 105) * 1.2, columns - 150)
    mole = np.clip((edge - distance) / 4, 0, 1)[:, :, None]
    brown = np.stack([110 - 25 * np.exp(-distance / 20), 70 - 20 * np.exp(-distance / 20), 50 + 0 * distance], axis=2)
    image = skin * (1 - mole) + brown * mole
    # A paper ruler along the bottom, a tick every 10 pixels (1 mm on the photo's scale).
    image[196:228, 20:300] = (245, 243, 235)
    for k in range(29):
        tick = 16 if k % 10 == 0 else (10 if k % 5 == 0 else 6)
        image[196:196 + tick, 20 + k * 10:22 + k * 10] = (40, 40, 40)
    image = np.clip(np.round(image), 0, 255).astype(np.uint8)
    ds = Dataset()
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = uid('photo/source')
    ds.Modality = 'XC'
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = 'RGB'
    ds.PlanarConfiguration = 0
    ds.Rows = height
    ds.Columns = width
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.add_new(0x7FE00010, 'OB', image.tobytes())
    source = scratch / 'photo.dcm'
    write_dicom(source, ds)
    path.parent.mkdir(parents=True, exist_ok=True)
    run('dcmj2pnm', '--quiet', '+oj', '+Jq', '88', str(source), str(path))
    return path


# ---------------------------------------------------------------------------------------------
# The file-set and the manifest.

DICOMDIR_OFFSET_TAGS = (
    (0x0004, 0x1200),  # Offset of the First Directory Record of the Root Directory Entity
    (0x0004, 0x1202),  # Offset of the Last Directory Record of the Root Directory Entity
    (0x0004, 0x1400),  # Offset of the Next Directory Record
    (0x0004, 0x1420),  # Offset of Referenced Lower-Level Directory Entity
)


def make_dicomdir(cd, images):
    """
    dcmmkdir writes the DICOMDIR; its Media Storage SOP Instance UID is new on every run (time and
    process id), so it is replaced by a fixed one, and the records' offsets, counted from the start
    of the file, are moved by the change in the meta header's length. Then every offset is checked
    against where the records really are.
    """
    path = cd / 'DICOMDIR'
    # The General Purpose CD profile expects Explicit VR Little Endian only: the RLE and JPEG-LS
    # series are accepted with --no-xfer-check; dcmmkdir's warnings about them are dropped, any
    # other output fails the run (run() checks stderr).
    result = subprocess.run(
        ['dcmmkdir', '--general-purpose', '--no-xfer-check', '+F', 'TESSERA_DEMO', '+id', str(cd), '+D', str(path),
         *[image.relative_to(cd).as_posix() for image in images]],
        capture_output=True, text=True, check=False)
    expected = 'expected but RLELossless found:', 'expected but JPEGLSLossless found:'
    other = [line for line in result.stderr.splitlines() if not any(text in line for text in expected)]
    if result.returncode != 0 or other or result.stdout.strip():
        raise SystemExit(f'dcmmkdir failed ({result.returncode}): {result.stdout}{result.stderr}')

    data = bytearray(path.read_bytes())
    if data[128:132] != b'DICM' or data[132:138] != b'\x02\x00\x00\x00UL':
        raise SystemExit('DICOMDIR: unexpected meta header')
    group_length = int.from_bytes(data[140:144], 'little')
    position, end = 144, 144 + group_length
    while position < end:
        tag = (int.from_bytes(data[position:position + 2], 'little'), int.from_bytes(data[position + 2:position + 4], 'little'))
        vr = bytes(data[position + 4:position + 6])
        if vr in (b'OB', b'OW', b'OF', b'SQ', b'UT', b'UN'):
            length, value = int.from_bytes(data[position + 8:position + 12], 'little'), position + 12
        else:
            length, value = int.from_bytes(data[position + 6:position + 8], 'little'), position + 8
        if tag == (0x0002, 0x0003):
            break
        position = value + length
    else:
        raise SystemExit('DICOMDIR: no Media Storage SOP Instance UID')
    new_uid = uid('demo-cd/dicomdir').encode('ascii')
    new_uid += b'\x00' * (len(new_uid) % 2)
    delta = len(new_uid) - length
    data[value:value + length] = new_uid
    data[position + 6:position + 8] = len(new_uid).to_bytes(2, 'little')
    data[140:144] = (group_length + delta).to_bytes(4, 'little')
    dataset_start = end + delta
    for group, element in DICOMDIR_OFFSET_TAGS:
        pattern = group.to_bytes(2, 'little') + element.to_bytes(2, 'little') + b'UL\x04\x00'
        found = data.find(pattern, dataset_start)
        while found >= 0:
            offset = int.from_bytes(data[found + 8:found + 12], 'little')
            if offset:
                data[found + 8:found + 12] = (offset + delta).to_bytes(4, 'little')
            found = data.find(pattern, found + 12)
    path.write_bytes(bytes(data))
    check_dicomdir_offsets(path)
    return path


def check_dicomdir_offsets(path):
    """Walks the directory by its offsets, as a reader on a CD would: every record, once each."""
    ds = pydicom.dcmread(str(path))
    records = {record.seq_item_tell: record for record in ds.DirectoryRecordSequence}
    seen = []

    def walk(offset):
        while offset:
            if offset not in records:
                raise SystemExit(f'DICOMDIR: offset {offset} is not a directory record')
            seen.append(offset)
            record = records[offset]
            walk(record.OffsetOfReferencedLowerLevelDirectoryEntity)
            offset = record.OffsetOfTheNextDirectoryRecord

    walk(ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity)
    if sorted(seen) != sorted(records) or len(set(seen)) != len(seen):
        raise SystemExit('DICOMDIR: the offsets do not reach every record exactly once')

def file_entry(root, path):
    data = path.read_bytes()
    return {'path': path.relative_to(root).as_posix(), 'bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest()}


def sample(root, sample_id, kind, title, description, modality, paths, series=None):
    files = [file_entry(root, path) for path in paths]
    entry = {'id': sample_id, 'kind': kind, 'title': title, 'description': description, 'modality': modality}
    if series is not None:
        entry['series'] = series
    entry['files'] = files
    entry['totalBytes'] = sum(item['bytes'] for item in files)
    return entry


def prepare_output(root):
    if root.exists():
        if any(root.iterdir()) and not (root / 'samples.json').exists():
            raise SystemExit(f'{root} is not empty and holds no samples.json: not overwriting it')
        shutil.rmtree(root)
    root.mkdir(parents=True)


def main():
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else DEFAULT_OUTPUT
    if len(sys.argv) > 2:
        raise SystemExit('usage: make-samples.py [OUTPUT_FOLDER]')
    prepare_output(root)
    rng = np.random.RandomState(SEED)  # the legacy generator: its stream never changes
    with tempfile.TemporaryDirectory(prefix='tessera-samples-') as scratch_name:
        scratch = Path(scratch_name)
        ct = make_ct(root, rng)
        mr = make_mr(root, rng, scratch)
        us = make_us(root, rng)
        report = make_pdf(root / CD / 'DOCS' / 'REPORT.PDF')
        photo = make_photo(root / CD / 'DOCS' / 'PHOTO.JPG', rng, scratch)
    images = ct + mr + us
    cd = root / CD
    make_dicomdir(cd, images)

    mr_t1 = [path for path in mr if path.parent.name == 'SE000001']
    mr_t2 = [path for path in mr if path.parent.name == 'SE000002']
    samples = [
        sample(root, 'ct-chest', 'dicom-study', 'CT of the chest (phantom)',
               'A synthetic chest-like phantom: water body, two lung regions, bone-like rods. '
               '24 axial slices, signed 16-bit, uncompressed.',
               'CT', ct,
               [{'number': 1, 'description': 'AX CHEST 10MM', 'instances': len(ct), 'transferSyntaxUid': EXPLICIT_LITTLE}]),
        sample(root, 'mr-head', 'dicom-study', 'MRI of the head (phantom)',
               'A round phantom with four vials and a central sphere: a T1 series (RLE compressed) '
               'and a T2 series (JPEG-LS compressed), 16 slices each.',
               'MR', mr,
               [{'number': 1, 'description': 'T1 AX', 'instances': len(mr_t1), 'transferSyntaxUid': RLE_LOSSLESS},
                {'number': 2, 'description': 'T2 AX', 'instances': len(mr_t2), 'transferSyntaxUid': JPEG_LS_LOSSLESS}]),
        sample(root, 'us-neck', 'dicom-study', 'Ultrasound of the neck vessels (moving clip)',
               'A 12-frame colour ultrasound clip of a synthetic vessel, with the patient\'s name '
               'burned into the picture.',
               'US', us,
               [{'number': 1, 'description': 'NECK VESSEL CINE', 'instances': 1, 'transferSyntaxUid': EXPLICIT_LITTLE}]),
        sample(root, 'report', 'document', 'Written report (PDF)',
               'A one-page report about the three studies, for the same fictitious patient.',
               'DOC', [report]),
        sample(root, 'photo', 'document', 'Clinical photo of the skin (JPEG)',
               'A synthetic photo of a skin mole beside a ruler.',
               'XC', [photo]),
        sample(root, 'demo-cd', 'file-set', 'The whole demo CD (all of the above, with its DICOMDIR)',
               'Everything the hospital gave the fictitious patient, as a CD export: a DICOMDIR, '
               'the three studies and the two documents.',
               'CT\\MR\\US', [cd / 'DICOMDIR'] + images + [report, photo]),
    ]
    manifest = {
        'generator': 'test/samples/make-samples.py',
        'note': 'Synthetic demo data. The patient, the hospital and the physicians are fictitious.',
        'samples': samples,
        'totalBytes': samples[-1]['totalBytes'],
    }
    (root / 'samples.json').write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')


if __name__ == '__main__':
    os.umask(0o022)
    main()
