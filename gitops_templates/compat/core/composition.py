"""Combinators (anyOf, oneOf, allOf, not, if/then/else), tuples and `contains`. Pure.

Branches are matched as sets: an old branch is kept when some new branch accepts
everything it accepted (then the pair is compared for detail); otherwise, with as many
branches before as after, the branch at the same position is compared so findings keep
precise pointers. A oneOf branch added is minor only when it is disjoint from the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_templates.compat.core.samples import PALETTE, sample
from gitops_templates.compat.core.shapes import (
    accepts_all,
    allowed_values,
    covers,
    effective_types,
    json_in,
    normalize,
    same_json,
)

if TYPE_CHECKING:
    from gitops_templates.compat.core.schemadiff import SchemaDiff


def compare(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    """All combinator keywords of two subschemas."""
    _unions(d, old, new, ptr, path)
    _conjunction(d, old.get("allOf") or [], new.get("allOf") or [], ptr, path)
    _negation(d, old, new, ptr, path)
    _conditional(d, old, new, ptr, path)


def _unions(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    for kind in ("anyOf", "oneOf"):
        before, after = old.get(kind), new.get(kind)
        other = "oneOf" if kind == "anyOf" else "anyOf"
        if same_json(before, after):
            continue
        if before is None and kind == "anyOf" and old.get(other) is not None:
            continue  # oneOf -> anyOf: reported once, below
        if before is not None and after is None and new.get(other) is not None:
            changed = new[other]
            if kind == "oneOf":
                d.add("combinator-widened", f"{ptr}/anyOf", "oneOf became anyOf", path)
            else:
                d.add(
                    "combinator-changed",
                    f"{ptr}/oneOf",
                    "anyOf became oneOf: values matching several branches are rejected",
                    path,
                    tuple(sample(b) for b in before),
                )
            _branches(d, before, changed, f"{ptr}/{other}", path, one_of=(other == "oneOf"))
        elif before is None:
            d.add(
                "combinator-changed",
                f"{ptr}/{kind}",
                f"{kind} added",
                path,
                (sample(old), *PALETTE),
            )
        elif after is None:
            d.add("combinator-widened", f"{ptr}/{kind}", f"{kind} removed", path)
        else:
            _branches(d, before, after, f"{ptr}/{kind}", path, one_of=(kind == "oneOf"))


def _branches(
    d: SchemaDiff, before: list[Any], after: list[Any], ptr: str, path: Any, *, one_of: bool
) -> None:
    olds = [normalize(b) for b in before]
    news = [normalize(b) for b in after]
    free = [j for j, b in enumerate(news) if not json_in(b, olds)]
    for i, branch in enumerate(olds):
        if json_in(branch, news):
            continue
        partner = next((j for j in free if d.compatible(branch, news[j])), None)
        if partner is None and len(olds) == len(news) and i in free:
            partner = i  # same position: compare for precise findings
        if partner is None:
            d.add(
                "any-of-removed",
                f"{ptr}/{i}",
                "branch removed or narrowed",
                path,
                (sample(branch),),
            )
            continue
        free.remove(partner)
        d.compare(branch, news[partner], f"{ptr}/{partner}", path)
    for j in free:
        if not one_of:
            d.add("any-of-added", f"{ptr}/{j}", "branch added", path)
        elif all(disjoint(news[j], news[k]) for k in range(len(news)) if k != j):
            d.add("one-of-added", f"{ptr}/{j}", "branch added (disjoint from the others)", path)
        else:
            d.add(
                "one-of-added-overlapping",
                f"{ptr}/{j}",
                "branch added that overlaps another: values matching both now match two",
                path,
                (sample(news[j]), *PALETTE),
            )


def disjoint(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when no value can match both (by type, by value set, or a const discriminator)."""
    ta, tb = effective_types(a), effective_types(b)
    types_apart = ta is not None and tb is not None and not any(covers(tb, t) for t in ta)
    if types_apart and not any(covers(ta, t) for t in tb or ()):
        return True
    va, vb = allowed_values(a), allowed_values(b)
    if va is not None and vb is not None:
        return not any(json_in(v, vb) for v in va)
    pa, pb = a.get("properties") or {}, b.get("properties") or {}
    for name in set(pa) & set(pb) & set(a.get("required", ())) & set(b.get("required", ())):
        if isinstance(pa[name], dict) and isinstance(pb[name], dict):
            xa, xb = allowed_values(pa[name]), allowed_values(pb[name])
            if xa is not None and xb is not None and not any(json_in(v, xb) for v in xa):
                return True
    return False


def _conjunction(d: SchemaDiff, before: list[Any], after: list[Any], ptr: str, path: Any) -> None:
    olds = [normalize(b) for b in before]
    news = [normalize(b) for b in after]
    free = [i for i, b in enumerate(olds) if not json_in(b, news)]
    for j, conjunct in enumerate(news):
        if json_in(conjunct, olds):
            continue
        partner = next((i for i in free if d.compatible(olds[i], conjunct)), None)
        if partner is None and len(olds) == len(news) and j in free:
            partner = j
        if partner is not None:
            free.remove(partner)
            d.compare(olds[partner], conjunct, f"{ptr}/allOf/{j}", path)
        elif accepts_all(conjunct):
            d.add("docs-changed", f"{ptr}/allOf/{j}", "annotation-only allOf entry added", path)
        else:
            d.add("all-of-added", f"{ptr}/allOf/{j}", "allOf entry added", path, PALETTE)
    for i in free:
        d.add("all-of-removed", f"{ptr}/allOf/{i}", "allOf entry removed", path)


def _negation(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    before, after = old.get("not"), new.get("not")
    if same_json(before, after):
        return
    seeds = (sample(after),) if isinstance(after, dict) else ()
    if before is None:
        d.add("not-added", f"{ptr}/not", "not added", path, seeds)
    elif after is None:
        d.add("not-removed", f"{ptr}/not", "not removed", path)
    elif d.compatible(after, before):
        d.add("not-removed", f"{ptr}/not", "not narrowed: rejects less", path)
    else:
        d.add("not-added", f"{ptr}/not", "not changed: may reject more", path, seeds)


def _conditional(
    d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any
) -> None:
    if all(old.get(k) == new.get(k) for k in ("if", "then", "else")):
        return
    if "if" not in new:
        d.add("conditional-removed", f"{ptr}/if", "if/then/else removed", path)
    elif "if" not in old or old["if"] != new["if"]:
        d.add(
            "conditional-added",
            f"{ptr}/if",
            "if/then/else added or its condition changed",
            path,
            (sample(new.get("if")), sample(old), sample(old, full=True), *PALETTE),
        )
    else:
        for key in ("then", "else"):
            d.compare(old.get(key, {}), new.get(key, {}), f"{ptr}/{key}", path)


def tuples(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    """Tuple arrays: `items: [..]` + `additionalItems`, or `prefixItems` + `items`."""
    (o_items, o_rest, key), (n_items, n_rest, _) = _tuple(old), _tuple(new)
    for i in range(min(len(o_items), len(n_items))):
        d.compare(o_items[i], n_items[i], f"{ptr}/{key}/{i}", (*path, i))
    closed_old, closed_new = o_rest is False, n_rest is False
    for i in range(len(o_items), len(n_items)):
        rule = "tuple-item-added-closed" if closed_old else "tuple-item-added"
        d.add(rule, f"{ptr}/{key}/{i}", f"tuple item {i} added", (*path, i), PALETTE)
    for i in range(len(n_items), len(o_items)):
        rule = "tuple-item-removed" if closed_new else "tuple-item-removed-open"
        seed = [sample(s) for s in o_items]
        d.add(rule, f"{ptr}/{key}/{i}", f"tuple item {i} removed", path, (seed,))
    if o_rest != n_rest and (o_items or n_items):
        rest_key = "items" if key == "prefixItems" else "additionalItems"
        if d.compatible(o_rest if o_rest is not None else {}, n_rest if n_rest is not None else {}):
            d.add("additional-items-relaxed", f"{ptr}/{rest_key}", "more items accepted", path)
        else:
            extra = sample(o_rest) if isinstance(o_rest, dict) else "x"
            seed = [*(sample(s) for s in o_items), extra]  # one item past the tuple
            d.add(
                "additional-items-restricted",
                f"{ptr}/{rest_key}",
                "fewer items accepted",
                path,
                (seed,),
            )


def _tuple(schema: dict[str, Any]) -> tuple[list[Any], Any, str]:
    if "prefixItems" in schema:
        return list(schema["prefixItems"]), schema.get("items"), "prefixItems"
    items = schema.get("items")
    if isinstance(items, list):
        return items, schema.get("additionalItems"), "items"
    return [], items, "items"


def contains(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    """`contains` with `minContains`/`maxContains`."""
    keys = ("contains", "minContains", "maxContains")
    if all(old.get(k) == new.get(k) for k in keys):
        return
    before, after = old.get("contains"), new.get("contains")
    low_a, low_b = old.get("minContains", 1), new.get("minContains", 1)
    high_a, high_b = old.get("maxContains", float("inf")), new.get("maxContains", float("inf"))
    tighter = (after is not None and (before is None or not d.compatible(before, after))) or (
        low_b > low_a or high_b < high_a
    )
    if tighter:
        d.add("contains-added", f"{ptr}/contains", "contains restricted", path, ([], *PALETTE))
    else:
        d.add("contains-removed", f"{ptr}/contains", "contains relaxed", path)
