// Zoom and pan of the comparison viewer, as pure functions of a small state. Both sides of the
// comparison share one View, which is what keeps them in sync. A View maps image pixel (u, v) to
// pane position (x + u·scale, y + v·scale), in CSS pixels.

export interface View {
  scale: number;
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 1 / 32;
export const MAX_SCALE = 32;

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/**
 * The whole image in the pane, centred, never enlarged past 100 %: a photo smaller than the pane is
 * shown pixel for pixel, since resampling it up would blur the very noise the user is judging
 * (200 % and above are a deliberate zoom, drawn with sharp pixels).
 */
export function fitView(image: Size, pane: Size): View {
  if (image.width <= 0 || image.height <= 0 || pane.width <= 0 || pane.height <= 0) return { scale: 1, x: 0, y: 0 };
  const scale = clampScale(Math.min(1, pane.width / image.width, pane.height / image.height));
  return { scale, x: (pane.width - image.width * scale) / 2, y: (pane.height - image.height * scale) / 2 };
}

/** Zoom to `scale` keeping the image point under pane position (ax, ay) where it is. */
export function zoomAt(view: View, scale: number, ax: number, ay: number): View {
  const s = clampScale(scale);
  const k = s / view.scale;
  return { scale: s, x: ax - (ax - view.x) * k, y: ay - (ay - view.y) * k };
}

/** A wheel notch (deltaY ≈ ±100) zooms by about 20 %; pinch deltas are smaller and finer. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-deltaY * 0.0018);
}

/** Pan, keeping at least `margin` pixels of the image inside the pane so it cannot get lost. */
export function panBy(view: View, dx: number, dy: number, image: Size, pane: Size, margin = 48): View {
  const w = image.width * view.scale;
  const h = image.height * view.scale;
  const clamp = (v: number, size: number, paneSize: number) =>
    Math.min(paneSize - Math.min(margin, size), Math.max(Math.min(margin, size) - size, v));
  return { scale: view.scale, x: clamp(view.x + dx, w, pane.width), y: clamp(view.y + dy, h, pane.height) };
}

/** The zoom percentage shown in the toolbar. */
export function zoomLabel(view: View): string {
  const p = view.scale * 100;
  return `${p >= 10 ? Math.round(p) : p.toFixed(1)} %`;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The part of an image (in its pixels) that a pane shows, clipped to the image; at most
 * `maxPixels` of it, then its middle with the same shape; null when none of the image is visible.
 * `pixelRatio` image pixels make one CSS pixel at scale 1 (the viewer's 100 % is device pixels).
 */
export function visibleRect(view: View, pane: Size, image: Size, pixelRatio: number, maxPixels: number): Rect | null {
  if (image.width <= 0 || image.height <= 0 || pane.width <= 0 || pane.height <= 0) return null;
  const k = pixelRatio / view.scale; // image pixels per CSS pixel of the pane
  const x0 = Math.max(0, Math.floor(-view.x * k));
  const y0 = Math.max(0, Math.floor(-view.y * k));
  const x1 = Math.min(image.width, Math.ceil((pane.width - view.x) * k));
  const y1 = Math.min(image.height, Math.ceil((pane.height - view.y) * k));
  const [w, h] = [x1 - x0, y1 - y0];
  if (w <= 0 || h <= 0) return null;
  const f = Math.sqrt(maxPixels / (w * h));
  if (f >= 1) return { x: x0, y: y0, width: w, height: h };
  const [cw, ch] = [Math.max(1, Math.floor(w * f)), Math.max(1, Math.floor(h * f))];
  return { x: x0 + ((w - cw) >> 1), y: y0 + ((h - ch) >> 1), width: cw, height: ch };
}
