"""Runs: the engine over inputs — scenarios over months, population tables chunk by chunk."""
