// Giving memory back after images are released. Images live in Float32Arrays outside V8's heap;
// V8 collects them only when it next runs a garbage collection, which it schedules by allocation
// pressure: a worker that goes idle after a release would keep hundreds of MB of dead pixels for
// as long as the app runs. So a release asks for one full collection once the worker is idle.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** V8's gc(), exposed for this isolate only through a fresh context (null where unavailable). */
function collector(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

let timer: NodeJS.Timeout | null = null;

/** Collect garbage soon, once (several releases in a row cost one collection). */
export function collectSoon(delayMs = 50): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    collector()?.();
  }, delayMs);
}
