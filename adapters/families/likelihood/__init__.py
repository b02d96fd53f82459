"""The likelihood family: spec, reference and each framework's paths."""
