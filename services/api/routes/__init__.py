"""One router per resource, composed in ``services.api.app``."""
