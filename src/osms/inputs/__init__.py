"""Inputs: scenarios (one person over time) and population tables (CSV, Parquet), checked strictly."""
