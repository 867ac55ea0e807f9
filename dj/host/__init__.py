"""The host voice: what the DJ says before a track, where in the mix it says it, and ducking under it."""
