import type { MethodCtx } from "../registry.js";
import type { World } from "../world.js";

const computed = new WeakMap<World, { revision: number; space: PoolSpace }>();

/**
 * Space accounting of the simulated pool: bytes used per dataset subtree (non-sparse zvols reserve
 * their volsize) and what is left, computed in one pass over the datasets — so rendering every
 * dataset of a `pool.dataset.query` costs the size of the pool once, not once per dataset.
 */
export class PoolSpace {
  private constructor(private readonly usedBy: Map<string, number>, private readonly size: number) {}

  /** The accounting of the pool now (computed again only after the world changed). */
  static of(ctx: MethodCtx): PoolSpace {
    const world = ctx.sim.world;
    const hit = computed.get(world);
    if (hit && hit.revision === world.revision) return hit.space;
    const space = PoolSpace.compute(ctx);
    computed.set(world, { revision: world.revision, space });
    return space;
  }

  private static compute(ctx: MethodCtx): PoolSpace {
    const used = new Map<string, number>();
    for (const d of ctx.sim.world.datasets.values()) {
      if (d.type !== "VOLUME" || d.props.sparse) continue;
      const bytes = Number(d.props.volsize ?? 0);
      for (let name = d.name; ; name = name.slice(0, name.lastIndexOf("/"))) {
        used.set(name, (used.get(name) ?? 0) + bytes);
        if (!name.includes("/")) break;
      }
    }
    return new PoolSpace(used, ctx.sim.settings.poolSizeBytes);
  }

  /** Bytes used by `name` and everything below it. */
  used(name: string): number {
    return this.usedBy.get(name) ?? 0;
  }

  /** Bytes left in pool `tank`. */
  available(): number {
    return Math.max(0, this.size - this.used("tank"));
  }
}
