// Whether a process id names a live process: how a later run tells the leftovers of a killed one
// (temp files, upload folders that carry its PID) from the work of one still running.

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
