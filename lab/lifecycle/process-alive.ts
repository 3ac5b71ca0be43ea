// Whether a pid names a live process: how cleanup tells a lab that still runs (keep its things)
// from one that is gone (remove them).

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
