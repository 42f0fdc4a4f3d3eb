// Whether a path lies inside a folder, compared by path segments (a folder /a/b does not hold
// /a/bc). Both paths should be absolute and already resolved (realpath) where links matter.
import path from 'node:path';

/** True when `target` is `root` or lies under it. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
