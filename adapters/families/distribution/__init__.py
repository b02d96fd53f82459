"""The distribution family: spec, reference and each framework's paths."""
