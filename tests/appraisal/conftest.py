import pytest

from tests.appraisal import fake_providers


@pytest.fixture(autouse=True)
def _fake_commitments_provider(settings):
    """Last year's commitments come from rectification through settings.XINYI_PROVIDERS; here from a fake."""
    settings.XINYI_PROVIDERS = {
        **settings.XINYI_PROVIDERS,
        "commitments_beside": "tests.appraisal.fake_providers.commitments_beside",
    }
    fake_providers.COMMITMENTS.clear()
    yield
    fake_providers.COMMITMENTS.clear()
