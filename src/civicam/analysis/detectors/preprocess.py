"""Detector input images: BGR frames resized (stretched or letterboxed) to model tensors."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from civicam.analysis.yolo import Letterbox

InputRange = Literal["0-1", "-1-1", "0-255"]

#: Grey of the letterbox padding (what YOLO exports are trained with).
PAD_GREY = 114


def _check(image: npt.NDArray[np.uint8]) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 BGR image, got {image.shape} {image.dtype}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError("the image is empty")


def stretch_rgb(image: npt.NDArray[np.uint8], size: int) -> npt.NDArray[np.uint8]:
    """``image`` (BGR) resized to ``size`` x ``size``, ignoring aspect, as RGB.

    Bilinear, as the TensorFlow SSD graphs resize; SSD boxes are then fractions of
    the original image directly.
    """
    _check(image)
    resized = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
    rgb: npt.NDArray[np.uint8] = np.ascontiguousarray(resized[:, :, ::-1])
    return rgb


def letterbox_rgb(
    image: npt.NDArray[np.uint8], size: int
) -> tuple[npt.NDArray[np.uint8], Letterbox]:
    """``image`` (BGR) scaled to fit ``size`` x ``size``, centred on grey, as RGB."""
    _check(image)
    h, w = image.shape[:2]
    box = Letterbox(width=w, height=h, size=size)
    new_w = max(1, round(w * box.scale))
    new_h = max(1, round(h * box.scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    canvas = np.full((size, size, 3), PAD_GREY, dtype=np.uint8)
    pad_x, pad_y = box.pad
    x0, y0 = int(pad_x), int(pad_y)
    # Whole-pixel placement is within half a pixel of the geometry yolo.py maps back with.
    canvas[y0 : y0 + new_h, x0 : x0 + new_w] = resized[:, :, ::-1]
    return canvas, box


def to_tensor(
    rgb: npt.NDArray[np.uint8], *, nchw: bool, as_uint8: bool, input_range: InputRange
) -> npt.NDArray[np.float32] | npt.NDArray[np.uint8]:
    """One RGB image as a batch of one, in the layout, type and value range a model takes."""
    arr = rgb.transpose(2, 0, 1) if nchw else rgb
    if as_uint8:
        return np.ascontiguousarray(arr[None])
    x = arr[None].astype(np.float32)
    if input_range == "0-1":
        x *= np.float32(1 / 255)
    elif input_range == "-1-1":
        x *= np.float32(2 / 255)
        x -= np.float32(1)
    return np.ascontiguousarray(x)
