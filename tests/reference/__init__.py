"""The slow, obvious versions that dedupe's fast code must equal: library calls (datasketch,
scikit-learn, xxhash, re) or plain per-document Python.  Tests import them from here; the
package never does."""
