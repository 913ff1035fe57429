"""A URLconf with no reader, for tests/test_paths.py."""

urlpatterns: list = []
