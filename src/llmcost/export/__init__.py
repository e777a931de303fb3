"""export layer (see DESIGN.md §1)."""
