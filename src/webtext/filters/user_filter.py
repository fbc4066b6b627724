"""Your own document filter (`--filter_module package.module:function`), run after the built-in rules by
both engines (it sits in the filter stage's one driver, filters/batches.py).

The function takes a Document (webtext.records: url, text, title, domain, language, ...) and returns
None or True to keep it, False to drop it as `user_rejected`, or a reason (1 to 40 of a-z, 0-9, _) to drop
it as `user_<reason>`. Its reasons are counted in the manifest and the report like the built-in ones; an
exception it raises is a `filter_error` drop of that document (counted apart, as a possible bug). On a
cluster the module must be importable on every worker (ship it in the package or the SDK image)."""

import importlib
import re
from collections.abc import Callable

from webtext.reasons import FILTER
from webtext.records import Document, Drop
from webtext.settings import ConfigError

USER_PREFIX = "user_"
_REASON = re.compile(r"[a-z0-9_]{1,40}")


def load_user_filter(spec: str) -> Callable[[Document], object]:
    """The function `spec` names; ConfigError (one line) when it cannot be imported or is not callable."""
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise ConfigError(f"--filter_module {spec}: give it as package.module:function")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"--filter_module {spec}: {error}") from None
    if not callable(function):
        raise ConfigError(f"--filter_module {spec}: {function_name} is not a function")
    return function


def drop_by_user(doc: Document, function: Callable[[Document], object]) -> Document | Drop:
    verdict = function(doc)
    if verdict is None or verdict is True:
        return doc
    reason = "rejected" if verdict is False else verdict
    if not isinstance(reason, str) or not _REASON.fullmatch(reason):
        raise ValueError(f"--filter_module returned {reason!r}: None or True keeps, False or a reason "
                         "(1 to 40 of a-z, 0-9, _) drops")
    return Drop(FILTER, USER_PREFIX + reason, doc.url, "")
