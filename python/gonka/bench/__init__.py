"""Benchmarks that compare hosts: ``gonka bench poc`` measures the PoC engines (speed and numerics) and writes
a JSON result; ``gonka bench compare`` sets several results side by side."""

from gonka.bench.poc import BenchConfig, run_poc_bench
from gonka.bench.report import compare_table, load_result, result_table

__all__ = ["BenchConfig", "compare_table", "load_result", "result_table", "run_poc_bench"]
