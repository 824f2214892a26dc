"""Tests of inkread.models."""
