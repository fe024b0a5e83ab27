"""The benchmark: how fast tui-profiles ingests, answers and refreshes, against baselines measured in the same run.

    python -m tests.bench                 # 1M events over 50k users (make bench)
    python -m tests.bench --smoke         # a small size CI runs so the benchmark never rots (make bench-smoke)
    python -m tests.bench --pg URL        # PostgreSQL too (or TUI_PROFILES_TEST_PG_URL)

Each figure is the median of repeated runs, next to its baseline from the same
run and the ratio: this machine is shared and noisy, absolute times drift,
ratios hold. Prints a table and writes bench-results.json. Speed is measured
here, never asserted in the test suite.
"""
