// Notices (toasts): short messages about what just happened, stacked in one corner over the
// right-hand side (components/Notices.svelte). Information goes away by itself; errors stay until
// dismissed, because a user who looked away must still be able to read why something failed.
// An error's technical account (lib/failure.ts) sits behind a "details" toggle and in the console.
import { failureOf } from './failure.js';

export type Tone = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  tone: Tone;
  text: string;
  /** The technical account of a failure, shown on request. */
  details: string | null;
}

/** How long an informational notice stays. */
export const INFO_MS = 5000;
/** Most notices shown at once; the oldest goes first. */
const MAX_SHOWN = 4;

let next = 1;

class Notices {
  list = $state<Notice[]>([]);

  push(text: string, tone: Tone = 'info', details: string | null = null): void {
    const id = next++;
    this.list = [...this.list.slice(1 - MAX_SHOWN), { id, tone, text, details }];
    if (tone !== 'error') setTimeout(() => this.dismiss(id), INFO_MS);
  }

  /**
   * A failure, said for people: `what` failed ("Could not open photo.png"), then what happened and
   * what to do. The technical account goes behind the toggle and to the console.
   */
  failed(what: string | null, e: unknown): void {
    const { text, details } = failureOf(e);
    if (details) console.warn(`Denoise Lab: ${what ?? 'failure'}:`, details);
    if (what === null) return this.push(text, 'error', details);
    // "Could not open a.png" + "a.png: corrupt …" names the file once.
    const named = /^([^:]{1,200}): /.exec(text);
    const reason = named && what.includes(named[1]!) ? text.slice(named[0].length) : text;
    this.push(`${what}: ${reason}`, 'error', details);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}

export const notices = new Notices();
