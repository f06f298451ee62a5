"""A cycle in a directed graph, found without recursion (a hostile file's graph may be deep)."""

from __future__ import annotations


def find_cycle(edges: list[list[int]]) -> int | None:
    """A node on a cycle of the graph (`edges[n]`: the nodes after n), if there is one
    (iterative depth-first search)."""
    state = [0] * len(edges)  # 0 new, 1 on the path, 2 done
    for start in range(len(edges)):
        if state[start]:
            continue
        stack = [(start, iter(edges[start]))]
        state[start] = 1
        while stack:
            node, following = stack[-1]
            step = next(following, None)
            if step is None:
                state[node] = 2
                stack.pop()
            elif state[step] == 1:
                return step
            elif state[step] == 0:
                state[step] = 1
                stack.append((step, iter(edges[step])))
    return None
