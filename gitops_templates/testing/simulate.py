"""The data simulator: parameter values generated from the schema, each rendered.

Values come from hypothesis-jsonschema (drafts 04-07 and 2020-12's `$defs`), seeded: the
same seed, template and tool give the same values. Every value is validated against the
schema again before it renders (2019-09/2020-12 keywords the generator does not know,
listed by pointer in `unsupported`, would otherwise pass invalid values off as valid
ones). The first value whose render fails (an error, invalid YAML/JSON output, an output
failing its `output_schema`) is shrunk by Hypothesis to a minimal one, reported with the
seed. A schema the generator cannot use is a reported problem, never a silent skip.
"""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.errors import GitOpsTemplatesError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gitops_templates.rendering.source import TemplateSource

BASE_BUDGET = 30.0  # seconds the simulator of one template may take, plus...
PER_VALUE_BUDGET = 0.5  # ...this much per value asked for
# 2019-09 / 2020-12 keywords hypothesis-jsonschema ignores (values may not satisfy them)
UNKNOWN_KEYWORDS = ("prefixItems", "dependentRequired", "dependentSchemas",
                    "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
                    "$recursiveRef", "minContains", "maxContains")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Simulation:
    """What the simulator generated and found."""

    json_fields: ClassVar[tuple[str, ...]] = ("seed", "requested", "passed", "total",
                                              "failure", "minimal_values", "unsupported",
                                              "ignored", "discarded")  # fmt: skip

    seed: int
    requested: int
    passed: int = 0
    failure: str = ""  # why the first failing value failed (after shrinking)
    minimal_values: Any = None
    unsupported: tuple[str, ...] = ()  # `pointer: why`: no valid value could be generated
    ignored: tuple[str, ...] = ()  # `pointer: keyword` the generator ignores (values checked)
    discarded: int = 0  # generated values the schema itself rejected

    @property
    def total(self) -> int:
        """Values rendered: the passing ones and the failing one."""
        return self.passed + (1 if self.failure else 0)


def simulate_template(
    source: TemplateSource, metadata: dict[str, Any], count: int, seed: int
) -> Simulation:
    """Render up to `count` generated values of the template's parameters."""
    parameters = metadata.get("parameters")
    schema = parameters if isinstance(parameters, dict) else {}
    ignored = tuple(f"{pointer}: {key}" for pointer, key in unknown_keywords(schema))
    from gitops_templates.testing.isolation import GenerationTimeout, run_bounded

    try:
        result = run_bounded(_run, (source, schema, count, seed), budget(count))
    except GenerationTimeout as err:
        why = (f"/: values cannot be generated: the generator {err} (a `pattern` that "
               "backtracks?)")  # fmt: skip
        return Simulation(seed, count, unsupported=(why,), ignored=ignored)
    except GitOpsTemplatesError as err:  # our bounded validator: a pattern over its budget
        return Simulation(seed, count, unsupported=(f"/: {err.message}"[:500],), ignored=ignored)
    except Exception as err:  # the generator's own errors, whatever their class
        if not _is_generation_error(err):
            raise
        refs = tuple(f"{at}: values cannot be generated: $ref {ref[:200]!r} is not in the "
                     "schema (references outside it are never fetched)"
                     for at, ref in outside_refs(schema))  # fmt: skip
        why = f"/: values cannot be generated: {type(err).__name__}: {err}"[:500]
        return Simulation(seed, count, unsupported=refs or (why,), ignored=ignored)
    unsupported: tuple[str, ...] = ()
    if not result.passed and not result.failure:
        unsupported = (f"/: none of {result.discarded} generated value(s) is valid under the "
                       "schema (keywords the generator ignores?)",)  # fmt: skip
    return Simulation(seed, count, result.passed, result.failure, result.minimal,
                      unsupported, ignored, result.discarded)  # fmt: skip


@dataclass
class _Tally:
    passed: int = 0
    discarded: int = 0
    failure: str = ""
    minimal: Any = None
    failing: bool = False


def _run(source: TemplateSource, schema: dict[str, Any], count: int, seed: int) -> _Tally:
    from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
    from hypothesis import seed as fixed_seed
    from hypothesis_jsonschema import from_schema

    from gitops_templates.catalog.userschema import user_validator
    from gitops_templates.testing.run import failure_text, render_values

    validator = user_validator(schema)
    tally = _Tally()
    strategy = from_schema(copy.deepcopy(schema))  # it rewrites `$ref` nodes in place

    @fixed_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, verbosity=Verbosity.quiet,
              phases=(Phase.generate, Phase.shrink), report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(strategy)
    def check(values: Any) -> None:
        if not validator.is_valid(values):
            tally.discarded += 0 if tally.failing else 1
            reject()
        outcome = render_values(source, values)
        if isinstance(outcome, Exception):
            tally.failing = True
            tally.failure, tally.minimal = failure_text(outcome), values  # the last is minimal
            raise AssertionError(tally.failure)
        if not tally.failing:
            tally.passed += 1

    with contextlib.suppress(AssertionError):
        check()
    return tally


def budget(count: int) -> float:
    """Seconds the generator may take for `count` values (and rendering them)."""
    return BASE_BUDGET + PER_VALUE_BUDGET * count


def generate_values(
    schema: Any, count: int, seed: int, seconds: float | None = None
) -> tuple[list[Any], str | None]:
    """Up to `count` distinct values valid under `schema`, seeded; or why there are none.

    The generator runs in a child process with a time limit (`testing/isolation.py`):
    `seconds`, or `budget(count)`.
    """
    from gitops_templates.testing.isolation import GenerationTimeout, run_bounded

    limit = budget(count) if seconds is None else seconds
    try:
        found: list[Any] = run_bounded(_generate, (schema, count, seed), limit)
    except GenerationTimeout as err:
        return [], f"values cannot be generated: the generator {err} (a backtracking pattern?)"
    except GitOpsTemplatesError as err:
        return [], err.message[:500]
    except Exception as err:
        if not _is_generation_error(err):
            raise
        return [], f"values cannot be generated: {type(err).__name__}: {err}"[:500]
    return found, None


def _generate(schema: Any, count: int, seed: int) -> list[Any]:
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis_jsonschema import from_schema

    from gitops_templates.catalog.userschema import user_validator

    validator = user_validator(schema)
    found: dict[str, Any] = {}

    @fixed_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, verbosity=Verbosity.quiet,
              phases=(Phase.generate,), suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(from_schema(copy.deepcopy(schema) if isinstance(schema, dict) else {}))
    def collect(values: Any) -> None:
        if validator.is_valid(values):
            found.setdefault(json.dumps(values, sort_keys=True), values)

    collect()
    return list(found.values())


def _is_generation_error(err: Exception) -> bool:
    """Errors of Hypothesis and hypothesis-jsonschema: the schema cannot be generated from."""
    module = type(err).__module__
    return module.startswith(("hypothesis", "hypothesis_jsonschema", "jsonschema")) or isinstance(
        err, (ValueError, TypeError, RecursionError)
    )


def outside_refs(schema: Any) -> list[tuple[str, str]]:
    """`(JSON pointer, $ref)` of every `$ref` that does not point into the schema itself."""
    return [(f"{at}/$ref", value) for at, key, value in _keywords(schema)
            if key == "$ref" and isinstance(value, str) and not value.startswith("#")]  # fmt: skip


def unknown_keywords(schema: Any) -> list[tuple[str, str]]:
    """`(JSON pointer, keyword)` of every keyword the generator ignores."""
    return [(at or "/", key) for at, key, _ in _keywords(schema) if key in UNKNOWN_KEYWORDS]


def _keywords(schema: Any, pointer: str = "") -> Iterator[tuple[str, str, Any]]:
    """`(pointer of its schema, keyword, value)` of every keyword, outside literal values."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _keywords(item, f"{pointer}/{index}")
    elif isinstance(schema, dict):
        for key, value in schema.items():
            yield pointer, str(key), value
            if key not in ("enum", "const", "default", "examples"):
                yield from _keywords(
                    value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
                )
