// What each open photo owns and how the Denoise workspace's actions reach it, as plain functions:
// which photos are selected (the ones the noise and denoise controls act on), what the controls
// call them, when a photo has scores, and how a photo's noisy copy and everything made from it is
// set aside (so that it can be brought back by Undo) instead of being thrown away.
import type { ImageInfo } from '../api/index.js';
import type { Item } from './session.svelte.js';

/** Which photos are selected, and which of them the viewer shows. */
export interface Selection {
  keys: readonly number[];
  current: number | null;
}

/**
 * A click on a photo in the queue. A plain click selects just that photo; an additive one
 * (Ctrl or ⌘) adds it to the selection and shows it, or, when it was selected, takes it out and
 * shows the last one still selected. The last selected photo cannot be taken out.
 */
export function clickPhoto(sel: Selection, key: number, additive: boolean): Selection {
  if (!additive) return { keys: [key], current: key };
  if (!sel.keys.includes(key)) return { keys: [...sel.keys, key], current: key };
  const keys = sel.keys.filter((k) => k !== key);
  if (keys.length === 0) return sel;
  return { keys, current: sel.current === key ? keys[keys.length - 1]! : sel.current };
}

/** The selection once a photo is closed: `open` is every photo still open, in queue order. */
export function withoutPhoto(sel: Selection, key: number, open: readonly number[]): Selection {
  const keys = sel.keys.filter((k) => k !== key && open.includes(k));
  if (keys.length > 0) return { keys, current: sel.current === key ? keys[0]! : sel.current };
  const first = open.find((k) => k !== key);
  return first === undefined ? { keys: [], current: null } : { keys: [first], current: first };
}

/** Whom a control acts on, in words: the photo's name, or how many photos. */
export function targetLabel(names: readonly string[]): string {
  return names.length === 1 ? `For ${names[0]}` : `For ${names.length} selected photos`;
}

/** The Denoise button's words for this many selected photos. */
export function denoiseLabel(count: number): string {
  return count <= 1 ? 'Denoise this photo' : `Denoise ${count} selected photos`;
}

/**
 * Whether the photo can be scored: only against a clean reference, which a photo has when the
 * app made its noisy copy (the photo as opened, or camera noise's noise-free twin). A photo that
 * came in noisy has none: scoring it against itself would measure nothing.
 */
export function hasReference(item: Pick<Item, 'noisy'>): boolean {
  return item.noisy !== null;
}

/** Everything a photo's noise settings made: its noisy copy, and what was made from that. */
export type NoiseOutcome = Pick<
  Item,
  | 'appliedNoise'
  | 'reference'
  | 'noisy'
  | 'noiseLabel'
  | 'noisyScore'
  | 'denoised'
  | 'denoisedWith'
  | 'denoisedScore'
  | 'denoisedSettings'
  | 'estimate'
  | 'status'
>;

/** The images an outcome (or a whole photo, less its source) holds, for releasing them. */
export function imagesOf(o: Partial<NoiseOutcome & Pick<Item, 'preview'>>): ImageInfo[] {
  return [o.reference, o.noisy, o.noisyScore?.ssimMap, o.denoised, o.denoisedScore?.ssimMap, o.preview?.image].filter(
    (img): img is ImageInfo => !!img,
  );
}

/**
 * Moves the photo's noisy copy and everything made from it out of the photo, which is left as
 * opened (no noisy copy, no result, ready; its noise settings untouched, as they may already say
 * what comes next), and answers what was moved. The live preview is not
 * part of it (it is quick to make again): the caller drops it.
 */
export function setAside(item: Item): NoiseOutcome {
  const saved: NoiseOutcome = {
    appliedNoise: { ...item.appliedNoise },
    reference: item.reference,
    noisy: item.noisy,
    noiseLabel: item.noiseLabel,
    noisyScore: item.noisyScore,
    denoised: item.denoised,
    denoisedWith: item.denoisedWith,
    denoisedScore: item.denoisedScore,
    denoisedSettings: item.denoisedSettings,
    estimate: item.estimate,
    status: item.status === 'done' ? 'done' : 'ready',
  };
  Object.assign(item, {
    reference: null,
    noisy: null,
    noiseLabel: null,
    noisyScore: null,
    denoised: null,
    denoisedWith: null,
    denoisedScore: null,
    denoisedSettings: null,
    estimate: null,
    status: item.status === 'done' ? 'ready' : item.status,
  } satisfies Partial<Item>);
  return saved;
}

/**
 * Puts a set-aside outcome back, with the noise settings it was made with; answers the images the
 * photo held until now (to release).
 */
export function restore(item: Item, saved: NoiseOutcome): ImageInfo[] {
  const displaced = imagesOf(item);
  Object.assign(item, {
    ...saved,
    noise: { ...saved.appliedNoise },
    appliedNoise: { ...saved.appliedNoise },
    preview: null,
  } satisfies Partial<Item>);
  return displaced;
}
