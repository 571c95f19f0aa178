"""Drawing a signature with the mouse on the signing page's pad, shared by browser tests."""


def draw_signature(page, pad) -> None:
    """Two strokes across the pad (a locator), as a patient signs with a finger or a pen."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.1 * w, y + 0.6 * h)
    page.mouse.down()
    for i in range(1, 30):
        page.mouse.move(x + (0.1 + 0.025 * i) * w, y + (0.6 - 0.3 * ((i % 6) / 6)) * h)
    page.mouse.up()
    page.mouse.move(x + 0.5 * w, y + 0.7 * h)
    page.mouse.down()
    page.mouse.move(x + 0.85 * w, y + 0.65 * h, steps=10)
    page.mouse.up()
