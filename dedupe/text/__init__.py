"""Text processing shared by the stages: normalisation (tokens with offsets, wire furniture),
token numbering, stop words, fingerprints (stems, shingles, MinHash) and TF-IDF weights."""
