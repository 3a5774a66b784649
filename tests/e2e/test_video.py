"""The fake camera's video: a well-formed YUV4MPEG2 stream that Chromium can play."""

from __future__ import annotations

import io

from PIL import Image

from tests.e2e.video import FPS, FRAMES, HEIGHT, WIDTH, frame_with_label, write_label_video


def label(width: int = 591, height: int = 295) -> bytes:
    picture = Image.new("1", (width, height), 1)
    for x in range(20, 260):
        for y in range(20, 260):
            if (x // 20 + y // 20) % 2:
                picture.putpixel((x, y), 0)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def parse(data: bytes) -> tuple[dict[str, str], list[bytes]]:
    header, _, rest = data.partition(b"\n")
    words = header.decode().split()
    assert words[0] == "YUV4MPEG2"
    fields = {word[0]: word[1:] for word in words[1:]}
    width, height = int(fields["W"]), int(fields["H"])
    size = width * height + 2 * (width // 2) * (height // 2)
    frames = []
    while rest:
        marker, _, rest = rest.partition(b"\n")
        assert marker == b"FRAME"
        frames.append(rest[:size])
        assert len(frames[-1]) == size
        rest = rest[size:]
    return fields, frames


def test_the_video_is_yuv4mpeg2_420jpeg_at_640x480(tmp_path):
    path = write_label_video(label(), tmp_path / "label.y4m")
    fields, frames = parse(path.read_bytes())
    assert (fields["W"], fields["H"], fields["F"], fields["C"], fields["I"]) == (
        str(WIDTH), str(HEIGHT), f"{FPS}:1", "420jpeg", "p")
    assert len(frames) == FRAMES
    assert all(frame == frames[0] for frame in frames)


def test_the_label_can_leave_the_picture_and_come_back(tmp_path):
    _, frames = parse(write_label_video(label(), tmp_path / "away.y4m", away=25).read_bytes())
    assert len(frames) == FRAMES + 25
    y_size = WIDTH * HEIGHT
    assert all(frame == frames[0] for frame in frames[:FRAMES])
    assert min(frames[0][:y_size]) < 50  # the label's black
    assert all(set(frame[:y_size]) == {255} for frame in frames[FRAMES:])  # white, nothing to decode


def test_the_label_is_centred_on_white_at_sixty_percent_of_the_width():
    frame = frame_with_label(label()).convert("L")
    assert frame.size == (WIDTH, HEIGHT)
    assert frame.getpixel((5, 5)) == 255 and frame.getpixel((WIDTH - 5, HEIGHT - 5)) == 255
    # The label's dark squares start 20/591 of its width in; the label is 384 px wide, centred.
    left = (WIDTH - 384) // 2
    dark = [x for x in range(WIDTH) if frame.getpixel((x, HEIGHT // 2)) < 128]
    assert dark and left <= dark[0] <= left + 30
    assert dark[-1] < left + 384


def test_luma_and_chroma_planes_hold_the_picture(tmp_path):
    red = Image.new("RGB", (WIDTH, HEIGHT), (255, 0, 0))
    buffer = io.BytesIO()
    red.save(buffer, "PNG")
    fields, frames = parse(write_label_video(buffer.getvalue(), tmp_path / "red.y4m").read_bytes())
    y_size, c_size = WIDTH * HEIGHT, (WIDTH // 2) * (HEIGHT // 2)
    frame = frames[0]
    y, cb, cr = frame[:y_size], frame[y_size:y_size + c_size], frame[y_size + c_size:]
    # A red label (scaled onto white): the middle is red, so Cr is high and Cb low there.
    middle_c = (HEIGHT // 4) * (WIDTH // 2) + WIDTH // 4
    assert cr[middle_c] > 200 and cb[middle_c] < 110
    # The corners are white: full luma, neutral chroma.
    assert y[0] == 255 and abs(cb[0] - 128) <= 1 and abs(cr[0] - 128) <= 1
    assert len(y) == y_size and len(cb) == len(cr) == c_size
