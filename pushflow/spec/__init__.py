"""The campaign spec: what users write, loaded with positions and validated."""
