"""Offline jobs (playlists for many users) and the worker that runs them, locally or on Ray."""
