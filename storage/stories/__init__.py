"""Syndicated copies grouped into stories.

neardup.py (MinHash signatures and the story index), furniture.py (an outlet's
repeated lines, left out before comparing), wires.py (which wire a copy came from),
clusters.py (the clusters as stored, kept up to date by the writer).
"""
