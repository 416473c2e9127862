"""Running regression cases outside `osms-eval test`: the pytest plugin and the CI report formats."""
