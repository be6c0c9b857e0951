"""The addon's commands: handlers registered with @command, checked against
the protocol catalog, run with validated params and checked results."""
import functools
import inspect
import logging
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ..generated.catalog import COMMANDS
from .background import Background
from .errors import JobFailed
from .jobs import SCRIPT, Job
from .settings import gate_reason

log = logging.getLogger("blender_mcp_bus")

_BAD_INPUT = (ValueError, TypeError, KeyError, AttributeError)


class Registry:
    def __init__(self, catalog: Optional[Dict[str, Any]] = None):
        self.catalog = COMMANDS if catalog is None else catalog
        self._handlers: Dict[str, Callable[..., Dict[str, Any]]] = {}
        self._script_runner: Optional[Callable[[Job], Dict[str, Any]]] = None

    def command(self, name: str) -> Callable:
        """Decorator: the function becomes the handler of catalog command `name`.

        Its keyword defaults fill params the dispatcher left out, so they must
        agree with the protocol's defaults (a unit test compares them)."""
        if name not in self.catalog:
            raise KeyError("command %r is not in the protocol catalog" % name)

        def register(fn: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
            existing = self._handlers.get(name)
            # The same function again is a module reload (F8), not a clash.
            if existing is not None and (existing.__module__, existing.__qualname__) != (fn.__module__, fn.__qualname__):
                raise KeyError("command %r registered twice" % name)
            self._handlers[name] = fn
            return fn

        return register

    def script_runner(self, fn: Callable[[Job], Dict[str, Any]]) -> Callable[[Job], Dict[str, Any]]:
        """Decorator: the function runs job_dispatch scripts."""
        self._script_runner = fn
        return fn

    @property
    def names(self) -> List[str]:
        """Commands offered, in catalog order."""
        return [name for name in self.catalog if name in self._handlers]

    def handler(self, name: str) -> Optional[Callable[..., Dict[str, Any]]]:
        return self._handlers.get(name)

    def drift(self) -> Tuple[List[str], List[str]]:
        """(catalog commands without a handler, handlers the catalog lacks)."""
        missing = [name for name in self.catalog if name not in self._handlers]
        extra = [name for name in self._handlers if name not in self.catalog]
        return missing, extra

    def execute(self, job: Job, gated: Iterable[str]) -> Any:
        """Run one job on the calling thread; raises JobFailed with a reason.

        Returns the result, or a Background whose phases finish the job later."""
        gated = set(gated)
        if job.is_script:
            if SCRIPT in gated:
                raise JobFailed(gate_reason(SCRIPT))
            if self._script_runner is None:
                raise JobFailed("this addon cannot run job_dispatch scripts")
            return self._script_runner(job)
        spec = self.catalog.get(job.command)
        handler = self._handlers.get(job.command)
        if spec is None or handler is None:
            raise JobFailed(
                "unknown command %r: this Blender offers %s" % (job.command, ", ".join(self.names) or "no commands")
            )
        if spec.gate is not None and spec.gate in gated:
            raise JobFailed(gate_reason(spec.gate))
        params = with_defaults(handler, job.params)
        try:
            spec.params.from_dict(params)
        except _BAD_INPUT as error:
            raise JobFailed("invalid params for %s: %s" % (job.command, describe(error)))
        unexpected = sorted(set(params) - set(_signature(handler).parameters))
        if unexpected:
            raise JobFailed("invalid params for %s: unexpected %s" % (job.command, ", ".join(unexpected)))
        result = handler(**params)
        if isinstance(result, Background):
            # The result exists only after the main-thread phase; check it then.
            result.check = lambda value: check_result(spec, value)
            return result
        check_result(spec, result)
        return result


# Every job asks its handler's signature twice, and working it out costs more than many a handler.
_signature = functools.lru_cache(maxsize=None)(inspect.signature)


def with_defaults(handler: Callable, params: Dict[str, Any]) -> Dict[str, Any]:
    filled = dict(params)
    for name, parameter in _signature(handler).parameters.items():
        if name not in filled and parameter.default is not inspect.Parameter.empty:
            filled[name] = parameter.default
    return filled


def check_result(spec: Any, result: Any) -> None:
    """The protocol's result type is a contract: a handler that breaks it fails its job."""
    if not isinstance(result, dict):
        raise JobFailed("%s returned %s, not an object: an addon bug" % (spec.name, type(result).__name__))
    try:
        spec.result.from_dict(result)
    except _BAD_INPUT as error:
        raise JobFailed("%s returned a result off its contract: %s" % (spec.name, describe(error)))


def describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


# The registry the addon's command modules decorate into.
registry = Registry()
command = registry.command
