"""Widgets that render environments, reports and history."""
