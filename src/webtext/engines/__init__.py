"""The engines that run the corpus pipeline, and the contract they keep (base.py): the composed config
(config.py) in, typed results (RunResults) out. beam/ is the one Beam graph on any runner; units/ the
same stage drivers, unit by unit, in local worker processes. table.py picks one; nothing else names
them."""
