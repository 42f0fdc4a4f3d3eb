// The one place where a failure (a failed call or job, a refused request, a lost connection)
// becomes what a person reads: a short text saying what happened and what to do, and the technical
// account kept apart for a "details" toggle and the console. Internal paths (the web host's
// temporary upload folder, the data folder) never reach the text: a path is shown by its file name.
import { CallFailed } from '../../../common/api.js';

export interface Failure {
  /** What happened and what to do, in words. */
  text: string;
  /** The technical account (the service's raw message, its code and details), or null if the text says it all. */
  details: string | null;
}

/**
 * An absolute path (POSIX or Windows drive) standing on its own in a message: its folders may hold
 * single spaces ("My Photos"), its last part may not, so "/a/b.png and /c/d.png" is two paths.
 */
const ABSOLUTE_PATH =
  /(?<=^|[\s'"‘“(=[])(?:[A-Za-z]:[\\/]|\/)(?:[^\\/\s:'"‘’“”]+(?: [^\\/\s:'"‘’“”]+)*[\\/])*[^\\/\s:'"‘’“”,;)\]]+/g;

/** `text` with every absolute path replaced by its last part (the file's or folder's name). */
export function withoutPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (p) => p.split(/[\\/]/).filter(Boolean).pop() ?? p);
}

export function failureOf(e: unknown): Failure {
  if (!(e instanceof Error)) return { text: withoutPaths(String(e)), details: String(e) };
  if (e.name === 'JobCancelled') return { text: 'The job was cancelled.', details: null };
  // fetch() rejects with a TypeError when the host is gone (the web door).
  if (e instanceof TypeError && /fetch|network/i.test(e.message))
    return {
      text: 'Denoise Lab’s service could not be reached. Check that it is still running, then reload the page.',
      details: e.message,
    };
  const text = withoutPaths(e.message);
  const extra = e instanceof CallFailed ? e.details : (e as { details?: unknown }).details;
  const lines = [
    text === e.message ? null : e.message,
    typeof extra === 'string' && extra ? extra : null,
    e instanceof CallFailed && e.code ? `code: ${e.code}` : null,
  ].filter((l): l is string => l !== null);
  // A code alone says nothing a person needs.
  return {
    text,
    details: lines.length && !(lines.length === 1 && lines[0]!.startsWith('code: ')) ? lines.join('\n') : null,
  };
}

/** The text of a failure, for places with room for one line (a queue row, a run's error). */
export function errorText(e: unknown): string {
  return failureOf(e).text;
}
