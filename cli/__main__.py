"""`python -m cli ...` is `pheduyet ...`: how `pheduyet serve` starts its background worker
with the same interpreter, whatever the console script is called."""

from .main import main

main(prog_name="pheduyet")
