"""Stage 1, the formulation: the numbers a model is made from (:mod:`.inputs`,
:mod:`.economics`, :mod:`.sofc_twin`; factors and prices from :mod:`plant.factors`), the
registers (:mod:`.context`), one component per technology family (:mod:`.components`) and
the assembly (:mod:`.model`). Imports no other stage of the optimiser. (Not named ``build``:
tools and ignore files take folders of that name for build output.)"""
