"""Probability scales shipped as CSV data (phrase, probability, low, high, source)."""
