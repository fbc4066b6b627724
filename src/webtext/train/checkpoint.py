"""Atomic checkpoints holding everything an exact resume needs, loaded with weights_only."""

import os

import torch

CHECKPOINT_NAME = "ckpt.pt"


def checkpoint_path(out_dir: str) -> str:
    return os.path.join(out_dir, CHECKPOINT_NAME)


def save_checkpoint(out_dir: str, *, model, optimizer, step: int, config: dict, model_config: dict,
                    best_val_loss: float, scaler: dict | None = None) -> str:
    """Model, optimizer, next step (the data position), RNG states and both configs; temp file then rename."""
    os.makedirs(out_dir, exist_ok=True)
    state = {
        "model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
        "config": config, "model_config": model_config, "best_val_loss": best_val_loss,
        "scaler": scaler,  # float16's GradScaler state (None otherwise)
        "rng": {"torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []},
    }
    path = checkpoint_path(out_dir)
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)
    return path


def load_checkpoint(out_dir: str, device: str) -> dict:
    """The checkpoint's contents; only tensors and plain values are unpickled (weights_only)."""
    state = torch.load(checkpoint_path(out_dir), map_location=device, weights_only=True)
    torch.set_rng_state(state["rng"]["torch"].cpu())
    if state["rng"]["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["rng"]["cuda"]])
    return state
