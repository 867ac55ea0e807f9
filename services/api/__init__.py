"""The FastAPI backend for a streaming app: catalogue, listening events, recommendations, DJ, jobs."""
