"""Set planning: order candidates into a set that mixes well and follows an energy arc; the DJ session."""
