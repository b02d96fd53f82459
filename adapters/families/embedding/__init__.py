"""The embedding family: spec, reference and each framework's paths."""
