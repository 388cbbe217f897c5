"""The learned compliance detector: hashed n-gram features and a linear multi-label model run with numpy."""
