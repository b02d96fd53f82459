"""The classification family: spec, reference and each framework's paths."""
