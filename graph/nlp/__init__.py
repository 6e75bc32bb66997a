"""spaCy components of ReformKG's extraction pipeline, registered by name."""
