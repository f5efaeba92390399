"""`python -m viz.play [--port 8765]`: the Playground as a local web page (see viz.play.server)."""

from .server import main

raise SystemExit(main())
