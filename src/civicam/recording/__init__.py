"""Recording: sources, the pure segmenter, the fMP4 writer, the recorder loop,
reconciliation, retention and health."""
