"""QuickSelect draws the markup Django's Select draws, without its templates."""

import pytest
from django import forms

from locks.widgets import QuickSelect

CASES = [
    pytest.param(
        [("", "Every property")] + [(n, f'Hotel <{n}> & "Sons"') for n in range(30)],
        "5",
        {"id": "id_property", "class": "wide"},
        id="escaped labels, one chosen",
    ),
    pytest.param(
        [("", "Any room"), ("Harbour & Co", [(1, "Room 1"), (2, "Room 2")]), ("B", [(3, "R")])],
        ["2"],
        {"required": True, "disabled": False},
        id="groups, boolean attributes",
    ),
    pytest.param([(1, "a"), (2, "b")], None, None, id="nothing chosen"),
]


@pytest.mark.parametrize(("choices", "value", "attrs"), CASES)
def test_the_same_markup_as_djangos_select(choices, value, attrs):
    expected = forms.Select(choices=choices).render("property", value, attrs)
    assert QuickSelect(choices=choices).render("property", value, attrs) == expected


def test_a_bound_field_keeps_its_choice():
    class Filter(forms.Form):
        property = forms.TypedChoiceField(
            coerce=int, required=False, widget=QuickSelect, choices=[("", "Every"), (7, "Inn")]
        )

    html = str(Filter({"property": "7"})["property"])
    assert '<option value="7" selected>Inn</option>' in html
    assert 'id="id_property"' in html
