"""What the documentation shows, computed from metadata and history. Pure."""
