// Whether two paths name one file, however they are spelled (relative, through links): used to
// refuse writing a result over its own input, which --overwrite would otherwise allow.
import { stat } from 'node:fs/promises';

export async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}
