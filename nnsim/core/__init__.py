"""Tiny shared pieces with no Qt: errors, events, resource paths."""
