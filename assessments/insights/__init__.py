"""Insights for brands: the funnel, the answers, and how customers fare after buying."""
