"""An age given instead of a birth date reads back as the same age, on any day of the year."""
from datetime import date

import pytest

from desktop_app.domain.people import age_on, birth_date_from_age


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 1, 3), date(2028, 2, 29),
                                   date(2027, 6, 30), date(2027, 7, 1), date(2027, 12, 31)])
@pytest.mark.parametrize("age", [0, 1, 17, 18, 40, 99])
def test_estimated_birth_date_gives_the_age_back(today, age):
    birth = birth_date_from_age(age, today)
    assert (birth.month, birth.day) == (7, 1)
    assert age_on(birth, today) == age
