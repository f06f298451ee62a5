"""The department's processes, one module each: a diagram builder and its forms."""
