"""DJ sessions as a service keeps them: the lifecycle, the stored record, the live audio stream."""
