"""The scan's stages, in the order pipeline.py runs them: read, digest, candidates, pairwise
(verification, with features and the verifier model), cluster, attribute (with outlets), textdiff,
and keep (the corpus without its copies)."""
