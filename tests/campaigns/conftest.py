"""A small region tree shared by the campaigns tests: one province, two counties."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from .factories import add_region


@pytest.fixture
def tree(db):
    """Province P > prefecture F > counties A and B > townships > villages."""
    p = add_region("620000000000", "Province")
    f = add_region("621100000000", "Prefecture", p)
    a = add_region("621102000000", "County A", f)
    b = add_region("621121000000", "County B", f)
    ta = add_region("621102100000", "Town A", a)
    tb = add_region("621121100000", "Town B", b)
    va1 = add_region("621102100201", "Village A1", ta)
    va2 = add_region("621102100202", "Village A2", ta)
    vb1 = add_region("621121100201", "Village B1", tb)
    return SimpleNamespace(p=p, f=f, a=a, b=b, ta=ta, tb=tb, va1=va1, va2=va2, vb1=vb1)


@pytest.fixture(autouse=True)
def _english_messages():
    """Services build messages in the active language; the assertions read the English ones."""
    with translation.override("en"):
        yield
