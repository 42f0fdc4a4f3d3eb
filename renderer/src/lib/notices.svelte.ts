// Notices (toasts): short messages about what just happened. Errors stay until dismissed, because
// a user who looked away must still be able to read why something failed.

export type Tone = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  tone: Tone;
  text: string;
}

let next = 1;

class Notices {
  list = $state<Notice[]>([]);

  push(text: string, tone: Tone = 'info'): void {
    const id = next++;
    this.list = [...this.list.slice(-4), { id, tone, text }];
    if (tone !== 'error') setTimeout(() => this.dismiss(id), 5000);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}

export const notices = new Notices();
