"""Support for the project's own test suite (not used at run time)."""
