"""Numeric, string and size limits: tighter is breaking, looser minor. Pure."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from gitops_templates.compat.core.samples import sample

if TYPE_CHECKING:
    from gitops_templates.compat.core.schemadiff import SchemaDiff


def numbers(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    for side, (tighter, looser) in (
        ("upper", ("maximum-decreased", "maximum-increased")),
        ("lower", ("minimum-increased", "minimum-decreased")),
    ):
        a, b = _bound(old, side), _bound(new, side)
        if a == b:
            continue
        key = _bound_key(new if b else old, side)
        if _stricter(b, a, side):
            value = b[0] if b else 0
            step = 1 if side == "upper" else -1
            seeds = (value + step, value + step / 2, value)
            d.add(
                tighter,
                f"{ptr}/{key}",
                f"{key} {_limit_text(a)} -> {_limit_text(b)}",
                path,
                seeds,
            )
        elif _stricter(a, b, side):
            d.add(looser, f"{ptr}/{key}", f"{key} {_limit_text(a)} -> {_limit_text(b)}", path)
    m_old, m_new = _number(old.get("multipleOf")), _number(new.get("multipleOf"))
    if m_old != m_new:
        if m_new is not None and (m_old is None or Fraction(m_old) % Fraction(m_new) != 0):
            multiples: tuple[Any, ...] = (m_old if m_old is not None else 1, 1, 0.5, 3, 7)
            d.add(
                "multiple-of-narrowed",
                f"{ptr}/multipleOf",
                f"multipleOf {m_old} -> {m_new}",
                path,
                multiples,
            )
        else:
            d.add(
                "multiple-of-widened",
                f"{ptr}/multipleOf",
                f"multipleOf {m_old} -> {m_new}",
                path,
            )


def strings(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    limits(d, old, new, ptr, path, "maxLength", "minLength", lambda n: "x" * n)
    p_old, p_new = old.get("pattern"), new.get("pattern")
    if p_old != p_new:
        if p_new is None or p_new in (".*", "^.*$", ""):
            d.add("pattern-removed", f"{ptr}/pattern", f"pattern {p_old!r} removed", path)
        else:
            rule = "pattern-added" if p_old is None else "pattern-changed"
            seeds = (sample(old, kind="string"), "", "x", "X", "0", "a-b", "a b", "_")
            d.add(rule, f"{ptr}/pattern", f"pattern {p_old!r} -> {p_new!r}", path, seeds)
    if old.get("format") != new.get("format"):
        d.add(
            "format-changed",
            f"{ptr}/format",
            f"format {old.get('format')!r} -> {new.get('format')!r}",
            path,
        )


def limits(
    d: SchemaDiff,
    old: dict[str, Any],
    new: dict[str, Any],
    ptr: str,
    path: Any,
    max_key: str,
    min_key: str,
    make: Any,
) -> None:
    """maxX/minX pairs: tighter is breaking, looser minor; `make(n)` builds a seed."""
    stem = _rule_stem(max_key)
    for key in (max_key, min_key):
        kind = "max" if key == max_key else "min"
        default = float("inf") if kind == "max" else 0
        a, b = old.get(key, default), new.get(key, default)
        if a == b:
            continue
        if (b < a) if kind == "max" else (b > a):
            rule = f"{kind}-{stem}-{'decreased' if kind == 'max' else 'increased'}"
            seed = b + 1 if kind == "max" else max(b - 1, 0)
            d.add(
                rule,
                f"{ptr}/{key}",
                f"{key} {_text(a)} -> {_text(b)}",
                path,
                (make(int(seed)),),
            )
        else:
            rule = f"{kind}-{stem}-{'increased' if kind == 'max' else 'decreased'}"
            d.add(rule, f"{ptr}/{key}", f"{key} {_text(a)} -> {_text(b)}", path)


def _bound(schema: dict[str, Any], side: str) -> tuple[float, bool] | None:
    """The effective (value, exclusive) bound; draft-04 boolean exclusives included."""
    plain, exclusive = (
        ("maximum", "exclusiveMaximum") if side == "upper" else ("minimum", "exclusiveMinimum")
    )
    value, excl = _number(schema.get(plain)), schema.get(exclusive)
    if isinstance(excl, bool):
        return (value, excl) if value is not None else None
    bounds = [b for b in ((value, False), (_number(excl), True)) if b[0] is not None]
    if not bounds:
        return None
    pick = min if side == "upper" else max
    best = pick(b[0] for b in bounds)  # type: ignore[type-var]
    return (best, any(b[1] for b in bounds if b[0] == best))  # type: ignore[return-value]


def _stricter(a: tuple[float, bool] | None, b: tuple[float, bool] | None, side: str) -> bool:
    """True when bound `a` admits less than bound `b`."""
    if a is None:
        return False
    if b is None:
        return True
    if a[0] != b[0]:
        return a[0] < b[0] if side == "upper" else a[0] > b[0]
    return a[1] and not b[1]


def _bound_key(schema: dict[str, Any], side: str) -> str:
    plain, exclusive = (
        ("maximum", "exclusiveMaximum") if side == "upper" else ("minimum", "exclusiveMinimum")
    )
    return exclusive if _number(schema.get(exclusive)) is not None else plain


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _limit_text(bound: tuple[float, bool] | None) -> str:
    return "none" if bound is None else f"{'<' if bound[1] else ''}{bound[0]}"


def _rule_stem(max_key: str) -> str:
    return {"maxLength": "length", "maxItems": "items", "maxProperties": "properties"}[max_key]


def _text(value: float) -> str:
    return "none" if value == float("inf") else str(value)
