"""The shape every widget demo shares."""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from PIL import Image


def log_slider(
    description: str,
    value: float,
    log10_range: tuple[float, float],
    step: float,
    width: str = "460px",
    readout_format: str = ".3g",
) -> widgets.FloatLogSlider:
    """A slider over a scale hyperparameter, in steps of ``step`` decades, showing its value."""
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=log10_range[0],
        max=log10_range[1],
        step=step,
        description=description,
        readout_format=readout_format,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


def budget_slider(description: str, value: int, max_budget: int, width: str = "460px") -> widgets.IntSlider:
    """A search-budget slider: how many tries (1 to ``max_budget``) the figure shows."""
    return widgets.IntSlider(
        value=value,
        min=1,
        max=max_budget,
        step=1,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


class Demo:
    """A figure plus the controls that change it.

    Subclasses build ``self.figure`` in ``__init__``, mark the artists that change with
    ``self.animate(...)``, list their controls in ``controls()`` (name → ipywidgets control,
    each showing its current value) and update those artists in ``draw(**values)``.

    Rendering blits: axes, ticks and data that never change are drawn once and cached as pixels;
    an update redraws only the animated artists. A demo whose static part changes (new axis
    limits, say) calls ``self.invalidate()``.

    ``update(**values)`` can be called without a browser: tests and benchmarks drive it directly
    and get the PNG the widget would show.
    """

    figure = None

    def controls(self) -> dict[str, widgets.ValueWidget]:
        raise NotImplementedError

    def draw(self, **values) -> None:
        raise NotImplementedError

    def animate(self, *artists: Artist) -> None:
        """Mark artists that change on every update (they are left out of the cached background)."""
        if not hasattr(self, "_animated"):
            self._animated: list[Artist] = []
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        self.invalidate()

    def invalidate(self) -> None:
        """Redraw the static background on the next update."""
        self._background = None

    def render(self) -> bytes:
        canvas = self.figure.canvas
        if getattr(self, "_background", None) is None:
            canvas.draw()  # a full draw skips animated artists
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in getattr(self, "_animated", []):
            self.figure.draw_artist(artist)
        buffer = io.BytesIO()
        # Fast PNG settings: the image lives a fraction of a second in the browser.
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def update(self, **values) -> bytes:
        """Redraw for these control values and return the rendered PNG."""
        self.draw(**values)
        return self.render()

    def widget(self) -> widgets.VBox:
        """The controls above the figure; moving a control redraws the figure."""
        controls = self.controls()
        image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

        def refresh(_change=None):
            image.value = self.update(**{name: c.value for name, c in controls.items()})

        for control in controls.values():
            control.observe(refresh, names="value")
        refresh()
        box = widgets.VBox([widgets.HBox(list(controls.values())), image])
        box.add_class("coursekit-demo")
        return box
