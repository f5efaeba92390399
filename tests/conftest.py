"""Shared test set-up: hypothesis profiles and import paths.

HYPOTHESIS_PROFILE=ci (the default, `make test`) runs a few hundred cases per property;
HYPOTHESIS_PROFILE=long (`make test-long`) runs thousands.
"""

import os
import sys

from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

settings.register_profile(
    "ci",
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=7000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only under `make test-long` (-m "slow or not slow")."""
    if config.getoption("-m"):
        return
    import pytest

    skip = pytest.mark.skip(reason="slow: run with `make test-long`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
