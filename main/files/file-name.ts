// A user-supplied file name made safe to use on every platform: no folders, no reserved or control
// characters, no leading dots (hidden files), at most 200 characters.
export function safeFileName(name: string): string {
  const cleaned = Array.from(name, (ch) => (ch.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+/, '')
    .trim();
  return cleaned.slice(0, 200) || 'file';
}
