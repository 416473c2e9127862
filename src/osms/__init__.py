"""osms-eval: Kazakhstan's mandatory social health insurance law (ОСМС / МӘМС) as data."""

__version__ = "0.1.0"
