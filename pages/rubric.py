"""Organiser: the rubric editor (criteria, weights, scales, level descriptors, order)."""

from functools import partial

import pandas as pd
import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.formatting import format_number
from pitchjudge.i18n import LANGUAGES
from pitchjudge.services import rubric
from pitchjudge.ui import confirm, state
from pitchjudge.ui.widgets import inert, run_and_reload, show_notice

NOTICE_KEY = "rubric_notice"
NEW_FORM_KEY = "rubric_new_generation"

_ = state.gettext()
lang = state.language()
ngettext = state.ngettext()
contest = state.organiser_page(_("Rubric"))

show_notice(NOTICE_KEY)

with state.db_session(read_only=True) as session:
    criteria = list(rubric.list_criteria(session=session, contest_id=contest.id))
    locked = rubric.rubric_is_locked(session=session, contest_id=contest.id)

LABELS = {
    "name": _("Criterion name"),
    "description": _("Description"),
    "weight": _("Weight"),
    "scale_min": _("Minimum"),
    "scale_max": _("Maximum"),
    "scale_step": _("Step"),
    "descriptors": _("Level descriptors"),
}

if locked:
    st.warning(
        _(
            "Judges have already given marks: criteria can no longer be added, removed or "
            "rescaled. You can still edit names, descriptions, descriptors and weights."
        ),
        icon=":material/lock:",
    )


run = partial(run_and_reload, notice_key=NOTICE_KEY, _=_, labels=LABELS)


if criteria:
    shares = rubric.weight_percentages(criteria)
    step_word = _("step")
    st.dataframe(
        pd.DataFrame(
            {
                "#": range(1, len(criteria) + 1),
                _("Criterion"): [c.name for c in criteria],
                _("Weight"): [format_number(c.weight, language=lang) for c in criteria],
                _("Share"): shares,
                _("Scale"): [
                    f"{format_number(c.scale_min, language=lang)}–"
                    f"{format_number(c.scale_max, language=lang)} "
                    f"({step_word} {format_number(c.scale_step, language=lang)})"
                    for c in criteria
                ],
            }
        ),
        column_config={
            _("Share"): st.column_config.ProgressColumn(
                _("Share"), format="%.0f %%", min_value=0, max_value=100
            )
        },
        hide_index=True,
        width="stretch",
    )
else:
    st.info(_("The rubric is empty. Start from the template or add criteria one by one."))


def criterion_form(prefix: str, initial: rubric.CriterionInput | None) -> rubric.CriterionInput:
    """The fields of one criterion; returns what was typed (checked by the service)."""
    initial = initial or rubric.CriterionInput(name="")
    name = st.text_input(LABELS["name"], value=initial.name, max_chars=120, key=f"{prefix}_name")
    description = st.text_area(
        LABELS["description"], value=initial.description, height=80, key=f"{prefix}_description"
    )
    cols = st.columns(4)
    weight = cols[0].number_input(
        LABELS["weight"],
        value=float(initial.weight),
        min_value=0.0,
        step=1.0,
        key=f"{prefix}_weight",
    )
    scale_min = cols[1].number_input(
        LABELS["scale_min"],
        value=float(initial.scale_min),
        step=1.0,
        key=f"{prefix}_min",
        disabled=locked,
    )
    scale_max = cols[2].number_input(
        LABELS["scale_max"],
        value=float(initial.scale_max),
        step=1.0,
        key=f"{prefix}_max",
        disabled=locked,
    )
    scale_step = cols[3].number_input(
        LABELS["scale_step"],
        value=float(initial.scale_step),
        min_value=0.0,
        step=0.25,
        key=f"{prefix}_step",
        disabled=locked,
    )
    descriptors_text = st.text_area(
        LABELS["descriptors"],
        value=rubric.format_descriptors(initial.descriptors),
        height=130,
        key=f"{prefix}_descriptors",
        help=_('Optional, one per line: "1 = no evidence", "5 = outstanding".'),
    )
    try:
        descriptors = rubric.parse_descriptors(descriptors_text)
    except PitchJudgeError as error:
        st.error(error.localized(_))
        descriptors = []
    return rubric.CriterionInput(
        name=name,
        description=description,
        weight=weight,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_step=scale_step,
        descriptors=descriptors,
    )


for index, criterion in enumerate(criteria):
    share = rubric.weight_percentages(criteria)[index]
    with st.expander(f"{index + 1}. {criterion.name} — {share:.0f} %"):
        with st.form(f"criterion_{criterion.id}", enter_to_submit=False):
            data = criterion_form(
                f"c{criterion.id}",
                rubric.CriterionInput(
                    name=criterion.name,
                    description=criterion.description,
                    weight=criterion.weight,
                    scale_min=criterion.scale_min,
                    scale_max=criterion.scale_max,
                    scale_step=criterion.scale_step,
                    descriptors=criterion.descriptors or [],
                ),
            )
            save = st.form_submit_button(_("Save the criterion"), type="primary")
        if save:
            run(
                lambda s, cid=criterion.id, d=data: rubric.update_criterion(
                    session=s, criterion_id=cid, data=d
                ),
                _("The criterion is saved."),
            )
        cols = st.columns(3)
        if cols[0].button(
            _("Move up"),
            key=f"up_{criterion.id}",
            icon=":material/arrow_upward:",
            disabled=index == 0,
        ):
            run(
                lambda s, cid=criterion.id: rubric.move_criterion(
                    session=s, criterion_id=cid, offset=-1
                ),
                _("The order is saved."),
            )
        if cols[1].button(
            _("Move down"),
            key=f"down_{criterion.id}",
            icon=":material/arrow_downward:",
            disabled=index == len(criteria) - 1,
        ):
            run(
                lambda s, cid=criterion.id: rubric.move_criterion(
                    session=s, criterion_id=cid, offset=1
                ),
                _("The order is saved."),
            )
        confirm.ask_button(
            _("Delete"),
            key=f"delete_{criterion.id}",
            where=cols[2],
            icon=":material/delete:",
            disabled=locked,
        )
        confirm.confirm_dialog(
            f"delete_{criterion.id}",
            title=_("Delete {name}?").format(name=criterion.name),
            lines=lambda count=len(criteria): [
                ngettext(
                    "The rubric keeps {count} criterion; the weights of the others are "
                    "shared out again.",
                    "The rubric keeps {count} criteria; the weights of the others are "
                    "shared out again.",
                    count - 1,
                ).format(count=count - 1)
            ],
            confirm_label=_("Delete"),
            action=partial(
                run,
                lambda s, cid=criterion.id: rubric.delete_criterion(session=s, criterion_id=cid),
                _("The criterion is deleted."),
            ),
            _=_,
        )

if not locked:
    st.header(_("Add a criterion"))
    # A new key after each criterion added: the form starts empty again.
    generation = st.session_state.get(NEW_FORM_KEY, 0)
    with st.form(f"criterion_new_{generation}", enter_to_submit=False):
        new = criterion_form(f"new{generation}", rubric.CriterionInput(name="", descriptors=[]))
        add = st.form_submit_button(_("Add the criterion"), type="primary")
    if add:

        def add_criterion(s):
            added = rubric.add_criterion(session=s, contest_id=contest.id, data=new)
            st.session_state[NEW_FORM_KEY] = generation + 1
            return added

        run(add_criterion, _("The criterion is added."))

    st.header(_("Template"))
    st.write(
        _(
            "“Classic startup pitch”: Team; Problem & market; Product & innovation; Business "
            "model; Traction; Pitch & answers to questions — on a 1–5 scale with level "
            "descriptors."
        )
    )
    cols = st.columns([2, 3], vertical_alignment="bottom")
    template_language = cols[0].selectbox(
        _("Template language"),
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(contest.language),
        format_func=LANGUAGES.__getitem__,
        key="rubric_template_language",
    )
    use_template = partial(
        run,
        lambda s: rubric.apply_template(
            session=s, contest_id=contest.id, language=template_language
        ),
        _("The classic template is in place."),
    )
    if not criteria:
        if st.button(_("Use the classic template"), key="rubric_template"):
            use_template()
    else:
        confirm.ask_button(_("Use the classic template"), key="rubric_template")
        confirm.confirm_dialog(
            "rubric_template",
            title=_("Replace the rubric?"),
            lines=lambda: [
                "**"
                + ngettext(
                    "The {count} current criterion is deleted",
                    "The {count} current criteria are deleted",
                    len(criteria),
                ).format(count=len(criteria))
                + "**: "
                + ", ".join(inert(c.name) for c in criteria)
                + ".",
                _("The classic template's {count} criteria take their place.").format(
                    count=len(rubric.classic_template(template_language))
                ),
            ],
            confirm_label=_("Replace the rubric"),
            action=use_template,
            _=_,
        )
