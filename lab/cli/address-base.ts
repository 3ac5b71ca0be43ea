// The first three octets of the loopback /24 a lab uses (127.x.y): every server and every fault of
// a run stays inside it. One rule for every way of giving it (BBS_LAB_ADDRESS_BASE, --base).

/** The problem with `value` as an address base, or null when it is one. */
export function addressBaseProblem(value: string): string | null {
  if (!/^127\.(\d{1,3})\.(\d{1,3})$/.test(value) || value.split('.').some((x) => Number(x) > 255)) {
    return `must be the first three octets of a loopback address such as 127.0.5, got ${JSON.stringify(value)}`;
  }
  return null;
}
