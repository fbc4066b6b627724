"""Device, precision, distributed set-up, and each GPU's real peak for MFU."""

import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import torch
import torch.distributed as dist

# Dense bf16 tensor-core peaks from the vendors' data sheets, in FLOP/s. MFU is
# reported against the GPU actually used; an unknown GPU gets no MFU rather than a guess.
PEAK_BF16_FLOPS = {
    "H200": 989e12, "H100 NVL": 835e12, "H100 PCIe": 756e12, "H100": 989e12, "GH200": 989e12,
    "B200": 2250e12, "A100": 312e12, "A800": 312e12, "L40S": 362e12, "L40": 181e12, "L4": 121e12,
    "A10G": 70e12, "A10": 125e12, "RTX 4090": 165e12, "RTX 3090": 71e12, "V100": 125e12,
}


def peak_flops(device: str) -> float | None:
    if not device.startswith("cuda"):
        return None
    name = torch.cuda.get_device_name(torch.device(device))
    for key in sorted(PEAK_BF16_FLOPS, key=len, reverse=True):  # "H100 PCIe" before "H100"
        if key in name:
            return PEAK_BF16_FLOPS[key]
    return None


@dataclass(frozen=True)
class Runtime:
    device: str
    dtype: torch.dtype
    rank: int
    local_rank: int
    world: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def autocast(self):
        if self.dtype == torch.float32:
            return nullcontext()
        return torch.autocast(device_type=self.device.split(":")[0], dtype=self.dtype)


# scaled_dot_product_attention's CUDA kernels by setting name; "auto" leaves the choice to PyTorch.
ATTENTION_BACKENDS = ("auto", "flash", "cudnn", "efficient", "math")


@contextmanager
def attention_backend(name: str, device: str):
    """Within: attention on CUDA runs only the named SDPA kernel (also in what torch.compile traces)."""
    if name == "auto" or not device.startswith("cuda"):
        yield
        return
    from torch.nn.attention import SDPBackend, sdpa_kernel

    kernels = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION,
               "efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH}
    with sdpa_kernel([kernels[name]]):
        yield


class PrecisionError(ValueError):
    """A dtype the device cannot train in; the message says what to use instead."""


def start_runtime(device: str, dtype: str) -> Runtime:
    """Single process, or DDP when launched by torchrun (RANK/WORLD_SIZE/LOCAL_RANK in the environment)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    if device == "auto":
        device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise PrecisionError(
            f"--device={device}: this machine has no CUDA GPU that torch can use; --device=cpu, "
            f"or leave --device out (auto)"
        )
    if dtype == "float16" and not device.startswith("cuda"):
        # float16 needs loss scaling, which webtext does with a CUDA GradScaler; on a CPU bfloat16 does the
        # job.
        raise PrecisionError(
            "dtype float16 trains only on a CUDA GPU (with loss scaling); use bfloat16 or float32"
        )
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    if device.startswith("cuda"):
        torch.cuda.set_device(torch.device(device))
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") and torch.cuda.is_bf16_supported() else "float32"
    return Runtime(device, getattr(torch, dtype), rank, local_rank, world)


def stop_runtime(runtime: Runtime, finished: bool) -> None:
    if runtime.distributed and dist.is_initialized():
        if finished:
            # Rank 0 still writes the checkpoint and the sample after the last collective; a rank that
            # tore its process group down meanwhile could abort the other (gloo), so all wait here first.
            # (Not after a failure: the other ranks may never arrive.)
            dist.barrier()
        dist.destroy_process_group()


def mean_across_ranks(values: torch.Tensor, runtime: Runtime) -> torch.Tensor:
    """The element-wise mean of `values` over the ranks (one all-reduce, no host sync)."""
    if not runtime.distributed:
        return values
    summed = values.detach().clone()
    dist.all_reduce(summed, op=dist.ReduceOp.SUM)
    return summed / runtime.world
