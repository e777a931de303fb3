"""cost layer (see DESIGN.md §1)."""
