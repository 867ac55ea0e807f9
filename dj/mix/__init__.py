"""The mixing engine: transition design, timeline, stretching, blending, rendering, mastering, measuring."""
