"""OpenAI Triton kernels of the PoC forward pass (one op per module).

The repository's top-level ``kernels/`` folder is a link to this package, so the kernels ship inside the
``gonka`` wheel as ``gonka.kernels`` (maturin packages only what lies under ``python/``).

Modules: :mod:`~gonka.kernels.rmsnorm`, :mod:`~gonka.kernels.rope`, :mod:`~gonka.kernels.attention`,
:mod:`~gonka.kernels.gemm` (persistent GEMM, residual epilogue, the shared tile machinery),
:mod:`~gonka.kernels.qkv` (Q/K/V GEMM with RoPE in the epilogue), :mod:`~gonka.kernels.swiglu` (gate/up GEMM
with the SiLU·mul epilogue). Each module names its PyTorch reference; ``tests/test_kernels_ops.py`` checks
each one.
"""
