"""Outputs: records, tables and text, explanations, services' cover, the diff, parameter reports."""
