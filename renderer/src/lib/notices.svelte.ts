// Notices (toasts): short messages about what just happened. Informational ones leave by
// themselves; errors stay until dismissed, because a user who looked away must still be able to
// read why something failed. An error's text goes through forPeople first: the notice says what
// happened in people's words, and the service's exact text (paths, shapes, validation) waits
// behind "Details" and in the console log.

import { forPeople } from '../../../main/common/for-people.js';

export type Tone = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  tone: Tone;
  text: string;
  /** The technical text behind the "Details" toggle, when it differs from `text`. */
  details?: string;
}

/** How long an informational or success notice stays. */
export const AUTO_DISMISS_MS = 5000;
/** Notices shown at once; older ones fold into a "N more" line. */
export const VISIBLE = 3;
/** Kept at all: beyond this the oldest go, informational ones first. */
const KEPT = 20;

let next = 1;

class Notices {
  list = $state<Notice[]>([]);

  push(text: string, tone: Tone = 'info'): void {
    const id = next++;
    const said = tone === 'error' ? forPeople(text) : { message: text };
    if (said.details) console.warn(`denoise-lab: ${said.details}`);
    let list = [...this.list, { id, tone, text: said.message, details: said.details }];
    while (list.length > KEPT) {
      const drop = list.findIndex((n) => n.tone !== 'error');
      list = list.filter((_, i) => i !== (drop >= 0 ? drop : 0));
    }
    this.list = list;
    if (tone !== 'error') setTimeout(() => this.dismiss(id), AUTO_DISMISS_MS);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }

  dismissAll(): void {
    this.list = [];
  }
}

export const notices = new Notices();
