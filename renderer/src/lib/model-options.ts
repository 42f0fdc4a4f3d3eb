// How every model list names its entries: a model that cannot do the list's job stays listed,
// disabled, with the reason the service gave (see main/service/capabilities.ts), so that a user
// sees why it is not offered rather than wondering where it went.
import type { ModelCard } from '../api/index.js';
import { floatOriginalName } from '../../../common/model/index.js';

export type ModelUse = 'denoise' | 'latent';

export function canUse(card: ModelCard, use: ModelUse): boolean {
  return card.capabilities[use].ok;
}

/** The reason a model cannot do a job, or null when it can. */
export function whyNot(card: ModelCard, use: ModelUse): string | null {
  const c = card.capabilities[use];
  return c.ok ? null : c.reason;
}

/** The entry's text: the name, and the reason when it is disabled. */
export function optionLabel(card: ModelCard, use: ModelUse): string {
  const reason = whyNot(card, use);
  return reason === null ? card.name : `${card.name} (${reason})`;
}

/**
 * Whether the Denoise picker leaves a model out: an int8 twin whose float original is listed is
 * reached through the "Fast" option beside the picker, not as a model of its own.
 */
export function reachedByFast(card: ModelCard, models: readonly ModelCard[]): boolean {
  const original = floatOriginalName(card.id);
  return original !== null && models.some((m) => m.id === original);
}
