"""Settings package: `base` is driven by the environment; `test` and `production` adjust it."""
