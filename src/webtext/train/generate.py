"""`webtext generate`: text sampled from a training run's checkpoint, as nanoGPT's sample.py does."""

import os

import torch

from webtext.shards.gpt2 import gpt2_encoding
from webtext.train.checkpoint import checkpoint_path
from webtext.train.config import TrainConfigError
from webtext.train.model import GPT, GPTConfig


def load_model(out_dir: str, device: str) -> GPT:
    """The model of `out_dir`'s checkpoint, on `device`, ready to sample."""
    path = checkpoint_path(out_dir)
    if not os.path.exists(path):
        raise TrainConfigError(f"{out_dir} holds no checkpoint ({os.path.basename(path)}): train there first")
    return load_model_file(path, device)


def load_model_file(path: str, device: str) -> GPT:
    """The model of the checkpoint file `path` (ckpt.pt, or a kept ckpt-<step>.pt), in eval mode."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
        model = GPT(GPTConfig(**state["model_config"]))
        model.load_state_dict(state["model"])
    except Exception as error:  # noqa: BLE001 (a file torch cannot read, or not a webtext checkpoint)
        raise TrainConfigError(f"{path}: not a webtext checkpoint ({type(error).__name__}: "
                               f"{str(error).splitlines()[0][:160]})") from None
    return model.to(device).eval()


@torch.no_grad()
def generate(out_dir: str, prompt: str, max_new_tokens: int = 100, temperature: float = 0.8, top_k: int = 200,
             samples: int = 1, seed: int = 0, device: str = "auto") -> list[str]:
    """`samples` continuations of `prompt` (each the prompt and what follows), seeded: the same call gives
    the same text on the same machine."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if max_new_tokens < 1 or temperature <= 0 or top_k < 1 or samples < 1:
        raise TrainConfigError(
            "--max_new_tokens, --top_k and --samples must be at least 1, --temperature above 0"
        )
    model, encoding = load_model(out_dir, device), gpt2_encoding()
    generator = torch.Generator(device=device).manual_seed(seed)
    ids = torch.tensor([encoding.encode_ordinary(prompt) or [encoding.eot_token]], device=device)
    return [encoding.decode(model.generate(ids, max_new_tokens, temperature=temperature, top_k=top_k,
                                           generator=generator)[0].tolist()) for _ in range(samples)]
