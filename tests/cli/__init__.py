"""Tests of inkread.cli as a whole."""
