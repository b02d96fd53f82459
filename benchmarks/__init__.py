"""asv benchmark suites: one module per loss family, sharing common.LossBenchmark."""
