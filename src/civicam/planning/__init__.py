"""Planning: the city coverage model, the optimizer and plans."""
