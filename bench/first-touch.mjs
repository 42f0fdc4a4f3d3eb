#!/usr/bin/env node
// What a fresh page of memory costs on this machine (dev only): the loop that turns a decoded
// 12-MP photo (interleaved 8-bit RGB) into float planes, once into a new array and once more into
// the same array, whose pages are then already touched. The difference over the pages written is
// the cost of a page's first touch, which the in-place tiling, the estimator's in-place box mean
// and the decode's early page touching were made to avoid or hide (README, Engine benchmark).
//
//   node bench/first-touch.mjs [megapixels=12] [rounds=3]

const mp = Number(process.argv[2] ?? 12);
const rounds = Number(process.argv[3] ?? 3);
const n = Math.round(mp * 1e6);
const samples = new Uint8Array(3 * n);
for (let i = 0; i < samples.length; i++) samples[i] = (i * 7) & 255;

function toPlanes(data) {
  for (let c = 0; c < 3; c++)
    for (let i = 0, j = c; i < n; i++, j += 3) data[c * n + i] = samples[j] / 255;
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const fresh = [];
const again = [];
for (let r = 0; r < rounds; r++) {
  const data = new Float32Array(3 * n);
  let t0 = performance.now();
  toPlanes(data);
  fresh.push(performance.now() - t0);
  t0 = performance.now();
  toPlanes(data);
  again.push(performance.now() - t0);
}
const pages = (3 * n * 4) / 4096;
const f = median(fresh);
const a = median(again);
console.log(`${mp} MP as float planes (${((3 * n * 4) / 1e6).toFixed(0)} MB), ${rounds} rounds, median (min–max):`);
console.log(`  into a new array      ${f.toFixed(0)} ms (${Math.min(...fresh).toFixed(0)}–${Math.max(...fresh).toFixed(0)})`);
console.log(`  into the same again   ${a.toFixed(0)} ms (${Math.min(...again).toFixed(0)}–${Math.max(...again).toFixed(0)})`);
console.log(`  first touch of a page ${(((f - a) * 1000) / pages).toFixed(1)} µs (${pages.toFixed(0)} pages of 4 KiB)`);
