"""Tests of inkread.core."""
