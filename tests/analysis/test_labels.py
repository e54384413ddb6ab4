"""Labels files: object classes in, face/plate/identity classes refused."""

from __future__ import annotations

import pytest

from civicam.analysis.labels import forbidden, parse_labels


def test_parses_plain_and_indexed_labels() -> None:
    text = "# coco subset\nperson\n\n1: bicycle\n2 car  # comment\ntraffic light\n"
    assert parse_labels(text) == ("person", "bicycle", "car", "traffic light")


@pytest.mark.parametrize(
    "label",
    ["face", "Face", "human_face", "license-plate", "licence plate", "Number Plate", "reid"],
)
def test_biometric_and_identifying_classes_are_refused(label: str) -> None:
    assert forbidden(label)
    with pytest.raises(ValueError, match="object classes only"):
        parse_labels(f"person\n{label}\n")


@pytest.mark.parametrize("label", ["person", "bus", "plateau", "surface", "backpack"])
def test_ordinary_classes_pass_even_when_they_contain_a_forbidden_substring(label: str) -> None:
    assert not forbidden(label)


def test_empty_or_repeated_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="no classes"):
        parse_labels("# nothing\n\n")
    with pytest.raises(ValueError, match="repeats"):
        parse_labels("car\ncar\n")
