"""Labels files: classes from the object-class vocabulary in, anything else refused."""

from __future__ import annotations

import pytest

from civicam.analysis.labels import is_object_class, parse_labels


def test_parses_plain_and_indexed_labels() -> None:
    text = "# coco subset\nperson\n\n1: bicycle\n2 car  # comment\ntraffic light\n"
    assert parse_labels(text) == ("person", "bicycle", "car", "traffic light")


@pytest.mark.parametrize(
    "label",
    ["face", "Face", "human_face", "license-plate", "licence plate", "Number Plate", "reid"],
)
def test_classes_outside_the_vocabulary_are_refused(label: str) -> None:
    assert not is_object_class(label)
    with pytest.raises(ValueError, match="object classes only"):
        parse_labels(f"person\n{label}\n")


@pytest.mark.parametrize("label", ["person", "Bus", "traffic_light", "Fire-Hydrant", "backpack"])
def test_object_classes_pass_in_any_spelling(label: str) -> None:
    assert is_object_class(label)
    assert parse_labels(f"car\n{label}\n")[1] == label


def test_placeholder_slots_keep_model_indices() -> None:
    assert parse_labels("background\nperson\nN/A\ncar\n") == ("background", "person", "N/A", "car")


def test_empty_or_repeated_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="no classes"):
        parse_labels("# nothing\n\n")
    with pytest.raises(ValueError, match="repeats"):
        parse_labels("car\ncar\n")
