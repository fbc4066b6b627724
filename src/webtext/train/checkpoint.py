"""Atomic checkpoints holding everything an exact resume needs, loaded with weights_only."""

import glob
import os

import torch

CHECKPOINT_NAME = "ckpt.pt"


def checkpoint_path(out_dir: str) -> str:
    return os.path.join(out_dir, CHECKPOINT_NAME)


def save_checkpoint(out_dir: str, *, model, optimizer, step: int, config: dict, model_config: dict,
                    best_val_loss: float, scaler: dict | None = None, keep: int = 1) -> str:
    """Model, optimizer, next step (the data position), RNG states and both configs; temp file then rename.
    With `keep` above 1 the newest `keep` checkpoints stay as ckpt-<step>.pt too (kept_checkpoints)."""
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
    if keep > 1:  # the same file under its step's name: a hard link costs no space
        numbered = os.path.join(out_dir, f"ckpt-{step:08d}.pt")
        if os.path.exists(numbered):
            os.remove(numbered)
        os.link(path + ".tmp", numbered)
    os.replace(path + ".tmp", path)
    for old in kept_checkpoints(out_dir)[:-keep] if keep > 1 else kept_checkpoints(out_dir):
        os.remove(old)
    return path


def kept_checkpoints(out_dir: str) -> list[str]:
    """The numbered checkpoints in `out_dir`, oldest first."""
    return sorted(glob.glob(os.path.join(out_dir, "ckpt-*.pt")))


def load_checkpoint(out_dir: str, device: str) -> dict:
    """The checkpoint's contents; only tensors and plain values are unpickled (weights_only)."""
    state = torch.load(checkpoint_path(out_dir), map_location=device, weights_only=True)
    torch.set_rng_state(state["rng"]["torch"].cpu())
    if state["rng"]["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["rng"]["cuda"]])
    return state
