// Which pixels of the photo the Denoise viewer shows (the live preview's region).
import { describe, expect, it } from 'vitest';
import { fitView, visibleRect, zoomAt } from '../../../renderer/src/denoise/viewport.js';

const image = { width: 1200, height: 800 };
const pane = { width: 600, height: 400 };

describe('visibleRect', () => {
  it('is the whole photo when it fits the pane', () => {
    expect(visibleRect(fitView(image, pane), pane, image, 1, Infinity)).toEqual({
      x: 0,
      y: 0,
      width: 1200,
      height: 800,
    });
  });

  it('is the middle quarter at 200 % of fit, and follows a pan', () => {
    const zoomed = zoomAt(fitView(image, pane), 1, 300, 200); // scale 0.5 → 1 about the centre
    expect(visibleRect(zoomed, pane, image, 1, Infinity)).toEqual({ x: 300, y: 200, width: 600, height: 400 });
    const panned = { ...zoomed, x: zoomed.x + 100 };
    expect(visibleRect(panned, pane, image, 1, Infinity)).toEqual({ x: 200, y: 200, width: 600, height: 400 });
  });

  it('counts device pixels: at 100 % on a 2× screen a CSS pixel is two image pixels', () => {
    expect(visibleRect({ scale: 1, x: 0, y: 0 }, pane, image, 2, Infinity)).toEqual({
      x: 0,
      y: 0,
      width: 1200,
      height: 800,
    });
    expect(visibleRect({ scale: 2, x: -100, y: -50 }, pane, image, 2, Infinity)).toEqual({
      x: 100,
      y: 50,
      width: 600,
      height: 400,
    });
  });

  it('clips to the photo when it is panned partly out of the pane, and is null when it is out', () => {
    expect(visibleRect({ scale: 1, x: 400, y: 300 }, pane, image, 1, Infinity)).toEqual({
      x: 0,
      y: 0,
      width: 200,
      height: 100,
    });
    expect(visibleRect({ scale: 1, x: 600, y: 0 }, pane, image, 1, Infinity)).toBeNull();
    expect(visibleRect({ scale: 1, x: 0, y: 0 }, { width: 0, height: 400 }, image, 1, Infinity)).toBeNull();
  });

  it('keeps the middle of a large view, same shape, within the pixel limit', () => {
    const r = visibleRect(fitView(image, pane), pane, image, 1, 240_000)!;
    expect(r).toEqual({ x: 300, y: 200, width: 600, height: 400 });
    const odd = visibleRect(fitView(image, pane), pane, image, 1, 100_000)!;
    expect(odd.width * odd.height).toBeLessThanOrEqual(100_000);
    expect(odd.width / odd.height).toBeCloseTo(1.5, 2);
    expect(Math.abs(odd.x + odd.width / 2 - 600)).toBeLessThanOrEqual(1);
    expect(Math.abs(odd.y + odd.height / 2 - 400)).toBeLessThanOrEqual(1);
  });
});
