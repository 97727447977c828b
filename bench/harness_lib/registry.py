"""The scenario registry: the hook for new benchmark scenarios.

A scenario is a function taking a `Run` (bench/harness_lib/run.py) and returning a list of
`Row`s. Register it from any file in bench/scenarios/ (every *.py there is imported):

    from harness_lib.registry import scenario

    @scenario("failover", "Failover under load", order=70)
    def failover(run):
        ...
        return [Row(...), ...]

`order` sorts scenarios in a full run; `in_quick=False` leaves it out of `--quick`.
"""
import dataclasses
import importlib.util
import os

SCENARIOS = {}


@dataclasses.dataclass
class Row:
    scenario: str
    server: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    hit_ratio: float | None = None  # from the origin's request count; None if not a cache run
    cpu_us_per_request: float | None = None  # server CPU (user + system) per request
    rounds: list = dataclasses.field(default_factory=list)
    errors: int = 0
    note: str = ""
    extra: dict = dataclasses.field(default_factory=dict)  # scenario-specific columns


@dataclasses.dataclass
class Scenario:
    name: str
    title: str
    run: object
    order: int = 50
    in_quick: bool = True


def scenario(name, title, order=50, in_quick=True):
    def register(fn):
        if name in SCENARIOS:
            raise ValueError(f"scenario {name} registered twice")
        SCENARIOS[name] = Scenario(name, title, fn, order, in_quick)
        return fn
    return register


def load_scenario_files(directory):
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".py") and not entry.startswith("_"):
            spec = importlib.util.spec_from_file_location(f"scenarios.{entry[:-3]}",
                                                          os.path.join(directory, entry))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
