"""The regression family: spec, reference and each framework's paths."""
