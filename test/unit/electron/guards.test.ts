// The Electron window's navigation and external-link rules (main/electron/guards.ts), checked
// without Electron: main.ts applies exactly these decisions to will-navigate, will-redirect,
// will-frame-navigate and the window-open handler.
import { describe, expect, it } from 'vitest';
import { documentationLinks, externalLinkAllowed, navigationAllowed } from '../../../main/electron/guards.js';

describe('navigation guard', () => {
  it("allows the app's own page and nothing else", () => {
    expect(navigationAllowed('app://denoise-lab/index.html')).toBe(true);
    expect(navigationAllowed('app://denoise-lab/index.html#/lab')).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/?token=x',
      'app://other/index.html',
      'app://denoise-lab.evil.example/index.html',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'about:blank',
      'chrome://gpu',
      'not a url',
      '',
    ])
      expect(navigationAllowed(url), url).toBe(false);
  });
});

describe('external links', () => {
  const docs = ['https://docs.example.org/denoise-lab/guide', 'https://docs.example.org/denoise-lab/cli'];

  it('opens exactly the allow-listed documentation links (a fragment may differ)', () => {
    expect(externalLinkAllowed('https://docs.example.org/denoise-lab/guide', docs)).toBe(true);
    expect(externalLinkAllowed('https://docs.example.org/denoise-lab/cli#threads', docs)).toBe(true);
    expect(externalLinkAllowed('HTTPS://DOCS.EXAMPLE.ORG/denoise-lab/guide', docs)).toBe(true);
  });

  it('refuses everything else: other pages, look-alike hosts, other schemes, credentials', () => {
    for (const url of [
      'https://docs.example.org/denoise-lab/guide/../../evil',
      'https://docs.example.org/denoise-lab/guidebook',
      'https://docs.example.org/denoise-lab/guide?next=https://evil.example',
      'https://docs.example.org.evil.example/denoise-lab/guide',
      'https://evil.example/https://docs.example.org/denoise-lab/guide',
      'https://user:pass@docs.example.org/denoise-lab/guide',
      'http://docs.example.org/denoise-lab/guide',
      'file:///home/user/.bashrc',
      'javascript:alert(1)',
      'app://denoise-lab/index.html',
      'not a url',
    ])
      expect(externalLinkAllowed(url, docs), url).toBe(false);
  });

  it("the app's list holds only https links, and by default an arbitrary https page is refused", () => {
    for (const link of documentationLinks) expect(externalLinkAllowed(link), link).toBe(true);
    expect(externalLinkAllowed('https://example.com/')).toBe(false);
  });
});
