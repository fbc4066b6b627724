"""A DoFn run over one bundle without Beam, called the way a runner calls it."""


def one_bundle(dofn, calls: list[tuple]) -> list[tuple]:
    """(after which process call, by index, or "end" for finish_bundle; the output) for each output
    of `dofn` over one bundle. `calls`: the arguments of each process call."""
    dofn.setup()
    try:
        dofn.start_bundle()
        emitted = [(i, out) for i, args in enumerate(calls) for out in dofn.process(*args)]
        return emitted + [("end", out) for out in dofn.finish_bundle()]
    finally:
        dofn.teardown()
