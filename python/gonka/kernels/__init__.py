"""OpenAI Triton kernels of the PoC forward pass (one op per module).

The repository's top-level ``kernels/`` folder is a link to this package, so the kernels ship inside the
``gonka`` wheel as ``gonka.kernels`` (maturin packages only what lies under ``python/``).
"""
