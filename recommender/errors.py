"""Errors raised by the recommender.

Every error carries a stable machine-readable ``code`` and the HTTP ``status`` a service should answer
with, so the API maps them to JSON in one handler without knowing each class.
"""

from __future__ import annotations


class RecommenderError(Exception):
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
    """A model bundle is missing, corrupt, or does not match the code or data it is used with."""

    code = "bad_bundle"
    status = 500
