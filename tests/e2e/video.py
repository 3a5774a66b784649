"""A fake camera for Chromium: a YUV4MPEG2 (.y4m) video of a label held in front of the lens.

Chromium plays it in a loop (`--use-file-for-fake-video-capture`). With `away` frames the label leaves
the picture for a while (white) and comes back, as when a user moves the phone off a label and scans it again.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 640, 480
FPS = 10
FRAMES = 30
LABEL_SHARE = 0.6  # the label fills this much of the frame's width


def frame_with_label(label_png: bytes, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """The label centred on white, scaled to LABEL_SHARE of the frame's width."""
    label = Image.open(io.BytesIO(label_png)).convert("RGB")
    new_width = round(width * LABEL_SHARE)
    new_height = round(label.height * new_width / label.width)
    if new_height > height * 0.9:
        new_height = round(height * 0.9)
        new_width = round(label.width * new_height / label.height)
    label = label.resize((new_width, new_height), Image.Resampling.LANCZOS)
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(label, ((width - new_width) // 2, (height - new_height) // 2))
    return frame


def y4m_frame(frame: Image.Image) -> bytes:
    """One picture as a YUV4MPEG2 frame, 4:2:0 with JPEG siting: Y at full size, Cb and Cr each averaged
    over 2×2 pixels."""
    if frame.width % 2 or frame.height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    cb = cb.resize(half, Image.Resampling.BOX)
    cr = cr.resize(half, Image.Resampling.BOX)
    return b"FRAME\n" + y.tobytes() + cb.tobytes() + cr.tobytes()


def y4m_bytes(frame: Image.Image, frames: int = FRAMES, fps: int = FPS, away: int = 0) -> bytes:
    """`frames` copies of one picture, then `away` white frames, as a YUV4MPEG2 (C420jpeg) stream."""
    header = f"YUV4MPEG2 W{frame.width} H{frame.height} F{fps}:1 Ip A1:1 C420jpeg\n".encode()
    blank = y4m_frame(Image.new("RGB", frame.size, "white")) if away else b""
    return header + y4m_frame(frame) * frames + blank * away


def write_label_video(label_png: bytes, path: Path, away: int = 0, frames: int = FRAMES) -> Path:
    path.write_bytes(y4m_bytes(frame_with_label(label_png), frames=frames, away=away))
    return path
