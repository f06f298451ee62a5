"""The `pheduyet` command line, for operators and scripts."""
