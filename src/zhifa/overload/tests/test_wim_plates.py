"""The column form of the plate display form (``wim.normalise_plates``, applied to a whole batch of passes)
and
the scalar one (``core.identifiers.plate_display_form``, used for exchange rows and by ``normalise_plate``)
must
give the same plate: a violation found by the batch and the same vehicle typed in a form meet on one key."""

import polars as pl
import pytest

from zhifa.core.identifiers import normalise_plate, plate_display_form
from zhifa.overload import wim

PLATES = ["豫RA1234", "豫r·a1234", "豫R-D12345", "豫R 1234挂", " 豫R.A1234\t", "豫", "", "XX", "豫RA1"]


def test_column_and_scalar_display_forms_agree():
    frame = pl.DataFrame({"plate": PLATES, "plate_colour": ["黄"] * len(PLATES)})
    assert wim.normalise_plates(frame)["plate"].to_list() == [plate_display_form(p) for p in PLATES]


@pytest.mark.parametrize("raw", ["豫RA1234", "豫r·a1234", "豫R-D12345", "豫R 1234挂", " 豫R.A1234\t"])
def test_a_valid_plate_has_one_display_form_whether_judged_or_not(raw):
    assert normalise_plate(raw) == plate_display_form(raw)
