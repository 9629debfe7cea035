import pytest

from .helpers import make_doc


@pytest.fixture
def doc():
    return make_doc()
