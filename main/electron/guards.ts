// The Electron door's navigation and link rules, as plain functions so they can be tested without
// Electron (main.ts wires them to the window's events). The window only ever shows our own page:
// a navigation, redirect or frame navigation anywhere else is stopped, new windows are refused,
// and only the project's own documentation links are handed to the system browser.
import { isTrustedSender } from './ipc.js';

/**
 * Outside pages the app may open in the system browser, as exact https URLs (a fragment is
 * ignored). The renderer links to no outside page today; a documentation link added to the UI
 * must be listed here, or clicking it does nothing (the refusal is logged).
 */
export const documentationLinks: readonly string[] = [];

/** Whether the window may navigate (or be redirected, or let a frame navigate) to `url`: our page only. */
export function navigationAllowed(url: string): boolean {
  return isTrustedSender(url);
}

/**
 * Whether `url` may be opened in the system browser: an https URL that equals an allow-listed
 * link exactly, up to its fragment. No prefix matching (so `…/docs.evil.example` or a longer path
 * cannot ride on an allowed one), no user name or password, nothing but https.
 */
export function externalLinkAllowed(url: string, allowList: readonly string[] = documentationLinks): boolean {
  const target = withoutFragment(url);
  if (!target || target.protocol !== 'https:' || target.username || target.password) return false;
  return allowList.some((allowed) => withoutFragment(allowed)?.href === target.href);
}

function withoutFragment(url: string): URL | null {
  try {
    const u = new URL(url);
    u.hash = '';
    return u;
  } catch {
    return null;
  }
}
