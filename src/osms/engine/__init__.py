"""The engine: one month's evaluation, payment allocation, histories and insured status, as arrays."""
