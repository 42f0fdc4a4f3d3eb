// The one pseudo-random generator of Denoise Lab: xoshiro128** seeded through splitmix32.
// Initialisation, shuffling, patch sampling and noise all draw from it, so a seed gives the same
// numbers on every machine (Math.random is never used for anything reproducible).
// Its whole state is four 32-bit words, so checkpoints can store it and training can resume exactly.

export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  // The four state words live in a typed array as signed 32-bit integers, not in fields: a uint32
  // above 2^30 is not a small integer to V8, so each store to a field allocated a heap number
  // (a uniform draw took twice as long). For the same reason the Box–Muller spare is a Float64Array
  // slot. The words are read as unsigned only where they leave the class (state()).
  private readonly s = new Int32Array(4);
  /** A spare standard normal from the last Box–Muller pair (part of the state), valid if hasSpare. */
  private readonly spareSlot = new Float64Array(1);
  private hasSpare = false;

  constructor(seed: number | RngState = 0) {
    const s = this.s;
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
      // Mix both halves of a seed up to 2^53 so large seeds differ from small ones.
      const next = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x27d4eb2d));
      for (let i = 0; i < 4; i++) s[i] = next();
    } else {
      for (let i = 0; i < 4; i++) s[i] = seed[i]! >>> 0;
    }
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller; deterministic given the state). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareSlot[0]!;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareSlot[0] = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with N(mean, std²) samples. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** The generator's state, for checkpoints: the four words and the Box–Muller spare, if one is waiting. */
  state(): { words: RngState; spare: number | null } {
    const s = this.s;
    return { words: [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0], spare: this.hasSpare ? this.spareSlot[0]! : null };
  }

  static fromState(state: { words: RngState; spare: number | null }): Rng {
    const r = new Rng(state.words);
    if (state.spare !== null) {
      r.spareSlot[0] = state.spare;
      r.hasSpare = true;
    }
    return r;
  }

  /** An independent generator derived from this one (e.g. one per data-loader worker). */
  fork(): Rng {
    return new Rng([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
  }
}

/** 32-bit rotate left, as a signed 32-bit integer. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
