"""Errors raised by the recommender.

Every error carries a stable machine-readable ``code`` and the HTTP ``status`` a service should answer
with, so the API maps them to JSON in one handler without knowing each class.
"""

from __future__ import annotations

from core.errors import SelectaError


class RecommenderError(SelectaError):
    """Root of every recommender error."""

    code = "recommender_error"
    status = 400


class UnknownUserError(RecommenderError):
    code = "unknown_user"
    status = 404


class UnknownItemError(RecommenderError):
    code = "unknown_item"
    status = 404


class BundleError(RecommenderError):
    """A model bundle is missing, corrupt, or does not match the code or data it is used with.

    A service cannot rank until the bundle is retrained (``selecta train``), so it answers 503, like a
    bundle that was never trained; nothing a client sends can fix it.
    """

    code = "bad_bundle"
    status = 503


class BadEventsError(RecommenderError):
    """An events or interactions table lacks required columns or holds impossible values."""

    code = "bad_events"
    status = 422


class BadConfigError(RecommenderError):
    """A model name, hyper-parameter, transform or request argument the recommender cannot use."""

    code = "bad_recommender_config"
    status = 400


class BadUsersError(RecommenderError):
    """A user-feature table lacks ``user_id``/``features`` or holds values of the wrong type."""

    code = "bad_users"
    status = 422
