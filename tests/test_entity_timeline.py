"""The entity pages' timeline: per day with the empty days shown, per month over long spans."""

from __future__ import annotations

from pipeline.read.entity_pages import _buckets, timeline_svg


def test_short_spans_show_every_day_including_empty_ones() -> None:
    assert _buckets([("2026-01-14T09:30", 2), ("2026-01-16", 1), ("2026-01-14", 1)]) == [
        ("2026-01-14", 3),
        ("2026-01-15", 0),
        ("2026-01-16", 1),
    ]


def test_long_spans_are_summed_per_month() -> None:
    points = [("2025-01-02", 1), ("2025-01-30", 2), ("2025-09-01", 4), ("not a day", 9)]
    assert _buckets(points) == [("2025-01", 3), ("2025-09", 4)]


def test_the_svg_has_one_bar_per_bucket_with_its_count() -> None:
    svg = timeline_svg([("2026-01-14", 2), ("2026-01-15", 1)])
    assert svg.count('<rect class="bar"') == 2
    assert "<title>2026-01-14: 2 mentions</title>" in svg
    assert timeline_svg([]) == ""
