/**
 * `value` as a JSON round trip (`JSON.parse(JSON.stringify(value))`) gives it — a deep copy in which
 * object keys holding undefined (or a function) are left out, such array items become null, and
 * non-finite numbers become null — built directly, without writing and parsing text: providers
 * make every observed and desired spec plain this way, once per resource per plan, and the state
 * stores copy snapshots and changes with it (exactly what a round trip through storage yields,
 * without the text). Objects that are
 * not plain (a Date, anything with toJSON) take the round trip itself; -0 becomes 0. (The
 * manifest resolvers' copy, manifest/clone.ts, keeps values exactly instead.)
 */
export function jsonCopy(value) {
    return copy(value);
}
function copy(v) {
    if (v === null)
        return null;
    switch (typeof v) {
        case "string":
        case "boolean":
            return v;
        case "number":
            return Number.isFinite(v) ? v + 0 : null; // -0 becomes 0, as in JSON
        case "object":
            break;
        case "bigint":
            return JSON.parse(JSON.stringify(v)); // throws, as the round trip does
        default:
            return undefined;
    }
    if (Array.isArray(v)) {
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++)
            out[i] = copy(v[i]) ?? null;
        return out;
    }
    const proto = Object.getPrototypeOf(v);
    if ((proto !== Object.prototype && proto !== null) || typeof v.toJSON === "function")
        return JSON.parse(JSON.stringify(v));
    const out = {};
    for (const key in v) {
        if (!Object.hasOwn(v, key))
            continue;
        const item = copy(v[key]);
        if (item === undefined)
            continue;
        if (key === "__proto__")
            Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
        else
            out[key] = item;
    }
    return out;
}
