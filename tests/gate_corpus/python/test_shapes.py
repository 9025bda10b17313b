import pytest

from shapes import area


def test_area():
    assert area(2, 3) == 6


def test_area_wrong():
    result = area(2, 2)
    assert result == 5


def test_raises():
    raise ValueError("boom")


@pytest.mark.skip(reason="not ready")
def test_later():
    assert False
