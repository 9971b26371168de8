"""Random values in every form field never make the app fail (no 5xx).

Each example starts from the saved world and the form's valid data, then replaces any of
its fields with text full of control characters, huge or negative numbers, or odd dates.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conference.security import corpus

CONTROL_CHARACTERS = "\r\n\t\x0b\x0c\x1b\x7f\u2028\u202e\ufeff"

texts = st.text(
    st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(CONTROL_CHARACTERS)),
    max_size=300,
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda value: value.strftime("%Y-%m-%dT%H:%M")
    ),
    st.times().map(lambda value: value.strftime("%H:%M")),
    st.builds(
        lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
        st.integers(0, 99999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
)
any_value = st.one_of(texts, numbers, dates, st.sampled_from(corpus.INVALID_ZONES), st.just(""))


def _form_data(case, values):
    """The form's valid data with any of its fields replaced by a random value."""
    valid = case.data(values)
    names = sorted(set(valid) | set(case.field_names(values)))
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(valid.get(name, "")), any_value) for name in names}
    )


@pytest.mark.parametrize("case", corpus.FORMS, ids=[case.name for case in corpus.FORMS])
def test_random_form_values_never_fail_the_app(fresh, case):
    values = fresh.values

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_form_data(case, values))
    def post_random_values(data):
        fresh.restore()
        client = fresh.clients()[case.role]
        if case.method == "GET":
            response = client.get(case.url(values), query_string=data)
        else:
            response = client.post(case.url(values), data=data)
        response.close()
        assert response.status_code < 500, (case.name, data)

    post_random_values()
