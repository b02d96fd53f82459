"""The margin family: spec, reference and each framework's paths."""
