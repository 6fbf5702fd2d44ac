"""Voter files, VRI records and poll books."""
