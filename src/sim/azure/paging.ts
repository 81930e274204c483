import type { ArmReply, ArmRequest, SimContext } from "./context.js";
import type { Json } from "./json.js";

/**
 * One page of a list: `{"value":[…],"nextLink":"<absolute URL>"}` with `nextLink` omitted on the last
 * page. Items must come sorted by lower-case `key`; the `$skiptoken` is the last key of the page
 * (base64url), so resources created or deleted between pages neither repeat nor shift the rest.
 * The page size is `knobs.pageSize`, lowered by a `$maxpagesize`/`$top` the client sends. The
 * `nextLink` keeps the request's other query parameters and writes `$skiptoken` with a literal `$`,
 * as ARM does.
 */
export function listPage<T>(sim: SimContext, req: ArmRequest, items: T[], key: (t: T) => string, render: (t: T) => Json): ArmReply {
  const token = req.url.searchParams.get("$skiptoken");
  const after = token ? Buffer.from(token, "base64url").toString("utf8") : undefined;
  let size = Math.max(1, sim.knobs.pageSize);
  for (const p of ["$maxpagesize", "$top"]) {
    const v = Number(req.url.searchParams.get(p));
    if (Number.isInteger(v) && v > 0) size = Math.min(size, v);
  }
  let start = 0;
  if (after !== undefined) {
    // items are sorted by lower-case key: the first one after the token, by binary search
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(items[mid]!).toLowerCase() > after) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const page = items.slice(start, start + size);
  const body: Json = { value: page.map(render) };
  if (start + size < items.length && page.length > 0) {
    const last = key(page[page.length - 1]!).toLowerCase();
    const params: string[] = [];
    for (const [k, v] of req.url.searchParams) if (k !== "$skiptoken") params.push(`${k}=${encodeURIComponent(v)}`);
    params.push(`$skiptoken=${Buffer.from(last, "utf8").toString("base64url")}`);
    body.nextLink = `${sim.baseUrl}${req.url.pathname}?${params.join("&")}`;
  }
  return { status: 200, body };
}
