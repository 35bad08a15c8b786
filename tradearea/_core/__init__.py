"""Foundation (layer 0): atomic writes, escaping, CRS and geometry helpers, engine dispatch."""
