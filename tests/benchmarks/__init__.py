"""Performance suite: clientkit and the raw alternatives side by side (not part of pytest).

Run: ``python -m tests.benchmarks`` (needs nginx: ``apt-get install nginx-light``).
"""
