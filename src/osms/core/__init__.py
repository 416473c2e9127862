"""Foundations every layer uses: errors, the analyst's language, limits, months, money, safe files."""
