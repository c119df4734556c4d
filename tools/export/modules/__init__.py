"""Re-implementations of ACE-Step v1's five inference modules, with the checkpoints' parameter names."""
