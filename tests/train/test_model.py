"""GPT-2 model: initial loss, overfitting a batch, parameter names and official-weight loading."""

import math

import pytest
import torch

from webtext.train.model import GPT, SIZES, GPTConfig, config_for, load_gpt2_state_dict


def tiny(**kw) -> GPT:
    torch.manual_seed(0)
    return GPT(config_for("tiny", **kw))


def test_loss_at_initialisation_is_about_ln_vocab():
    model = tiny()
    x = torch.randint(0, 50257, (4, 64))
    _, loss = model(x, torch.roll(x, -1, dims=1))
    assert abs(loss.item() - math.log(50257)) < 0.1


def test_flash_and_manual_attention_agree():
    model = tiny()
    x = torch.randint(0, 50257, (2, 40))
    manual = GPT(GPTConfig(**{**model.config.to_dict(), "flash": False}))
    manual.load_state_dict(model.state_dict())
    assert torch.allclose(model(x)[0], manual(x)[0], atol=1e-5)


def test_tiny_model_overfits_one_batch():
    model = tiny()
    x = torch.randint(0, 50257, (2, 33))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(80):
        _, loss = model(x[:, :-1], x[:, 1:])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5


def test_gpt2_sizes_have_the_papers_parameter_counts():
    expected = {"gpt2": 124, "gpt2-medium": 355, "gpt2-large": 774, "gpt2-xl": 1558}  # millions, HF-counted
    for size, millions in expected.items():
        c = GPTConfig(**SIZES[size], vocab_size=50257)
        n = (
            12 * c.n_layer * c.n_embd**2
            + 13 * c.n_layer * c.n_embd
            + 2 * c.n_embd
            + (50257 + 1024) * c.n_embd
        )
        assert abs(n / 1e6 - millions) / millions < 0.01, size


def test_residual_projections_are_scaled_and_embeddings_tied():
    model = tiny()
    assert model.lm_head.weight is model.transformer.wte.weight
    std = model.transformer.h[0].attn.c_proj.weight.std().item()
    assert abs(std - 0.02 / math.sqrt(2 * model.config.n_layer)) < 0.004


def test_official_checkpoint_layout_loads():
    """A state dict in the Hugging Face GPT-2 layout (Conv1D weights transposed, vocab 50257) loads
    exactly."""
    source = tiny()
    official = {}
    for name, tensor in source.state_dict().items():
        if name == "lm_head.weight":
            continue
        value = tensor.t() if name.endswith(("c_attn.weight", "c_proj.weight", "c_fc.weight")) else tensor
        official[name.removeprefix("transformer.")] = value[:50257] if name.endswith("wte.weight") else value
    official["h.0.attn.bias"] = torch.ones(1)  # the original's mask buffer is ignored
    target = GPT(config_for("tiny"))
    load_gpt2_state_dict(target, official)
    x = torch.randint(0, 50257, (1, 16))
    assert torch.equal(source(x)[0][..., :50257], target(x)[0][..., :50257])
    with pytest.raises(KeyError):
        load_gpt2_state_dict(target, {"h.99.mlp.c_fc.weight": torch.zeros(1)})


def test_generate_never_samples_padding_ids():
    out = tiny().generate(torch.tensor([[464]]), 20, generator=torch.Generator().manual_seed(0))
    assert out.shape == (1, 21) and out.max().item() < 50257


def test_chunked_head_and_loss_equal_the_full_ones_with_their_gradients():
    from webtext.train.loss import chunked_linear_cross_entropy

    torch.manual_seed(0)
    hidden = torch.randn(37, 16, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(300, 16, dtype=torch.float64, requires_grad=True)
    targets = torch.randint(0, 300, (37,))
    expected = torch.nn.functional.cross_entropy(hidden @ weight.t(), targets)
    expected.backward()
    want = hidden.grad.clone(), weight.grad.clone()
    hidden.grad = weight.grad = None
    got = chunked_linear_cross_entropy(hidden, weight, targets, chunk_rows=8)  # 5 chunks, the last short
    (2 * got).backward()  # the incoming gradient scales what was stored
    assert torch.allclose(got, expected)
    assert torch.allclose(hidden.grad, 2 * want[0]) and torch.allclose(weight.grad, 2 * want[1])
    # Numerical gradients, one input at a time: on a smaller head (9 rows, 30 classes, 3 chunks), in 1 s
    small_hidden = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    small_weight = torch.randn(30, 4, dtype=torch.float64, requires_grad=True)
    small_targets = torch.randint(0, 30, (9,))
    assert torch.autograd.gradcheck(lambda h, w: chunked_linear_cross_entropy(h, w, small_targets, 4),
                                    (small_hidden, small_weight))
