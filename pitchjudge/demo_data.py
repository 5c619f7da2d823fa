"""The demo contest's texts, read from the JSON files under `data/demo/` (typed, checked).

`contest.json`: the contest's name, association, categories, call for applications and the
judges' sample comments; `judges.json`: the judges; `startups.json`: the 24 startups, each
with the texts and figures its application and deck are built from. Edit those files, not
Python, to change the demo. `PITCHJUDGE_DEMO_DIR` points elsewhere (tests, a packaged copy).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: `data/demo/` of the checkout this package runs from.
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


class DemoDataError(ValueError):
    """A demo data file is missing or malformed (its path and the problem are named)."""


@dataclass(frozen=True)
class DemoContestText:
    association: str
    name: str
    categories: tuple[str, ...]
    call: str
    comments: tuple[str, ...]
    #: category → the two axes of its deck's competition matrix.
    competition_axes: dict[str, tuple[str, str]]


@dataclass(frozen=True)
class DemoPrize:
    name: str
    sponsor: str
    amount: float
    source: str  # jury | audience | composite
    eligibility: str  # all | finalists | categories | list
    categories: tuple[str, ...]
    exclusive: bool
    jury_weight: float


def demo_dir() -> Path:
    return Path(os.environ.get("PITCHJUDGE_DEMO_DIR") or DEFAULT_DIR)


def _read(name: str) -> Any:
    path = demo_dir() / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DemoDataError(
            f"{path}: missing (the demo's data files live in data/demo/)"
        ) from error
    except json.JSONDecodeError as error:
        raise DemoDataError(f"{path}: not valid JSON ({error})") from error


def _tuples(value: Any) -> Any:
    """JSON arrays as tuples, as the demo's dataclasses hold them."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def _field(record: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in record:
        raise DemoDataError(f"{where}: '{key}' is missing")
    value = record[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise DemoDataError(f"{where}: '{key}' has the wrong type")
    return value


@cache
def contest_text() -> DemoContestText:
    data = _read("contest.json")
    where = "contest.json"
    return DemoContestText(
        association=_field(data, "association", str, where),
        name=_field(data, "name", str, where),
        categories=tuple(_field(data, "categories", list, where)),
        call=_field(data, "call", str, where),
        comments=tuple(_field(data, "comments", list, where)),
        competition_axes={
            category: (axes[0], axes[1])
            for category, axes in _field(data, "competition_axes", dict, where).items()
        },
    )


@cache
def judges() -> tuple[tuple[str, str, str], ...]:
    """(name, e-mail, affiliation) of each demo judge."""
    rows = []
    for index, judge in enumerate(_read("judges.json")):
        where = f"judges.json[{index}]"
        rows.append(
            (
                _field(judge, "name", str, where),
                _field(judge, "email", str, where),
                _field(judge, "affiliation", str, where),
            )
        )
    return tuple(rows)


@cache
def prizes() -> tuple[DemoPrize, ...]:
    """The demo contest's prizes, most prestigious first."""
    rows = []
    for index, prize in enumerate(_read("prizes.json")):
        where = f"prizes.json[{index}]"
        rows.append(
            DemoPrize(
                name=_field(prize, "name", str, where),
                sponsor=_field(prize, "sponsor", str, where),
                amount=float(_field(prize, "amount", (int, float), where)),
                source=_field(prize, "source", str, where),
                eligibility=_field(prize, "eligibility", str, where),
                categories=tuple(prize.get("categories", [])),
                exclusive=bool(_field(prize, "exclusive", bool, where)),
                jury_weight=float(prize.get("jury_weight", 0.7)),
            )
        )
    return tuple(rows)


@cache
def startup_specs() -> tuple[dict[str, Any], ...]:
    """Each startup as the keyword arguments of `demo_content._startup` (tuples, as before)."""
    specs = []
    for index, item in enumerate(_read("startups.json")):
        where = f"startups.json[{index}]"
        traction = _field(item, "traction", dict, where)
        ask = _field(item, "ask", dict, where)
        market = _field(item, "market", list, where)
        if len(market) != 3:
            raise DemoDataError(f"{where}: 'market' needs 3 rows (TAM, SAM, SOM)")
        specs.append(
            {
                "name": _field(item, "name", str, where),
                "category": _field(item, "category", str, where),
                "slug": _field(item, "slug", str, where),
                "one_liner": _field(item, "one_liner", str, where),
                "founders": tuple(
                    (f["name"], f["role"], f["background"])
                    for f in _field(item, "founders", list, where)
                ),
                "description": _field(item, "description", str, where),
                "problem": _tuples(_field(item, "problem", list, where)),
                "solution": _tuples(_field(item, "solution", list, where)),
                "market": tuple((m["value_m_eur"], m["scope"]) for m in market),
                "model": _tuples(_field(item, "model", list, where)),
                "traction": (
                    traction["label"],
                    traction["now"],
                    _tuples(traction["highlights"]),
                ),
                "competitors": tuple(
                    (c["name"], c["weakness"]) for c in _field(item, "competitors", list, where)
                ),
                "edge": _field(item, "edge", str, where),
                "ask": (ask["k_eur"], ask["stage"], _tuples(ask["milestones"])),
            }
        )
    return tuple(specs)
