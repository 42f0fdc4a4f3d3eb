// When a name is taken: the service refuses ('exists') unless told what to do, and the app asks
// the person here — replace, keep both, or cancel. Asking after the refusal (rather than checking
// first) leaves no gap in which another file could take the name unasked.
import { isNameTaken } from '../api/index.js';
import type { ClashPolicy } from '../api/index.js';
import { errorText } from './failure.js';

export interface ClashQuestion {
  /** What is taken, in words: "photo.png already exists in this folder". */
  text: string;
  /** A batch: the answer holds for every file of it. */
  many: boolean;
  answer(policy: ClashPolicy): void;
}

class Clash {
  /** The question on screen (ClashDialog.svelte draws it), or null. */
  question = $state<ClashQuestion | null>(null);

  /** Asks the person; resolves with their choice ('cancel' when the dialog is closed). */
  ask(text: string, many = false): Promise<ClashPolicy> {
    return new Promise((resolve) => {
      this.question = {
        text,
        many,
        answer: (policy) => {
          this.question = null;
          resolve(policy);
        },
      };
    });
  }

  /**
   * Runs `attempt` refusing clashes; if the name is taken, asks and runs it again with the
   * answer. Resolves with the result, or null when the person cancelled.
   */
  async resolve<T>(attempt: (policy: ClashPolicy) => Promise<T>): Promise<T | null> {
    try {
      return await attempt('cancel');
    } catch (e) {
      if (!isNameTaken(e)) throw e;
      const policy = await this.ask(errorText(e));
      return policy === 'cancel' ? null : attempt(policy);
    }
  }
}

export const clash = new Clash();
