"""The dependency graph: rules in an order where each comes after what it reads; cycles are errors."""

from __future__ import annotations

from ..core.messages import _
from .builder import Builder


class _CycleFound(Exception):
    pass


def order_of(b: Builder, deps: dict[str, set[str]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = [*stack[stack.index(node) :], node]
            first = cycle[0]
            key = f"category:{first[3:]}" if first.startswith("in_") else first
            where = b.where.get(key, (None, None))
            b.errors.add(
                _("rules depend on each other in a cycle: {cycle}", cycle=" → ".join(cycle)),
                file=where[0],
                line=where[1],
                field=cycle[0],
            )
            raise _CycleFound
        state[node] = 1
        for dep in sorted(deps.get(node, ())):
            if dep in deps:
                visit(dep, [*stack, node])
        state[node] = 2
        order.append(node)

    for node in sorted(deps):
        try:
            visit(node, [])
        except _CycleFound:
            return []
    return order
