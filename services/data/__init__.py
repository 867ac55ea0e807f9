"""The data layer: catalogue and listening-event schemas, validation, importers, the demo catalogue."""
