"""A step selectors module that exists but is broken: its own import fails (used to prove errors are not swallowed)."""

import xinyi_no_such_dependency  # noqa: F401
