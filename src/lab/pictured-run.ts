import { bytesAsPicture } from './pictures.js';
import { runScheme, type LabRow } from './run.js';
import type { Holding, LabImage, LabRandom, LabScheme, Protection } from './types.js';

/**
 * One scheme through the Lab's runner (./run.ts runScheme), with the pictures drawn from what it
 * measured on: what each cloud holds, and what threshold − 1 clouds rebuilt. The page draws them and
 * `npm run lab` measures the GA-ES filtering on the protection itself.
 */

/** What one cloud holds, drawn as the cloud would see it in an image viewer. */
export interface CloudView {
  /** 0-based index of the cloud. */
  readonly cloud: number;
  /** Its pieces' names, e.g. "share 1, share 2". */
  readonly names: string;
  /** Bytes it keeps, all pieces together. */
  readonly bytes: number;
  /**
   * Its first piece's own picture where the scheme draws one (a share, a region, an encrypted
   * image); else all its bytes in rows of the original's width (./pictures.ts).
   */
  readonly picture: LabImage | undefined;
  /** clearFraction(original, picture), or undefined where the picture is not the original's size. */
  readonly clear: number | undefined;
}

export interface PicturedRow {
  readonly row: LabRow;
  /**
   * The cloud shown for the scheme: the one whose picture holds most of the original in the clear
   * when one holds more than chance does (GA-ES), else cloud 0.
   */
  readonly cloudView: CloudView | undefined;
  /** The largest clearFraction over the clouds; undefined where no cloud's picture has the original's size. */
  readonly mostInTheClear: { readonly cloud: number; readonly fraction: number } | undefined;
  /** What threshold − 1 clouds rebuilt, when the scheme gave them a picture at all. */
  readonly colludingPicture: LabImage | undefined;
  /**
   * What those threshold − 1 clouds hold in the clear together, even where the scheme refuses to
   * rebuild from them (GA-ES: three regions of four): the share of the original's non-black pixels
   * that at least one of their pictures shows unchanged in place. Undefined where none of them holds
   * a picture of the original's size, or there are no such clouds.
   */
  readonly colludingClear: number | undefined;
}

/** Above this, a cloud's picture shows the original, not chance: noise matches 1/256 ≈ 0.4 % of pixels. */
export const CLEAR_FRACTION_READABLE = 0.05;

/**
 * The share of the original's non-black pixels that a cloud's picture shows unchanged at the same
 * place:  clear = #{p : view(p) = original(p) ≠ 0} / #{p : original(p) ≠ 0}.
 * Black pixels are left out so that a view which is black outside its region (GA-ES) is not
 * credited with the original's black background. For a view independent of the picture (noise),
 * clear ≈ 1/256; for a region sent in the clear, the region's part of the picture. 0 when the
 * original is all black.
 */
export function clearFraction(original: LabImage, view: LabImage): number {
  return clearFractionOfAny(original, [view]);
}

/** clearFraction of several views at once: a pixel counts when any of them shows it unchanged. */
export function clearFractionOfAny(original: LabImage, views: readonly LabImage[]): number {
  for (const view of views) {
    if (original.width !== view.width || original.height !== view.height) {
      throw new RangeError(`the pictures must have the same size, got ${original.width}×${original.height} and ${view.width}×${view.height}`);
    }
  }
  let lit = 0;
  let same = 0;
  for (let p = 0; p < original.pixels.length; p++) {
    const value = original.pixels[p]!;
    if (value === 0) continue;
    lit++;
    if (views.some((view) => view.pixels[p] === value)) same++;
  }
  return lit === 0 ? 0 : same / lit;
}

/** Runs `scheme` with its defaults on `image` through runLab; `protection` is undefined if protect failed. */
export async function runPictured(image: LabImage, scheme: LabScheme, random: LabRandom): Promise<PicturedRow & { readonly protection: Protection | undefined }> {
  const { row, protection, colludingPicture } = await runScheme(image, scheme, random);
  if (protection === undefined) return { row, cloudView: undefined, mostInTheClear: undefined, colludingPicture: undefined, colludingClear: undefined, protection };

  const views = Array.from({ length: row.cloudCount }, (_, cloud) => viewOf(image, cloud, protection.holdings.filter((holding) => holding.cloud === cloud)));
  let mostInTheClear: PicturedRow['mostInTheClear'];
  for (const view of views) {
    if (view.clear !== undefined && (mostInTheClear === undefined || view.clear > mostInTheClear.fraction)) mostInTheClear = { cloud: view.cloud, fraction: view.clear };
  }
  const shown = mostInTheClear !== undefined && mostInTheClear.fraction > CLEAR_FRACTION_READABLE ? views[mostInTheClear.cloud] : views[0];
  const colludingViews = row.result.ok ? row.result.value.colluding.clouds.flatMap((cloud) => (views[cloud]?.clear === undefined ? [] : [views[cloud]!.picture!])) : [];
  const colludingClear = colludingViews.length === 0 ? undefined : clearFractionOfAny(image, colludingViews);
  return { row, cloudView: shown, mostInTheClear, colludingPicture, colludingClear, protection };
}

function viewOf(image: LabImage, cloud: number, holdings: readonly Holding[]): CloudView {
  const drawn = holdings.find((holding) => holding.picture !== undefined)?.picture;
  let picture = drawn;
  if (picture === undefined) {
    const bytes = new Uint8Array(holdings.reduce((sum, holding) => sum + holding.bytes.length, 0));
    let at = 0;
    for (const holding of holdings) {
      bytes.set(holding.bytes, at);
      at += holding.bytes.length;
    }
    picture = bytesAsPicture(bytes, image.width);
  }
  const sameSize = picture !== undefined && picture.width === image.width && picture.height === image.height;
  return {
    cloud,
    names: holdings.map((holding) => holding.name).join(', '),
    bytes: holdings.reduce((sum, holding) => sum + holding.bytes.length, 0),
    picture,
    clear: sameSize ? clearFraction(image, picture!) : undefined,
  };
}
