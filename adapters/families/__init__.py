"""Loss families, one folder each (adapters.FAMILIES lists them)."""
