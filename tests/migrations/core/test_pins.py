from __future__ import annotations

import pytest
from semver import Version

from gitops_templates.migrations.core.pins import Pin

V = Version.parse
RELEASES = [V(v) for v in ("0.3.0", "0.3.4", "0.4.0", "1.4.0", "1.4.2", "1.5.0", "1.9.1",
                           "2.0.0-rc.1", "2.0.0", "3.1.0")]  # fmt: skip


@pytest.mark.parametrize(("pin", "best"), [
    ("1.4.2", "1.4.2"), ("^1.4", "1.9.1"), ("~1.4", "1.4.2"), ("^1", "1.9.1"), ("~1", "1.9.1"),
    ("^0.3", "0.3.4"), ("^0.3.1", "0.3.4"), ("~0.3", "0.3.4"), ("v1.4.0", "1.4.0"),
    ("^2.0.0-rc.1", "2.0.0"), ("1.4.7", None), ("^4", None),
])  # fmt: skip
def test_the_best_release_a_pin_allows(pin, best):
    found = Pin.parse(pin).best(RELEASES)
    assert (str(found) if found else None) == best


def test_ranges_skip_prereleases_unless_their_base_is_one():
    assert not Pin.parse("^1.9").allows(V("2.0.0-rc.1"))
    assert not Pin.parse("^1.9").allows(V("1.10.0-rc.1"))
    assert Pin.parse("^2.0.0-rc.1").allows(V("2.0.0-rc.2"))


@pytest.mark.parametrize(("pin", "target", "moved"), [
    ("1.4.2", "3.1.0", "3.1.0"), ("^1.4", "3.1.0", "^3.1"), ("~1.4", "1.4.2", "~1.4"),
    ("^1", "3.1.0", "^3"), ("^1.4.0", "3.1.0", "^3.1.0"), ("^1.4", "2.0.0-rc.1", "^2.0.0-rc.1"),
])  # fmt: skip
def test_a_moved_pin_is_written_as_the_old_one(pin, target, moved):
    assert Pin.parse(pin).moved_to(V(target)) == moved


@pytest.mark.parametrize("text", ["1.4", "latest", ">=1.0", "^01.2", "1.2.3.4", "", "^" + "9" * 20])
def test_what_is_not_a_pin(text):
    with pytest.raises(ValueError, match="pin"):
        Pin.parse(text)
