"""Audio with exactly known answers (tempo, beats, key) for tests and benchmarks; not used by the product."""
