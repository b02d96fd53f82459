"""The ctc family: spec, reference and each framework's paths."""
