import pytest

torch = pytest.importorskip("torch", reason="the trainer's tests need PyTorch (the 'train' extra)")
