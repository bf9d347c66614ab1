"""Stage 3, after the solve: duals and implied prices, extraction into one results Dataset
(:mod:`.results`, :mod:`.ledger`, :mod:`.targets`, :mod:`.sofc_results`) and what is read from
a Dataset alone (:mod:`.statistics`, :mod:`.matching`, :mod:`.gaps`, :mod:`.summary`).
Imports the formulation and the solve."""
