"""Tests of the project itself: pinned dependencies and the system-package installer."""
