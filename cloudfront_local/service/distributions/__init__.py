"""Distributions and their configs."""
