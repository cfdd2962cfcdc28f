"""One demo object per widget: state, a headless ``update(**values)``, and ``widget()``."""

from coursekit.demos.base import Demo
from coursekit.demos.orientation import RadioKnobDemo

__all__ = ["Demo", "RadioKnobDemo"]
