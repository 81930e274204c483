import type { SimContext } from "./context.js";
import type { Caller } from "./tasks.js";

/**
 * Route table of the `/api2/json` tree: PVE-style path templates (`/nodes/{node}/qemu/{vmid}`)
 * mapped to handlers. Unknown path or method → the caller answers 501 `Method '…' not implemented`.
 */

/** What a handler sees of one request. `input` holds query and body parameters merged with path parameters. */
export interface RequestContext {
  sim: SimContext;
  method: string;
  path: string;
  input: Record<string, unknown>;
  caller: Caller;
  /** Set by fault injection: a task forked by this request fails with this text. */
  injectedTaskFailure?: string;
}

/** A handler result with extra envelope keys (e.g. `total`) or response headers. */
export class Reply {
  constructor(
    readonly data: unknown,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Returns the `data` payload (or a `Reply`); throws `PveError` for API errors. */
export type Handler = (ctx: RequestContext) => unknown;

/** One endpoint. `public` endpoints need no authentication (login, realm list). */
export interface Route {
  method: string;
  segments: string[];
  handler: Handler;
  public: boolean;
}

/** A matched route with its path parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** Collects routes and matches request paths against them. */
export class Router {
  private readonly routes: Route[] = [];

  /** Registers `handler` for `method` on a path template such as `/nodes/{node}/qemu/{vmid}/config`. */
  add(method: string, template: string, handler: Handler, opts: { public?: boolean } = {}): this {
    this.routes.push({ method, segments: template.split("/").filter(Boolean), handler, public: opts.public ?? false });
    return this;
  }

  /** Finds the route for `method` and `path` (relative to `/api2/json`), or undefined. */
  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i]!;
        const part = parts[i]!;
        if (seg.startsWith("{")) params[seg.slice(1, -1)] = part;
        else ok = seg === part;
      }
      if (ok) return { route, params };
    }
    return undefined;
  }
}
