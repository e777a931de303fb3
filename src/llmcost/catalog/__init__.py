"""catalog layer (see DESIGN.md §1)."""
