import pytest
from django.urls import reverse

from sotclinic.id_urls import id_url


@pytest.mark.parametrize(
    "name",
    ["patients:detail", "charting:chart", "charting:visit", "charting:start_visit_from_last"],
)
@pytest.mark.parametrize("pk", [1, 42, 987654321, 10**12])
def test_id_url_is_reverse_for_every_id(name, pk):
    assert id_url(name)(pk) == reverse(name, args=[pk])


def test_id_url_takes_whole_numbers_only():
    with pytest.raises(ValueError):
        id_url("patients:detail")("1/../../admin")
