/** A node of a dependency graph: its id and the ids it depends on. */
export interface GraphNode {
  id: string;
  edges: string[];
}

/**
 * Finds one cycle in a directed graph (edges to unknown ids are ignored). Returns the ids on the
 * cycle in order, or undefined when the graph is acyclic. Iterative, so deep graphs cannot overflow.
 */
export function findCycle(nodes: GraphNode[]): string[] | undefined {
  const edges = new Map(nodes.map((n) => [n.id, n.edges]));
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  for (const start of [...edges.keys()].sort()) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const out = edges.get(top.id) ?? [];
      if (top.next >= out.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const to = out[top.next++]!;
      if (!edges.has(to)) continue;
      if (state.get(to) === 1) {
        const from = stack.findIndex((f) => f.id === to);
        return stack.slice(from).map((f) => f.id);
      }
      if (!state.has(to)) {
        state.set(to, 1);
        stack.push({ id: to, next: 0 });
      }
    }
  }
  return undefined;
}
