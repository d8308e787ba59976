/**
 * The rebalance planner: a pure function from the current partition map, the load of
 * each partition and the live shards to a list of partition moves, with the predicted
 * max/mean shard load before and after. Nothing here moves anything; the coordinator
 * answers `colony rebalance --dry-run` with it now, and will feed live migration later.
 *
 * Greedy: while the hottest shard is above target × mean, move the partition of the
 * hottest shard that brings max(hottest − l, coldest + l) lowest onto the coldest shard,
 * and only when that is strictly below the hottest shard's load. Each move therefore
 * lowers one shard at the top and raises one strictly below the old top: the maximum
 * never rises, and the mean (total load over the same shards) never changes, so max/mean
 * never gets worse. Whole partitions can't beat their own size: when one partition
 * alone carries more than target × mean, the plan says so (that needs hot-key splitting).
 */

/** How a plan ended. */
export const PlanVerdict = {
  /** Already within the target: nothing to do. */
  Balanced: "balanced",
  /** The moves bring max/mean within the target. */
  Reached: "reached",
  /** The target would be reached (or improved on) with more moves than the cap allows. */
  Capped: "capped",
  /** No move of a whole partition lowers the hottest shard any further. */
  Stuck: "stuck",
  /** One partition alone is hotter than target × mean: no placement reaches the target. */
  Dominated: "dominated",
  /** No load measured yet (or no live shard): nothing to plan from. */
  NoLoad: "no_load",
} as const;
export type PlanVerdict = (typeof PlanVerdict)[keyof typeof PlanVerdict];

/** Default target max/mean shard load. */
export const DEFAULT_TARGET_RATIO = 1.15;
/** Default cap on moves per round: migrations pause pulls, so a round moves a few. */
export const DEFAULT_MAX_MOVES = 8;

export interface PlanInput {
  /** owners[p]: the shard that owns partition p now. */
  readonly owners: readonly string[];
  /** load[p]: the load of partition p (rows/s); missing or non-finite counts as 0. */
  readonly load: ArrayLike<number>;
  /** Shards that may hold partitions (a live shard that owns nothing yet has load 0). */
  readonly shards: readonly string[];
  readonly targetRatio?: number;
  readonly maxMoves?: number;
}

export interface Move {
  readonly partition: number;
  readonly from: string;
  readonly to: string;
  readonly load: number;
  readonly reason: string;
}

export interface RebalancePlan {
  readonly moves: Move[];
  readonly verdict: PlanVerdict;
  /** One sentence for the operator: what the plan does, or why it can't do more. */
  readonly explanation: string;
  readonly targetRatio: number;
  readonly maxMoves: number;
  /** Load per live shard now and after the moves. */
  readonly before: ReadonlyMap<string, number>;
  readonly after: ReadonlyMap<string, number>;
  readonly ratioBefore: number;
  readonly ratioAfter: number;
  /** Partitions owned by a shard that is not live: left where they are (failover's job, not the planner's). */
  readonly orphaned: number[];
  /** The hottest partition when the verdict is Dominated. */
  readonly dominant?: { readonly partition: number; readonly load: number; readonly mean: number };
}

/** max/mean of the values; 1 when they sum to 0 (no load is perfectly balanced). */
export function maxOverMean(loads: Iterable<number>): number {
  let max = 0;
  let sum = 0;
  let n = 0;
  for (const l of loads) {
    max = Math.max(max, l);
    sum += l;
    n++;
  }
  return sum > 0 ? max / (sum / n) : 1;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** Plans the moves that bring max/mean shard load toward the target, never making it worse. */
export function planRebalance(input: PlanInput): RebalancePlan {
  const targetRatio = input.targetRatio ?? DEFAULT_TARGET_RATIO;
  const maxMoves = input.maxMoves ?? DEFAULT_MAX_MOVES;
  if (!(targetRatio >= 1)) throw new RangeError(`targetRatio must be ≥ 1 (max/mean can't be lower), got ${targetRatio}`);
  if (!Number.isInteger(maxMoves) || maxMoves < 0) throw new RangeError(`maxMoves must be an integer ≥ 0, got ${maxMoves}`);

  const live = [...new Set(input.shards)];
  const loadOf = (p: number): number => {
    const l = input.load[p];
    return l !== undefined && Number.isFinite(l) && l > 0 ? l : 0;
  };
  const shardLoad = new Map<string, number>(live.map((s) => [s, 0]));
  const held = new Map<string, number[]>(live.map((s) => [s, []]));
  const orphaned: number[] = [];
  input.owners.forEach((owner, p) => {
    const list = held.get(owner);
    if (!list) {
      orphaned.push(p);
      return;
    }
    list.push(p);
    shardLoad.set(owner, shardLoad.get(owner)! + loadOf(p));
  });
  const before = new Map(shardLoad);
  const ratioBefore = maxOverMean(before.values());
  const total = [...before.values()].reduce((a, b) => a + b, 0);
  const base = { targetRatio, maxMoves, before, orphaned, ratioBefore };

  if (live.length === 0 || total <= 0) {
    return { ...base, moves: [], verdict: PlanVerdict.NoLoad, after: before, ratioAfter: ratioBefore,
      explanation: live.length === 0 ? "no live shard to place partitions on" : "no load measured yet: shards report their access rates about once a second" };
  }
  const mean = total / live.length;
  let hottestPartition = -1;
  for (const list of held.values()) for (const p of list) if (hottestPartition < 0 || loadOf(p) > loadOf(hottestPartition)) hottestPartition = p;
  const dominant = loadOf(hottestPartition) > targetRatio * mean
    ? { partition: hottestPartition, load: loadOf(hottestPartition), mean } : undefined;

  if (ratioBefore <= targetRatio) {
    return { ...base, moves: [], verdict: PlanVerdict.Balanced, after: before, ratioAfter: ratioBefore,
      explanation: `max/mean ${ratioBefore.toFixed(3)} is within the target ${targetRatio}: nothing to move` };
  }

  const moves: Move[] = [];
  /** max/mean after each move, to keep only the moves that pay off. */
  const ratios: number[] = [];
  let stuck = false;
  while (maxOverMean(shardLoad.values()) > targetRatio) {
    const [hot, hotLoad] = extreme(shardLoad, (a, b) => a > b);
    const [cold, coldLoad] = extreme(shardLoad, (a, b) => a < b);
    // The partition that leaves the pair's larger side lowest; only strict improvements.
    let best = -1;
    let bestPeak = hotLoad;
    for (const p of held.get(hot)!) {
      const l = loadOf(p);
      if (l <= 0) continue;
      const peak = Math.max(hotLoad - l, coldLoad + l);
      if (peak < bestPeak) {
        best = p;
        bestPeak = peak;
      }
    }
    if (best < 0) {
      stuck = true;
      break;
    }
    if (moves.length === maxMoves) break;
    const l = loadOf(best);
    shardLoad.set(hot, hotLoad - l);
    shardLoad.set(cold, coldLoad + l);
    held.set(hot, held.get(hot)!.filter((p) => p !== best));
    held.get(cold)!.push(best);
    moves.push({
      partition: best, from: hot, to: cold, load: l,
      reason: `${hot} is the hottest shard (${fmt(hotLoad)} rows/s, ${(hotLoad / mean).toFixed(2)}× mean); ${cold} the coldest (${fmt(coldLoad)})`,
    });
    ratios.push(maxOverMean(shardLoad.values()));
  }
  // With several shards tied at the top, a move lowers one of them and not yet the
  // maximum. Keep the shortest prefix that reaches the lowest max/mean: a move that
  // buys nothing still pauses its partition's pulls.
  let keep = 0;
  for (let i = 0; i < ratios.length; i++) if (ratios[i]! < (keep === 0 ? ratioBefore : ratios[keep - 1]!)) keep = i + 1;
  const truncated = keep < moves.length;
  moves.length = keep;
  const after = new Map(before);
  for (const m of moves) {
    after.set(m.from, after.get(m.from)! - m.load);
    after.set(m.to, after.get(m.to)! + m.load);
  }
  const ratioAfter = keep === 0 ? ratioBefore : ratios[keep - 1]!;
  const reached = ratioAfter <= targetRatio;
  const verdict = reached ? PlanVerdict.Reached : dominant ? PlanVerdict.Dominated : stuck || truncated ? PlanVerdict.Stuck : PlanVerdict.Capped;
  const explanation = {
    [PlanVerdict.Reached]: `${moves.length} move(s) bring max/mean from ${ratioBefore.toFixed(3)} to ${ratioAfter.toFixed(3)} (target ${targetRatio})`,
    [PlanVerdict.Dominated]: dominant
      ? `partition ${dominant.partition} alone carries ${fmt(dominant.load)} rows/s, ${(dominant.load / mean).toFixed(2)}× the mean shard load: no placement of whole partitions reaches ${targetRatio}; its hot keys need splitting into partitions of their own (not built yet). ${moves.length} move(s) bring max/mean from ${ratioBefore.toFixed(3)} to ${ratioAfter.toFixed(3)}`
      : "",
    [PlanVerdict.Stuck]: `no move of a whole partition lowers the hottest shard further; ${moves.length} move(s) bring max/mean from ${ratioBefore.toFixed(3)} to ${ratioAfter.toFixed(3)}`,
    [PlanVerdict.Capped]: `the cap of ${maxMoves} move(s) stops at max/mean ${ratioAfter.toFixed(3)} (from ${ratioBefore.toFixed(3)}); the next round continues`,
    [PlanVerdict.Balanced]: "",
    [PlanVerdict.NoLoad]: "",
  }[verdict];
  return { ...base, moves, verdict, explanation, after, ratioAfter, ...(dominant ? { dominant } : {}) };
}

/** The entry with the extreme value by `better`; ties go to the smaller id, so plans are deterministic. */
function extreme(loads: ReadonlyMap<string, number>, better: (a: number, b: number) => boolean): [string, number] {
  let id = "";
  let value = 0;
  for (const [k, v] of loads) {
    if (id === "" || better(v, value) || (v === value && k < id)) {
      id = k;
      value = v;
    }
  }
  return [id, value];
}
