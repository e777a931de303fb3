"""perf layer (see DESIGN.md §1)."""
