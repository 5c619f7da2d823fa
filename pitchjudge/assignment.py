"""Judge–pitch assignment: balanced, connected, well-mixed panels for a judging round."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

# Upper bound on trial moves in the connectivity repair; each trial is one linear-time
# union-find pass, so this keeps a hopeless (conflict-forced) split from costing seconds.
_MAX_REPAIR_TRIALS = 400


@dataclass(frozen=True)
class AssignmentPlan:
    """Which judge scores which pitch, with the numbers an organiser checks before publishing."""

    pairs: frozenset[tuple[int, int]]  # (judge_id, pitch_id)
    load: dict[int, int]  # judge_id -> number of pitches (every judge listed, 0 included)
    coverage: dict[int, int]  # pitch_id -> number of judges (every pitch listed, 0 included)
    connected: bool  # is_connected(pairs)
    warnings: list[str]  # English sentences for the organiser


def is_connected(pairs: Collection[tuple[int, int]]) -> bool:
    """Whether the bipartite judge–pitch graph of `pairs` is connected.

    Judges and pitches are the two sides (a judge and a pitch with the same id are different
    nodes); only ids that occur in `pairs` are nodes, so an unassigned judge does not count.
    Connected means every pair of judges is linked by a chain judge–pitch–judge–…, which is what
    a judge-leniency model needs to put all judges on one scale ("connected designs" in the
    block-design literature). An empty set of pairs is vacuously connected.
    """
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression keeps repeated finds cheap
            parent[node], node = root, parent[node]
        return root

    for judge_id, pitch_id in pairs:
        judge, pitch = ("j", judge_id), ("p", pitch_id)
        parent.setdefault(judge, judge)
        parent.setdefault(pitch, pitch)
        parent[find(judge)] = find(pitch)
    return len({find(node) for node in parent}) <= 1


def connectivity(pairs: Collection[tuple[int, int]]) -> float:
    """How well the judges of `pairs` are linked: the algebraic connectivity of their graph.

    `pitchjudge.scoring.precision.connectivity` (in pitches' worth of shared marking: 0 when
    the design falls apart, about the number of pitches for a complete panel); NaN with fewer
    than two judges.
    """
    import numpy as np

    from pitchjudge.scoring.precision import connectivity as algebraic_connectivity

    if not pairs:
        return float("nan")
    judges = sorted({j for j, _p in pairs})
    pitches = sorted({p for _j, p in pairs})
    judge_code = {j: k for k, j in enumerate(judges)}
    pitch_code = {p: k for k, p in enumerate(pitches)}
    pitch = np.array([pitch_code[p] for _j, p in pairs])
    judge = np.array([judge_code[j] for j, _p in pairs])
    return algebraic_connectivity(pitch, judge, len(pitches), len(judges))


def weak_design(pairs: Collection[tuple[int, int]]) -> bool:
    """Connected, but so loosely that judge offsets rest on a handful of marks."""
    from pitchjudge.scoring.precision import WEAK_CONNECTIVITY

    value = connectivity(pairs)
    return bool(value == value and 0 < value < WEAK_CONNECTIVITY)


def plan_assignments(
    *,
    judges: Sequence[int],
    pitches: Sequence[int],
    judges_per_pitch: int | None,
    conflicts: Collection[tuple[int, int]] = (),
    keep: Collection[tuple[int, int]] = (),
    seed: int = 0,
) -> AssignmentPlan:
    """Plan which judges score which pitches.

    `judges_per_pitch=None` ("all" mode): every judge scores every pitch, minus conflicts.

    `judges_per_pitch=k`: an incomplete design. Each pitch gets exactly k judges when it has at
    least k eligible ones (otherwise all of them, with a warning). The aim is what balanced
    incomplete block designs (BIBDs) achieve when they exist: equal judge loads and every pair of
    judges sitting together about equally often; BIBDs exist only for special sizes, so we
    approximate them in three steps:

    1. Greedy: pitches in turn (least slack first, so constrained pitches are served while many
       judges are still free) each take the least-loaded eligible judge, ties broken by fewest
       past co-occurrences with the judges already on this panel, then by a seeded random draw.
       Without conflicts this alone keeps max load − min load ≤ 1.
    2. Balance: while some judge has at least 2 pitches more than another one reachable through
       an alternating chain (judge A hands pitch p to judge B, who hands pitch q to C, …, each
       hand-over allowed by the conflicts), shift one pitch along that chain. When no such chain
       is left the loads minimise every convex spread measure at once, so max − min is as small
       as the conflicts and kept marks allow.
    3. Connect: a judge-leniency model (the "calibrated" results) can compare two judges only if
       the design is connected. If it is not, swap two assignments (judge a on p, judge b on q,
       from different groups → b on p, a on q), which leaves every load and coverage unchanged;
       failing that, hand one pitch to a judge of another group if max − min does not grow.
       Repeat until one group remains or nothing helps: balance is never traded for connection.

    `keep` pairs (judges who already marked a pitch) are always in the plan and count toward
    load and coverage; the rest is planned around them. A kept pair that is now conflicted, or
    names a judge or pitch not in this round, is dropped with a warning, because that mark
    will stop counting. Conflicted pairs are never assigned. Deterministic for a given seed.
    """
    if judges_per_pitch is not None and judges_per_pitch < 1:
        raise ValueError(f"judges_per_pitch must be at least 1 (got {judges_per_pitch})")
    judge_ids = list(dict.fromkeys(judges))
    pitch_ids = list(dict.fromkeys(pitches))
    j_index = {judge_id: i for i, judge_id in enumerate(judge_ids)}
    p_index = {pitch_id: i for i, pitch_id in enumerate(pitch_ids)}
    conflict_set = set(conflicts)
    warnings: list[str] = []

    # Kept marks: dropped only when they can no longer count, and the organiser is told.
    kept: list[set[int]] = [set() for _ in pitch_ids]
    for judge_id, pitch_id in sorted(set(keep)):
        if (judge_id, pitch_id) in conflict_set:
            warnings.append(
                f"Judge {judge_id} already scored pitch {pitch_id} but now has a conflict with "
                f"it: that mark is dropped and will stop counting."
            )
        elif judge_id not in j_index or pitch_id not in p_index:
            warnings.append(
                f"Judge {judge_id} already scored pitch {pitch_id}, but "
                f"{'the judge' if judge_id not in j_index else 'the pitch'} is not in this "
                f"round: that mark is dropped and will stop counting."
            )
        else:
            kept[p_index[pitch_id]].add(j_index[judge_id])

    eligible = [
        [j for j, judge_id in enumerate(judge_ids) if (judge_id, pitch_id) not in conflict_set]
        for pitch_id in pitch_ids
    ]
    for p, pitch_id in enumerate(pitch_ids):
        wanted = len(judge_ids) if judges_per_pitch is None else judges_per_pitch
        if not eligible[p]:
            warnings.append(f"Pitch {pitch_id} has no eligible judge: nobody can score it.")
        elif len(eligible[p]) < wanted and judges_per_pitch is not None:
            warnings.append(
                f"Pitch {pitch_id} has only {_count(len(eligible[p]), 'eligible judge')} "
                f"({wanted} wanted): every eligible judge is assigned."
            )
        if len(kept[p]) > wanted:
            warnings.append(
                f"Pitch {pitch_id} keeps {_count(len(kept[p]), 'judge')} who already scored it, "
                f"more than the {wanted} wanted."
            )

    if judges_per_pitch is None:
        assigned = [set(e) for e in eligible]  # kept pairs are eligible, hence already included
    else:
        rng = random.Random(seed)
        assigned = _greedy(len(judge_ids), eligible, kept, judges_per_pitch, rng)
        _balance(len(judge_ids), eligible, kept, assigned)
        _connect(len(judge_ids), eligible, kept, assigned)

    pairs = frozenset(
        (judge_ids[j], pitch_ids[p]) for p, panel in enumerate(assigned) for j in panel
    )
    load = dict.fromkeys(judge_ids, 0)
    for judge_id, _ in pairs:
        load[judge_id] += 1
    coverage = {pitch_id: len(assigned[p]) for p, pitch_id in enumerate(pitch_ids)}
    connected = is_connected(pairs)

    if judges_per_pitch is not None and load and max(load.values()) - min(load.values()) > 1:
        warnings.append(
            f"Judge loads range from {min(load.values())} to {max(load.values())} pitches: "
            f"the conflicts and kept marks allow no more even split."
        )
    idle = [judge_id for judge_id, n in load.items() if n == 0]
    if idle and pitch_ids:
        warnings.append(
            f"{'Judge' if len(idle) == 1 else 'Judges'} {_id_list(idle)} "
            f"{'has' if len(idle) == 1 else 'have'} no pitch to score."
        )
    if not connected:
        groups = _component_count(len(judge_ids), assigned)
        warnings.append(
            f"The judges fall into {groups} groups that share no pitch: calibrated results "
            f"cannot compare judges across groups."
        )
    return AssignmentPlan(
        pairs=pairs, load=load, coverage=coverage, connected=connected, warnings=warnings
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _id_list(ids: list[int]) -> str:
    if len(ids) == 1:
        return str(ids[0])
    return ", ".join(map(str, ids[:-1])) + f" and {ids[-1]}"


def _greedy(
    n_judges: int,
    eligible: list[list[int]],
    kept: list[set[int]],
    k: int,
    rng: random.Random,
) -> list[set[int]]:
    """Step 1 of plan_assignments: fill each panel with least-loaded, least-paired judges."""
    load = [0] * n_judges
    together = [[0] * n_judges for _ in range(n_judges)]  # past co-occurrences per judge pair
    assigned = [set(panel) for panel in kept]
    for panel in kept:
        for a in panel:
            load[a] += 1
            for b in panel:
                if a != b:
                    together[a][b] += 1

    # Least slack first: a pitch with few spare eligible judges must get them before they fill up.
    slack = [len(eligible[p]) - max(k, len(kept[p])) for p in range(len(eligible))]
    order = sorted(range(len(eligible)), key=lambda p: (slack[p], rng.random()))
    for p in order:
        panel = assigned[p]
        need = min(k, len(eligible[p])) - len(panel)
        if need <= 0:
            continue
        candidates = {j: rng.random() for j in eligible[p] if j not in panel}
        for _ in range(need):
            best = min(
                candidates,
                key=lambda j: (load[j], sum(together[j][c] for c in panel), candidates[j]),
            )
            del candidates[best]
            for c in panel:
                together[best][c] += 1
                together[c][best] += 1
            panel.add(best)
            load[best] += 1
    return assigned


def _balance(
    n_judges: int,
    eligible: list[list[int]],
    kept: list[set[int]],
    assigned: list[set[int]],
) -> None:
    """Step 2 of plan_assignments: shift pitches along alternating chains until loads are even.

    A chain from a judge with load ≥ L to one with load ≤ L − 2 lowers the sum of squared loads;
    when there is none for any L, the load vector is the unique "decreasingly minimal" one of the
    flow polytope, which also minimises max − min. One breadth-first search per load level L
    finds such a chain if any exists.
    """
    load = [0] * n_judges
    movable: list[set[int]] = [set() for _ in range(n_judges)]  # pitches a judge may hand over
    for p, panel in enumerate(assigned):
        for j in panel:
            load[j] += 1
            if j not in kept[p]:
                movable[j].add(p)

    def shift_along_chain(level: int) -> bool:
        sources = [j for j in range(n_judges) if load[j] >= level]
        came_from: dict[int, tuple[int, int]] = {}
        seen = set(sources)
        expanded: set[int] = set()  # a pitch offers the same hand-overs whoever holds it
        queue = deque(sources)
        while queue:
            a = queue.popleft()
            for p in sorted(movable[a]):
                if p in expanded:
                    continue
                expanded.add(p)
                for b in eligible[p]:
                    if b in seen or b in assigned[p]:
                        continue
                    seen.add(b)
                    came_from[b] = (a, p)
                    if load[b] <= level - 2:
                        _apply_chain(b, came_from, assigned, movable, load)
                        return True
                    queue.append(b)
        return False

    while n_judges:
        levels = sorted(set(load), reverse=True)
        lowest = levels[-1]
        if not any(shift_along_chain(level) for level in levels if level - 2 >= lowest):
            break


def _apply_chain(
    end: int,
    came_from: dict[int, tuple[int, int]],
    assigned: list[set[int]],
    movable: list[set[int]],
    load: list[int],
) -> None:
    load[end] += 1
    receiver = end
    while receiver in came_from:
        giver, p = came_from[receiver]
        assigned[p].discard(giver)
        movable[giver].discard(p)
        assigned[p].add(receiver)
        movable[receiver].add(p)
        receiver = giver
    load[receiver] -= 1  # the chain's source: only it and `end` change load


def _find(parent: list[int], node: int) -> int:
    root = node
    while parent[root] != root:
        root = parent[root]
    while parent[node] != root:
        parent[node], node = root, parent[node]
    return root


def _components(n_judges: int, assigned: list[set[int]]) -> tuple[list[int], int]:
    """Union-find over judges (0..n-1) and pitches (n..): root per judge, number of groups."""
    parent = list(range(n_judges + len(assigned)))
    used = [False] * len(parent)
    for p, panel in enumerate(assigned):
        for j in panel:
            used[j] = used[n_judges + p] = True
            parent[_find(parent, j)] = _find(parent, n_judges + p)
    roots = [_find(parent, node) for node in range(len(parent))]
    groups = len({roots[node] for node in range(len(parent)) if used[node]})
    return roots[:n_judges], groups


def _component_count(n_judges: int, assigned: list[set[int]]) -> int:
    return _components(n_judges, assigned)[1]


def _connect(
    n_judges: int,
    eligible: list[list[int]],
    kept: list[set[int]],
    assigned: list[set[int]],
) -> None:
    """Step 3 of plan_assignments: join separate groups of judges without unbalancing loads.

    First choice is a swap (judge a on p and judge b on q, from different groups → b on p, a on q),
    which changes no load or coverage. When no swap helps, a hand-over (judge a leaves p, judge c
    from another group takes it) is accepted if max load − min load does not grow: the balance
    found in step 2 is never traded for connectivity.
    """
    n_edges = sum(len(panel) for panel in assigned)
    n_nodes = sum(1 for panel in assigned if panel) + len({j for panel in assigned for j in panel})
    if n_edges < n_nodes - 1:
        return  # too few pairs for a spanning tree (e.g. one judge per pitch): hopeless
    eligible_sets = [set(e) for e in eligible]
    # If the conflicts themselves split the used judges (no allowed pair links the groups), no
    # move can help: stop before scanning thousands of candidates.
    allowed_root_of, _ = _components(
        n_judges, [eligible_sets[p] if panel else set() for p, panel in enumerate(assigned)]
    )
    if len({allowed_root_of[j] for panel in assigned for j in panel}) > 1:
        return
    budget = [_MAX_REPAIR_TRIALS]
    root_of, groups = _components(n_judges, assigned)

    def improves(do: Callable[[], None], undo: Callable[[], None]) -> bool:
        nonlocal root_of, groups
        budget[0] -= 1
        do()
        new_root_of, new_groups = _components(n_judges, assigned)
        if new_groups < groups:
            root_of, groups = new_root_of, new_groups
            return True
        undo()  # the moved pairs were bridges: no gain
        return False

    pitches_of: list[list[int]] = [[] for _ in range(n_judges)]  # where each judge may sit
    for p, allowed in enumerate(eligible):
        for j in allowed:
            pitches_of[j].append(p)

    def group_of(p: int) -> int | None:
        return root_of[min(assigned[p])] if assigned[p] else None

    def try_swaps() -> bool:
        # Out of the smallest group: fewest candidates to try.
        sizes = Counter(root_of[j] for panel in assigned for j in panel)
        smallest = min(sizes, key=lambda g: (sizes[g], g))
        for p, panel in enumerate(assigned):
            if group_of(p) != smallest:
                continue
            # Judges of other groups allowed on p; without any, no swap can touch p.
            outsiders = {b for b in eligible[p] if root_of[b] != smallest}
            if not outsiders:
                continue
            for a in sorted(panel - kept[p]):
                for q in pitches_of[a]:
                    if group_of(q) in (None, smallest) or a in assigned[q]:
                        continue
                    for b in sorted((assigned[q] - kept[q]) & outsiders):
                        if budget[0] <= 0:
                            return False
                        if improves(
                            lambda a=a, p=p, b=b, q=q: _swap(assigned, a, p, b, q),
                            lambda a=a, p=p, b=b, q=q: _swap(assigned, b, p, a, q),
                        ):
                            return True
        return False

    def try_handovers(movable: list[tuple[int, int]]) -> bool:
        load = [0] * n_judges
        for panel in assigned:
            for j in panel:
                load[j] += 1
        highest, lowest = max(load), min(load)
        for a, p in movable:
            if load[a] == lowest:
                continue  # a would sink below the minimum: max − min grows
            for c in eligible[p]:
                # c must stay within the maximum; an idle c would join no group.
                if not 0 < load[c] < highest or root_of[c] == root_of[a] or c in assigned[p]:
                    continue
                if budget[0] <= 0:
                    return False
                if improves(
                    lambda a=a, p=p, c=c: _hand_over(assigned, p, a, c),
                    lambda a=a, p=p, c=c: _hand_over(assigned, p, c, a),
                ):
                    return True
        return False

    while groups > 1 and budget[0] > 0:
        movable = [(j, p) for p, panel in enumerate(assigned) for j in sorted(panel - kept[p])]
        if not movable or not (try_swaps() or try_handovers(movable)):
            return


def _hand_over(assigned: list[set[int]], p: int, giver: int, taker: int) -> None:
    assigned[p].discard(giver)
    assigned[p].add(taker)


def _swap(assigned: list[set[int]], a: int, p: int, b: int, q: int) -> None:
    """Judge a leaves p for q, judge b leaves q for p."""
    assigned[p].discard(a)
    assigned[q].discard(b)
    assigned[p].add(b)
    assigned[q].add(a)
