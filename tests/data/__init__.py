"""Tests of inkread.data."""
