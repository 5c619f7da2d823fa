"""The rubric: criteria with weights, scales and level descriptors; safe once marks exist."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from pitchjudge.errors import FormInvalid, NotFound, RubricLocked, ValidationError
from pitchjudge.i18n import N_
from pitchjudge.models import Criterion, Mark
from pitchjudge.services import audit
from pitchjudge.services.contests import ORGANISER
from pitchjudge.validation import clean_text, same_name

_DESCRIPTOR_LINE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*[=:–—-]\s*(.+?)\s*$")


@dataclass(frozen=True)
class CriterionInput:
    """What the rubric editor sends for one criterion."""

    name: str
    description: str = ""
    weight: float = 1.0
    scale_min: float = 1.0
    scale_max: float = 5.0
    scale_step: float = 1.0
    descriptors: list[dict] = field(default_factory=list)


def parse_descriptors(text: str) -> list[dict]:
    """Read level descriptors written one per line as "1 = no evidence"."""
    descriptors: list[dict] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _DESCRIPTOR_LINE.match(line)
        if not match:
            raise ValidationError(
                'Line {line} of the level descriptors should look like "1 = no evidence".',
                field="descriptors",
                line=number,
            )
        value = float(match.group(1).replace(",", "."))
        label = clean_text(
            match.group(2), field="descriptors", label=N_("Level descriptor"), max_length=300
        )
        descriptors.append({"value": value, "label": label})
    return descriptors


def format_descriptors(descriptors: list[dict] | None) -> str:
    """The inverse of `parse_descriptors`."""
    return "\n".join(f"{_number(d['value'])} = {d['label']}" for d in descriptors or [])


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def on_scale(value: float, *, scale_min: float, scale_max: float, scale_step: float) -> bool:
    """Whether `value` is one of the scale's steps."""
    if not (scale_min - 1e-9 <= value <= scale_max + 1e-9):
        return False
    steps = (value - scale_min) / scale_step
    return math.isclose(steps, round(steps), abs_tol=1e-6)


def _clean(data: CriterionInput) -> dict:
    errors: list[ValidationError] = []

    def attempt(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as error:
            errors.append(error)
            return None

    name = attempt(clean_text, data.name, field="name", label=N_("Criterion name"), max_length=120)
    description = attempt(
        clean_text,
        data.description,
        field="description",
        label=N_("Description"),
        max_length=2000,
        required=False,
        multiline=True,
    )
    numbers = {}
    for key in ("weight", "scale_min", "scale_max", "scale_step"):
        value = getattr(data, key)
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            errors.append(ValidationError("Enter a number.", field=key))
        numbers[key] = value
    if math.isfinite(numbers["weight"]) and not 0 < numbers["weight"] <= 1000:
        errors.append(
            ValidationError("The weight must be more than 0 (and at most 1000).", field="weight")
        )
    low, high, step = numbers["scale_min"], numbers["scale_max"], numbers["scale_step"]
    if all(math.isfinite(v) for v in (low, high, step)):
        if not -1000 <= low < high <= 1000:
            errors.append(
                ValidationError(
                    "The scale's maximum must be above its minimum (both between -1000 and 1000).",
                    field="scale_max",
                )
            )
        elif step <= 0 or step > high - low:
            errors.append(
                ValidationError(
                    "The step must be more than 0 and at most the scale's range.",
                    field="scale_step",
                )
            )
        elif not on_scale(high, scale_min=low, scale_max=high, scale_step=step):
            errors.append(
                ValidationError(
                    "Steps of {step} from {low} do not reach {high}: choose another step.",
                    field="scale_step",
                    step=_number(step),
                    low=_number(low),
                    high=_number(high),
                )
            )
        elif (high - low) / step > 1000:
            errors.append(
                ValidationError("A scale may have at most 1000 steps.", field="scale_step")
            )
        else:
            seen: set[float] = set()
            for descriptor in data.descriptors:
                value = float(descriptor["value"])
                if not on_scale(value, scale_min=low, scale_max=high, scale_step=step):
                    errors.append(
                        ValidationError(
                            "The level descriptor {value} is not on the scale.",
                            field="descriptors",
                            value=_number(value),
                        )
                    )
                elif value in seen:
                    errors.append(
                        ValidationError(
                            "The level {value} is described twice.",
                            field="descriptors",
                            value=_number(value),
                        )
                    )
                seen.add(value)
    if errors:
        raise FormInvalid(errors)
    return {
        "name": name,
        "description": description,
        **numbers,
        "descriptors": sorted(
            ({"value": float(d["value"]), "label": d["label"]} for d in data.descriptors),
            key=lambda d: d["value"],
        )
        or None,
    }


def list_criteria(*, session: Session, contest_id: int) -> Sequence[Criterion]:
    return session.exec(
        select(Criterion)
        .where(Criterion.contest_id == contest_id)
        .order_by(col(Criterion.position), col(Criterion.id))
    ).all()


def weight_percentages(criteria: Sequence[Criterion]) -> list[float]:
    """Each criterion's share of the total weight, in percent."""
    total = sum(c.weight for c in criteria)
    return [100.0 * c.weight / total if total else 0.0 for c in criteria]


def marks_count(*, session: Session, contest_id: int, criterion_id: int | None = None) -> int:
    """How many marks the contest (or one criterion) already holds."""
    query = select(func.count()).select_from(Mark).join(Criterion)
    query = query.where(Criterion.contest_id == contest_id)
    if criterion_id is not None:
        query = query.where(Mark.criterion_id == criterion_id)
    return session.exec(query).one()


def rubric_is_locked(*, session: Session, contest_id: int) -> bool:
    """Once a mark exists, criteria can no longer be added, removed or rescaled."""
    return marks_count(session=session, contest_id=contest_id) > 0


def _check_unique_name(session: Session, contest_id: int, name: str, exclude: int | None) -> None:
    for other in list_criteria(session=session, contest_id=contest_id):
        if other.id != exclude and same_name(other.name, name):
            raise FormInvalid(
                [
                    ValidationError(
                        "There is already a criterion called {name}.", field="name", name=name
                    )
                ]
            )


def add_criterion(*, session: Session, contest_id: int, data: CriterionInput) -> Criterion:
    """A new criterion at the end of the rubric (refused once marks exist)."""
    values = _clean(data)
    if rubric_is_locked(session=session, contest_id=contest_id):
        raise RubricLocked(
            "Judges have already given marks: criteria can no longer be added, removed or "
            "rescaled. You can still edit names, descriptions, descriptors and weights."
        )
    _check_unique_name(session, contest_id, values["name"], None)
    position = len(list_criteria(session=session, contest_id=contest_id))
    criterion = Criterion(contest_id=contest_id, position=position, **values)
    session.add(criterion)
    session.flush()
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="criterion",
        entity_id=criterion.id,
        action="create",
        new=values,
    )
    return criterion


def get_criterion(*, session: Session, criterion_id: int) -> Criterion:
    criterion = session.get(Criterion, criterion_id)
    if criterion is None:
        raise NotFound("This criterion does not exist.")
    return criterion


def update_criterion(*, session: Session, criterion_id: int, data: CriterionInput) -> Criterion:
    """Edit a criterion; its scale is frozen once it has marks (the database enforces it too)."""
    criterion = get_criterion(session=session, criterion_id=criterion_id)
    values = _clean(data)
    _check_unique_name(session, criterion.contest_id, values["name"], criterion.id)
    rescaled = any(
        not math.isclose(getattr(criterion, key), values[key])
        for key in ("scale_min", "scale_max", "scale_step")
    )
    if rescaled and marks_count(
        session=session, contest_id=criterion.contest_id, criterion_id=criterion.id
    ):
        raise RubricLocked(
            "{name} already has marks: its scale can no longer change. Names, descriptions, "
            "descriptors and weights can.",
            name=criterion.name,
        )
    before = {key: getattr(criterion, key) for key in values}
    audit.record_changes(
        session,
        contest_id=criterion.contest_id,
        actor=ORGANISER,
        entity="criterion",
        entity_id=criterion.id,
        before=before,
        after=values,
    )
    for key, value in values.items():
        setattr(criterion, key, value)
    session.add(criterion)
    session.flush()
    return criterion


def delete_criterion(*, session: Session, criterion_id: int) -> None:
    """Remove a criterion, refused once any mark exists in the contest."""
    criterion = get_criterion(session=session, criterion_id=criterion_id)
    if rubric_is_locked(session=session, contest_id=criterion.contest_id):
        raise RubricLocked(
            "Judges have already given marks: criteria can no longer be added, removed or "
            "rescaled. You can still edit names, descriptions, descriptors and weights."
        )
    contest_id = criterion.contest_id
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="criterion",
        entity_id=criterion.id,
        action="delete",
        old=criterion.name,
    )
    session.delete(criterion)
    session.flush()
    _renumber(session, list_criteria(session=session, contest_id=contest_id))


def _renumber(session: Session, criteria: Sequence[Criterion]) -> None:
    for position, item in enumerate(criteria):
        if item.position != position:
            item.position = position
            session.add(item)
    session.flush()


def move_criterion(*, session: Session, criterion_id: int, offset: int) -> None:
    """Move a criterion up (-1) or down (+1); order never affects marks."""
    criterion = get_criterion(session=session, criterion_id=criterion_id)
    criteria = list(list_criteria(session=session, contest_id=criterion.contest_id))
    index = next(i for i, c in enumerate(criteria) if c.id == criterion_id)
    target = index + offset
    if 0 <= target < len(criteria):
        criteria[index], criteria[target] = criteria[target], criteria[index]
        _renumber(session, criteria)


# --- the ready-made template ------------------------------------------------------------------

_LEVELS = {
    "en": ["no evidence", "weak", "adequate", "strong", "outstanding"],
    "fr": ["aucun élément", "faible", "correct", "solide", "remarquable"],
}

CLASSIC_TEMPLATE: dict[str, list[tuple[str, str, float]]] = {
    "en": [
        ("Team", "Skills, complementarity and commitment of the founders.", 20),
        ("Problem & market", "A real, painful problem; a market that is large and reachable.", 20),
        ("Product & innovation", "How new, defensible and convincing the solution is.", 20),
        ("Business model", "Who pays, how much, and why the economics work.", 15),
        ("Traction", "Evidence of demand: users, revenue, pilots, letters of intent.", 15),
        (
            "Pitch & answers to questions",
            "Clarity of the pitch, quality of the answers to the jury.",
            10,
        ),
    ],
    "fr": [
        ("Équipe", "Compétences, complémentarité et engagement des fondateurs.", 20),
        (
            "Problème & marché",
            "Un problème réel et douloureux ; un marché large et accessible.",
            20,
        ),
        ("Produit & innovation", "Nouveauté, défendabilité et pertinence de la solution.", 20),
        ("Modèle économique", "Qui paie, combien, et pourquoi l'économie tient.", 15),
        ("Traction", "Preuves de la demande : utilisateurs, chiffre d'affaires, pilotes, LOI.", 15),
        (
            "Pitch & réponses aux questions",
            "Clarté du pitch, qualité des réponses au jury.",
            10,
        ),
    ],
}


def classic_template(language: str) -> list[CriterionInput]:
    """The "classic startup pitch" rubric: six criteria on a 1–5 scale, in `language`."""
    language = language if language in CLASSIC_TEMPLATE else "en"
    levels = [{"value": float(i + 1), "label": label} for i, label in enumerate(_LEVELS[language])]
    return [
        CriterionInput(
            name=name,
            description=description,
            weight=weight,
            scale_min=1,
            scale_max=5,
            scale_step=1,
            descriptors=levels,
        )
        for name, description, weight in CLASSIC_TEMPLATE[language]
    ]


def apply_template(*, session: Session, contest_id: int, language: str) -> list[Criterion]:
    """Replace an unused rubric by the classic template."""
    if rubric_is_locked(session=session, contest_id=contest_id):
        raise RubricLocked(
            "Judges have already given marks: criteria can no longer be added, removed or "
            "rescaled. You can still edit names, descriptions, descriptors and weights."
        )
    for criterion in list_criteria(session=session, contest_id=contest_id):
        delete_criterion(session=session, criterion_id=criterion.id)
    return [
        add_criterion(session=session, contest_id=contest_id, data=item)
        for item in classic_template(language)
    ]


def scale_values(criterion: Criterion) -> list[float]:
    """Every value a mark of `criterion` may take, lowest first."""
    steps = round((criterion.scale_max - criterion.scale_min) / criterion.scale_step)
    return [criterion.scale_min + i * criterion.scale_step for i in range(steps + 1)]


def level_lines(criterion: Criterion) -> list[str]:
    """The level descriptors as "1 = …", one per level (shown on the scorecard itself)."""
    return [f"{_number(d['value'])} = {d['label']}" for d in criterion.descriptors or []]


def help_lines(criterion: Criterion) -> list[str]:
    """What a judge reads about a criterion: its description, then "1 = …" per level."""
    lines = [criterion.description] if criterion.description else []
    return lines + [f"{_number(d['value'])} = {d['label']}" for d in criterion.descriptors or []]
