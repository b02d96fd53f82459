"""The focal_dice family: spec, reference and each framework's paths."""
