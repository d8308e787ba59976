/**
 * Where each worker runs: a pure function from the desired worker count, the live hosts
 * (the root supervisor's machine and the agents that joined) and the current placement
 * to the next placement. It moves nothing that does not have to move: every worker on a
 * live host within its capacity stays; workers of a lost host keep their ids and go to
 * the least-loaded live hosts; new workers get the lowest free `worker-<n>` ids.
 */
import { ROOT_HOST } from "../protocols/index.js";

/** A live host that can run workers, with the most it will run at once. */
export interface PlacementHost { readonly id: string; readonly capacity: number }

const numberOf = (id: string): number => Number(id.slice(id.lastIndexOf("-") + 1));
const byNumber = (a: string, b: string): number => numberOf(a) - numberOf(b) || a.localeCompare(b);

/**
 * The next placement. Guarantees: exactly `desired` workers placed (fewer only when the
 * hosts' capacities sum to less), each id once, none on a host missing from `hosts`,
 * no host above its capacity, and every worker of `current` that may stay, stays.
 * Ties go to agents before the root (added machines get used), then by host id.
 */
export function placeWorkers(opts: {
  readonly desired: number;
  readonly hosts: readonly PlacementHost[];
  readonly current: Readonly<Record<string, readonly string[]>>;
}): Record<string, string[]> {
  const live = new Map(opts.hosts.map((h) => [h.id, h]));
  const next: Record<string, string[]> = Object.fromEntries(opts.hosts.map((h) => [h.id, [] as string[]]));
  const homeless: string[] = [];
  const seen = new Set<string>();
  for (const [hostId, ids] of Object.entries(opts.current)) {
    const host = live.get(hostId);
    for (const id of [...ids].sort(byNumber)) {
      if (seen.has(id)) continue;
      seen.add(id);
      if (host && next[hostId]!.length < host.capacity) next[hostId]!.push(id);
      else homeless.push(id);
    }
  }
  const placed = (): number => Object.values(next).reduce((n, ids) => n + ids.length, 0);
  // Scale-down: drop homeless workers first (they run nowhere), then the highest id of the most-loaded host.
  homeless.sort(byNumber);
  while (placed() + homeless.length > opts.desired && homeless.length > 0) homeless.pop();
  while (placed() > opts.desired) {
    const fullest = [...Object.entries(next)].sort(([a, x], [b, y]) => y.length - x.length || (a === ROOT_HOST ? -1 : b === ROOT_HOST ? 1 : b.localeCompare(a)))[0]!;
    fullest[1].sort(byNumber).pop();
  }
  const leastLoaded = (): string | undefined => opts.hosts
    .filter((h) => next[h.id]!.length < h.capacity)
    .sort((a, b) => next[a.id]!.length - next[b.id]!.length || (a.id === ROOT_HOST ? 1 : b.id === ROOT_HOST ? -1 : a.id.localeCompare(b.id)))[0]?.id;
  const taken = new Set([...Object.values(next).flat(), ...homeless]);
  let n = 0;
  const freshId = (): string => {
    while (taken.has(`worker-${n}`)) n++;
    taken.add(`worker-${n}`);
    return `worker-${n}`;
  };
  while (placed() < opts.desired) {
    const host = leastLoaded();
    if (host === undefined) break;
    next[host]!.push(homeless.shift() ?? freshId());
  }
  for (const ids of Object.values(next)) ids.sort(byNumber);
  return next;
}
