// How Docker finds an object by what a client gives: its full id, its name (a container's may come
// with a leading '/'), or an unambiguous prefix of its id.

export interface Named {
  id: string;
  name: string;
}

export function findByIdOrName<T extends Named>(
  objects: ReadonlyMap<string, T>,
  idOrName: string,
): T | undefined {
  const name = idOrName.replace(/^\//, '');
  const exact = objects.get(idOrName) ?? [...objects.values()].find((o) => o.name === name);
  if (exact) return exact;
  const byPrefix = [...objects.values()].filter((o) => o.id.startsWith(idOrName));
  return idOrName.length > 0 && byPrefix.length === 1 ? byPrefix[0] : undefined;
}
