"""Stage 1, the build: the numbers a model is made from (:mod:`.inputs`, :mod:`.economics`,
:mod:`.sofc_twin`, :mod:`.counterfactual`), the registers (:mod:`.context`), one component
per technology family (:mod:`.components`) and the assembly (:mod:`.model`). Imports no
other stage of the optimiser."""
