"""Performance benchmark (filled in below)."""
