"""Mock provider servers that speak the real wire protocols (used by tests and benchmarks)."""
